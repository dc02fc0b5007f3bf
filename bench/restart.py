"""Section 10: the first question after a restart, with the library prefix saved by an earlier process.

`python -m bench.restart DATA_DIR MODEL` starts an assistant on a data folder as `rag serve` does (the models loaded
and the library prefix had before the first question: restored when saved, else read and saved), then asks two
questions. Prints JSON: the model load and the warm-up times (excluded from the questions, reported apart), how
the prefix was had, and each question's first-token ms and prompt tokens read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FIRST = "How old is Ri Il Gyu?"
NEXT = "Which newspaper reported Ri's defection based on an exclusive interview?"


def start_and_ask(data: Path, model: str) -> dict[str, Any]:
    from bench.common import bench_settings
    from rag.build import build_assistant

    assistant = build_assistant(bench_settings(data_dir=data, models_dir=Path("models"), chat_model=model))
    started = time.perf_counter()
    assistant.generator.count_tokens("load")  # the weights, timed apart from the questions
    load_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    prefix = assistant.warm()  # what `rag serve` does in the background at start
    warm_ms = (time.perf_counter() - started) * 1000
    first = assistant.ask(FIRST)
    warm = assistant.ask(NEXT)
    return {"load_ms": round(load_ms), "warm_up_ms": round(warm_ms), "prefix": prefix,
            "first_token_ms": round(first.timings.first_token_ms or 0), "first_prompt_tokens": first.timings.prompt_tokens,
            "warm_first_token_ms": round(warm.timings.first_token_ms or 0),
            "warm_prompt_tokens": warm.timings.prompt_tokens}


def bench_restart(model: str) -> dict[str, Any]:
    """The seeds ingested into a fresh folder; a process that reads and saves the prefix, then one that restores
    it. The ratio is the restored process's first question to its second."""
    from bench.common import ROOT

    with tempfile.TemporaryDirectory(prefix="bench-restart-") as tmp:
        data = Path(tmp) / "data"
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("RAG_")}, "RAG_DATA_DIR": str(data)}
        subprocess.run([sys.executable, "-m", "rag.cli", "ingest", "seeds/"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        runs = []
        for _ in range(2):
            out = subprocess.run([sys.executable, "-m", "bench.restart", str(data), model], cwd=ROOT, check=True,
                                 capture_output=True, text=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    cold, restored = runs
    return {"model": model, "cold": cold, "restored": restored,
            "ratio": round(restored["first_token_ms"] / max(restored["warm_first_token_ms"], 1), 2)}


if __name__ == "__main__":
    print(json.dumps(start_and_ask(Path(sys.argv[1]), sys.argv[2])))
