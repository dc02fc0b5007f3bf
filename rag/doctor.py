"""`rag doctor`: check the store against itself and the model files against their sha256; repair what can be.

Checks, in order: the data folder can be written; the store's database is a sound SQLite file; the store was built
with the current embedder and chunking; every ready document has exactly its chunks, all searchable; nothing is
left pending or half-removed by an interrupted run; no chunk belongs to no document; no half-written prompt cache
is lying around; every downloaded model file matches its catalogued sha256. The lexical (BM25) index is derived
from the store in memory when it is needed, so it has nothing on disk that could disagree.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rag.assistant import Assistant
from rag.config import Settings
from rag.errors import RagError
from rag.models import Catalog, file_paths, sha256_file
from rag.store import SQLITE_FILE, sqlite_problem
from rag.types import PENDING, READY, REMOVING

OK, PROBLEM, REPAIRED = "ok", "problem", "repaired"


@dataclass(frozen=True)
class Finding:
    """One check's outcome: what was checked, what was found, and the fix when it is not fine."""

    status: str  # ok, problem or repaired
    what: str
    detail: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        """Whether nothing is left to do."""
        return self.status != PROBLEM


def _store_dir(settings: Settings) -> Path:
    return Path(settings.store_dir)


def check_folder(settings: Settings) -> Finding:
    """The data folder exists (or can be made) and can be written."""
    import os

    data = Path(settings.data_dir)
    for folder in (data, *data.parents):
        if folder.exists():
            if not folder.is_dir():
                return Finding(PROBLEM, "data folder", f"{folder} is a file", "set data_dir to a folder")
            if not os.access(folder, os.W_OK):
                return Finding(PROBLEM, "data folder", f"{folder} is not writable",
                               f"chmod -R u+w {folder}, or set data_dir to a writable folder")
            return Finding(OK, "data folder", f"{data}" + ("" if folder == data else " (not created yet)"))
    return Finding(PROBLEM, "data folder", f"no folder of {data} exists", "set data_dir to a folder you can write")


def check_database(settings: Settings, repair: bool) -> Finding:
    """The SQLite file under the store is whole (`PRAGMA quick_check`); --repair sets a damaged one aside."""
    if settings.chroma_url:
        return Finding(OK, "store database", f"a Chroma server at {settings.chroma_url} (its files are its own)")
    store = _store_dir(settings)
    db = store / SQLITE_FILE
    if not db.exists():
        return Finding(OK, "store database", f"{db} does not exist yet (an empty library)")
    problem = sqlite_problem(store)
    if problem is None:
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                rows = conn.execute("PRAGMA quick_check").fetchall()
            verdict = "; ".join(str(r[0]) for r in rows[:3])
            if verdict != "ok":
                problem = f"quick_check says: {verdict}"
        except sqlite3.DatabaseError as exc:
            problem = f"SQLite cannot read it: {exc}"
    if problem is None:
        return Finding(OK, "store database", f"{db} passes SQLite's quick_check")
    if not repair:
        return Finding(PROBLEM, "store database", problem,
                       "`rag doctor --repair` moves the damaged store aside; then ingest your articles again")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    aside = store.with_name(f"{store.name}.damaged-{stamp}")
    shutil.move(str(store), str(aside))
    return Finding(REPAIRED, "store database", f"{problem}; moved to {aside}",
                   "ingest your articles again: rag ingest PATH...")


def check_models(settings: Settings, catalog: Catalog, say: Callable[[str], None] | None = None) -> list[Finding]:
    """Each downloaded model file against its catalogued size and sha256; the configured models must be there."""
    findings = []
    wanted = {settings.chat_model, settings.embed_model}
    for spec in catalog.models.values():
        paths = file_paths(settings.models_dir, spec)
        if not any(p.exists() for p in paths):
            if spec.id in wanted:
                findings.append(Finding(PROBLEM, f"model {spec.id}", "not downloaded (the settings use it)",
                                        f"rag models pull {spec.id}"))
            continue
        bad = []
        for f, path in zip(spec.files, paths, strict=True):
            if not path.is_file():
                bad.append(f"{path.name} is missing")
                continue
            if f.size is not None and path.stat().st_size != f.size:
                bad.append(f"{path.name} has {path.stat().st_size} bytes, not {f.size}")
                continue
            if say:
                say(f"checking the sha256 of {path.name}…")
            if sha256_file(path) != f.sha256:
                bad.append(f"{path.name} does not match its sha256")
        if bad:
            findings.append(Finding(PROBLEM, f"model {spec.id}", "; ".join(bad), f"rag models pull {spec.id} --force"))
        else:
            findings.append(Finding(OK, f"model {spec.id}", f"{len(paths)} file(s) match their sha256"))
    return findings


def check_library(assistant: Assistant, repair: bool) -> list[Finding]:
    """Records against chunks: leftovers of interrupted runs, missing or hidden chunks, orphans, fingerprint."""
    store, registry, indexer = assistant.store, assistant.registry, assistant.indexer
    findings: list[Finding] = []

    built = store.built_with()
    wanted = assistant.fingerprint
    if built and built != wanted and store.count_chunks() > 0:
        differs = ", ".join(k for k in sorted(set(built) | set(wanted)) if built.get(k) != wanted.get(k))
        findings.append(Finding(PROBLEM, "fingerprint", f"the store was built with another {differs}",
                                "rag ingest --rebuild PATH... (or set data_dir to another folder)"))
    else:
        findings.append(Finding(OK, "fingerprint", "built with the configured embedder and chunking"))

    unfinished = registry.records(status=PENDING) + registry.records(status=REMOVING)
    leftovers = [r for r in unfinished if indexer.abandoned(r)]
    if len(unfinished) > len(leftovers):
        findings.append(Finding(OK, "runs in progress", f"{len(unfinished) - len(leftovers)} document(s) being "
                                                        "written or removed by another live process"))
    if leftovers:
        names = ", ".join(f"{r.id} ({r.status})" for r in leftovers[:5])
        if repair:
            indexer.recover()
            findings.append(Finding(REPAIRED, "interrupted runs", f"finished removing {len(leftovers)}: {names}"))
        else:
            findings.append(Finding(PROBLEM, "interrupted runs", f"{len(leftovers)} left half-done: {names}",
                                    "rag doctor --repair (or any rag ingest) finishes them"))
    else:
        findings.append(Finding(OK, "interrupted runs", "none left half-done"))

    census = store.census()
    records = {r.id: r for r in registry.records(status=None)}
    damaged = []
    for record in registry.records(status=READY):
        shown, hidden = census.get(record.id, (0, 0))
        if shown != record.chunks or hidden:
            damaged.append((record, f"{record.id} ({Path(record.source).name}): {shown} searchable and {hidden} "
                                    f"hidden chunks, {record.chunks} expected"))
    if not damaged:
        findings.append(Finding(OK, "documents", f"{len(records)} document(s), each with all its chunks"))
    for record, detail in damaged:
        if not repair:
            findings.append(Finding(PROBLEM, "documents", detail, "rag doctor --repair writes its chunks again"))
            continue
        try:
            result = indexer.reindex(record.id)
            findings.append(Finding(REPAIRED, "documents", f"{detail}; wrote {result.chunks} chunks again"))
        except RagError as exc:
            findings.append(Finding(PROBLEM, "documents", f"{detail}; {exc}", f"rag ingest {record.source}"))

    findings.append(Finding(OK, "lexical index", "BM25 is built from the searchable chunks in memory when needed; "
                                                  "nothing on disk can disagree with the store"))
    orphans = sorted(set(census) - set(records))
    if orphans:
        count = sum(sum(census[d]) for d in orphans)
        if repair:
            for doc_id in orphans:
                store.delete_document(doc_id)
            findings.append(Finding(REPAIRED, "orphan chunks", f"deleted {count} chunk(s) of {len(orphans)} "
                                                               "unknown document(s)"))
        else:
            findings.append(Finding(PROBLEM, "orphan chunks", f"{count} chunk(s) belong to no document",
                                    "rag doctor --repair deletes them"))
    return findings


def check_prompt_cache(settings: Settings, repair: bool) -> Finding:
    """Half-written prompt caches (a crash while saving) are deleted by --repair; whole ones are left alone."""
    folder = Path(settings.data_dir) / "prompt-cache"
    partial = sorted(folder.glob("*.partial")) if folder.is_dir() else []
    saved = sorted(folder.glob("*.kvcache")) if folder.is_dir() else []
    if not partial:
        return Finding(OK, "prompt cache", f"{len(saved)} saved library prefix(es)")
    if repair:
        for path in partial:
            path.unlink(missing_ok=True)
        return Finding(REPAIRED, "prompt cache", f"deleted {len(partial)} half-written file(s)")
    return Finding(PROBLEM, "prompt cache", f"{len(partial)} half-written file(s)", "rag doctor --repair deletes them")


def check_passage_states(settings: Settings, repair: bool) -> Finding:
    """Every pre-read passage state is read and its digest checked; --repair deletes damaged and half-written ones
    (they are derived data: a question reads the passage again and keeps a new state)."""
    from rag.preread import PassageStates

    states = PassageStates(settings.states_dir, max(settings.passage_states_mb, 0) * 2**20)
    whole, problems = states.check()
    if not problems:
        return Finding(OK, "pre-read passages", f"{whole} whole state(s)")
    kinds = ", ".join(sorted({p.why for p in problems}))
    if repair:
        states.check(repair=True)
        return Finding(REPAIRED, "pre-read passages", f"deleted {len(problems)} bad state(s) ({kinds}); "
                                                      "they are read again when next needed")
    return Finding(PROBLEM, "pre-read passages", f"{len(problems)} bad state(s) ({kinds}) of {whole + len(problems)}",
                   "rag doctor --repair deletes them (they are read again when next needed)")


def run_doctor(
    settings: Settings, *, repair: bool = False, models: bool = True, say: Callable[[str], None] | None = None
) -> list[Finding]:
    """Every check, in order; the library checks run only over a sound database."""
    from rag.build import build_assistant

    catalog = Catalog.load(settings.catalog_path)
    findings = [check_folder(settings)]
    if findings[0].ok:
        database = check_database(settings, repair)
        findings.append(database)
        if database.status == OK:
            assistant = build_assistant(settings)
            try:
                findings += check_library(assistant, repair)
            except RagError as exc:
                findings.append(Finding(PROBLEM, "store", str(exc)))
            finally:
                assistant.close()
        findings.append(check_prompt_cache(settings, repair))
        findings.append(check_passage_states(settings, repair))
    if models:
        findings += check_models(settings, catalog, say)
    return findings
