"""Section 1 and 1b: embedding throughput against chromadb's own function, and the batch budget."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from bench.common import MODELS, _peak_run, best_of, chroma_default_ef, our_embedder
from bench.corpus import passages


def bench_embedding(n: int, reps: int) -> dict[str, Any]:
    ours = our_embedder()
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        theirs = chroma_default_ef(Path(tmp))
        for label, words in (("short (~50 tokens)", 38), ("full chunk (~200 tokens)", 150)):
            texts = passages(n, words)
            tokens = sum(ours.count_tokens(t) for t in texts)
            ours.embed(texts[:8])
            theirs(texts[:8])
            t_ours = best_of(lambda texts=texts: ours.embed(texts), reps)
            t_theirs = best_of(lambda texts=texts: theirs(texts), reps)
            out[label] = {"texts": n, "mean_tokens": round(tokens / n, 1),
                          "ours_texts_per_s": round(n / t_ours, 1), "chroma_texts_per_s": round(n / t_theirs, 1),
                          "ours_tokens_per_s": round(tokens / t_ours), "speedup": round(t_theirs / t_ours, 2)}
    return out


def bench_embed_batch(n: int, budgets: list[int]) -> dict[str, Any]:
    """Speed and peak memory per batch token budget, each in its own process; 8192 = 32 full chunks."""
    out: dict[str, Any] = {}
    for label, words in (("short (~50 tokens)", 38), ("full chunk (~200 tokens)", 150)):
        rows = {}
        for budget in budgets:
            _, peak, stdout = _peak_run("bench.embedbatch", [str(MODELS), str(budget), str(words), str(n)],
                                        dict(os.environ))
            rows[str(budget)] = {"texts_per_s": round(json.loads(stdout)["texts_per_s"], 1), "peak_rss_mib": peak}
        base = rows[str(budgets[-1])]["texts_per_s"]
        for row in rows.values():
            row["ratio"] = round(row["texts_per_s"] / base, 2)
        out[label] = rows
    return out
