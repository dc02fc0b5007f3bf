"""A real Chroma server (`chroma run`) as the store: the `rag` command ingests, answers and removes through it,
and several processes writing into it at once stay consistent, a killed one included."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.registry import ChromaRegistry
from rag.store import ChromaConnection, ChromaStore
from rag.types import READY
from tests.conftest import MODELS, SMALL, require_model

EMBEDDER = "all-minilm-l6-v2-int8"


def _env(data: Path, url: str) -> dict[str, str]:
    return {**os.environ, "RAG_DATA_DIR": str(data), "RAG_MODELS_DIR": str(MODELS), "RAG_CHAT_MODEL": SMALL,
            "RAG_CHROMA_URL": url}


def _rag(data: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], capture_output=True, text=True,
                          env=_env(data, url), timeout=600)


def _view(url: str) -> tuple[list, dict]:
    """Records and chunk census as the server holds them (read in this process; nothing is cached locally)."""
    conn = ChromaConnection(Path("unused"), url=url)
    return ChromaRegistry(conn).records(status=None), ChromaStore(conn).census()


def _long_article(folder: Path, name: str, sentences: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = " ".join(f"The ferry line number {i} of {name} crosses the sound at {i % 12} o'clock daily."
                    for i in range(sentences))
    path = folder / f"{name}.txt"
    path.write_text(f"Ferry timetable {name}\n\n{body}")
    return path


def _start_writing(data: Path, url: str, folder: Path) -> subprocess.Popen:
    """A `rag ingest` that returns once it has begun writing (its pending records are in the store)."""
    proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "-v", "ingest", str(folder)], env=_env(data, url),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        if "INFO rag.ingest: writing" in line:
            return proc
    raise AssertionError(f"the ingest ended without writing (exit {proc.wait()})")


@pytest.mark.slow
def test_the_rag_command_ingests_answers_and_removes_through_a_chroma_server(
    tmp_path: Path, chroma_server: str
) -> None:
    require_model(EMBEDDER)
    require_model(SMALL)
    url = f"{chroma_server}/cli"
    docs = tmp_path / "docs"
    docs.mkdir()
    title = "Alder bridge gets a new coat"
    body = "The Alder bridge was painted green in 1999 by the firm Kessler and Sons."
    (docs / "bridge.txt").write_text(f"{title}\n\n{body}\n")
    data = tmp_path / "data"
    assert _rag(data, url, "ingest", str(docs)).returncode == 0
    assert not (data / "chroma").exists()  # nothing of the library lives on this machine
    records, census = _view(url)
    assert [(r.title, r.status) for r in records] == [(title, READY)] and census == {records[0].id: (1, 0)}
    # A second machine (another data folder) sees the same library and answers from it.
    other = tmp_path / "other"
    proc = _rag(other, url, "ask", "--json", "Who painted the Alder bridge?")
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert "Kessler" in answer["text"] and answer["citations"][0]["title"] == title
    assert _rag(other, url, "remove", "bridge.txt").returncode == 0
    assert _view(url) == ([], {})


def test_a_chroma_server_that_is_down_is_one_line_with_the_fix(tmp_path: Path) -> None:
    from tests.servers import free_port

    proc = _rag(tmp_path / "data", f"http://127.0.0.1:{free_port()}", "status")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "cannot reach the Chroma server" in proc.stderr and "chroma run" in proc.stderr


@pytest.mark.slow
def test_two_ingesters_at_once_and_one_killed_leave_the_shared_store_consistent(
    tmp_path: Path, chroma_server: str
) -> None:
    require_model(EMBEDDER)
    url = f"{chroma_server}/ingesters"
    big = tmp_path / "big"
    _long_article(big, "north", 6000)
    small = tmp_path / "small"
    small.mkdir()
    for i in range(3):
        (small / f"note{i}.txt").write_text(f"Harbour note {i}\n\nThe harbour crane number {i} lifts {10 + i} tonnes.")

    # 1. A second ingest starts while the first is writing: its crash recovery must leave the live run's pending
    #    document alone (without owners and leases it deleted it, and the first run then published a short one).
    first = _start_writing(tmp_path / "a", url, big)
    second = _rag(tmp_path / "b", url, "-v", "ingest", str(small))
    assert second.returncode == 0, second.stderr
    assert first.poll() is None, "the first ingest finished before the second began; the test means nothing"
    assert "half-ingested" not in second.stderr
    assert first.wait(timeout=600) == 0
    records, census = _view(url)
    assert sorted(r.status for r in records) == [READY] * 4
    for r in records:
        assert census.get(r.id) == (r.chunks, 0), (r, census.get(r.id))
    assert set(census) == {r.id for r in records}

    # 2. A third is killed while it writes; the next ingest, from anywhere, finishes it off.
    _long_article(tmp_path / "big2", "south", 6000)
    third = _start_writing(tmp_path / "c", url, tmp_path / "big2")
    time.sleep(0.5)
    third.send_signal(signal.SIGKILL)
    third.wait(timeout=60)
    records, census = _view(url)
    assert any(r.status != READY for r in records), "the kill came too late to leave anything half-written"
    (small / "note9.txt").write_text("Harbour note 9\n\nThe harbour crane number 9 lifts 19 tonnes.")
    fourth = _rag(tmp_path / "d", url, "-v", "ingest", str(small))
    assert fourth.returncode == 0 and "half-ingested" in fourth.stderr, fourth.stderr
    records, census = _view(url)
    assert sorted(r.status for r in records) == [READY] * 5  # four before, one new; the killed one gone
    assert {r.id: (r.chunks, 0) for r in records} == census  # none lost, none doubled, no orphan
    doctor = _rag(tmp_path / "d", url, "doctor", "--no-models")
    assert doctor.returncode == 0, doctor.stdout
