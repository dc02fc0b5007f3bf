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


def test_a_reply_abandoned_and_closed_from_another_thread_frees_the_model(tiny: LlamaCppGenerator) -> None:
    # A web server runs each step of a streamed reply in a worker thread and closes an abandoned reply (page closed,
    # Stop pressed) from its event-loop thread. The model must be free for the next question afterwards.
    import threading
    from concurrent.futures import ThreadPoolExecutor

    messages = [{"role": "user", "content": "Write a long story about a lighthouse."}]
    reply = tiny.stream(messages, max_tokens=200, temperature=0.0)
    with ThreadPoolExecutor(1) as worker:
        assert worker.submit(next, reply).result()  # the model is held, by the worker thread
    closed: list[BaseException] = []

    def close() -> None:
        try:
            reply.close()
        except BaseException as exc:  # reported below
            closed.append(exc)

    closer = threading.Thread(target=close)
    closer.start()
    closer.join()
    assert not closed, closed
    answer: list[str] = []
    asker = threading.Thread(target=lambda: answer.extend(tiny.stream(messages, max_tokens=4, temperature=0.0)))
    asker.start()
    asker.join(timeout=60)
    assert not asker.is_alive(), "the next question waited for a model the abandoned reply still held"
    assert answer
