"""Narrowing retrieved chunks to the sentences that answer the question, within a token budget.

Prompt processing is most of the time to the first answer word on a CPU, and it grows with every passage token.
This stage keeps the best sentences of the retrieved chunks and hands the model those excerpts instead of whole
chunks. Sentences are scored in pairs with their neighbour (so a sentence that says "he" is judged with the one
that names him), by two rankings fused by reciprocal rank: embedding similarity to the query, and the query's
words found in the pair (weighted by how rare they are among the candidates, so names and numbers count most).
Every excerpt is an exact slice of its document, so its character span stays true.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from rag.embeddings import Embedder
from rag.text import content_words, sentence_spans
from rag.types import ScoredChunk

# Reciprocal rank fusion constant (Cormack et al. 2009): damps the difference between neighbouring ranks.
RRF_K = 60


def stems(text: str) -> set[str]:
    """Content words cut to six letters: "defected", "defection" and "defections" all become "defect"."""
    return {w[:6] for w in content_words(text)}


def _ranks(values: list[float]) -> list[int]:
    """1 for the highest value; equal values share a rank, so ties favour no position."""
    return [1 + sum(other > value for other in values) for value in values]


@dataclass(frozen=True)
class _Span:
    """A stretch of one document's text: start/end are offsets into the document."""

    passage: ScoredChunk
    start: int
    end: int
    text: str


def merge_overlapping(passages: list[ScoredChunk]) -> list[_Span]:
    """Neighbouring chunks of one document overlap; join them so no sentence is counted twice."""
    by_doc: dict[str, list[ScoredChunk]] = {}
    for p in passages:
        by_doc.setdefault(p.chunk.doc_id, []).append(p)
    spans: list[_Span] = []
    for group in by_doc.values():
        group.sort(key=lambda p: p.chunk.start)
        current: _Span | None = None
        for p in group:
            c = p.chunk
            if current is not None and c.start <= current.end:
                if c.end > current.end:
                    text = current.text + c.text[current.end - c.start :]
                    best = p if p.score > current.passage.score else current.passage
                    current = _Span(best, current.start, c.end, text)
                continue
            if current is not None:
                spans.append(current)
            current = _Span(p, c.start, c.end, c.text)
        if current is not None:
            spans.append(current)
    return spans


@dataclass(frozen=True)
class _Sentence:
    span: int  # index into the merged spans
    start: int  # offsets into the span's text
    end: int


class Excerpter:
    """Keeps the sentences of the retrieved chunks most similar to the query, up to `budget` model tokens."""

    def __init__(self, embedder: Embedder, rrf_k: int = RRF_K) -> None:
        self.embedder = embedder
        self.rrf_k = rrf_k

    def narrow(
        self, query: str, passages: list[ScoredChunk], count_tokens: Callable[[str], int], budget: int
    ) -> list[ScoredChunk]:
        """Excerpts of the passages, best first; each is an exact slice of its document with its true span."""
        if budget <= 0 or not passages:
            return passages
        spans = merge_overlapping(passages)
        sentences = [
            _Sentence(i, s, e) for i, span in enumerate(spans) for s, e in sentence_spans(span.text)
        ]
        if not sentences:
            return passages
        texts = [spans[s.span].text[s.start : s.end] for s in sentences]
        vectors = self.embedder.embed([query, *texts])
        q, v = vectors[0], vectors[1:]
        # Score each sentence with its successor in the same span (a pair reads like a short passage), and the
        # last sentence of a span on its own when it has no predecessor there.
        groups: list[list[int]] = []
        for i, sentence in enumerate(sentences):
            if i + 1 < len(sentences) and sentences[i + 1].span == sentence.span:
                groups.append([i, i + 1])
            elif not (i > 0 and sentences[i - 1].span == sentence.span):
                groups.append([i])
        dense = []
        for members in groups:
            pooled = v[members].sum(axis=0)
            dense.append(float(pooled @ q / max(float(np.linalg.norm(pooled)), 1e-9)))
        wanted = stems(query)
        sentence_stems = [stems(t) for t in texts]
        df = {w: sum(w in st for st in sentence_stems) for w in wanted}
        idf = {w: math.log(1 + len(texts) / df[w]) for w in wanted if df[w]}
        lexical = [sum(idf.get(w, 0.0) for w in set().union(*(sentence_stems[m] for m in members)) & wanted)
                   for members in groups]
        fused = [1 / (self.rrf_k + a) + 1 / (self.rrf_k + b)
                 for a, b in zip(_ranks(dense), _ranks(lexical), strict=True)]
        scores = sorted(zip(fused, groups, strict=True), key=lambda item: -item[0])

        costs = [count_tokens(t) for t in texts]
        chosen: dict[int, float] = {}  # sentence index -> score of the best pair that brought it in
        used = 0
        for score, members in scores:
            new = [m for m in members if m not in chosen]
            cost = sum(costs[m] for m in new)
            if not new or (chosen and used + cost > budget):
                continue
            for m in new:
                chosen[m] = score
            used += cost
        return self._excerpts(spans, sentences, chosen)

    @staticmethod
    def _excerpts(spans: list[_Span], sentences: list[_Sentence], chosen: dict[int, float]) -> list[ScoredChunk]:
        """Contiguous chosen sentences become one excerpt; excerpts are ordered by their best score."""
        runs: list[list[int]] = []
        for i in sorted(chosen):
            if runs and runs[-1][-1] == i - 1 and sentences[i - 1].span == sentences[i].span:
                runs[-1].append(i)
            else:
                runs.append([i])
        runs.sort(key=lambda run: -max(chosen[i] for i in run))
        out: list[ScoredChunk] = []
        for rank, run in enumerate(runs, start=1):
            span = spans[sentences[run[0]].span]
            lo, hi = sentences[run[0]].start, sentences[run[-1]].end
            chunk = replace(span.passage.chunk, start=span.start + lo, end=span.start + hi, text=span.text[lo:hi])
            out.append(ScoredChunk(chunk, span.passage.score, rank))
        return out
