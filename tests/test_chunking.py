import itertools
from pathlib import Path

import pytest

from rag.chunking import Chunker
from rag.documents import Document, load_document
from rag.embeddings import OnnxEmbedder
from rag.errors import ConfigError
from tests.conftest import MODELS, SEEDS, require_model
from tests.fakes import FakeEmbedder


def _doc(text: str) -> Document:
    return Document(id="d1", title="T", source="/x.txt", text=text)


def test_spans_point_at_the_chunk_text_and_cover_the_document() -> None:
    text = "\n\n".join(f"Paragraph {i} says something. It has two sentences." for i in range(40))
    chunks = Chunker(FakeEmbedder().count_tokens, chunk_tokens=40, overlap=8).split(_doc(text))
    assert len(chunks) > 5
    for c in chunks:
        assert text[c.start : c.end] == c.text
        assert FakeEmbedder().count_tokens(c.text) <= 40
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert len({c.id for c in chunks}) == len(chunks)


def test_cuts_fall_on_sentence_ends_when_possible() -> None:
    text = " ".join(f"Sentence number {i} ends here." for i in range(60))
    chunks = Chunker(FakeEmbedder().count_tokens, chunk_tokens=30, overlap=0).split(_doc(text))
    assert all(c.text.endswith(".") for c in chunks)


def test_overlap_repeats_text_between_neighbours() -> None:
    text = " ".join(f"Fact {i} is true." for i in range(80))
    chunks = Chunker(FakeEmbedder().count_tokens, chunk_tokens=30, overlap=10).split(_doc(text))
    assert any(chunks[i].end > chunks[i + 1].start for i in range(len(chunks) - 1))


def test_overlap_must_be_smaller() -> None:
    with pytest.raises(ConfigError, match="chunk overlap 50 must be smaller than chunk size 40"):
        Chunker(len, chunk_tokens=40, overlap=50)


def test_real_tokenizer_keeps_seed_chunks_under_the_embedder_limit() -> None:
    require_model("all-minilm-l6-v2-int8")
    base = MODELS / "all-minilm-l6-v2-int8"
    embedder = OnnxEmbedder(base / "model.onnx", base / "tokenizer.json")
    chunker = Chunker(embedder.count_tokens, chunk_tokens=200, overlap=40)
    for path in sorted(Path(SEEDS).glob("*.txt")):
        doc = load_document(path)
        chunks = chunker.split(doc)
        assert len(chunks) >= 2
        for c in chunks:
            assert embedder.count_tokens(c.text) <= 200  # never truncated by the 256-token embedder
            assert doc.text[c.start : c.end] == c.text


def test_a_text_longer_than_a_section_is_split_a_section_at_a_time_with_exact_spans() -> None:
    from rag.chunking import SECTION_CHARS, sections

    short = "One paragraph about the harbour. " * 50
    assert sections(short) == [(0, len(short))]  # articles are split whole, as before
    para = "\n\n".join(f"Paragraph {i} tells of ferry {i} and its crew of {i % 9} sailors." for i in range(6000))
    assert len(para) > 3 * SECTION_CHARS
    spans = sections(para)
    assert len(spans) >= 3 and spans[0][0] == 0 and spans[-1][1] == len(para)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))  # no gap, no overlap
    assert all(end - start <= SECTION_CHARS for start, end in spans)
    assert all(para[end - 2 : end] == "\n\n" for _, end in spans[:-1])  # cut at paragraph breaks
    chunks = Chunker(FakeEmbedder().count_tokens, chunk_tokens=60, overlap=10).split(_doc(para))
    for c in chunks:
        assert para[c.start : c.end] == c.text
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert chunks[-1].end == len(para)
