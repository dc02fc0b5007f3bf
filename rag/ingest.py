"""Ingesting files: load, chunk, embed and store, idempotently and safely against crashes."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from rag.chunking import Chunker
from rag.documents import SUPPORTED_SUFFIXES, Document, article_start, load_document, walk
from rag.embeddings import Embedder
from rag.errors import DocumentNotFoundError, IngestError, StoreError
from rag.injection import kept_out_note
from rag.registry import DocumentRegistry
from rag.store import VectorStore, prepare_folder
from rag.types import PENDING, READY, REMOVING, Chunk, DocumentRecord

log = logging.getLogger(__name__)

ADDED, UPDATED, SKIPPED, FAILED, IGNORED, REMOVED = "added", "updated", "skipped", "failed", "ignored", "removed"
LEASE_S = 60.0  # a run renews the lease on its pending records at least every LEASE_S / 3 seconds
HIDDEN = "hidden"  # hidden files and folders inside a walked folder: counted in the summary, not listed

# (files done, files in all, current file); `done` grows by fractions while a large file's chunks are embedded
Progress = Callable[[float, int, Path], None]


@dataclass(frozen=True)
class FileResult:
    """What happened to one file (or one removed document)."""

    path: str
    status: str
    doc_id: str | None = None
    title: str | None = None
    chunks: int = 0
    reason: str | None = None
    warning: str = ""  # an added or updated file's notice for its owner (sentences kept out of prompts)


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
        if self.count(HIDDEN):
            extra.append(f"{self.count(HIDDEN)} hidden skipped")
        return f"{', '.join(parts + extra)}; {self.chunks} chunks; {self.seconds:.1f} s"


class _Library:
    """The store's ready documents by id and by source, loaded once per run and kept up to date.

    Asking the store per file, or scanning every record per file, would make a large ingest quadratic.
    """

    def __init__(self, records: Iterable[DocumentRecord]) -> None:
        self._by_id: dict[str, DocumentRecord] = {}
        self._by_source: dict[str, set[str]] = {}
        for record in records:
            self.add(record)

    def get(self, doc_id: str) -> DocumentRecord | None:
        return self._by_id.get(doc_id)

    def add(self, record: DocumentRecord) -> None:
        self._by_id[record.id] = record
        self._by_source.setdefault(record.source, set()).add(record.id)

    def drop(self, doc_id: str) -> None:
        record = self._by_id.pop(doc_id, None)
        if record is not None:
            self._by_source[record.source].discard(doc_id)

    def others_from(self, source: str, doc_id: str) -> list[DocumentRecord]:
        """Ready documents from this source file with another id: older versions of it."""
        return [self._by_id[i] for i in sorted(self._by_source.get(source, ())) if i != doc_id]


@dataclass
class _Prepared:
    """A loaded, split document waiting in a batch; `slot` is its place in the report."""

    doc: Document
    chunks: list[Chunk]
    stale: list[DocumentRecord]
    slot: int = -1
    repair: bool = False  # a ready record whose chunks went missing is written again


@dataclass
class _Batch:
    """Documents written together: one store call per step instead of three per document."""

    docs: list[_Prepared] = field(default_factory=list)
    chunks: int = 0
    _sources: dict[str, str] = field(default_factory=dict)

    def add(self, prepared: _Prepared) -> None:
        self.docs.append(prepared)
        self.chunks += len(prepared.chunks)
        self._sources[prepared.doc.id] = prepared.doc.source

    def source_of(self, doc_id: str) -> str | None:
        """The source of a document with this id already in the batch (same content twice in one run)."""
        return self._sources.get(doc_id)

    def clear(self) -> None:
        self.docs.clear()
        self.chunks = 0
        self._sources.clear()


def displayable(path: str) -> str:
    """A path that can be printed: bytes that are not UTF-8 shown as the replacement character."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def now_iso() -> str:
    """The current UTC time, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _alive(pid: int) -> bool:
    """Whether a process of this host is running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


@contextlib.contextmanager
def _write_lock(data_dir: Path) -> Iterator[None]:
    # One writer at a time across processes (CLI and web UI may share a store).
    prepare_folder(data_dir)
    try:
        fh = open(data_dir / "ingest.lock", "a+")  # noqa: SIM115 (closed by the with below)
    except OSError as exc:
        raise StoreError(f"cannot write in the data folder {data_dir} ({exc.strerror}); make it writable "
                         f"(chmod -R u+w {data_dir}) or set data_dir to a writable folder") from exc
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class Indexer:
    """Adds, updates and removes documents in a vector store."""

    def __init__(
        self,
        store: VectorStore,
        registry: DocumentRegistry,
        embedder: Embedder,
        chunker: Chunker,
        data_dir: Path,
        batch_chunks: int = 128,
        *,
        max_file_mb: float = 20.0,
    ) -> None:
        self.max_file_mb = max_file_mb
        self.store = store
        self.registry = registry
        self.batch_chunks = batch_chunks  # documents are written together until a batch holds this many chunks
        self.embedder = embedder
        self.chunker = chunker
        self.data_dir = Path(data_dir)
        # This run's name on the records it writes or removes (host:pid:run); see `abandoned`.
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def abandoned(self, record: DocumentRecord) -> bool:
        """Whether a pending or removing record is left by a run that will never finish it: one of this process's
        own, one whose process on this host is gone, one without an owner (older stores), or one whose lease ran
        out (its writer, perhaps on another host, stopped renewing it). A live run's work is never touched."""
        if record.status not in (PENDING, REMOVING):
            return False
        if not record.owner or record.owner == self.owner or record.lease < time.time():
            return True
        host, _, rest = record.owner.partition(":")
        pid = rest.partition(":")[0]
        if host != socket.gethostname() or not pid.isdigit():
            return False  # another host's run, its lease still held
        return int(pid) == os.getpid() or not _alive(int(pid))  # an earlier run of this process, or a dead one

    def _leased(self, record: DocumentRecord, status: str) -> DocumentRecord:
        return DocumentRecord(**{**record.__dict__, "status": status, "owner": self.owner,
                                 "lease": time.time() + LEASE_S})

    def recover(self) -> int:
        """Finish what killed runs left: drop documents half-written, complete removals half-done. Another live
        process's work in progress (a shared Chroma server) is left alone."""
        left = [r for r in self.registry.records(status=PENDING) + self.registry.records(status=REMOVING)
                if self.abandoned(r)]
        for record in left:
            what = "half-ingested" if record.status == PENDING else "half-removed"
            log.warning("removing %s document %s (%s) left by an interrupted run", what, record.id, record.source)
            self._delete(record)
        return len(left)

    def _delete(self, record: DocumentRecord) -> None:
        """Remove a document crash-safely: mark it, delete its chunks, then drop the record."""
        log.info("removing %s (%s, %d chunks)", record.id, record.source, record.chunks)
        if record.status != REMOVING or record.owner != self.owner:
            self.registry.put([self._leased(record, REMOVING)])
        self.store.delete_document(record.id)
        self.registry.delete(record.id)

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
                for record in self.registry.records(status=None):
                    self._delete(record)
            for path in paths:
                if not path.exists():
                    report.results.append(
                        FileResult(str(path), FAILED, reason=f"{path}: no such file or folder; check the path")
                    )
            found = list(walk(p for p in paths if p.exists() or p.is_symlink()))
            files = [f.path for f in found if f.skip is None]
            for f in found:
                if f.skip is not None:
                    report.results.append(FileResult(displayable(str(f.path)), HIDDEN if f.hidden else IGNORED,
                                                     reason=f.skip))
            ready = _Library(self.registry.records(status=READY))
            explicit = {p.resolve() for p in paths if p.is_file()}
            seen: set[str] = set()
            batch = _Batch()
            finished = 0

            def commit() -> None:
                nonlocal finished

                def step(fraction: float) -> None:  # progress inside a batch, as its chunks are embedded
                    if progress and batch.docs:
                        progress(finished + fraction * len(batch.docs), len(files), Path(batch.docs[-1].doc.source))

                for slot, result in self._commit(batch, ready, step):
                    report.results[slot] = result
                    log.info("%s %s (%d chunks)", result.status, result.path, result.chunks)
                finished += len(batch.docs)
                if progress and batch.docs:
                    progress(finished, len(files), Path(batch.docs[-1].doc.source))
                batch.clear()

            for file in files:
                if file.suffix.lower() not in SUPPORTED_SUFFIXES and file.resolve() not in explicit:
                    # Inside a folder, other file types are listed but do not count as failures.
                    report.results.append(
                        FileResult(displayable(str(file)), IGNORED,
                                   reason=f"unsupported file type {file.suffix or '(none)'}")
                    )
                    finished += 1
                    continue
                seen.add(str(file.resolve()))
                prepared = self._prepare(file, ready, batch)
                if isinstance(prepared, FileResult):
                    log.info("%s %s%s", prepared.status, file, f": {prepared.reason}" if prepared.reason else "")
                    report.results.append(prepared)
                    finished += 1
                    if progress:
                        progress(finished, len(files), file)
                    continue
                prepared.slot = len(report.results)
                report.results.append(FileResult(prepared.doc.source, PENDING, prepared.doc.id, prepared.doc.title))
                batch.add(prepared)
                if batch.chunks >= self.batch_chunks:
                    commit()
            commit()
            if sync:
                report.results.extend(self._sync(paths, seen))
        report.seconds = time.perf_counter() - started
        return report

    def _prepare(self, path: Path, ready: _Library, batch: _Batch) -> _Prepared | FileResult:
        """Load and split a file; a result when there is nothing to write (skipped or failed)."""
        source = str(path.resolve())
        try:
            source.encode("utf-8")
        except UnicodeEncodeError:
            # A name with bytes that are not UTF-8 (0xFF, ...) cannot be stored; it costs this file only.
            shown = displayable(source)
            return FileResult(shown, FAILED, reason=f"{shown}: the file name is not valid UTF-8; rename the file")
        try:
            size = path.stat().st_size
        except OSError as exc:
            return FileResult(source, FAILED, reason=f"{path}: cannot read it ({exc.strerror})")
        if size > self.max_file_mb * 1048576:
            return FileResult(source, FAILED, reason=f"{path}: {size / 1048576:.1f} MiB is over the "
                                                     f"{self.max_file_mb:g} MiB limit; split the file, or raise "
                                                     "max_file_mb")
        try:
            doc = load_document(path)
        except IngestError as exc:
            return FileResult(str(path), FAILED, reason=str(exc))
        doc = replace(doc, source=str(path.resolve()))
        stale = ready.others_from(doc.source, doc.id)
        same = ready.get(doc.id)
        repair = False
        if same is not None:
            for record in stale:  # an update that was interrupted after the new version landed
                self._delete(record)
                ready.drop(record.id)
            # A cheap consistency check: a record whose chunks went missing is written again, never skipped.
            repair = self.store.count_chunks(doc.id) != same.chunks
            if not repair:
                reason = None if same.source == doc.source else f"same content as {same.source}"
                return FileResult(doc.source, SKIPPED, doc.id, same.title, 0, reason)
            log.warning("document %s (%s) is missing chunks; writing it again", doc.id, doc.source)
            stale = []
        twin = batch.source_of(doc.id)
        if twin is not None:
            return FileResult(doc.source, SKIPPED, doc.id, doc.title, 0, f"same content as {twin}")
        chunks = self.chunker.split(doc)
        if not chunks:
            return FileResult(doc.source, FAILED, doc.id, doc.title,
                              reason=f"{doc.source}: no text to index after splitting")
        return _Prepared(doc, chunks, stale, repair=repair)

    def _commit(
        self, batch: _Batch, ready: _Library, step: Callable[[float], None] | None = None
    ) -> list[tuple[int, FileResult]]:
        """Write a batch of documents with one store call per step; results by their report slot.

        Order matters for crash safety: pending records (with their texts), hidden chunks, chunks published,
        ready records, then old versions out. A run killed part way leaves only pending records and their chunks,
        which `recover` removes.
        """
        if not batch.docs:
            return []
        added_at = now_iso()
        records = [
            self._leased(DocumentRecord(id=p.doc.id, title=p.doc.title, source=p.doc.source, chunks=len(p.chunks),
                                        chars=len(p.doc.text), added_at=added_at, headline=p.doc.headline), PENDING)
            for p in batch.docs
        ]
        self.registry.put(records, [p.doc.text for p in batch.docs])
        renewed = time.time()
        log.info("writing %d document(s), %d chunks, as %s", len(records), sum(r.chunks for r in records), self.owner)
        chunks = [c for p in batch.docs for c in p.chunks]
        # A large file is embedded and written a slice at a time: its vectors are never all in memory at once, and
        # progress moves within it. Every slice is hidden until the publish below, so a crash leaves nothing visible.
        for start in range(0, len(chunks), self.batch_chunks):
            part = chunks[start : start + self.batch_chunks]
            self.store.add_chunks(part, self.embedder.embed([c.text for c in part]))
            if time.time() - renewed > LEASE_S / 3:  # still at work: keep other processes' recovery away
                records = [self._leased(r, PENDING) for r in records]
                self.registry.put(records)
                renewed = time.time()
            if step:
                step(min(1.0, (start + len(part)) / len(chunks)))
        self.store.publish([r.id for r in records])
        done = [DocumentRecord(**{**r.__dict__, "status": READY, "lease": 0.0}) for r in records]
        self.registry.put(done)
        results = []
        for prepared, record in zip(batch.docs, done, strict=True):
            ready.add(record)
            for old in prepared.stale:
                self._delete(old)
                ready.drop(old.id)
            status = UPDATED if prepared.stale or prepared.repair else ADDED
            results.append((prepared.slot, FileResult(record.source, status, record.id, record.title, record.chunks,
                                                      warning=kept_out_note(prepared.doc.text))))
        return results

    def _sync(self, paths: list[Path], seen: set[str]) -> list[FileResult]:
        roots = [p.resolve() for p in paths if p.is_dir()]
        removed = []
        for record in self.registry.records(status=None):
            src = Path(record.source)
            under = any(src.is_relative_to(root) for root in roots)
            if under and record.source not in seen and not src.exists():
                self._delete(record)
                removed.append(FileResult(record.source, REMOVED, record.id, record.title))
        return removed

    def find(self, ref: str) -> DocumentRecord:
        """A document by id, id prefix, source path or file name, or exact title."""
        records = self.registry.records(status=READY)
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

    def reindex(self, doc_id: str) -> FileResult:
        """Write a ready document's chunks again from the text kept in the registry (repairs missing chunks)."""
        with _write_lock(self.data_dir):
            record = self.registry.get(doc_id)
            text = self.registry.text(doc_id)
            if record is None:
                raise DocumentNotFoundError(f"no document {doc_id}; `rag status --docs` lists the ids")
            if text is None:
                raise IngestError(f"{record.source}: the store keeps no text for this document; ingest the file again")
            headline = record.title if record.headline else None
            doc = Document(id=record.id, title=record.title, source=record.source, text=text,
                           headline=record.headline, start=article_start(text, headline))
            chunks = self.chunker.split(doc)
            self.store.delete_document(doc.id)
            batch = _Batch()
            batch.add(_Prepared(doc, chunks, [], slot=0, repair=True))
            ready = _Library(self.registry.records(status=READY))
            return self._commit(batch, ready)[0][1]

    def remove(self, ref: str) -> DocumentRecord:
        """Delete a document and its chunks."""
        with _write_lock(self.data_dir):
            self.recover()
            record = self.find(ref)
            self._delete(record)
            return record
