"""Section 7: one large file through `rag ingest` — peak memory and time, against a one-paragraph file."""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path
from typing import Any

from bench.common import MODELS, _rag

_WORDS = ("harbour grain crane ferry council budget river storm bridge quay town mayor school road rail port "
          "museum library market station clinic tunnel canal dock pier lighthouse").split()


def write_text(path: Path, mib: float, seed: int = 7) -> None:
    """News-like filler: sentences of 8-20 words, a paragraph break every ten sentences or so."""
    rng = random.Random(seed)
    parts = ["Large report\n\n"]
    size = 0
    while size < mib * 1048576:
        sentence = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 20))).capitalize() + ". "
        if rng.random() < 0.1:
            sentence += "\n\n"
        parts.append(sentence)
        size += len(sentence)
    path.write_text("".join(parts))


def bench_large_file(mib: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        small, large = base / "small.txt", base / "large.txt"
        small.write_text("Small report\n\nThe quay was rebuilt in 1950 by the town council.\n")
        write_text(large, mib)
        env = {**os.environ, "RAG_MODELS_DIR": str(MODELS), "RAG_MAX_FILE_MB": str(mib + 1)}
        _, small_peak, _ = _rag(["--data-dir", str(base / "d1"), "ingest", str(small)], env)
        wall, large_peak, out = _rag(["--data-dir", str(base / "d2"), "ingest", str(large)], env)
    chunks = int(out.split("; ")[-2].split()[0]) if "; " in out else 0
    return {"file_mib": mib, "chunks": chunks, "seconds": round(wall, 1),
            "chunks_per_s": round(chunks / wall, 1) if wall else None, "peak_rss_mib": large_peak,
            "one_paragraph_peak_rss_mib": small_peak, "peak_ratio": round(large_peak / small_peak, 2)}
