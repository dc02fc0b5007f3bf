"""What a careless operator does to the assistant, through the real `rag` command: damaged files, read-only and
impossible folders, killed removals. Each failure is one line naming the file and the fix, never a traceback."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import MODELS, TINY, require_model

pytestmark = pytest.mark.slow

EMBEDDER = "all-minilm-l6-v2-int8"
TINY_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def _env(data: Path, models: Path = MODELS, **extra: str) -> dict[str, str]:
    return {**os.environ, "RAG_DATA_DIR": str(data), "RAG_MODELS_DIR": str(models), "RAG_CHAT_MODEL": TINY, **extra}


def _rag(data: Path, *args: str, models: Path = MODELS) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], capture_output=True, text=True,
                          env=_env(data, models), timeout=600)


def _one_line_error(proc: subprocess.CompletedProcess, *words: str) -> str:
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip() and not ln.startswith(("ingesting", "\r"))]
    errors = [ln for ln in lines if ln.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in proc.stderr, proc.stderr
    for word in words:
        assert word in errors[0], errors[0]
    return errors[0]


_INSPECT = """
import json, sys
from rag.build import build_assistant
from rag.config import load_settings
a = build_assistant(load_settings())
hits = a.retriever.retrieve(sys.argv[1]).passages if len(sys.argv) > 1 else []
print(json.dumps({"census": {k: list(v) for k, v in a.store.census().items()},
                  "records": [[r.id, r.status, r.chunks, r.source] for r in a.registry.records(status=None)],
                  "top": hits[0].chunk.doc_id if hits else None}))
"""


def _inspect(data: Path, query: str | None = None) -> dict:
    """The store as a fresh process sees it (Chroma's embedded client caches what other processes change)."""
    import json

    proc = subprocess.run([sys.executable, "-c", _INSPECT, *([query] if query else [])], capture_output=True,
                          text=True, env=_env(data), timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A data folder holding one ingested article (real embedder, real Chroma)."""
    require_model(EMBEDDER)
    article = tmp_path / "harbour.txt"
    article.write_text("Brindle harbour reopens\n\nThe harbour of Brindle opened in 1911 and handles grain. "
                       "Its new crane, named Oskar, lifts forty tonnes.\n")
    data = tmp_path / "data"
    proc = _rag(data, "ingest", str(article))
    assert proc.returncode == 0, proc.stderr
    return data


def test_a_truncated_model_file_is_one_line_naming_it(tmp_path: Path, library: Path) -> None:
    require_model(TINY)
    truncated = tmp_path / "cut.gguf"
    with open(MODELS / TINY_FILE, "rb") as fh:
        truncated.write_bytes(fh.read(2_000_000))
    line = _one_line_error(_rag(library, "ask", "--model", str(truncated), "When did the harbour open?"),
                           "cut.gguf", "damaged")
    assert "gguf" in line.lower()
    (tmp_path / "text.gguf").write_text("this is not a model")
    _one_line_error(_rag(library, "ask", "--model", str(tmp_path / "text.gguf"), "When did it open?"), "text.gguf")


def test_a_damaged_store_is_named_and_doctor_sets_it_aside(library: Path) -> None:
    db = library / "chroma" / "chroma.sqlite3"
    raw = bytearray(db.read_bytes())
    for offset in range(100, len(raw), 4096):  # scribble over every page after the header
        raw[offset:offset + 200] = b"\xab" * 200
    db.write_bytes(bytes(raw))
    _one_line_error(_rag(library, "status"), "looks damaged", "rag doctor")
    check = _rag(library, "doctor", "--no-models")
    assert check.returncode == 1 and "problem" in check.stdout and "store database" in check.stdout, check.stdout
    fixed = _rag(library, "doctor", "--repair", "--no-models")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert list(library.glob("chroma.damaged-*")), "the damaged store is kept aside, not deleted"
    assert _rag(library, "status").returncode == 0


def test_an_empty_database_file_is_not_shown_as_an_empty_library(library: Path) -> None:
    (library / "chroma" / "chroma.sqlite3").write_bytes(b"")
    _one_line_error(_rag(library, "status"), "looks damaged", "0 bytes")


def test_a_read_only_store_says_so(tmp_path: Path, library: Path) -> None:
    db = library / "chroma" / "chroma.sqlite3"
    if os.geteuid() == 0:  # root writes through permissions; an immutable file stops root too
        made = subprocess.run(["chattr", "+i", str(db)], capture_output=True)
        if made.returncode != 0:
            pytest.skip(f"cannot make a read-only file as root here: {made.stderr!r}")
        undo = ["chattr", "-i", str(db)]
    else:
        for path in [library, *library.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
        undo = ["chmod", "-R", "u+w", str(library)]
    try:
        other = tmp_path / "other.txt"
        other.write_text("Quay report\n\nThe quay was rebuilt in 1950 by the town.\n")
        _one_line_error(_rag(library, "ingest", str(other)), "read-only", str(library))
    finally:
        subprocess.run(undo, check=True)


def test_a_data_dir_that_is_a_file_or_impossible_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    _one_line_error(_rag(tmp_path / "afile", "status"), "is a file, not a folder", "data_dir")
    _one_line_error(_rag(Path("/proc/no-such/store"), "status"), "cannot create", "data_dir")


def test_doctor_finds_and_repairs_missing_chunks_orphans_and_leftovers(library: Path) -> None:
    from rag.build import build_assistant
    from rag.config import load_settings
    from rag.types import PENDING, Chunk, DocumentRecord

    assistant = build_assistant(load_settings(env={}, data_dir=library, models_dir=MODELS, chat_model=TINY))
    [record] = assistant.documents()
    assistant.store.delete_document(record.id)  # a record left without its chunks
    orphan = Chunk("zz-00000", "zz", "Nobody's", "/gone.txt", 0, 0, 20, "orphan text")
    assistant.store.add_chunks([orphan], assistant.embedder.embed([orphan.text]))
    assistant.store.publish(["zz"])
    assistant.registry.put([DocumentRecord("yy", "Half", "/half.txt", 2, 10, "t", status=PENDING)], ["half"])
    assistant.close()

    check = _rag(library, "doctor", "--no-models")
    assert check.returncode == 1, check.stdout
    for what in ("interrupted runs", "orphan chunks", f"{record.id} (harbour.txt): 0 searchable"):
        assert what in check.stdout, check.stdout
    fixed = _rag(library, "doctor", "--repair", "--no-models")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "wrote" in fixed.stdout and "deleted 1 chunk" in fixed.stdout, fixed.stdout
    again = _rag(library, "doctor", "--no-models")
    assert again.returncode == 0 and "problem " not in again.stdout, again.stdout

    seen = _inspect(library, "What does the crane Oskar lift?")
    assert seen["census"] == {record.id: [record.chunks, 0]}
    assert [r[0] for r in seen["records"]] == [record.id]
    assert seen["top"] == record.id


def test_doctor_checks_model_files_against_their_sha256(tmp_path: Path, library: Path) -> None:
    require_model(TINY)
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy(MODELS / "catalog.toml", models / "catalog.toml")
    os.symlink(MODELS / EMBEDDER, models / EMBEDDER)
    shutil.copy(MODELS / TINY_FILE, models / TINY_FILE)
    good = _rag(library, "doctor", models=models)
    assert good.returncode == 0, good.stdout
    assert f"ok        model {TINY}" in good.stdout
    with open(models / TINY_FILE, "r+b") as fh:  # same size, one flipped region: only the sha256 can tell
        fh.seek(5_000_000)
        fh.write(b"\x00\x01\x02\x03")
    bad = _rag(library, "doctor", models=models)
    assert bad.returncode == 1
    assert "does not match its sha256" in bad.stdout and f"rag models pull {TINY} --force" in bad.stdout


def test_a_killed_remove_never_leaves_a_ready_record_without_chunks(tmp_path: Path) -> None:
    # Removal marks the record, deletes the chunks, then drops the record. A real `rag remove` killed at points
    # through that must never leave a ready record short of its chunks, and the next write finishes the removal.
    require_model(EMBEDDER)
    docs = tmp_path / "docs"
    docs.mkdir()
    body = " ".join(f"The ferry line number {i} crosses the sound at {i % 12} o'clock daily." for i in range(1200))
    (docs / "ferries.txt").write_text("Ferry timetable\n\n" + body)
    keep = docs / "keep.txt"
    keep.write_text("Bridge report\n\nThe old bridge was painted green in 1999.\n")
    data = tmp_path / "data"
    killed = 0
    for delay in (0.0, 0.02, 0.05, 0.1):
        assert _rag(data, "ingest", str(docs)).returncode == 0  # both documents, whole
        proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "-v", "remove", "ferries.txt"], env=_env(data),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        for line in proc.stderr:
            if "INFO rag.ingest: removing" in line:  # it has started writing
                time.sleep(delay)
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout=60)
        killed += proc.returncode == -signal.SIGKILL
        seen = _inspect(data)
        for doc_id, status, chunks, _ in seen["records"]:
            if status == "ready":  # never a ready record short of its chunks
                assert seen["census"].get(doc_id) == [chunks, 0], (delay, doc_id, seen)

        assert _rag(data, "ingest", str(keep)).returncode == 0  # the next write finishes what was interrupted
        seen = _inspect(data)
        assert all(status == "ready" for _, status, _, _ in seen["records"]), seen["records"]
        names = sorted(Path(source).name for *_, source in seen["records"])
        assert names in (["ferries.txt", "keep.txt"], ["keep.txt"]), (delay, names)
        assert sum(sum(v) for v in seen["census"].values()) == sum(r[2] for r in seen["records"])
    assert killed >= 3, "too few removals were killed mid-way for the test to mean anything"
