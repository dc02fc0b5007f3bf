"""Section 3: retrieval latency against exact numpy search on the same vectors."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import fill_store, our_embedder, pct
from bench.corpus import passages


def bench_retrieval(sizes: list[int], queries: int) -> dict[str, Any]:
    from rag.retrieve import Retriever
    from rag.store import ChromaStore

    ours = our_embedder()
    qs = passages(queries, 10, seed=5)
    out = {}
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            store = ChromaStore(Path(tmp))
            rng = np.random.default_rng(1)
            # Synthetic unit vectors: latency depends on count and dimension, not on the text behind them.
            matrix = rng.normal(size=(n, 384)).astype(np.float32)
            matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
            fill_store(store, matrix)
            retriever = Retriever(ours, store, 4)
            retriever.retrieve(qs[0])
            ours_ms, brute_ms = [], []
            for q in qs:
                t = time.perf_counter()
                retriever.retrieve(q)
                ours_ms.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                v = ours.embed([q])[0]
                np.argpartition(-(matrix @ v), 4)[:4]
                brute_ms.append((time.perf_counter() - t) * 1000)
            out[f"{n} chunks"] = {"p50_ms": round(pct(ours_ms, 50), 1), "p95_ms": round(pct(ours_ms, 95), 1),
                                  "numpy_exact_p50_ms": round(pct(brute_ms, 50), 1),
                                  "numpy_exact_p95_ms": round(pct(brute_ms, 95), 1),
                                  "p95_ratio": round(pct(ours_ms, 95) / pct(brute_ms, 95), 2)}
    return out
