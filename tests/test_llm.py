"""The real llama.cpp generator on the tiny model: streaming, token counting, context."""

import pytest

from rag.llm import LlamaCppGenerator
from tests.conftest import MODELS, TINY, require_model

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny() -> LlamaCppGenerator:
    require_model(TINY)
    gen = LlamaCppGenerator(MODELS / "SmolLM2-135M-Instruct.Q4_1.gguf", context_length=2048, threads=2)
    assert not gen.loaded  # cheap constructor: nothing loaded yet
    return gen


def test_streams_several_pieces_deterministically(tiny: LlamaCppGenerator) -> None:
    messages = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Count to five."}]
    first = list(tiny.stream(messages, max_tokens=24, temperature=0.0))
    assert tiny.loaded and len(first) > 3
    assert list(tiny.stream(messages, max_tokens=24, temperature=0.0)) == first


def test_counts_tokens_in_its_own_vocabulary(tiny: LlamaCppGenerator) -> None:
    assert 0 < tiny.count_tokens("hello world") < tiny.count_tokens("hello world, " * 20)
    assert tiny.context_length == 2048
