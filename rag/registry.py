"""The document registry: what was ingested, its state in the crash-safe write protocol, and its text.

Kept apart from the vector store: the store searches chunks, the registry answers "which documents are
there, are they finished, and what exactly was indexed". The extracted text is kept here at ingest, so the
whole-article view never re-reads the original file (which may have moved) and cited spans always point into
the text that was indexed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from rag.store import ChromaConnection
from rag.types import READY, DocumentRecord

DOCUMENTS = "documents"
# Chroma needs a vector per record; records are looked up by id and state, never by similarity.
_NO_VECTOR = [1.0]


class DocumentRegistry(Protocol):
    """Document records and their states (pending, ready, removing)."""

    def put(self, records: Sequence[DocumentRecord], texts: Sequence[str] | None = None) -> None:
        """Insert or overwrite records (with each document's extracted text, when given)."""
        ...

    def records(self, status: str | None = READY) -> list[DocumentRecord]:
        """Records sorted by title, optionally only those in one state."""
        ...

    def get(self, doc_id: str) -> DocumentRecord | None:
        """One record, or None."""
        ...

    def text(self, doc_id: str) -> str | None:
        """The text that was indexed for a document (None for records written before texts were kept)."""
        ...

    def delete(self, doc_id: str) -> None:
        """Drop a record."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


def _record(doc_id: str, meta: dict[str, Any]) -> DocumentRecord:
    return DocumentRecord(
        id=doc_id,
        title=str(meta["title"]),
        source=str(meta["source"]),
        chunks=int(meta["chunks"]),
        chars=int(meta.get("chars", 0)),
        added_at=str(meta["added_at"]),
        status=str(meta.get("status", READY)),
        owner=str(meta.get("owner", "")),
        lease=float(meta.get("lease", 0.0)),
        headline=bool(meta.get("headline", True)),
    )


class ChromaRegistry:
    """A `DocumentRegistry` in a second collection of the same Chroma database as the chunks."""

    def __init__(self, connection: ChromaConnection) -> None:
        self.connection = connection
        self._docs: Any = None

    def _open(self) -> Any:
        if self._docs is None:
            self._docs = self.connection.client().get_or_create_collection(
                DOCUMENTS, configuration={"hnsw": {"space": "l2"}}, embedding_function=None
            )
        return self._docs

    def put(self, records: Sequence[DocumentRecord], texts: Sequence[str] | None = None) -> None:
        """Insert or overwrite records in one write; a state change without texts keeps the stored texts."""
        if not records:
            return
        col = self._open()
        ids = [r.id for r in records]
        metas = [r.metadata() for r in records]
        if texts is None:
            # update() leaves the stored text alone; records that are not there yet are added without one.
            known = set(col.get(ids=ids, include=[])["ids"])
            old = [(i, m) for i, m in zip(ids, metas, strict=True) if i in known]
            new = [(i, m) for i, m in zip(ids, metas, strict=True) if i not in known]
            if old:
                col.update(ids=[i for i, _ in old], metadatas=[m for _, m in old])
            if new:
                col.add(ids=[i for i, _ in new], embeddings=[_NO_VECTOR] * len(new), metadatas=[m for _, m in new])
            return
        col.upsert(ids=ids, embeddings=[_NO_VECTOR] * len(records), metadatas=metas, documents=list(texts))

    def records(self, status: str | None = READY) -> list[DocumentRecord]:
        """Records sorted by title."""
        where = {"status": status} if status else None
        got = self._open().get(where=where, include=["metadatas"])
        records = [_record(i, m) for i, m in zip(got["ids"], got["metadatas"], strict=True) if m is not None]
        return sorted(records, key=lambda r: (r.title.lower(), r.id))

    def get(self, doc_id: str) -> DocumentRecord | None:
        """One record by id."""
        got = self._open().get(ids=[doc_id], include=["metadatas"])
        return _record(got["ids"][0], got["metadatas"][0]) if got["ids"] else None

    def text(self, doc_id: str) -> str | None:
        """The indexed text of a document."""
        got = self._open().get(ids=[doc_id], include=["documents"])
        if not got["ids"]:
            return None
        text = got["documents"][0]
        return text if isinstance(text, str) and text else None

    def delete(self, doc_id: str) -> None:
        """Drop a record."""
        self._open().delete(ids=[doc_id])

    def close(self) -> None:
        """Release the collection handle."""
        self._docs = None
