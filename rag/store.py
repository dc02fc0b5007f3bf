"""The vector store: chunks and their vectors in a persistent local Chroma database."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from rag.chunking import Chunk
from rag.errors import StoreMismatchError

log = logging.getLogger(__name__)

CHUNKS = "chunks"
DOCUMENTS = "documents"
READY = "ready"
PENDING = "pending"
# Chroma needs a vector per record; document records are looked up by id, never by similarity.
_NO_VECTOR = [1.0]


@dataclass(frozen=True)
class ScoredChunk:
    """A retrieved chunk, its cosine similarity to the query and its rank (1 = best)."""

    chunk: Chunk
    score: float
    rank: int


@dataclass(frozen=True)
class DocumentRecord:
    """What the store knows of an ingested document."""

    id: str
    title: str
    source: str
    chunks: int
    chars: int
    added_at: str
    status: str = READY

    def metadata(self) -> dict[str, str | int]:
        """Flat metadata for Chroma."""
        return {k: v for k, v in asdict(self).items() if k != "id"}


class VectorStore(Protocol):
    """Where chunks, their vectors and document records are kept."""

    def ensure_built_with(self, fingerprint: dict[str, str]) -> None:
        """Record the embedder/chunking fingerprint, or fail if the store was built with another."""
        ...

    def upsert_chunks(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Insert or overwrite chunks by id."""
        ...

    def put_documents(self, records: Sequence[DocumentRecord]) -> None:
        """Insert or overwrite document records."""
        ...

    def delete_document(self, doc_id: str) -> None:
        """Remove a document's chunks, then its record."""
        ...

    def documents(self, status: str | None = READY) -> list[DocumentRecord]:
        """Document records, optionally only those with the given status."""
        ...

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """A document's chunks in order."""
        ...

    def query(self, vector: np.ndarray, k: int) -> list[ScoredChunk]:
        """The k chunks nearest to a vector, best first."""
        ...

    def count_chunks(self) -> int:
        """How many chunks the store holds."""
        ...


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
    )


class ChromaStore:
    """A `VectorStore` on chromadb's embedded PersistentClient, cosine distance."""

    def __init__(self, path: Path, client: Any | None = None) -> None:
        self.path = Path(path)
        self._client = client
        self._chunks: Any = None
        self._docs: Any = None

    def _open(self) -> None:
        if self._chunks is not None:
            return
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        if self._client is None:
            self.path.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(
                path=str(self.path),
                settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
            )
        self._chunks = self._client.get_or_create_collection(
            CHUNKS, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
        self._docs = self._client.get_or_create_collection(
            DOCUMENTS, configuration={"hnsw": {"space": "l2"}}, embedding_function=None
        )

    def ensure_built_with(self, fingerprint: dict[str, str]) -> None:
        """Record the fingerprint on first use; later, refuse a store built with other settings."""
        self._open()
        meta = dict(self._chunks.metadata or {})
        stored = {k: v for k, v in meta.items() if k.startswith("rag_")}
        wanted = {f"rag_{k}": v for k, v in fingerprint.items()}
        if stored and stored != wanted and self._chunks.count() > 0:
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
            self._chunks.modify(metadata=meta or None)

    def upsert_chunks(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Insert or overwrite chunks by their deterministic ids."""
        self._open()
        if not chunks:
            return
        self._chunks.upsert(
            ids=[c.id for c in chunks],
            embeddings=np.asarray(vectors, dtype=np.float32),
            documents=[c.text for c in chunks],
            metadatas=[c.metadata() for c in chunks],
        )

    def put_documents(self, records: Sequence[DocumentRecord]) -> None:
        """Insert or overwrite document records, in one write."""
        self._open()
        if not records:
            return
        self._docs.upsert(
            ids=[r.id for r in records],
            embeddings=[_NO_VECTOR] * len(records),
            metadatas=[r.metadata() for r in records],
        )

    def delete_document(self, doc_id: str) -> None:
        """Remove chunks first, then the record, so a crash in between leaves a retryable record."""
        self._open()
        self._chunks.delete(where={"doc_id": doc_id})
        self._docs.delete(ids=[doc_id])

    def documents(self, status: str | None = READY) -> list[DocumentRecord]:
        """Document records sorted by title."""
        self._open()
        where = {"status": status} if status else None
        got = self._docs.get(where=where, include=["metadatas"])
        records = [
            DocumentRecord(
                id=i,
                title=str(m["title"]),
                source=str(m["source"]),
                chunks=int(m["chunks"]),
                chars=int(m.get("chars", 0)),
                added_at=str(m["added_at"]),
                status=str(m.get("status", READY)),
            )
            for i, m in zip(got["ids"], got["metadatas"], strict=True)
        ]
        return sorted(records, key=lambda r: (r.title.lower(), r.id))

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """A document's chunks in reading order."""
        self._open()
        got = self._chunks.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        chunks = [
            _chunk_from(i, t, m)
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        return sorted(chunks, key=lambda c: c.index)

    def query(self, vector: np.ndarray, k: int) -> list[ScoredChunk]:
        """Nearest chunks by cosine similarity, best first."""
        self._open()
        # No count() first: it costs more than the HNSW search at 100k chunks, and Chroma already returns
        # fewer than k results (none for an empty store) when it holds fewer.
        got = self._chunks.query(
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
            n_results=k,
            include=["documents", "metadatas", "distances"],
        )
        return [
            ScoredChunk(chunk=_chunk_from(i, t, m), score=1.0 - float(d), rank=rank)
            for rank, (i, t, m, d) in enumerate(
                zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0], strict=True),
                start=1,
            )
        ]

    def count_chunks(self) -> int:
        """How many chunks the store holds."""
        self._open()
        return int(self._chunks.count())
