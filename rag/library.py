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

import numpy as np

from rag.prompting import passages_system
from rag.store import VectorStore
from rag.types import Chunk, ScoredChunk


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


def _units(chunks: list[Chunk], sizes: list[int], budget: int) -> list[list[int]]:
    """Chunk indexes in runs that stay together on a shelf: a document's chunks, or consecutive runs of them
    within `budget` tokens where the document alone is larger."""
    units: list[list[int]] = []
    for i, chunk in enumerate(chunks):
        if units and chunks[units[-1][-1]].doc_id == chunk.doc_id \
                and sum(sizes[j] for j in units[-1]) + sizes[i] <= budget:
            units[-1].append(i)
        else:
            units.append([i])
    return units


def shelve(vectors: np.ndarray, sizes: list[int], budget: int) -> list[list[int]]:
    """Units (rows of unit `vectors`, their token `sizes`) on shelves of at most `budget` tokens: the two shelves
    whose mean vectors are closest are joined while any two fit together, so look-alike articles share a shelf.
    Each shelf's best partner is kept and looked up again only when it changes, about n^2 work for n units."""
    n = len(vectors)
    sums = np.asarray(vectors, dtype=np.float64).copy()
    means = sums.copy()
    size = np.asarray(sizes, dtype=np.int64)
    alive = np.ones(n, dtype=bool)
    shelves = [[i] for i in range(n)]
    best = np.zeros(n, dtype=np.int64)
    score = np.full(n, -np.inf)

    def partner(a: int) -> None:
        sims = means @ means[a]
        sims[~alive | (size + size[a] > budget)] = -np.inf
        sims[a] = -np.inf
        best[a] = int(np.argmax(sims)) if n else 0
        score[a] = sims[best[a]] if n else -np.inf

    for a in range(n):
        partner(a)
    while n:
        a = int(np.argmax(np.where(alive, score, -np.inf)))
        if not np.isfinite(score[a]):
            break
        b = int(best[a])
        shelves[a] += shelves[b]
        sums[a] += sums[b]
        size[a] += size[b]
        alive[b], score[b] = False, -np.inf
        means[a] = sums[a] / max(float(np.linalg.norm(sums[a])), 1e-12)
        means[b] = 0.0
        partner(a)
        for c in np.flatnonzero(alive & ((best == a) | (best == b))):
            if c != a:
                partner(int(c))
        # The joined shelf may now be a closer partner of others than theirs.
        sims = means @ means[a]
        closer = alive & (sims > score) & (size + size[a] <= budget)
        closer[a] = False
        best[closer], score[closer] = a, sims[closer]
    return [sorted(shelves[a]) for a in np.flatnonzero(alive)]


class ShelfCache:
    """A library too big for library mode, on shelves of look-alike articles that each fit the budget: a question
    is asked over the shelf holding its best-ranked passages, as library mode asks over the whole library. Rebuilt
    when the store's write generation changes, as the library is."""

    def __init__(self, store: VectorStore, budget: int, disk_bytes: int) -> None:
        self.store = store
        self.budget = budget
        self.disk_bytes = disk_bytes  # for the shelves' saved prefixes
        self._key: tuple[str, int] | None = None
        self._shelves: list[Library] = []
        self._shelf_of: dict[str, int] = {}
        self._lock = threading.Lock()

    def shelf(self, passages: list[ScoredChunk], count_tokens: Callable[[str], int]) -> Library | None:
        """The shelf holding the most of these passages, weighted by rank (the best first); None when none."""
        if self.budget <= 0 or not passages:
            return None
        self._build(count_tokens)
        weight: dict[int, float] = {}
        for p in passages:
            at = self._shelf_of.get(p.chunk.id)
            if at is not None:
                weight[at] = weight.get(at, 0.0) + 1.0 / p.rank
        if not weight:
            return None
        return self._shelves[max(weight, key=lambda s: weight[s])]

    def _build(self, count_tokens: Callable[[str], int]) -> None:
        version = self.store.version()
        with self._lock:
            key = (version, id(count_tokens.__self__) if hasattr(count_tokens, "__self__") else 0)
            if key == self._key:
                return
            chunks = self.store.all_chunks()
            base = count_tokens(passages_system([]))
            sizes = [count_tokens(passages_system([ScoredChunk(c, 1.0, 1)])) - base for c in chunks]
            units = _units(chunks, sizes, self.budget - base)
            vectors = self.store.vectors([c.id for c in chunks])
            vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)
            unit_vectors = np.stack([vectors[u].mean(axis=0) for u in units]) if units else vectors
            shelves = shelve(unit_vectors, [sum(sizes[i] for i in u) for u in units], self.budget - base)
            self._shelves, self._shelf_of = [], {}
            for n, shelf in enumerate(sorted(shelves, key=min)):
                members = sorted(i for u in shelf for i in units[u])
                passages = [ScoredChunk(chunks[i], 1.0, r) for r, i in enumerate(members, start=1)]
                system = passages_system(passages)
                self._shelves.append(Library(f"{version}/{n}", passages, system, count_tokens(system)))
                for i in members:
                    self._shelf_of[chunks[i].id] = n
            self._key = key
