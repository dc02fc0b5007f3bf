"""`make team`'s script: a real `chroma run`, a real llama.cpp server and `rag serve` against both, on loopback; one
question through all three, then all three stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import MODELS, ROOT, SMALL, require_model
from tests.servers import free_port, wait_for

pytestmark = pytest.mark.slow


def _down(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
    except urllib.error.HTTPError:
        return False
    except OSError:
        return True
    return False


def test_one_question_through_chroma_the_llama_server_and_rag_serve(tmp_path: Path) -> None:
    from openai import OpenAI

    require_model(SMALL)
    require_model("all-minilm-l6-v2-int8")
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "orchard.txt").write_text("Orchard harvest report\n\nThe Hollin orchard picked 4,300 pears this "
                                          "autumn, its largest harvest since 1987, said the grower Ines Vale.\n")
    ports = {"TEAM_CHROMA_PORT": free_port(), "TEAM_LLM_PORT": free_port(), "RAG_PORT": free_port()}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "BIN": str(ROOT / ".venv" / "bin"),
           "TEAM_DATA": str(tmp_path / "team"), "TEAM_INGEST": str(articles), "RAG_MODELS_DIR": str(MODELS),
           "RAG_CHAT_MODEL": SMALL, "RAG_CONTEXT_LENGTH": "4096"}
    log = tmp_path / "team.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(["bash", "scripts/team.sh"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{ports['RAG_PORT']}/"
        wait_for(url, proc, log, seconds=240)
        client = OpenAI(base_url=url + "v1", api_key="none", max_retries=0, timeout=300)
        reply = client.chat.completions.create(model=SMALL, messages=[
            {"role": "user", "content": "How many pears did the Hollin orchard pick this autumn?"}])
        assert "4,300" in reply.choices[0].message.content, reply.choices[0].message.content
        assert reply.model_extra["citations"][0]["title"] == "Orchard harvest report"
        assert not (tmp_path / "team" / "rag" / "chroma").exists()  # the library is in the Chroma server
        assert (tmp_path / "team" / "chroma").is_dir()
        served = (tmp_path / "team" / "llm.log").read_text()
        assert "/v1/chat/completions" in served or "POST" in served, served[-2000:]  # the model answered there
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    time.sleep(1)
    assert all(_down(p) for p in ports.values()), log.read_text()  # all three stopped
