"""The vector store: chunks and their vectors in Chroma, searched by cosine similarity.

Chunks are written hidden and published once every chunk of their batch is in, so a search never returns
part of a document that is still being written. Document records live in `rag.registry`.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from rag.errors import RagError, StoreDamagedError, StoreError, StoreMismatchError
from rag.types import Chunk, ScoredChunk

log = logging.getLogger(__name__)

CHUNKS = "chunks"
_VISIBLE = "ready"  # chunk metadata flag: False while its batch is being written
_GENERATION = "generation"  # collection metadata: bumped whenever searchable chunks change


class VectorStore(Protocol):
    """Where chunks and their vectors are kept and searched."""

    def ensure_built_with(self, fingerprint: dict[str, str]) -> None:
        """Record the embedder/chunking fingerprint, or fail if the store was built with another."""
        ...

    def add_chunks(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Insert or overwrite chunks by id, hidden from searches until published."""
        ...

    def publish(self, doc_ids: Sequence[str]) -> None:
        """Make the hidden chunks of these documents searchable."""
        ...

    def delete_document(self, doc_id: str) -> None:
        """Remove a document's chunks."""
        ...

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """A document's chunks in order."""
        ...

    def all_chunks(self) -> list[Chunk]:
        """Every searchable chunk, by document then position (for whole-library indexes)."""
        ...

    def chunks(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        """Those of these chunks the store holds now and searches (a removed or half-written one is left out)."""
        ...

    def query(self, vector: np.ndarray, k: int) -> list[ScoredChunk]:
        """The k searchable chunks nearest to a vector, best first."""
        ...

    def similarities(self, vector: np.ndarray, chunk_ids: Sequence[str]) -> dict[str, float]:
        """Cosine similarity of a vector to each of these chunks."""
        ...

    def count_chunks(self, doc_id: str | None = None) -> int:
        """How many chunks the store holds (of one document, when given)."""
        ...

    def census(self) -> dict[str, tuple[int, int]]:
        """Per document id: (searchable chunks, hidden chunks), for consistency checks."""
        ...

    def built_with(self) -> dict[str, str]:
        """The embedder/chunking fingerprint the store was built with (empty for a new store)."""
        ...

    def version(self) -> str:
        """A token that changes whenever the searchable chunks change."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


SQLITE_FILE = "chroma.sqlite3"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_DAMAGED = ("malformed", "not a database", "file is encrypted", "disk image", "no such table", "disk i/o error",
            "database corrupt")
_READ_ONLY = ("readonly", "read-only", "attempt to write")


def prepare_folder(path: Path, what: str = "data folder") -> Path:
    """Create a folder (and its parents), or say in one line why it cannot be and how to fix it."""
    path = Path(path)
    for folder in (path, *path.parents):
        if folder.exists() and not folder.is_dir():
            raise StoreError(f"{folder} is a file, not a folder, so it cannot hold the {what} {path}; set data_dir "
                             "(--data-dir or RAG_DATA_DIR) to a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the {what} {path} ({exc.strerror}); set data_dir (--data-dir or "
                         "RAG_DATA_DIR) to a folder you can write") from exc
    return path


def sqlite_problem(path: Path) -> str | None:
    """Why a store's database file is certainly damaged (empty, or not SQLite at all), else None."""
    db = Path(path) / SQLITE_FILE
    if not db.exists():
        return None
    if db.stat().st_size == 0:
        return f"{db} is empty (0 bytes)"
    with open(db, "rb") as fh:
        if fh.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
            return f"{db} is not an SQLite database"
    return None


def explain(exc: BaseException, path: Path) -> RagError | None:
    """A one-line error for a database failure people can fix (damaged or read-only store), else None."""
    text = str(exc).lower()
    first = str(exc).strip().splitlines()[-1][:160] if str(exc).strip() else type(exc).__name__
    if any(word in text for word in _READ_ONLY):
        return StoreError(f"the store in {path} is read-only ({first}); make it writable (chmod -R u+w {path}) "
                          "or set data_dir to a writable folder")
    if any(word in text for word in _DAMAGED):
        return StoreDamagedError(f"the store in {path} looks damaged ({first}); `rag doctor` checks it, and "
                                 "`rag doctor --repair` sets it aside so you can ingest your articles again")
    return None


@contextlib.contextmanager
def explaining(path: Path) -> Iterator[None]:
    """Database failures people can fix come out as one-line errors (see `explain`); anything else as is."""
    try:
        yield
    except RagError:
        raise
    except Exception as exc:
        explained = explain(exc, path)
        if explained is None:
            raise
        raise explained from exc


class _Guarded:
    """A Chroma object whose database failures come out as one-line errors with their fix."""

    def __init__(self, inner: Any, path: Path) -> None:
        self._inner = inner
        self._path = path

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            with explaining(self._path):
                result = attr(*args, **kwargs)
            return _Guarded(result, self._path) if name in ("get_or_create_collection", "get_collection") else result

        return call


class ChromaConnection:
    """One lazily opened Chroma client, shared by the vector store and the document registry."""

    def __init__(self, path: Path, client: Any | None = None, url: str | None = None) -> None:
        self.path = Path(path)
        self.url = url
        self._client = client
        # Chroma's client registry is not safe to create from two threads at once (`rag serve` warms the model in
        # a background thread while the page is built): KeyError inside chromadb. One opener at a time.
        self._opening = threading.Lock()

    def client(self) -> Any:
        """The client, opened on first use (embedded PersistentClient, telemetry off).

        A damaged, read-only or impossible store folder is reported in one line with its fix, never as a
        traceback, and an empty database file is never mistaken for an empty library.
        """
        with self._opening:
            if self._client is None:
                self._client = self._open_client()
        return self._client

    def _open_client(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        if self.url:
            return self._open_server(self.url)
        prepare_folder(self.path, "store folder")
        problem = sqlite_problem(self.path)
        if problem:
            raise StoreDamagedError(f"the store in {self.path} looks damaged ({problem}); `rag doctor --repair` "
                                    "sets it aside so you can ingest your articles again")
        with explaining(self.path):
            client = chromadb.PersistentClient(
                path=str(self.path),
                settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
            )
        return _Guarded(client, self.path)

    @staticmethod
    def _open_server(url: str) -> Any:
        """An HTTP client to a Chroma server (`chroma run`), checked with a heartbeat so that a server that is down
        is one line with its fix. A path names the database (http://host:8000/newsdesk: one server, several
        libraries), created when missing; no path = Chroma's default database."""
        from urllib.parse import urlparse

        import chromadb
        from chromadb.config import Settings as ChromaSettings

        parsed = urlparse(url if "://" in url else f"http://{url}")
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise StoreError(f"chroma_url {url!r} is not a URL like http://127.0.0.1:8000")
        host, ssl = parsed.hostname, parsed.scheme == "https"
        port = parsed.port or (443 if ssl else 8000)
        database = parsed.path.strip("/")
        if database and not re.fullmatch(r"[A-Za-z0-9_-]{3,63}", database):
            raise StoreError(f"chroma_url {url!r}: the database name {database!r} must be 3-63 letters, digits, _ or -")
        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if database:
                admin = chromadb.AdminClient(ChromaSettings(
                    chroma_api_impl="chromadb.api.fastapi.FastAPI", chroma_server_host=host,
                    chroma_server_http_port=port, chroma_server_ssl_enabled=ssl, anonymized_telemetry=False,
                ))
                if database not in {d["name"] for d in admin.list_databases()}:
                    with contextlib.suppress(Exception):  # another process may create it at the same moment
                        admin.create_database(database)
            client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=settings,
                                         database=database or chromadb.DEFAULT_DATABASE)
            client.heartbeat()
        except Exception as exc:
            raise StoreError(f"cannot reach the Chroma server at {url} ({type(exc).__name__}: {exc}); start it "
                             "(chroma run --path DIR --port PORT) or fix chroma_url") from exc
        return client

    def close(self) -> None:
        """Forget the client (Chroma closes its files when the process ends)."""
        self._client = None


def _chunk_from(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        id=chunk_id,
        doc_id=str(meta["doc_id"]),
        title=str(meta["title"]),
        source=str(meta["source"]),
        index=int(meta["index"]),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=text,
        headline=bool(meta.get("headline", True)),
    )


def _visible(meta: dict[str, Any] | None) -> bool:
    # A chunk with no metadata was deleted by another process after this one loaded its vector index: never shown.
    if meta is None:
        return False
    return bool(meta.get(_VISIBLE, True))  # chunks written before the flag existed are searchable


class ChromaStore:
    """A `VectorStore` on a Chroma collection with cosine distance."""

    def __init__(self, connection: ChromaConnection | Path) -> None:
        self.connection = connection if isinstance(connection, ChromaConnection) else ChromaConnection(connection)
        self._chunks: Any = None

    @property
    def path(self) -> Path:
        """Folder of the embedded store."""
        return self.connection.path

    def _open(self) -> Any:
        if self._chunks is None:
            self._chunks = self.connection.client().get_or_create_collection(
                CHUNKS, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
            )
        return self._chunks

    def ensure_built_with(self, fingerprint: dict[str, str]) -> None:
        """Record the fingerprint on first use; later, refuse a store built with other settings."""
        col = self._open()
        meta = dict(self.connection.client().get_collection(CHUNKS).metadata or {})
        stored = {k: v for k, v in meta.items() if k.startswith("rag_")}
        wanted = {f"rag_{k}": v for k, v in fingerprint.items()}
        if stored and stored != wanted and col.count() > 0:
            diffs = ", ".join(
                f"{k[4:]}: store has {stored.get(k)!r}, settings ask for {wanted.get(k)!r}"
                for k in sorted(set(stored) | set(wanted))
                if stored.get(k) != wanted.get(k)
            )
            raise StoreMismatchError(
                f"the store in {self.path} was built with other settings ({diffs}); "
                f"rebuild it with `rag ingest --rebuild PATH...`, or set data_dir to another folder"
            )
        if stored != wanted:
            meta = {k: v for k, v in meta.items() if not k.startswith("rag_")} | wanted
            col.modify(metadata=meta or None)

    def add_chunks(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Insert or overwrite chunks by their deterministic ids, hidden until `publish`."""
        if not chunks:
            return
        step = self._max_batch()
        vectors = np.asarray(vectors, dtype=np.float32)
        for start in range(0, len(chunks), step):
            part = chunks[start : start + step]
            self._open().upsert(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + step],
                documents=[c.text for c in part],
                metadatas=[{**c.metadata(), _VISIBLE: False} for c in part],
            )

    def publish(self, doc_ids: Sequence[str]) -> None:
        """Flip the documents' chunks to searchable, in one read and one write."""
        if not doc_ids:
            return
        col = self._open()
        got = col.get(where={"doc_id": {"$in": list(doc_ids)}}, include=["metadatas"])
        rows = zip(got["ids"], got["metadatas"], strict=True)
        hidden = [(i, m) for i, m in rows if m is not None and not m.get(_VISIBLE, True)]
        # Chroma refuses a write of more records than its max batch size (5461 here): a 20 MB file has ~27k chunks.
        step = self._max_batch()
        for start in range(0, len(hidden), step):
            part = hidden[start : start + step]
            col.update(ids=[i for i, _ in part], metadatas=[{**m, _VISIBLE: True} for _, m in part])
        self._bump()

    def _max_batch(self) -> int:
        try:
            return max(1, int(self.connection.client().get_max_batch_size()))
        except (AttributeError, TypeError, ValueError):  # a client without the call: a size every Chroma accepts
            return 1000

    def delete_document(self, doc_id: str) -> None:
        """Remove a document's chunks."""
        self._open().delete(where={"doc_id": doc_id})
        self._bump()

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """A document's chunks in reading order."""
        got = self._open().get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        chunks = [
            _chunk_from(i, t, m)
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        return sorted(chunks, key=lambda c: c.index)

    def chunks(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        """Those of these chunks the store holds now and searches, with their current text."""
        if not chunk_ids:
            return []
        got = self._open().get(ids=list(chunk_ids), include=["documents", "metadatas"])
        return [_chunk_from(i, t, m) for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
                if _visible(m)]

    def all_chunks(self) -> list[Chunk]:
        """Every searchable chunk, by document id then position."""
        got = self._open().get(include=["documents", "metadatas"])
        chunks = [
            _chunk_from(i, t, m)
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            if _visible(m)
        ]
        return sorted(chunks, key=lambda c: (c.doc_id, c.index))

    def query(self, vector: np.ndarray, k: int) -> list[ScoredChunk]:
        """Nearest searchable chunks by cosine similarity, best first."""
        col = self._open()
        # No count() first: it costs more than the HNSW search at 100k chunks, and Chroma already returns
        # fewer than k results (none for an empty store) when it holds fewer. Hidden chunks are rare (a batch
        # being written), so ask for a few more and widen only when hidden ones crowded the results.
        want = k + 8
        while True:
            got = col.query(
                query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
                n_results=want,
                include=["documents", "metadatas", "distances"],
            )
            rows = list(zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0],
                            strict=True))
            shown = [r for r in rows if _visible(r[2])]
            if len(shown) >= k or len(rows) < want:
                break
            want *= 4
        return [
            ScoredChunk(chunk=_chunk_from(i, t, m), score=1.0 - float(d), rank=rank)
            for rank, (i, t, m, d) in enumerate(shown[:k], start=1)
        ]

    def similarities(self, vector: np.ndarray, chunk_ids: Sequence[str]) -> dict[str, float]:
        """Cosine similarity of a vector to each of these chunks (their stored vectors are unit length)."""
        if not chunk_ids:
            return {}
        got = self._open().get(ids=list(chunk_ids), include=["embeddings"])
        v = np.asarray(vector, dtype=np.float32)
        v = v / max(float(np.linalg.norm(v)), 1e-9)
        out = {}
        for cid, emb in zip(got["ids"], got["embeddings"], strict=True):
            e = np.asarray(emb, dtype=np.float32)
            out[cid] = float(e @ v / max(float(np.linalg.norm(e)), 1e-9))
        return out

    def count_chunks(self, doc_id: str | None = None) -> int:
        """How many chunks the store holds, or one document has."""
        col = self._open()
        if doc_id is None:
            return int(col.count())
        return len(col.get(where={"doc_id": doc_id}, include=[])["ids"])

    def census(self) -> dict[str, tuple[int, int]]:
        """Per document id: (searchable chunks, hidden chunks)."""
        got = self._open().get(include=["metadatas"])
        counts: dict[str, tuple[int, int]] = {}
        for meta in got["metadatas"]:
            if meta is None:  # deleted by another process since this one loaded its index
                continue
            shown, hidden = counts.get(str(meta["doc_id"]), (0, 0))
            counts[str(meta["doc_id"])] = (shown + 1, hidden) if _visible(meta) else (shown, hidden + 1)
        return counts

    def built_with(self) -> dict[str, str]:
        """The fingerprint recorded by `ensure_built_with` (keys without their prefix)."""
        self._open()
        meta = self.connection.client().get_collection(CHUNKS).metadata or {}
        return {k[4:]: str(v) for k, v in meta.items() if k.startswith("rag_")}

    def version(self) -> str:
        """The store's write generation (bumped by every publish and delete, in any process)."""
        self._open()
        meta = self.connection.client().get_collection(CHUNKS).metadata or {}
        return str(meta.get(_GENERATION, 0))

    def _bump(self) -> None:
        col = self._open()
        meta = dict(self.connection.client().get_collection(CHUNKS).metadata or {})
        meta[_GENERATION] = int(meta.get(_GENERATION, 0)) + 1
        col.modify(metadata=meta)

    def close(self) -> None:
        """Release the collection handle."""
        self._chunks = None
