import pytest

from rag.prompting import INSTRUCTION, REFUSAL, SYSTEM_PROMPT, build_prompt, canonical
from rag.types import Chunk, ScoredChunk, Turn


def _passage(i: int, words: int, doc: str = "d", rank: int | None = None) -> ScoredChunk:
    text = " ".join(f"w{i}_{j}" for j in range(words))
    return ScoredChunk(Chunk(f"c{i}", doc, f"Title {i}", "/s", i, 0, len(text), text), 1.0 - i / 10, rank or i)


def count(text: str) -> int:
    return len(text.split())


def test_passages_are_numbered_with_titles_and_instructions() -> None:
    prompt = build_prompt("Who?", [_passage(1, 5), _passage(2, 5)], count, context_length=2000, max_answer_tokens=100)
    assert prompt.messages[0] == {"role": "system", "content": SYSTEM_PROMPT}
    user = prompt.messages[-1]["content"]
    assert '[1] (from "Title 1")' in user and '[2] (from "Title 2")' in user
    assert user.index('[2] (from "Title 2")') < user.index(INSTRUCTION) < user.index("Question: Who?")


def test_the_library_layout_puts_the_passages_first() -> None:
    prompt = build_prompt("Who?", [_passage(1, 5), _passage(2, 5)], count, context_length=2000, max_answer_tokens=100,
                          layout="library")
    system = prompt.messages[0]
    assert system["role"] == "system" and system["content"].startswith(SYSTEM_PROMPT)
    assert '[1] (from "Title 1")' in system["content"] and '[2] (from "Title 2")' in system["content"]
    user = prompt.messages[-1]["content"]
    assert user.index(INSTRUCTION) < user.index("Question: Who?")
    assert "Title" not in user  # the passages are read once, before the conversation
    assert REFUSAL in SYSTEM_PROMPT


def test_passages_are_numbered_in_library_order_whatever_their_rank() -> None:
    """Two questions that find the same passages in another order get the same prompt up to the question."""
    a, b, c = _passage(1, 5, "doc-b"), _passage(2, 5, "doc-a"), _passage(3, 5, "doc-a")
    first = build_prompt("Who?", [a, b, c], count, context_length=2000, max_answer_tokens=100, layout="library")
    second = build_prompt("When?", [c, a, b], count, context_length=2000, max_answer_tokens=100, layout="library")
    assert [p.chunk.id for p in first.passages] == ["c2", "c3", "c1"]  # document, then position
    assert first.messages[0] == second.messages[0]
    assert canonical([c, b]) == [b, c]


@pytest.mark.parametrize("layout", ["question", "library"])
def test_passages_that_do_not_fit_are_dropped_best_first_kept(layout: str) -> None:
    passages = [_passage(i, 300, doc=f"d{5 - i}") for i in range(1, 5)]  # library order is the reverse of rank
    prompt = build_prompt("Who?", passages, count, context_length=1200, max_answer_tokens=200, layout=layout)
    assert 1 <= len(prompt.passages) < 4
    assert sorted(p.rank for p in prompt.passages) == list(range(1, len(prompt.passages) + 1))  # the best ranked
    total = sum(count(m["content"]) for m in prompt.messages)
    assert total + 200 <= 1200


def test_history_is_kept_newest_first_and_without_markers() -> None:
    history = [Turn(f"q{i} " + "x " * 200, f"a{i} [1].") for i in range(5)]
    prompt = build_prompt("Follow-up?", [_passage(1, 50)], count, context_length=1200, max_answer_tokens=100,
                          history=history)
    contents = [m["content"] for m in prompt.messages[1:-1]]
    assert contents, "some history should fit"
    assert contents[-1] == "a4."  # newest turn kept, its marker stripped
    assert not any(c.startswith("q0") for c in contents)  # oldest dropped
