"""The Generator seam: the same pipeline against a real OpenAI-compatible server (llama-cpp-python's)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.build import build_assistant
from rag.config import load_settings
from rag.errors import RagError
from rag.llm import OpenAICompatibleGenerator
from rag.types import Token
from tests.conftest import MODELS, TINY, require_model

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_model(TINY)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path_factory.mktemp("server") / "server.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(MODELS / "SmolLM2-135M-Instruct.Q4_1.gguf"),
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2"],
            stdout=fh, stderr=subprocess.STDOUT, env={**os.environ},
        )
        url = f"http://127.0.0.1:{port}/v1"
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{url}/models", timeout=1)
                break
            except OSError:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.5)
        yield url
        proc.terminate()
        proc.wait(timeout=30)


def test_pipeline_streams_through_a_real_server(server_url: str, tmp_path: Path, seeds_copy: Path) -> None:
    require_model("all-minilm-l6-v2-int8")
    settings = load_settings(env={}, data_dir=tmp_path / "data", models_dir=MODELS, chat_model=TINY,
                             chat_server=server_url, max_answer_tokens=48)
    assistant = build_assistant(settings)
    assert isinstance(assistant.generator, OpenAICompatibleGenerator)
    assistant.ingest([seeds_copy])
    events = list(assistant.ask_stream("How old is Ri Il Gyu?"))
    tokens = [e for e in events if isinstance(e, Token)]
    assert len(tokens) > 3  # really streamed, piece by piece
    answer = events[-1].answer
    assert answer.text and answer.passages and answer.timings.first_token_ms


def test_unreachable_server_says_how_to_fix(tmp_path: Path) -> None:
    gen = OpenAICompatibleGenerator("http://127.0.0.1:9/v1", "m", timeout=2)
    with pytest.raises(RagError, match="cannot reach the chat server.*unset chat_server"):
        list(gen.stream([{"role": "user", "content": "hi"}], max_tokens=4, temperature=0))


def test_prompt_sizes_are_counted_by_the_servers_own_tokenizer(server_url: str) -> None:
    # The budgets that keep prompts inside the context need exact counts, not a length guess.
    from llama_cpp import Llama

    text = "Ri Il Gyu, 52, fled with his family; the NIS confirmed it on 2023-11-21. " * 3
    vocab = Llama(str(MODELS / "SmolLM2-135M-Instruct.Q4_1.gguf"), vocab_only=True, verbose=False)
    exact = len(vocab.tokenize(text.encode(), add_bos=False, special=True))
    generator = OpenAICompatibleGenerator(server_url, TINY)
    assert generator.count_tokens(text) == exact
    assert exact != len(text) // 3 + 1  # not the estimate a server without a tokenizer gets


def test_a_server_too_slow_for_the_timeout_says_which_setting_to_raise(tmp_path: Path) -> None:
    # A server that accepts the connection and never answers.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
        generator = OpenAICompatibleGenerator(url, TINY, timeout=0.5)
        with pytest.raises(RagError, match=r"did not answer within 0.5 s; raise chat_server_timeout"):
            list(generator.stream([{"role": "user", "content": "hi"}], max_tokens=8, temperature=0))
