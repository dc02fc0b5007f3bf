"""Sections 2 and 2b: ingest end to end (`rag ingest`), and the write-batching sweep."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from bench.common import MODELS, _rag, best_of, our_embedder
from bench.corpus import passages, write_corpus


def bench_ingest(sizes: list[int]) -> dict[str, Any]:
    out = {}
    ours = our_embedder()
    for chunks in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "corpus"
            n_articles = max(1, round(chunks / 4))
            write_corpus(folder, n_articles)
            env = {**os.environ, "RAG_DATA_DIR": str(Path(tmp) / "data"), "RAG_MODELS_DIR": str(MODELS)}
            wall, peak, stdout = _rag(["ingest", str(folder)], env)
            made = int(re.search(r"; (\d+) chunks;", stdout).group(1))  # type: ignore[union-attr]
            # Baseline: embedding the same number of full chunks alone, the floor for any ingest.
            sample = passages(min(made, 512), 150)
            t = best_of(lambda sample=sample: ours.embed(sample), 1)
            embed_only = len(sample) / t
            out[f"{made} chunks"] = {"documents": n_articles, "chunks": made, "seconds": round(wall, 1),
                                     "documents_per_s": round(n_articles / wall, 1),
                                     "chunks_per_s": round(made / wall, 1), "peak_rss_mib": peak,
                                     "embed_only_chunks_per_s": round(embed_only, 1),
                                     "ratio_to_embed_only": round((made / wall) / embed_only, 2)}
    return out


def bench_ingest_batch(chunks: int, sizes: list[int]) -> dict[str, Any]:
    """The write-batching lever: one ingest per batch size, in this process, on the same corpus.

    A batch of 1 chunk writes every document on its own (three store calls per document), as before batching.
    """
    from bench.common import bench_settings
    from rag.build import build_assistant

    out: dict[str, Any] = {}
    embedder = our_embedder()
    embedder.embed(passages(64, 150))  # loaded and warm before the first timed run
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        write_corpus(folder, max(1, round(chunks / 4)))
        for size in sizes:
            settings = bench_settings(data_dir=Path(tmp) / f"data-{size}", models_dir=MODELS)
            assistant = build_assistant(settings, embedder=embedder)
            assistant.indexer.batch_chunks = size
            report = assistant.ingest([folder])
            out[str(size)] = {"chunks": report.chunks, "seconds": round(report.seconds, 1),
                              "chunks_per_s": round(report.chunks / report.seconds, 1)}
    base = out[str(sizes[0])]["chunks_per_s"]
    for row in out.values():
        row["ratio"] = round(row["chunks_per_s"] / base, 2)
    return out
