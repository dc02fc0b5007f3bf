"""Library mode (cache-augmented generation): when the whole library fits a token budget, every question is
asked over all of it, numbered in a fixed order, so the prompt before the question is identical each time and
llama.cpp reads it once.

Chunks are numbered by document, then position. The library is rebuilt when the store's write generation changes
(an ingest, update or removal), so an answer never sees a stale library.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from rag.prompting import passages_system
from rag.store import VectorStore
from rag.types import ScoredChunk


@dataclass(frozen=True)
class Library:
    """The whole library as numbered passages, its system message, and its size in model tokens."""

    version: str
    passages: list[ScoredChunk]
    system: str
    tokens: int


class LibraryCache:
    """The current library when it fits `budget` model tokens (None when it doesn't, or is empty)."""

    def __init__(self, store: VectorStore, budget: int) -> None:
        self.store = store
        self.budget = budget
        self._key: tuple[str, int] | None = None
        self._library: Library | None = None
        self._lock = threading.Lock()

    def get(self, count_tokens: Callable[[str], int]) -> Library | None:
        """The library for this store generation, built on first use."""
        if self.budget <= 0:
            return None
        version = self.store.version()
        with self._lock:
            key = (version, id(count_tokens.__self__) if hasattr(count_tokens, "__self__") else 0)
            if key != self._key and self.store.count_chunks() > self.budget // 8:
                # Far more chunks than the budget could hold (a chunk is rarely under 8 tokens): don't read them.
                self._library, self._key = None, key
            if key != self._key:
                chunks = self.store.all_chunks()
                passages = [ScoredChunk(c, 1.0, i) for i, c in enumerate(chunks, start=1)]
                system = passages_system(passages)
                tokens = count_tokens(system) if chunks else 0
                fits = bool(chunks) and tokens <= self.budget
                self._library = Library(version, passages, system, tokens) if fits else None
                self._key = key
            return self._library
