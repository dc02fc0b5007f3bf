"""Section 11: prompt reading with llama.cpp's repacked Q4_0 kernels.

The catalogue's 1.5B model (Q4_K_M) is requantized to Q4_0 with llama-cpp-python's quantize binding. On x86 CPUs
with AVX2 or AVX-512, llama.cpp repacks Q4_0 weights at load time into an interleaved layout with faster
matrix-multiplication kernels; Q4_K_M has no such path here. Measured: the time to read one prompt (first token)
and decoding speed, both files loaded the same way, alternating; the accuracy cost is measured apart with
`rag eval --gold seeds/gold.jsonl --corpus seeds` on the written file (its path is printed).

`python -m bench.quantize [OUT.gguf]` writes the Q4_0 file (kept when OUT is given) and prints JSON.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import MODELS, ROOT

SOURCE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


def requantize(source: Path, target: Path, threads: int = 2) -> float:
    """Write `source` requantized to Q4_0 (every tensor llama.cpp quantizes); seconds taken."""
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_0
    params.allow_requantize = True
    params.nthread = threads
    started = time.perf_counter()
    if llama_cpp.llama_model_quantize(str(source).encode(), str(target).encode(), params) != 0:
        raise RuntimeError(f"llama.cpp could not quantize {source}")
    return time.perf_counter() - started


def _speeds(path: Path, prompt: str, threads: int, reps: int) -> tuple[list[float], list[float], int]:
    from llama_cpp import Llama

    llm = Llama(model_path=str(path), n_ctx=2048, n_threads=threads, n_threads_batch=threads, n_batch=512, seed=0,
                verbose=False)
    tokens = len(llm.tokenize(prompt.encode()))
    llm.create_completion(prompt[:200], max_tokens=1)  # warm up: weights paged in
    read, decode = [], []
    for _ in range(reps):
        llm.reset()
        start = time.perf_counter()
        llm.create_completion(prompt, max_tokens=1, temperature=0.0)
        read.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        out = llm.create_completion("Write a long story about a harbour.", max_tokens=64, temperature=0.0)
        decode.append(out["usage"]["completion_tokens"] / (time.perf_counter() - start))
    llm.close()
    return read, decode, tokens


def bench_quantize(threads: int, reps: int, keep: Path | None = None) -> dict[str, Any]:
    """Requantize, then the first-token time of one ~600-token prompt and decoding speed, Q4_K_M against Q4_0."""
    text = "\n\n".join(p.read_text()[:1400] for p in sorted((ROOT / "seeds").glob("*.txt")))
    prompt = f"Passages:\n{text}\n\nQuestion: How old is Ri Il Gyu?\nAnswer:"
    source = MODELS / SOURCE
    with tempfile.TemporaryDirectory(prefix="bench-q4_0-") as tmp:
        target = keep or Path(tmp) / "qwen2.5-coder-1.5b-instruct-q4_0.gguf"
        seconds = requantize(source, target, threads)
        rows: dict[str, dict[str, Any]] = {}
        for label, path in (("Q4_K_M", source), ("Q4_0", target)):
            read, decode, tokens = _speeds(path, prompt, threads, reps)
            rows[label] = {"bytes": path.stat().st_size, "first_token_ms": round(min(read)),
                           "prompt_tokens_per_s": round(tokens / (min(read) / 1000), 1),
                           "decode_tokens_per_s": round(max(decode), 1)}
    base = rows["Q4_K_M"]
    return {"source": SOURCE, "prompt_tokens": tokens, "requantize_s": round(seconds, 1), "models": rows,
            "first_token_ratio": round(rows["Q4_0"]["first_token_ms"] / base["first_token_ms"], 2),
            "decode_ratio": round(rows["Q4_0"]["decode_tokens_per_s"] / base["decode_tokens_per_s"], 2)}


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    print(json.dumps(bench_quantize(2, 3, out)))
