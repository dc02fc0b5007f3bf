"""Pre-read passages: the state store on disk (fast), and answers over placed states through the real model."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from rag.build import build_assistant
from rag.cli import main
from rag.config import load_settings
from rag.preread import PassageStates, state_key
from tests.conftest import MODELS, SMALL, require_model


def _key(text: str) -> bytes:
    return state_key("model", [1, 2, 3], "chunk-1", [ord(c) for c in text])


def test_a_state_comes_back_as_it_was_kept(tmp_path: Path) -> None:
    states = PassageStates(tmp_path, 10**6)
    states.save(_key("a"), 3, b"payload-a" * 10)
    assert states.load(_key("a"), 3) == b"payload-a" * 10
    assert states.load(_key("b"), 3) is None  # never kept
    stats = states.stats()
    assert (stats.files, stats.hits, stats.misses) == (1, 1, 1)


def test_the_key_changes_with_model_head_chunk_and_text() -> None:
    base = state_key("m", [1], "c", [5, 6])
    assert len({base, state_key("m2", [1], "c", [5, 6]), state_key("m", [2], "c", [5, 6]),
                state_key("m", [1], "c2", [5, 6]), state_key("m", [1], "c", [5, 7])}) == 5


@pytest.mark.parametrize("damage", ["flip", "truncate", "foreign", "length"])
def test_a_damaged_or_foreign_state_is_not_trusted_and_is_deleted(tmp_path: Path, damage: str) -> None:
    states = PassageStates(tmp_path, 10**6)
    states.save(_key("a"), 3, bytes(range(200)))
    path = next(tmp_path.rglob("*.kv"))
    raw = bytearray(path.read_bytes())
    tokens = 3
    if damage == "flip":
        raw[-7] ^= 0xFF
        path.write_bytes(raw)
    elif damage == "truncate":
        path.write_bytes(raw[:-20])
    elif damage == "foreign":  # another passage's whole file under this passage's name
        states.save(_key("b"), 3, bytes(range(200)))
        other = next(p for p in tmp_path.rglob("*.kv") if p != path)
        os.replace(other, path)
    else:
        tokens = 4  # the passage has another length than the state was made for
    assert states.load(_key("a"), tokens) is None
    assert not path.exists()


def test_the_folder_keeps_to_its_budget_dropping_the_least_recently_used(tmp_path: Path) -> None:
    states = PassageStates(tmp_path, 3500)
    for name in "abc":
        states.save(_key(name), 3, b"x" * 1000)
        time.sleep(0.02)
    assert states.load(_key("a"), 3) is not None  # used: now the most recent
    time.sleep(0.02)
    states.save(_key("d"), 3, b"x" * 1000)
    assert states.stats().bytes <= 3500
    assert states.load(_key("b"), 3) is None  # the least recently used went
    assert states.load(_key("a"), 3) is not None and states.load(_key("d"), 3) is not None


def test_doctor_finds_half_written_and_damaged_states_and_repair_drops_them(tmp_path: Path) -> None:
    states = PassageStates(tmp_path, 10**6)
    states.save(_key("a"), 3, b"good" * 50)
    states.save(_key("b"), 3, b"bad!" * 50)
    bad = next(p for p in tmp_path.rglob("*.kv") if _key("b").hex() in p.name)
    bad.write_bytes(bad.read_bytes()[:-1] + b"?")
    (bad.parent / f"{bad.name}.123.part").write_bytes(b"half")
    whole, problems = states.check()
    assert whole == 1 and sorted(p.why for p in problems) == ["damaged", "half-written"]
    states.check(repair=True)
    assert states.check() == (1, [])
    assert states.load(_key("a"), 3) == b"good" * 50


def test_hits_and_misses_add_up_across_processes_in_the_stats_file(tmp_path: Path) -> None:
    one = PassageStates(tmp_path, 10**6)
    one.save(_key("a"), 3, b"p")
    one.load(_key("a"), 3)
    one.load(_key("z"), 3)
    one.flush_stats()
    two = PassageStates(tmp_path, 10**6)
    two.load(_key("a"), 3)
    two.flush_stats()
    stats = PassageStates(tmp_path, 10**6).stats()
    assert (stats.hits, stats.misses) == (2, 1) and stats.hit_rate == pytest.approx(2 / 3)


def test_look_alikes_are_grouped_to_be_read_together_in_library_order() -> None:
    import numpy as np

    from rag.preread import lookalike_groups

    def unit(*xs: float) -> list[float]:
        v = np.array(xs, dtype=np.float32)
        return list(v / np.linalg.norm(v))

    # Chunks 0, 2, 3 are about one story (near the first axis), 1 and 4 about another, 5 about neither.
    vectors = np.array([unit(1, 0.1, 0), unit(0, 1, 0.1), unit(1, 0, 0.1), unit(1, 0.2, 0.1), unit(0.1, 1, 0),
                        unit(0, 0, 1)])
    assert lookalike_groups(vectors, 4) == [[0, 2, 3], [1, 4], [5]]
    assert lookalike_groups(vectors, 2) == [[0, 3], [1, 4], [2], [5]]  # at most `size`, the closest first
    assert lookalike_groups(vectors, 4, floor=1.01) == [[0], [1], [2], [3], [4], [5]]


# ---- through the real model -----------------------------------------------------------------------------------

ARTICLE = """Harbour Ferry Strike Ends

The ferry workers of Port Calloway ended their strike on Tuesday after eleven days. The union's leader, Mara
Oyelaran, said the agreement raises wages by 7 percent over two years.

The harbour authority said the first ferries would sail again on Thursday morning. Commuters had crowded the
coastal buses during the strike, and the authority said it would add two extra crossings each evening.

The dispute began when the authority proposed cutting the night service. That plan has been dropped, the union
said, and the night ferry will keep its current timetable until at least next spring.
"""

OTHER = """Library Opens Reading Garden

The public library of Port Calloway opened a reading garden behind its main building on Saturday. The garden has
40 benches and a small pond, and it will stay open until sunset every day.

The librarian, Tomas Reinholt, said the garden cost 120,000 euros and was paid for by a local foundation.
"""


def _settings(data: Path, **extra: Any) -> Any:
    return load_settings(env={}, data_dir=data, models_dir=MODELS, chat_model=SMALL, library_tokens=0,
                         prompt_layout="library", top_k=3, max_answer_tokens=40, **{"passage_states_mb": 2048, **extra})


def _articles(tmp_path: Path) -> Path:
    """The two test articles, written to a folder of their own."""
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "ferry.txt").write_text(ARTICLE)
    (articles / "garden.txt").write_text(OTHER)
    return articles


class DecodeCounter:
    """Counts the tokens of every llama_decode call (the real function still does the work)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import llama_cpp.llama_cpp as lib

        self.calls: list[int] = []
        self.starts: list[int] = []  # the position of each call's first token
        real = lib.llama_decode

        def counted(ctx: Any, batch: Any) -> int:
            self.calls.append(int(batch.n_tokens))
            self.starts.append(int(batch.pos[0]))
            return int(real(ctx, batch))

        monkeypatch.setattr(lib, "llama_decode", counted)

    @property
    def prompt_tokens(self) -> int:
        """Tokens decoded more than one at a time (one-token decodes are the answer's own tokens)."""
        return sum(n for n in self.calls if n > 1)


@pytest.mark.slow
def test_an_answer_over_pre_read_passages_reads_only_the_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_model(SMALL)
    articles = _articles(tmp_path)
    data = tmp_path / "data"
    question = "By how much does the ferry agreement raise wages?"

    first = build_assistant(_settings(data))
    first.ingest([articles])
    cold = first.ask(question)
    first.close()
    passage_tokens = sum(first.generator.count_tokens(p.chunk.text) for p in cold.passages)
    assert cold.timings.passages_read == len(cold.passages) >= 2
    assert "7" in cold.text

    second = build_assistant(_settings(data))  # a new process's model: nothing in its KV cache
    second.warm()  # reads the instructions the passages go behind, as `rag serve` and `rag chat` do at start
    counter = DecodeCounter(monkeypatch)
    warm = second.ask(question)
    assert warm.timings.passages_preread == len(warm.passages) and warm.timings.passages_read == 0
    assert [p.chunk.id for p in warm.passages] == [p.chunk.id for p in cold.passages]
    assert "7" in warm.text and not warm.refused
    # What llama.cpp evaluated: the passage numbers, the instruction, the question (and the check beside it);
    # not the passages' own tokens.
    assert 0 < counter.prompt_tokens < passage_tokens / 2, (counter.calls, passage_tokens)

    # The same question with pre-read passages off reads every passage again.
    counter.calls.clear()
    whole = build_assistant(_settings(tmp_path / "data-off", passage_states_mb=0))
    whole.ingest([articles])
    whole.warm()
    counter.calls.clear()
    read = whole.ask(question)
    assert read.timings.passages_preread is None
    assert counter.prompt_tokens > passage_tokens
    second.close()
    whole.close()


@pytest.mark.slow
def test_a_changed_article_and_a_damaged_state_are_read_again_never_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    require_model(SMALL)
    articles = _articles(tmp_path)
    data = tmp_path / "data"
    question = "How many benches does the reading garden have?"
    assistant = build_assistant(_settings(data))
    assistant.ingest([articles])
    assert "40" in assistant.ask(question).text
    assistant.close()

    # Changed: the garden now has 65 benches. Its chunk's text changed, so its old state is never used.
    (articles / "garden.txt").write_text(OTHER.replace("40 benches", "65 benches"))
    assistant = build_assistant(_settings(data))
    assistant.ingest([articles])
    changed = assistant.ask(question)
    assert "65" in changed.text and "40" not in changed.text
    assert (changed.timings.passages_read or 0) >= 1
    assistant.close()

    # Damaged: every kept state has a byte flipped in its payload. Each is found out, dropped and read again.
    files = list((data / "passage-states").rglob("*.kv"))
    assert files
    for path in files:
        raw = bytearray(path.read_bytes())
        raw[len(raw) // 2] ^= 0x5A
        path.write_bytes(raw)
    assistant = build_assistant(_settings(data))
    again = assistant.ask(question)
    assert again.timings.passages_preread == 0 and again.timings.passages_read == len(again.passages)
    assert "65" in again.text
    # The states this question used were written again whole; the old text's state (never looked up again) stays
    # damaged until `rag doctor --repair` or the budget drops it.
    assert 0 < len(PassageStates(data / "passage-states", 2**30).check()[1]) < len(files)
    assistant.close()

    # `rag status` shows the states and their hit rate; `rag doctor` names the damaged one, --repair drops it.
    monkeypatch.setenv("RAG_PASSAGE_STATES_MB", "2048")
    where = ["--data-dir", str(data), "--models-dir", str(MODELS)]
    capsys.readouterr()
    assert main(["status", *where]) == 0
    status = capsys.readouterr().out
    assert "pre-read    " in status and "passage state(s)" in status and "lookups found" in status
    assert main(["doctor", "--no-models", *where]) == 1
    assert "bad state(s) (damaged)" in capsys.readouterr().out
    assert main(["doctor", "--no-models", "--repair", *where]) == 0
    assert PassageStates(data / "passage-states", 2**30).check()[1] == []


THIRD = """Bakery Wins Regional Prize

The Calloway Street bakery won the regional bread prize on Monday for its rye loaf. The owner, Ilse Varga, said
the prize of 3,000 euros would pay for a second oven, and that the bakery would open on Sundays from May.
"""


def _four_articles(tmp_path: Path) -> tuple[Any, dict[str, Any]]:
    """An assistant over the ferry, the garden, the bakery and the garden a year later (a look-alike of the garden),
    and each article's first chunk by file name."""
    require_model(SMALL)
    articles = _articles(tmp_path)
    (articles / "bakery.txt").write_text(THIRD)
    (articles / "garden-reopens.txt").write_text(LOOKALIKE)
    assistant = build_assistant(_settings(tmp_path / "data"))
    assistant.ingest([articles])
    first_chunk = {}
    for chunk in sorted(assistant.store.all_chunks(), key=lambda c: c.index, reverse=True):
        first_chunk[Path(chunk.source).stem] = chunk
    return assistant, first_chunk


@pytest.mark.slow
def test_a_passage_is_kept_as_first_read_and_placed_among_other_passages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A passage with no state is read where its prompt has it and kept; another prompt, with another passage
    before it, places it from that state: llama.cpp reads the new passage and the numbers, not the kept one."""
    from rag.llm import PassageReading
    from rag.prompting import build_prompt, stitched_passages
    from rag.types import ScoredChunk

    assistant, first_chunk = _four_articles(tmp_path)
    generator = assistant.generator
    assert isinstance(generator, PassageReading)

    def prompt(names: list[str], question: str) -> Any:
        passages = [ScoredChunk(first_chunk[n], 1.0, rank) for rank, n in enumerate(names, start=1)]
        return build_prompt(question, passages, generator.count_tokens, context_length=generator.context_length,
                            max_answer_tokens=40, layout="library", ordered=True)

    def tokens(name: str) -> int:
        return generator.count_tokens(first_chunk[name].text)

    one = prompt(["ferry", "garden"], "How many benches are in the garden?")
    counter = DecodeCounter(monkeypatch)
    placed = generator.place_passages(one.messages, stitched_passages(one))
    assert placed is not None and (placed.computed, placed.loaded) == (2, 0)
    # Each read where the prompt has it, the garden's over the ferry's (not alone behind the instructions).
    reads = [(n, start) for n, start in zip(counter.calls, counter.starts, strict=True) if n >= tokens("garden")]
    assert len(reads) >= 2 and reads[-1][1] >= reads[-2][1] + tokens("ferry"), (counter.calls, counter.starts)

    # The garden passage after another passage than before: the bakery's is read, the garden's is placed.
    two = prompt(["bakery", "garden"], "How many benches are in the garden?")
    counter.calls.clear()
    placed = generator.place_passages(two.messages, stitched_passages(two))
    assert placed is not None and (placed.computed, placed.loaded) == (1, 1)
    assert tokens("bakery") <= counter.prompt_tokens < tokens("bakery") + tokens("garden") / 2, counter.calls
    answer = "".join(generator.stream(two.messages, max_tokens=40, temperature=0.0))
    assert "40" in answer, answer

    # Both placed now, first the garden: nothing of either passage is read.
    counter.calls.clear()
    three = prompt(["garden", "bakery"], "What did the bakery's prize pay for?")
    placed = generator.place_passages(three.messages, stitched_passages(three))
    assert placed is not None and (placed.computed, placed.loaded) == (0, 2)
    assert counter.prompt_tokens < min(tokens("bakery"), tokens("garden")) / 2, counter.calls
    answer = "".join(generator.stream(three.messages, max_tokens=40, temperature=0.0))
    assert "oven" in answer.lower(), answer
    assistant.close()


LOOKALIKE = """Library Reading Garden Reopens

The public library of Port Calloway reopened its reading garden behind the main building on Saturday, a year after
it first opened. The garden now has 55 benches and a second pond, and it will stay open until sunset every day.

The librarian, Tomas Reinholt, said the new benches cost 30,000 euros and were paid for by the town council.
"""

@pytest.mark.slow
def test_a_passage_state_serves_only_beside_the_look_alikes_it_was_read_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same garden in two years: read over the other year's article, a passage's state is kept for that company
    only. Where no look-alike is before it, it is read again (an unrelated passage before it does not count), and
    each state serves the company it was read in."""
    import numpy as np

    from rag.llm import PassageReading
    from rag.preread import companies
    from rag.prompting import build_prompt, stitched_passages
    from rag.types import ScoredChunk

    assistant, first_chunk = _four_articles(tmp_path)
    generator = assistant.generator
    assert isinstance(generator, PassageReading)
    floor = assistant.settings.preread_lookalike
    assert floor > 0  # on by default

    def place(names: list[str]) -> Any:
        passages = [ScoredChunk(first_chunk[n], 1.0, rank) for rank, n in enumerate(names, start=1)]
        prompt = build_prompt("How many benches are in the garden?", passages, generator.count_tokens,
                              context_length=generator.context_length, max_answer_tokens=40, layout="library",
                              ordered=True)
        vectors = assistant.embedder.embed([first_chunk[n].text for n in names])
        company = companies(vectors / np.linalg.norm(vectors, axis=1, keepdims=True), floor)
        return company, generator.place_passages(prompt.messages, stitched_passages(prompt), company=company)

    company, placed = place(["garden-reopens", "garden"])
    assert company == [[], [0]]  # MiniLM finds the other year's garden a look-alike
    assert placed is not None and placed.computed == 2
    # After an unrelated passage, the garden's state read over the other year does not serve: it is read again.
    company, placed = place(["bakery", "garden"])
    assert company == [[], []]
    assert placed is not None and (placed.computed, placed.loaded) == (2, 0)
    # Each company now has its state: behind another unrelated passage, and behind the other year again.
    counter = DecodeCounter(monkeypatch)
    company, placed = place(["ferry", "garden"])
    assert placed is not None and (placed.computed, placed.loaded) == (1, 1)
    counter.calls.clear()
    company, placed = place(["garden-reopens", "garden"])
    assert placed is not None and placed.computed == 0
    assert counter.prompt_tokens < generator.count_tokens(first_chunk["garden"].text) / 2, counter.calls
    assistant.close()


@pytest.mark.slow
def test_a_library_pre_read_serves_a_passage_with_and_without_its_look_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`rag ingest --preread` reads look-alikes together and keeps a passage read over one also as read with none
    before it: a question that finds the garden beside the other year's garden, or beside an unrelated article
    (read earlier in its own group), reads neither passage again."""
    import numpy as np

    from rag.llm import PassageReading
    from rag.preread import companies
    from rag.prompting import build_prompt, stitched_passages
    from rag.types import ScoredChunk

    assistant, first_chunk = _four_articles(tmp_path)
    read, chunks = assistant.preread()
    assert read >= chunks > 0
    generator = assistant.generator
    assert isinstance(generator, PassageReading)
    counter = DecodeCounter(monkeypatch)
    for names in (["garden-reopens", "garden"], ["bakery", "garden"], ["ferry", "garden-reopens"]):
        passages = [ScoredChunk(first_chunk[n], 1.0, rank) for rank, n in enumerate(names, start=1)]
        prompt = build_prompt("How many benches are in the garden?", passages, generator.count_tokens,
                              context_length=generator.context_length, max_answer_tokens=40, layout="library")
        vectors = assistant.embedder.embed([p.chunk.text for p in prompt.passages])  # in library order
        company = companies(vectors / np.linalg.norm(vectors, axis=1, keepdims=True),
                            assistant.settings.preread_lookalike)
        counter.calls.clear()
        placed = generator.place_passages(prompt.messages, stitched_passages(prompt), company=company)
        assert placed is not None and placed.computed == 0, (names, company, placed)
        assert counter.prompt_tokens < min(generator.count_tokens(p.chunk.text) for p in passages), counter.calls
    assistant.close()


@pytest.mark.slow
def test_placing_passages_stops_when_asked_and_keeps_what_was_read(tmp_path: Path) -> None:
    """A question's passages placed while it is typed: `stop` ends the placing between steps; the passages read
    until then are kept, and placing the prompt again reads only the rest."""
    from rag.llm import PassageReading
    from rag.prompting import build_prompt, stitched_passages
    from rag.types import ScoredChunk

    require_model(SMALL)
    articles = _articles(tmp_path)
    (articles / "bakery.txt").write_text(THIRD)
    assistant = build_assistant(_settings(tmp_path / "data"))
    assistant.ingest([articles])
    generator = assistant.generator
    assert isinstance(generator, PassageReading)
    chunks = sorted(assistant.store.all_chunks(), key=lambda c: (c.doc_id, c.index))
    prompt = build_prompt("What happened?", [ScoredChunk(c, 1.0, i) for i, c in enumerate(chunks, start=1)],
                          generator.count_tokens, context_length=generator.context_length, max_answer_tokens=40,
                          layout="library")
    passages = stitched_passages(prompt)
    asked = 0

    def stop() -> bool:  # says stop once the first passage is read (it is asked before each later one)
        nonlocal asked
        asked += 1
        return asked > 1 + generator.count_tokens(passages[0][2]) // 16

    placed = generator.place_passages(prompt.messages, passages, stop=stop)
    assert placed is not None and placed.stopped and placed.computed >= 1 and placed.computed < len(passages)
    again = generator.place_passages(prompt.messages, passages)
    assert again is not None and not again.stopped
    assert again.loaded == placed.computed and again.computed == len(passages) - placed.computed
    assistant.close()


class _WordEmbedder:
    """Vectors from two words: "garden" texts point one way, others another; counts how many texts it embedded."""

    def __init__(self) -> None:
        self.embedded = 0

    def embed(self, texts: Any) -> Any:
        import numpy as np

        self.embedded += len(texts)
        return np.array([[1.0, 0.1] if "garden" in t else [0.1, 1.0] for t in texts])


def test_a_prompts_look_alike_companies_come_from_the_passages_vectors() -> None:
    """Each passage's company is its look-alikes before it; a passage alone has none (not "any"), and a chunk whose
    text changed is embedded again."""
    from rag.pipeline import Pipeline
    from rag.types import Chunk, ScoredChunk

    def passage(cid: str, text: str) -> ScoredChunk:
        return ScoredChunk(Chunk(cid, "d", "T", "/s", 0, 0, len(text), text), 1.0, 1)

    embedder = _WordEmbedder()
    pipeline = Pipeline(None, None, None, preread_lookalike=0.5, embedder=embedder)  # type: ignore[arg-type]
    garden, bakery, garden2 = passage("a", "the garden"), passage("b", "the bakery"), passage("c", "a garden again")
    assert pipeline._companies([garden, bakery, garden2]) == [[], [], [0]]
    assert pipeline._companies([garden]) == [[]]
    assert embedder.embedded == 3  # kept by chunk id and text
    assert pipeline._companies([passage("a", "the bakery"), bakery]) == [[], [0]]
    assert embedder.embedded == 4
    assert Pipeline(None, None, None)._companies([garden, garden2]) is None  # type: ignore[arg-type]


@pytest.mark.slow
def test_q8_0_passage_states_are_about_half_the_disk_and_serve_only_a_q8_0_model(tmp_path: Path) -> None:
    require_model(SMALL)
    articles = _articles(tmp_path)
    question = "By how much does the ferry agreement raise wages?"
    sizes: dict[str, int] = {}
    for kv_type in ("f16", "q8_0"):
        states = tmp_path / f"states-{kv_type}"
        assistant = build_assistant(_settings(tmp_path / f"data-{kv_type}", kv_type=kv_type, passage_states_dir=states))
        assistant.ingest([articles])
        cold = assistant.ask(question)
        assert cold.timings.passages_read == len(cold.passages) >= 2 and "7" in cold.text
        assistant.close()
        sizes[kv_type] = sum(p.stat().st_size for p in states.rglob("*.kv"))

        again = build_assistant(_settings(tmp_path / f"data-{kv_type}", kv_type=kv_type, passage_states_dir=states))
        again.warm()
        warm = again.ask(question)
        assert warm.timings.passages_preread == len(warm.passages) and "7" in warm.text and not warm.refused
        again.close()
    assert 0.45 < sizes["q8_0"] / sizes["f16"] < 0.6, sizes

    # A state kept by a q8_0 model is never used by an f16 model (its key names the KV type): read again.
    states = tmp_path / "states-q8_0"
    other = build_assistant(_settings(tmp_path / "data-q8_0", kv_type="f16", passage_states_dir=states))
    answer = other.ask(question)
    assert answer.timings.passages_preread == 0 and answer.timings.passages_read == len(answer.passages)
    other.close()

