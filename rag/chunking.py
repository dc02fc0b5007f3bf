"""Splitting documents into token-sized chunks that remember where they came from."""

from __future__ import annotations

from collections.abc import Callable

from langchain_text_splitters import RecursiveCharacterTextSplitter

from rag.documents import Document
from rag.errors import ConfigError
from rag.types import Chunk

# Paragraphs first, then lines, then sentence ends, then words: cut where a reader would.
SEPARATORS = [r"\n\n+", r"\n", r"(?:(?<=[.!?…])|(?<=[.!?…][\"”’)]))\s+", r"(?<=[;:])\s+", r"\s+", ""]


# Long texts are split a section at a time: the splitter's working set grows with the text it is given (about
# 100 bytes per character), so a 20 MB file split whole would need gigabytes. Articles are far shorter than a
# section and are split exactly as before.
SECTION_CHARS = 50_000


def sections(text: str, size: int = SECTION_CHARS) -> list[tuple[int, int]]:
    """(start, end) spans covering the text, each at most `size` characters, cut where a reader would pause."""
    spans = []
    start = 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = -1
        for mark in ("\n\n", "\n", ". ", " "):
            at = window.rfind(mark, size // 2)
            if at >= 0:
                cut = at + len(mark)
                break
        end = start + (cut if cut > 0 else size)
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return spans


def chunk_id(doc_id: str, index: int) -> str:
    """Deterministic chunk id, so re-ingesting overwrites rather than duplicates."""
    return f"{doc_id}-{index:05d}"


class Chunker:
    """Token-sized recursive splitting with langchain-text-splitters."""

    def __init__(self, count_tokens: Callable[[str], int], chunk_tokens: int = 200, overlap: int = 40) -> None:
        if overlap >= chunk_tokens:
            raise ConfigError(f"chunk overlap {overlap} must be smaller than chunk size {chunk_tokens}")
        self.chunk_tokens = chunk_tokens
        self.overlap = overlap
        self._count = count_tokens
        self._splitter = RecursiveCharacterTextSplitter(
            separators=SEPARATORS,
            is_separator_regex=True,
            keep_separator="end",
            chunk_size=chunk_tokens,
            chunk_overlap=overlap,
            length_function=count_tokens,
            strip_whitespace=True,
        )

    def split(self, doc: Document) -> list[Chunk]:
        """Chunks of a document from where its article begins, each with its exact character span in `doc.text`."""
        chunks: list[Chunk] = []
        for first, last in sections(doc.text[doc.start :]):
            first, last = first + doc.start, last + doc.start
            section = doc.text[first:last]
            cursor = 0
            for piece in self._splitter.split_text(section):
                piece = piece.strip()
                if not piece:
                    continue
                # Chunks come in order and overlap, so search forward from the previous chunk's start.
                start = section.find(piece, cursor)
                if start < 0:
                    start = section.find(piece)
                if start < 0:  # the splitter never rewrites text, so this means a bug, not bad input
                    raise AssertionError(f"chunk text not found in document {doc.id}")
                cursor = start + 1
                chunks.append(
                    Chunk(
                        id=chunk_id(doc.id, len(chunks)),
                        doc_id=doc.id,
                        title=doc.title,
                        source=doc.source,
                        index=len(chunks),
                        start=first + start,
                        end=first + start + len(piece),
                        text=piece,
                        headline=doc.headline,
                    )
                )
        return chunks
