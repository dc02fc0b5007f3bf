"""Real servers for tests: a `rag serve` process on a free port, stopped afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import MODELS, ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 120) -> None:
    """Wait until `url` answers (any HTTP status), failing with the server's log if it dies or never does."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answered (401 before a login, for example)
        except OSError:
            time.sleep(0.5)
        assert proc.poll() is None, log.read_text()
    pytest.fail(f"{url} did not answer: " + log.read_text())


@contextmanager
def _stopped_after(proc: subprocess.Popen[bytes]) -> Iterator[None]:
    """Terminate a server when the block ends (killed if it will not stop within 30 s)."""
    try:
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def rag_serve(data: Path, model: str, *args: str, **env: str) -> Iterator[str]:
    """`rag serve` with its data in `data` and the given chat model; yields its base URL."""
    port = free_port()
    environ = {**os.environ, "RAG_DATA_DIR": str(data), "RAG_MODELS_DIR": str(MODELS), "RAG_CHAT_MODEL": model,
               "RAG_PORT": str(port), "GRADIO_TEMP_DIR": str(data / "gradio-tmp"), **env}
    log_path = data / "serve.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "serve", *args],
                                stdout=log, stderr=subprocess.STDOUT, env=environ, cwd=ROOT)
        with _stopped_after(proc):
            url = f"http://127.0.0.1:{port}/"
            wait_for(url, proc, log_path)
            yield url


@contextmanager
def chroma_run(path: Path) -> Iterator[str]:
    """A real Chroma server (`chroma run`, installed with chromadb) storing in `path`; yields its URL."""
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        pytest.fail(f"{chroma} is missing; it comes with chromadb (pip install -e .)")
    port = free_port()
    log_path = path.with_suffix(".log")
    with open(log_path, "w") as log:
        proc = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                                stdout=log, stderr=subprocess.STDOUT)
        with _stopped_after(proc):
            url = f"http://127.0.0.1:{port}"
            wait_for(f"{url}/api/v2/heartbeat", proc, log_path, seconds=60)
            yield url
