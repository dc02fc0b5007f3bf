"""Splitting documents into token-sized chunks that remember where they came from."""

from __future__ import annotations

from collections.abc import Callable

from langchain_text_splitters import RecursiveCharacterTextSplitter

from rag.documents import Document
from rag.errors import ConfigError
from rag.types import Chunk

# Paragraphs first, then lines, then sentence ends, then words: cut where a reader would.
SEPARATORS = [r"\n\n+", r"\n", r"(?:(?<=[.!?…])|(?<=[.!?…][\"”’)]))\s+", r"(?<=[;:])\s+", r"\s+", ""]


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
        """Chunks of a document, each with its exact character span in `doc.text`."""
        chunks: list[Chunk] = []
        cursor = 0
        for piece in self._splitter.split_text(doc.text):
            piece = piece.strip()
            if not piece:
                continue
            # Chunks come in order and overlap, so search forward from the previous chunk's start.
            start = doc.text.find(piece, cursor)
            if start < 0:
                start = doc.text.find(piece)
            if start < 0:  # the splitter never rewrites text, so this means a bug, not bad input
                raise AssertionError(f"chunk text not found in document {doc.id}")
            end = start + len(piece)
            chunks.append(
                Chunk(
                    id=chunk_id(doc.id, len(chunks)),
                    doc_id=doc.id,
                    title=doc.title,
                    source=doc.source,
                    index=len(chunks),
                    start=start,
                    end=end,
                    text=piece,
                )
            )
            cursor = start + 1
        return chunks
