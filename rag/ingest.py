"""Ingesting files: load, chunk, embed and store, idempotently and safely against crashes."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rag.chunking import Chunker
from rag.documents import SUPPORTED_SUFFIXES, Document, iter_files, load_document
from rag.embeddings import Embedder
from rag.errors import DocumentNotFoundError, IngestError
from rag.store import PENDING, READY, DocumentRecord, VectorStore

log = logging.getLogger(__name__)

ADDED, UPDATED, SKIPPED, FAILED, IGNORED, REMOVED = "added", "updated", "skipped", "failed", "ignored", "removed"

Progress = Callable[[int, int, Path], None]  # (files done, files in all, current file)


@dataclass(frozen=True)
class FileResult:
    """What happened to one file (or one removed document)."""

    path: str
    status: str
    doc_id: str | None = None
    title: str | None = None
    chunks: int = 0
    reason: str | None = None


@dataclass
class IngestReport:
    """The outcome of an ingest run: a result per file, and totals."""

    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        """How many results have this status."""
        return sum(1 for r in self.results if r.status == status)

    @property
    def chunks(self) -> int:
        """Chunks written in this run."""
        return sum(r.chunks for r in self.results if r.status in (ADDED, UPDATED))

    @property
    def failed(self) -> list[FileResult]:
        """The files that could not be ingested."""
        return [r for r in self.results if r.status == FAILED]

    def summary(self) -> str:
        """One line for people."""
        parts = [f"{self.count(s)} {s}" for s in (ADDED, UPDATED, SKIPPED, FAILED)]
        extra = [f"{self.count(s)} {s}" for s in (REMOVED, IGNORED) if self.count(s)]
        return f"{', '.join(parts + extra)}; {self.chunks} chunks; {self.seconds:.1f} s"


def now_iso() -> str:
    """The current UTC time, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@contextlib.contextmanager
def _write_lock(data_dir: Path) -> Iterator[None]:
    # One writer at a time across processes (CLI and web UI may share a store).
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "ingest.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class Indexer:
    """Adds, updates and removes documents in a vector store."""

    def __init__(self, store: VectorStore, embedder: Embedder, chunker: Chunker, data_dir: Path) -> None:
        self.store = store
        self.embedder = embedder
        self.chunker = chunker
        self.data_dir = Path(data_dir)

    def recover(self) -> int:
        """Finish the cleanup of an ingest that was killed: drop documents left half-written."""
        pending = self.store.documents(status=PENDING)
        for record in pending:
            log.warning("removing half-ingested document %s (%s) left by an interrupted run", record.id, record.source)
            self.store.delete_document(record.id)
        return len(pending)

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        sync: bool = False,
        progress: Progress | None = None,
        rebuild: bool = False,
    ) -> IngestReport:
        """Ingest files and folders; with sync, also remove documents whose files under the folders are gone."""
        started = time.perf_counter()
        paths = [Path(p) for p in paths]
        report = IngestReport()
        with _write_lock(self.data_dir):
            self.recover()
            if rebuild:
                for record in self.store.documents(status=None):
                    self.store.delete_document(record.id)
            for path in paths:
                if not path.exists():
                    report.results.append(
                        FileResult(str(path), FAILED, reason=f"{path}: no such file or folder; check the path")
                    )
            files = list(iter_files(p for p in paths if p.exists()))
            # Loaded once per run, then kept up to date: asking the store per file would be quadratic.
            ready = {r.id: r for r in self.store.documents(status=READY)}
            explicit = {p.resolve() for p in paths if p.is_file()}
            seen: set[str] = set()
            for done, file in enumerate(files):
                if progress:
                    progress(done, len(files), file)
                if file.suffix.lower() not in SUPPORTED_SUFFIXES and file.resolve() not in explicit:
                    # Inside a folder, other file types are listed but do not count as failures.
                    report.results.append(
                        FileResult(str(file), IGNORED, reason=f"unsupported file type {file.suffix or '(none)'}")
                    )
                    continue
                result = self._ingest_file(file, ready)
                log.info("%s %s (%d chunks)%s", result.status, file, result.chunks,
                         f": {result.reason}" if result.reason else "")
                seen.add(str(file.resolve()))
                report.results.append(result)
            if progress and files:
                progress(len(files), len(files), files[-1])
            if sync:
                report.results.extend(self._sync(paths, seen))
        report.seconds = time.perf_counter() - started
        return report

    def _ingest_file(self, path: Path, ready: dict[str, DocumentRecord]) -> FileResult:
        try:
            doc = load_document(path)
        except IngestError as exc:
            return FileResult(str(path), FAILED, reason=str(exc))
        doc = Document(id=doc.id, title=doc.title, source=str(path.resolve()), text=doc.text)
        try:
            return self.add_document(doc, ready)
        except IngestError as exc:
            return FileResult(str(path), FAILED, doc_id=doc.id, title=doc.title, reason=str(exc))

    def add_document(self, doc: Document, ready: dict[str, DocumentRecord] | None = None) -> FileResult:
        """Index one loaded document; an unchanged one is skipped, a changed one replaces its old version.

        `ready` (the store's ready documents by id) is updated in place when given.
        """
        if ready is None:
            ready = {r.id: r for r in self.store.documents(status=READY)}
        stale = [r for r in ready.values() if r.source == doc.source and r.id != doc.id]
        if doc.id in ready:
            for record in stale:  # an update that was interrupted after the new version landed
                self.store.delete_document(record.id)
                ready.pop(record.id, None)
            same = ready[doc.id]
            reason = None if same.source == doc.source else f"same content as {same.source}"
            return FileResult(doc.source, SKIPPED, doc.id, same.title, 0, reason)
        chunks = self.chunker.split(doc)
        if not chunks:
            raise IngestError(f"{doc.source}: no text to index after splitting")
        record = DocumentRecord(
            id=doc.id,
            title=doc.title,
            source=doc.source,
            chunks=len(chunks),
            chars=len(doc.text),
            added_at=now_iso(),
            status=PENDING,
        )
        # Order matters for crash safety: pending record, chunks, ready record, then old version out.
        self.store.put_document(record)
        vectors = self.embedder.embed([c.text for c in chunks])
        self.store.upsert_chunks(chunks, vectors)
        done = DocumentRecord(**{**record.__dict__, "status": READY})
        self.store.put_document(done)
        ready[done.id] = done
        for old in stale:
            self.store.delete_document(old.id)
            ready.pop(old.id, None)
        return FileResult(doc.source, UPDATED if stale else ADDED, doc.id, doc.title, len(chunks))

    def _sync(self, paths: list[Path], seen: set[str]) -> list[FileResult]:
        roots = [p.resolve() for p in paths if p.is_dir()]
        removed = []
        for record in self.store.documents(status=None):
            src = Path(record.source)
            under = any(src.is_relative_to(root) for root in roots)
            if under and record.source not in seen and not src.exists():
                self.store.delete_document(record.id)
                removed.append(FileResult(record.source, REMOVED, record.id, record.title))
        return removed

    def find(self, ref: str) -> DocumentRecord:
        """A document by id, id prefix, source path or file name, or exact title."""
        records = self.store.documents(status=None)
        resolved = str(Path(ref).expanduser().resolve())
        for test in (
            lambda r: r.id == ref,
            lambda r: r.source == resolved,
            lambda r: len(ref) >= 4 and r.id.startswith(ref),
            lambda r: Path(r.source).name == ref,
            lambda r: r.title == ref,
        ):
            hits = [r for r in records if test(r)]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                names = ", ".join(f"{h.id} ({Path(h.source).name})" for h in hits)
                raise DocumentNotFoundError(f"{ref!r} matches several documents: {names}; give the id")
        raise DocumentNotFoundError(f"no document matches {ref!r}; `rag status --docs` lists ids, titles and sources")

    def remove(self, ref: str) -> DocumentRecord:
        """Delete a document and its chunks."""
        with _write_lock(self.data_dir):
            record = self.find(ref)
            self.store.delete_document(record.id)
            return record
