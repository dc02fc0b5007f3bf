"""The benchmark suite's smoke pass: smallest sizes, tiny model; it must run and write its results."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, TINY, require_model


@pytest.mark.slow
def test_bench_smoke_pass_writes_results(tmp_path: Path) -> None:
    require_model(TINY)
    require_model("all-minilm-l6-v2-int8")
    proc = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--out", str(tmp_path)], capture_output=True,
                          text=True, cwd=ROOT, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((tmp_path / "results-smoke.json").read_text())
    sections = {"embedding", "ingest", "retrieval", "generation", "llama_settings", "memory", "session", "restart",
                "checks", "preread"}
    assert sections <= set(results)
    assert results["llama_settings"]["configs"]["default"]["ratio"] == 1.0
    assert results["embedding"]["short (~50 tokens)"]["speedup"] > 0
    assert results["checks"]["questions"] == 4
    text = (tmp_path / "results-smoke.md").read_text()
    assert "## 1. Embedding throughput" in text and "## 3. Retrieval latency" in text
    assert "## 12. What the checks add to an answer" in text
    seeds = results["preread"]["libraries"][0]
    assert seeds["warm"]["passages_preread"] > 0 and seeds["whole"]["passages_preread"] == 0  # the states were used
    assert seeds["typed"]["first_token_p50_ms"] > 0 and seeds["typed"]["passages_preread"] == 0
    assert "## 13. Pre-read passages" in text

    # A partial run re-measures its section and keeps the others, dated.
    again = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--only", "retrieval", "--out", str(tmp_path)],
                           capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    merged = json.loads((tmp_path / "results-smoke.json").read_text())
    assert merged["embedding"] == results["embedding"] and set(merged["section_dates"]) == {"retrieval"}
    assert "re-measured on their own" in (tmp_path / "results-smoke.md").read_text()
    bad = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--only", "nonsense"], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert bad.returncode == 2 and "unknown section" in bad.stderr
