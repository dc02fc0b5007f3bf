import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from rag.errors import StoreMismatchError
from rag.registry import ChromaRegistry
from rag.store import ChromaConnection, ChromaStore
from rag.types import PENDING, READY, Chunk, DocumentRecord

Connect = Callable[[Path], ChromaConnection]


@pytest.fixture(params=["embedded", "server"])
def connect(request: pytest.FixtureRequest) -> Connect:
    """Open a store by its folder: embedded, or a database of its own on a real Chroma server (`chroma run`)."""
    if request.param == "embedded":
        return ChromaConnection
    url = request.getfixturevalue("chroma_server")
    return lambda path: ChromaConnection(path, url=f"{url}/t{hashlib.sha256(str(path).encode()).hexdigest()[:16]}")


def _chunks(doc: str, n: int) -> list[Chunk]:
    return [Chunk(f"{doc}-{i:05d}", doc, f"Title {doc}", f"/{doc}.txt", i, i * 10, i * 10 + 9, f"text {doc} {i}")
            for i in range(n)]


def _vectors(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, 8)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _put(store: ChromaStore, chunks: list[Chunk], vectors: np.ndarray) -> None:
    store.add_chunks(chunks, vectors)
    store.publish(sorted({c.doc_id for c in chunks}))


def test_roundtrip_query_and_delete(tmp_path: Path, connect: Connect) -> None:
    conn = connect(tmp_path / "db")
    store, registry = ChromaStore(conn), ChromaRegistry(conn)
    a, b = _chunks("a", 3), _chunks("b", 2)
    va, vb = _vectors(3, 1), _vectors(2, 2)
    _put(store, a, va)
    _put(store, b, vb)
    _put(store, a, va)  # upsert twice: no duplicates
    assert store.count_chunks() == 5 and store.count_chunks("a") == 3
    hits = store.query(vb[1], k=2)
    assert hits[0].chunk == b[1] and hits[0].rank == 1
    assert hits[0].score == pytest.approx(1.0, abs=1e-4)
    registry.put([DocumentRecord("a", "Title a", "/a.txt", 3, 30, "2024-01-01T00:00:00+00:00")], ["the text of a"])
    assert registry.text("a") == "the text of a"
    store.delete_document("a")
    registry.delete("a")
    assert store.count_chunks() == 2 and registry.records() == []
    assert [c.id for c in store.document_chunks("b")] == ["b-00000", "b-00001"]


def test_hidden_chunks_are_never_returned_until_published(tmp_path: Path, connect: Connect) -> None:
    store = ChromaStore(connect(tmp_path / "db"))
    a, b = _chunks("a", 3), _chunks("b", 3)
    va, vb = _vectors(3, 8), _vectors(3, 9)
    _put(store, a, va)
    before = store.version()
    store.add_chunks(b, vb)  # a batch being written
    assert all(h.chunk.doc_id == "a" for h in store.query(vb[0], k=5))
    assert {c.doc_id for c in store.all_chunks()} == {"a"}
    assert store.version() == before
    store.publish(["b"])
    assert store.query(vb[0], k=1)[0].chunk == b[0]
    assert store.version() != before


def test_a_state_change_keeps_the_stored_text(tmp_path: Path, connect: Connect) -> None:
    registry = ChromaRegistry(connect(tmp_path / "db"))
    pending = DocumentRecord("a", "Title a", "/a.txt", 2, 20, "t", status=PENDING)
    registry.put([pending], ["exact text"])
    registry.put([DocumentRecord(**{**pending.__dict__, "status": READY})])
    assert registry.get("a") is not None and registry.get("a").status == READY  # type: ignore[union-attr]
    assert registry.text("a") == "exact text"


def test_persists_across_clients(tmp_path: Path, connect: Connect) -> None:
    conn = connect(tmp_path / "db")
    _put(ChromaStore(conn), _chunks("a", 2), _vectors(2, 3))
    ChromaRegistry(conn).put([DocumentRecord("a", "Title a", "/a.txt", 2, 20, "t", status=PENDING)])
    again = connect(tmp_path / "db")
    assert ChromaStore(again).count_chunks() == 2
    assert [d.id for d in ChromaRegistry(again).records(status=PENDING)] == ["a"]
    assert ChromaRegistry(again).records(status=READY) == []


def test_other_embedder_settings_are_a_clear_error(tmp_path: Path, connect: Connect) -> None:
    store = ChromaStore(connect(tmp_path / "db"))
    store.ensure_built_with({"embedder": "m1", "chunking": "200/40"})
    _put(store, _chunks("a", 1), _vectors(1, 4))
    ChromaStore(connect(tmp_path / "db")).ensure_built_with({"embedder": "m1", "chunking": "200/40"})
    with pytest.raises(StoreMismatchError, match=r"chunking: store has '200/40', settings ask for '100/10'.*--rebuild"):
        ChromaStore(connect(tmp_path / "db")).ensure_built_with({"embedder": "m1", "chunking": "100/10"})


def test_query_asks_for_more_than_the_store_holds(tmp_path: Path, connect: Connect) -> None:
    store = ChromaStore(connect(tmp_path / "db"))
    assert store.query(_vectors(1, 5)[0], k=4) == []
    _put(store, _chunks("a", 2), _vectors(2, 6))
    hits = store.query(_vectors(1, 7)[0], k=10)
    assert sorted(h.chunk.id for h in hits) == ["a-00000", "a-00001"]
    assert [h.rank for h in hits] == [1, 2] and hits[0].score >= hits[1].score


@pytest.mark.slow
def test_more_chunks_than_chromas_batch_limit_are_written_and_published(tmp_path: Path, connect: Connect) -> None:
    # A 20 MB file has ~27k chunks; Chroma refuses one write of more than its max batch size (5461 here).
    store = ChromaStore(connect(tmp_path / "db"))
    n = store.connection.client().get_max_batch_size() + 100
    _put(store, _chunks("big", n), _vectors(n, 3))
    assert store.census() == {"big": (n, 0)}


def test_two_threads_opening_a_fresh_store_at_once_both_get_it(tmp_path: Path) -> None:
    # `rag serve` warms the model in a background thread while the page reads the library: both open the store.
    import threading

    for attempt in range(5):
        conn = ChromaConnection(tmp_path / f"db{attempt}")
        errors: list[BaseException] = []

        def open_it(c: ChromaConnection = conn, errors: list[BaseException] = errors) -> None:
            try:
                ChromaRegistry(c).records()
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
