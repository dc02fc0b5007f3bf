from rag.prompting import INSTRUCTION, REFUSAL, SYSTEM_PROMPT, build_prompt
from rag.types import Chunk, ScoredChunk, Turn


def _passage(i: int, words: int) -> ScoredChunk:
    text = " ".join(f"w{i}_{j}" for j in range(words))
    return ScoredChunk(Chunk(f"c{i}", "d", f"Title {i}", "/s", i, 0, len(text), text), 1.0 - i / 10, i)


def count(text: str) -> int:
    return len(text.split())


def test_passages_are_numbered_with_titles_and_instructions() -> None:
    prompt = build_prompt("Who?", [_passage(1, 5), _passage(2, 5)], count, context_length=2000, max_answer_tokens=100)
    assert prompt.messages[0] == {"role": "system", "content": SYSTEM_PROMPT}
    user = prompt.messages[-1]["content"]
    assert '[1] (from "Title 1")' in user and '[2] (from "Title 2")' in user
    assert user.index(INSTRUCTION) < user.index("Question: Who?")
    assert REFUSAL in SYSTEM_PROMPT


def test_passages_that_do_not_fit_are_dropped_best_first_kept() -> None:
    passages = [_passage(i, 300) for i in range(1, 5)]
    prompt = build_prompt("Who?", passages, count, context_length=1200, max_answer_tokens=200)
    assert 1 <= len(prompt.passages) < 4
    assert prompt.passages == passages[: len(prompt.passages)]
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
