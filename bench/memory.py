"""Section 6: memory of `rag serve` and of answering."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.common import MODELS, ROOT, _peak_run, _rag


def _rss_mib(pid: int) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) // 1024  # type: ignore[union-attr]


def bench_memory(model: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "RAG_DATA_DIR": str(Path(tmp) / "data"), "RAG_MODELS_DIR": str(MODELS),
               "RAG_CHAT_MODEL": model, "RAG_PORT": "7899"}
        proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "serve", "--ingest", str(ROOT / "seeds")],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(240):
                try:
                    urllib.request.urlopen("http://127.0.0.1:7899/", timeout=1)
                    break
                except OSError:
                    time.sleep(0.5)
            idle = _rss_mib(proc.pid)
            _, ask_peak, _ = _rag(["ask", "How old is Ri Il Gyu?", "--model", model], env)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    from bench.common import bench_settings
    from rag.build import chat_model_path
    from rag.models import Catalog

    settings = bench_settings(models_dir=MODELS, chat_model=model)
    path = chat_model_path(settings, Catalog.load(settings.catalog_path))
    _, raw_peak, _ = _peak_run("bench.rawload", [str(path)], dict(os.environ))
    return {"model": model, "serve_idle_rss_mib": idle, "answering_peak_rss_mib": ask_peak,
            "raw_llama_load_peak_rss_mib": raw_peak, "answering_ratio_to_raw": round(ask_peak / raw_peak, 2)}
