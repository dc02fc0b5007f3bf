"""Section 8: serving a team. Retrieval through a Chroma server against the embedded store; first token through
the API against the in-process path; many streamed API clients at once (their waits, their answers, and the UI's
responsiveness meanwhile)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import MODELS, ROOT, fill_store, our_embedder, pct
from bench.corpus import passages

QUESTION = "How old is Ri Il Gyu?"
EXPECTED = "52"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args} exited with {proc.returncode}") from None
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


@contextmanager
def _process(args: list[str], url: str, env: dict[str, str] | None = None) -> Any:
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
                                cwd=ROOT)
        try:
            _wait(url, proc)
            yield proc
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def bench_chroma_server(n: int, queries: int) -> dict[str, Any]:
    """Vector retrieval (query embedding + Chroma HNSW + filtering) over the same n chunks, embedded and through
    `chroma run` on loopback, queries alternating between the two."""
    from rag.retrieve import Retriever
    from rag.store import ChromaConnection, ChromaStore

    ours = our_embedder()
    qs = passages(queries, 10, seed=5)
    rng = np.random.default_rng(1)
    matrix = rng.normal(size=(n, 384)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    chroma = str(Path(sys.executable).parent / "chroma")
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        with _process([chroma, "run", "--path", f"{tmp}/server", "--host", "127.0.0.1", "--port", str(port)],
                      f"{url}/api/v2/heartbeat"):
            stores = {"embedded": ChromaStore(ChromaConnection(Path(tmp) / "embedded")),
                      "server": ChromaStore(ChromaConnection(Path(tmp) / "unused", url=f"{url}/bench"))}
            for store in stores.values():
                fill_store(store, matrix)
            retrievers = {name: Retriever(ours, store, 4) for name, store in stores.items()}
            times: dict[str, list[float]] = {name: [] for name in stores}
            for r in retrievers.values():
                r.retrieve(qs[0])
            for q in qs:
                for name, r in retrievers.items():
                    t = time.perf_counter()
                    r.retrieve(q)
                    times[name].append((time.perf_counter() - t) * 1000)
    out: dict[str, Any] = {"chunks": n, "queries": queries}
    for name, ms in times.items():
        out[name] = {"p50_ms": round(pct(ms, 50), 1), "p95_ms": round(pct(ms, 95), 1)}
    out["p95_ratio"] = round(pct(times["server"], 95) / pct(times["embedded"], 95), 2)
    return out


_CLIENT: Any = None


def _http() -> Any:
    """One HTTP client for the run, as a real API client keeps one (a new httpx client costs ~25 ms to set up)."""
    global _CLIENT
    import httpx

    if _CLIENT is None:
        _CLIENT = httpx.Client(timeout=900, limits=httpx.Limits(max_connections=64))
    return _CLIENT


def _stream(base: str, question: str) -> dict[str, Any]:
    """One streamed API answer: when it was sent, when its turn came, its first word, its end, and its text."""
    sent = time.perf_counter()
    turn = first = None
    text, done, final = "", False, ""
    body = {"stream": True, "messages": [{"role": "user", "content": question}]}
    with _http().stream("POST", f"{base}v1/chat/completions", json=body) as r:
        for line in r.iter_lines():
            if not line.startswith("data: "):
                continue
            if line == "data: [DONE]":
                done = True
                break
            chunk = json.loads(line[6:])
            if chunk.get("queue", {}).get("position") == 0 and turn is None:
                turn = time.perf_counter()
            piece = chunk["choices"][0]["delta"].get("content") if chunk.get("choices") else None
            if piece:
                first = first or time.perf_counter()
                text += piece
            final = chunk.get("content", final)
    end = time.perf_counter()
    return {"wait_s": ((turn or sent) - sent), "first_s": (first or end) - sent, "total_s": end - sent,
            "text": final or text, "done": done}


def bench_api(model: str, clients: int, repeats: int) -> dict[str, Any]:
    """`rag serve` with `model` over the seeds: first token through the API against the in-process path (same
    question, warm, alternating), then `clients` streamed clients at once."""
    from bench.common import bench_settings
    from rag.build import build_assistant
    from rag.types import Token

    out: dict[str, Any] = {"model": model}
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        base = f"http://127.0.0.1:{port}/"
        env = {"RAG_DATA_DIR": f"{tmp}/served", "RAG_MODELS_DIR": str(MODELS), "RAG_CHAT_MODEL": model,
               "RAG_PORT": str(port), "GRADIO_TEMP_DIR": f"{tmp}/gradio"}
        with _process([sys.executable, "-m", "rag.cli", "serve", "--ingest", str(ROOT / "seeds")], base, env):
            settings = bench_settings(data_dir=Path(tmp) / "local", models_dir=MODELS, chat_model=model)
            local = build_assistant(settings)
            local.ingest([ROOT / "seeds"])
            _stream(base, QUESTION)  # warm: model loaded, prompt cached
            list(local.ask_stream(QUESTION))
            api_ms, local_ms = [], []
            for _ in range(repeats):
                api_ms.append(_stream(base, QUESTION)["first_s"] * 1000)
                # The whole answer, as the API writes it: cutting it short would leave a warmer cache for the next
                # question (measured: ~15 ms against ~60 ms), which is not the same work.
                t, first = time.perf_counter(), None
                for event in local.ask_stream(QUESTION):
                    if isinstance(event, Token) and first is None:
                        first = (time.perf_counter() - t) * 1000
                local_ms.append(first or 0.0)
            local.close()
            out["first_token"] = {
                "api_p50_ms": round(pct(api_ms, 50), 1), "in_process_p50_ms": round(pct(local_ms, 50), 1),
                "added_p50_ms": round(pct(api_ms, 50) - pct(local_ms, 50), 1), "repeats": repeats,
            }
            # Many clients at once; meanwhile the page and the library are fetched every half second.
            results: list[dict[str, Any]] = []
            ui_ms: list[float] = []
            stop = threading.Event()

            def ui() -> None:
                while not stop.is_set():
                    for path in ("", "v1/documents"):
                        t = time.perf_counter()
                        _http().get(base + path).read()
                        ui_ms.append((time.perf_counter() - t) * 1000)
                    time.sleep(0.5)

            def client() -> None:
                try:
                    results.append(_stream(base, QUESTION))
                except Exception as exc:  # counted as dropped
                    results.append({"error": repr(exc)})

            watcher = threading.Thread(target=ui)
            watcher.start()
            threads = [threading.Thread(target=client) for _ in range(clients)]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            stop.set()
            watcher.join()
            ok = [r for r in results if r.get("done")]
            waits = [r["wait_s"] for r in ok]
            out["concurrent"] = {
                "clients": clients,
                "answered": len(ok),
                "correct": sum(EXPECTED in r["text"] for r in ok),
                "dropped": clients - len(ok),
                "wait_p50_s": round(pct(waits, 50), 1) if waits else None,
                "wait_p95_s": round(pct(waits, 95), 1) if waits else None,
                "first_word_p95_s": round(pct([r["first_s"] for r in ok], 95), 1) if ok else None,
                "all_done_s": round(time.perf_counter() - started, 1),
                "ui_fetches": len(ui_ms),
                "ui_p95_ms": round(pct(ui_ms, 95), 1) if ui_ms else None,
            }
    return out
