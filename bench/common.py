"""Shared helpers of the benchmarks: machine facts, timing, the embedders compared."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
# A smoke pass (`python -m bench --smoke`) checks that every section runs, not how fast: its assistants read one
# passage per question and stop an answer after 24 tokens. The settings travel in the environment, so the
# benchmarks' own subprocesses (and the `rag` processes they start, through RAG_*) take them too.
SMOKE_SETTINGS = {"top_k": 1, "max_answer_tokens": 24}
SMOKE_ENV = "BENCH_SMOKE_SETTINGS"


def smoke_settings() -> dict[str, Any]:
    """The settings a smoke pass imposes, or none."""
    import json

    return dict(json.loads(os.environ[SMOKE_ENV])) if os.environ.get(SMOKE_ENV) else {}


def bench_settings(**values: Any) -> Any:
    """Settings for a benchmark's assistant: the code's defaults and `values`, never a developer's rag.toml or RAG_*
    variables; in a smoke pass, its settings first."""
    from rag.config import load_settings

    return load_settings(env={}, **{**smoke_settings(), **values})


def machine() -> dict[str, Any]:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 1024  # type: ignore
    import chromadb
    import llama_cpp
    import onnxruntime

    return {"cores": os.cpu_count(), "cpu": cpu, "memory_mib": mem, "python": platform.python_version(),
            "chromadb": chromadb.__version__, "onnxruntime": onnxruntime.__version__,
            "llama_cpp_python": llama_cpp.__version__}


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def best_of(fn: Any, reps: int) -> float:
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def chroma_default_ef(tmp: Path) -> Any:
    """chromadb's own MiniLM embedding function, pointed at the same model files (no download)."""
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    base = MODELS / "all-minilm-l6-v2-int8"
    folder = tmp / "onnx"
    folder.mkdir()
    (folder / "model.onnx").symlink_to(base / "model.onnx")
    (folder / "tokenizer.json").symlink_to(base / "tokenizer.json")
    for name in ("config.json", "special_tokens_map.json", "tokenizer_config.json", "vocab.txt"):
        (folder / name).write_text("{}")
    ef = ONNXMiniLM_L6_V2(preferred_providers=["CPUExecutionProvider"])
    ef.DOWNLOAD_PATH = tmp  # type: ignore[misc]
    return ef


def our_embedder() -> Any:
    from rag.embeddings import OnnxEmbedder

    base = MODELS / "all-minilm-l6-v2-int8"
    return OnnxEmbedder(base / "model.onnx", base / "tokenizer.json")  # the default batch token budget

def _peak_run(module: str, args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run `python -m module args` in a child; wall seconds, the child's own peak RSS (MiB) and stdout."""
    with tempfile.NamedTemporaryFile(suffix=".rss") as rss:
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "bench.peak", rss.name, module, *args], capture_output=True,
                              text=True, env=env, check=True, cwd=ROOT)
        wall = time.perf_counter() - t
        return wall, int(Path(rss.name).read_text() or 0), proc.stdout


def _rag(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run `rag ...` in a child; wall seconds, its peak RSS (MiB) and stdout."""
    return _peak_run("rag.cli", args, env)


def fill_store(store: Any, matrix: np.ndarray) -> None:
    """Write synthetic chunks (four per document) with these vectors, published, 5000 at a time."""
    from rag.types import Chunk

    n = len(matrix)
    for start in range(0, n, 5000):
        rows = range(start, min(n, start + 5000))
        chunks = [Chunk(f"d{i // 4}-{i % 4:05d}", f"d{i // 4}", "t", "/s", i % 4, 0, 1, f"text {i}") for i in rows]
        store.add_chunks(chunks, matrix[start : start + len(chunks)])
        store.publish(sorted({c.doc_id for c in chunks}))
