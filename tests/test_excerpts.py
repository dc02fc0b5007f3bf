from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.excerpts import Excerpter, merge_overlapping
from rag.text import sentence_spans
from rag.types import Chunk, ScoredChunk
from tests.conftest import SPOKESMAN
from tests.fakes import FakeEmbedder, FakeGenerator

DOC = (
    "Harbour News\n\n"
    "The city council met on Monday. Mr. Alder opened the session at noon. "
    "The council voted to rebuild the old lighthouse for 4 million dollars. "
    "Work starts in spring. The mayor thanked the U.S. Coast Guard for its advice. "
    "Residents asked about parking near the pier. "
    "Parking fees will rise next year, the treasurer said. "
    "The next meeting is in March."
)


def words(text: str) -> int:
    return len(text.split())


def chunks_of(doc: str, size: int, step: int, doc_id: str = "d1") -> list[ScoredChunk]:
    out = []
    for i, start in enumerate(range(0, len(doc), step)):
        end = min(len(doc), start + size)
        out.append(ScoredChunk(Chunk(f"{doc_id}-{i:05d}", doc_id, "Harbour", "/h.txt", i, start, end,
                                     doc[start:end]), 0.5, i + 1))
        if end == len(doc):
            break
    return out


def test_sentences_are_exact_slices_and_abbreviations_do_not_cut() -> None:
    text = 'Mr. Kim met U.S. envoys on Jan. 5. "We will try," he said.\nA new line! Is it? Yes'
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got == ["Mr. Kim met U.S. envoys on Jan. 5.", '"We will try," he said.', "A new line!", "Is it?", "Yes"]


def test_overlapping_chunks_of_a_document_merge_into_one_exact_span() -> None:
    merged = merge_overlapping(chunks_of(DOC, 120, 80))
    assert len(merged) == 1
    assert (merged[0].start, merged[0].end, merged[0].text) == (0, len(DOC), DOC)


def test_chunks_with_a_gap_stay_apart() -> None:
    a, b = chunks_of(DOC, 60, 200)[:2]
    merged = merge_overlapping([b, a])
    assert [(m.start, m.end) for m in merged] == [(a.chunk.start, a.chunk.end), (b.chunk.start, b.chunk.end)]


def test_excerpts_keep_the_matching_sentence_within_the_budget() -> None:
    passages = chunks_of(DOC, 120, 80)
    got = Excerpter(FakeEmbedder()).narrow("How much will rebuilding the lighthouse cost?", passages, words, 30)
    assert any("4 million dollars" in p.chunk.text for p in got)
    assert sum(words(p.chunk.text) for p in got) <= 30
    assert "next meeting is in March" not in " ".join(p.chunk.text for p in got)
    for p in got:
        assert DOC[p.chunk.start : p.chunk.end] == p.chunk.text  # provenance: the span is the text
    assert [p.rank for p in got] == list(range(1, len(got) + 1))


def test_a_larger_budget_keeps_more_and_zero_keeps_whole_chunks() -> None:
    passages = chunks_of(DOC, 120, 80)
    q = "parking fees near the pier"
    small = Excerpter(FakeEmbedder()).narrow(q, passages, words, 15)
    large = Excerpter(FakeEmbedder()).narrow(q, passages, words, 60)
    assert sum(words(p.chunk.text) for p in small) < sum(words(p.chunk.text) for p in large)
    assert "Parking fees will rise" in small[0].chunk.text
    assert Excerpter(FakeEmbedder()).narrow(q, passages, words, 0) is passages


def test_the_best_pair_is_kept_even_when_it_alone_exceeds_the_budget() -> None:
    passages = chunks_of(DOC, 120, 80)
    got = Excerpter(FakeEmbedder()).narrow("lighthouse rebuild", passages, words, 1)
    assert len(got) == 1 and "lighthouse" in got[0].chunk.text


def test_pipeline_gives_the_model_excerpts_and_cites_their_spans(
    fake_assistant: Assistant, fake_generator: FakeGenerator, tmp_path: Path
) -> None:
    path = tmp_path / "harbour.txt"
    path.write_text(DOC + "\n\n" + " ".join(f"Filler sentence number {i} about nothing." for i in range(60)))
    fake_assistant.ingest([path])
    fake_assistant.settings.passage_tokens = 40
    fake_generator.script("It costs 4 million dollars [1].")
    answer = fake_assistant.ask("How much will rebuilding the lighthouse cost?")
    prompt = "\n".join(m["content"] for m in fake_generator.prompts[-1])
    assert "4 million dollars" in prompt and "Filler sentence number 30" not in prompt
    assert answer.citations and "4 million" in answer.citations[0].snippet
    text = path.read_text()
    c = answer.citations[0]
    assert text[c.start : c.end] == c.snippet
    assert answer.timings.excerpt_ms > 0


@pytest.mark.slow
def test_real_embedder_keeps_the_answer_sentence_of_a_seed(real_assistant: Assistant) -> None:
    question = "How old is Ri Il Gyu?"
    found = real_assistant.retriever.retrieve(question)
    count = real_assistant.generator.count_tokens
    whole = sum(count(p.chunk.text) for p in found.passages)
    got = Excerpter(real_assistant.embedder).narrow(question, found.passages, count, 120)
    kept = sum(count(p.chunk.text) for p in got)
    assert kept < whole / 2
    spokesman = [p for p in got if Path(p.chunk.source).name == SPOKESMAN]
    assert any("52" in p.chunk.text for p in got), [p.chunk.text for p in got]
    for p in spokesman:
        assert Path(p.chunk.source).read_text()[p.chunk.start : p.chunk.end] == p.chunk.text
