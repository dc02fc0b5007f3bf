"""Retrieval: embed the question and pick the nearest passages."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from rag.embeddings import Embedder
from rag.store import PENDING, ScoredChunk, VectorStore


@dataclass(frozen=True)
class Retrieval:
    """The passages found for a query and how long it took."""

    query: str
    passages: list[ScoredChunk]
    ms: float


class PassageSource(Protocol):
    """Anything that finds passages for a query (the real retriever, or an evaluation oracle)."""

    def retrieve(self, query: str, k: int | None = None) -> Retrieval:
        """The best passages for a query."""
        ...


def retrieval_query(question: str, previous_questions: list[str]) -> str:
    """The text to search with: a follow-up carries the previous question, so "he" finds its referent."""
    if not previous_questions:
        return question
    return f"{previous_questions[-1]} {question}"


class Retriever:
    """Top-k nearest chunks by cosine similarity, skipping documents still being written."""

    def __init__(self, embedder: Embedder, store: VectorStore, k: int = 4) -> None:
        self.embedder = embedder
        self.store = store
        self.k = k

    def retrieve(self, query: str, k: int | None = None) -> Retrieval:
        """The best k passages for a query, ranked 1..k."""
        k = k or self.k
        started = time.perf_counter()
        vector = self.embedder.embed([query])[0]
        pending = {r.id for r in self.store.documents(status=PENDING)}
        hits = self.store.query(vector, k + (4 * len(pending) if pending else 0))
        hits = [h for h in hits if h.chunk.doc_id not in pending][:k]
        ranked = [ScoredChunk(h.chunk, h.score, rank) for rank, h in enumerate(hits, start=1)]
        return Retrieval(query, ranked, (time.perf_counter() - started) * 1000)
