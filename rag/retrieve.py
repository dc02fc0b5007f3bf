"""Retrieval: embed the question, search the vectors (and the lexical index), fuse the two rankings."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from rag.embeddings import Embedder
from rag.lexical import LexicalIndex
from rag.specifics import missing_specifics
from rag.store import VectorStore
from rag.types import ScoredChunk, stated_by

RRF_K = 60


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
    """Top-k chunks: nearest by cosine similarity, fused by reciprocal rank with BM25 when a lexical index is set.

    Each passage keeps its cosine similarity as its score (the `min_score` floor reads it), ranked by the fusion.
    """

    def __init__(
        self, embedder: Embedder, store: VectorStore, k: int = 4, lexical: LexicalIndex | None = None,
        rrf_k: int = RRF_K,
    ) -> None:
        self.embedder = embedder
        self.store = store
        self.k = k
        self.lexical = lexical
        self.rrf_k = rrf_k

    def retrieve(self, query: str, k: int | None = None) -> Retrieval:
        """The best k passages for a query, ranked 1..k."""
        k = k or self.k
        started = time.perf_counter()
        vector = self.embedder.embed([query])[0]
        if self.lexical is None:
            hits = self.store.query(vector, k)
            ranked = [ScoredChunk(h.chunk, h.score, rank) for rank, h in enumerate(hits, start=1)]
            return Retrieval(query, ranked, (time.perf_counter() - started) * 1000)
        depth = max(3 * k, 12)
        dense = self.store.query(vector, depth)
        lexical = self.lexical.search(query, depth)
        fused: dict[str, float] = {}
        chunks = {}
        for rank, hit in enumerate(dense, start=1):
            fused[hit.chunk.id] = fused.get(hit.chunk.id, 0.0) + 1 / (self.rrf_k + rank)
            chunks[hit.chunk.id] = hit.chunk
        for rank, (chunk, _) in enumerate(lexical, start=1):
            fused[chunk.id] = fused.get(chunk.id, 0.0) + 1 / (self.rrf_k + rank)
            chunks.setdefault(chunk.id, chunk)
        order = sorted(fused, key=lambda cid: -fused[cid])[:k]
        cosine = {h.chunk.id: h.score for h in dense}
        unknown = [cid for cid in order if cid not in cosine]
        if unknown:
            cosine.update(self.store.similarities(vector, unknown))
        ranked = [ScoredChunk(chunks[cid], cosine.get(cid, 0.0), rank) for rank, cid in enumerate(order, start=1)]
        return Retrieval(query, ranked, (time.perf_counter() - started) * 1000)


def focused(question: str, passages: list[ScoredChunk]) -> list[ScoredChunk]:
    """The passages of the articles that state every year, number and name of the question, when one does: the
    other retrieved articles are look-alikes (another year's race, another company's deal) that the model would
    read for nothing, and might take an answer from. An article's retrieved passages count together, with its
    headline. All of them when no article states every specific (or the question names none)."""
    by_doc: dict[str, list[ScoredChunk]] = {}
    for p in passages:
        by_doc.setdefault(p.chunk.doc_id, []).append(p)
    if len(by_doc) < 2:
        return passages
    holding = {doc for doc, group in by_doc.items()
               if not missing_specifics(question, stated_by([p.chunk for p in group]), asked=True)}
    if not holding:
        return passages
    return [p for p in passages if p.chunk.doc_id in holding]
