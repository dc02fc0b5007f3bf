from pathlib import Path

import numpy as np
import pytest

from rag.chunking import Chunk
from rag.errors import StoreMismatchError
from rag.store import PENDING, READY, ChromaStore, DocumentRecord


def _chunks(doc: str, n: int) -> list[Chunk]:
    return [Chunk(f"{doc}-{i:05d}", doc, f"Title {doc}", f"/{doc}.txt", i, i * 10, i * 10 + 9, f"text {doc} {i}")
            for i in range(n)]


def _vectors(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, 8)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_roundtrip_query_and_delete(tmp_path: Path) -> None:
    store = ChromaStore(tmp_path / "db")
    a, b = _chunks("a", 3), _chunks("b", 2)
    va, vb = _vectors(3, 1), _vectors(2, 2)
    store.upsert_chunks(a, va)
    store.upsert_chunks(b, vb)
    store.upsert_chunks(a, va)  # upsert twice: no duplicates
    assert store.count_chunks() == 5
    hits = store.query(vb[1], k=2)
    assert hits[0].chunk == b[1] and hits[0].rank == 1
    assert hits[0].score == pytest.approx(1.0, abs=1e-4)
    store.put_documents([DocumentRecord("a", "Title a", "/a.txt", 3, 30, "2024-01-01T00:00:00+00:00")])
    store.delete_document("a")
    assert store.count_chunks() == 2 and store.documents() == []
    assert [c.id for c in store.document_chunks("b")] == ["b-00000", "b-00001"]


def test_persists_across_clients(tmp_path: Path) -> None:
    store = ChromaStore(tmp_path / "db")
    store.upsert_chunks(_chunks("a", 2), _vectors(2, 3))
    store.put_documents([DocumentRecord("a", "Title a", "/a.txt", 2, 20, "t", status=PENDING)])
    again = ChromaStore(tmp_path / "db")
    assert again.count_chunks() == 2
    assert [d.id for d in again.documents(status=PENDING)] == ["a"]
    assert again.documents(status=READY) == []


def test_other_embedder_settings_are_a_clear_error(tmp_path: Path) -> None:
    store = ChromaStore(tmp_path / "db")
    store.ensure_built_with({"embedder": "m1", "chunking": "200/40"})
    store.upsert_chunks(_chunks("a", 1), _vectors(1, 4))
    ChromaStore(tmp_path / "db").ensure_built_with({"embedder": "m1", "chunking": "200/40"})
    with pytest.raises(StoreMismatchError, match=r"chunking: store has '200/40', settings ask for '100/10'.*--rebuild"):
        ChromaStore(tmp_path / "db").ensure_built_with({"embedder": "m1", "chunking": "100/10"})


def test_query_asks_for_more_than_the_store_holds(tmp_path: Path) -> None:
    store = ChromaStore(tmp_path / "db")
    assert store.query(_vectors(1, 5)[0], k=4) == []
    store.upsert_chunks(_chunks("a", 2), _vectors(2, 6))
    hits = store.query(_vectors(1, 7)[0], k=10)
    assert sorted(h.chunk.id for h in hits) == ["a-00000", "a-00001"]
    assert [h.rank for h in hits] == [1, 2] and hits[0].score >= hits[1].score
