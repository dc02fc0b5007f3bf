"""The lexical index: BM25 over the searchable chunks, beside the vector store.

Names, numbers, years and rare words are where a small embedding model is weakest ("U.S. Open 2021" against
"U.S. Open 2019"). The index is derived from the store's chunks and rebuilt when the store's write generation
changes, so it can never run ahead of or behind the vectors: a killed ingest leaves hidden chunks, which neither
index shows, and any process sharing the store sees the same generation.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from rag.store import VectorStore
from rag.text import STOPWORDS, unmarked
from rag.types import Chunk

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def terms(text: str) -> list[str]:
    """Lowercased words without stopwords or accents, cut to six letters ("defected" and "defection" meet, and
    "Erdogan" and "Erdoğan")."""
    return [w[:6] for w in _TOKEN.findall(unmarked(text).lower()) if w not in STOPWORDS]


class LexicalIndex:
    """BM25 (bm25s) over the store's searchable chunks, rebuilt lazily when the store changes."""

    def __init__(self, store: VectorStore) -> None:
        self.store = store
        self._version: str | None = None
        self._chunks: list[Chunk] = []
        self._bm25: Any = None
        self._vocab: set[str] = set()
        self._lock = threading.Lock()

    def _fresh(self) -> None:
        version = self.store.version()
        if version == self._version:
            return
        import bm25s

        # bm25s sets its own logger to DEBUG; its progress lines are not for our users.
        logging.getLogger("bm25s").setLevel(max(logging.WARNING, log.getEffectiveLevel()))
        chunks = self.store.all_chunks()
        corpus = [terms(f"{c.title} {c.text}") for c in chunks]
        bm25 = None
        if chunks:
            bm25 = bm25s.BM25()
            bm25.index(corpus, show_progress=False)
        self._chunks, self._bm25, self._version = chunks, bm25, version
        self._vocab = {t for doc in corpus for t in doc}
        log.info("lexical index rebuilt over %d chunks (store generation %s)", len(chunks), version)

    def search(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        """The k chunks with the highest BM25 score for the query (only chunks sharing a word with it)."""
        with self._lock:
            self._fresh()
            wanted = [t for t in terms(query) if t in self._vocab]
            if self._bm25 is None or not wanted or k <= 0:
                return []
            docs, scores = self._bm25.retrieve([wanted], k=min(k, len(self._chunks)), show_progress=False)
            return [(self._chunks[int(i)], float(s)) for i, s in zip(docs[0], scores[0], strict=True) if s > 0]
