"""Sections 4 and 4b: generation overhead against raw llama-cpp-python, and llama.cpp settings."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT


def bench_generation(model_path: Path, reps: int, threads: int) -> dict[str, Any]:
    from llama_cpp import Llama

    from rag.llm import LlamaCppGenerator
    from rag.prompting import build_prompt
    from rag.types import ScoredChunk

    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    fake = [ScoredChunk(__import__("rag.chunking", fromlist=["Chunk"]).Chunk(
        f"c{i}", "d", p.stem, str(p), 0, 0, 800, p.read_text()[:800]), 1.0, i) for i, p in enumerate(seeds, 1)]
    messages = build_prompt("How old is Ri Il Gyu?", fake, lambda t: len(t) // 3, context_length=4096,
                            max_answer_tokens=64).messages

    def measure(stream: Any) -> tuple[float, float, int]:
        t = time.perf_counter()
        first = None
        n = 0
        for _ in stream:
            n += 1
            if first is None:
                first = time.perf_counter()
        end = time.perf_counter()
        assert first is not None
        return (first - t) * 1000, (n - 1) / (end - first) if n > 1 else 0.0, n

    raw = Llama(model_path=str(model_path), n_ctx=4096, n_threads=threads, n_threads_batch=threads, n_batch=512,
                seed=0, verbose=False)
    ours = LlamaCppGenerator(model_path, context_length=4096, threads=threads, batch_size=512)
    ours.load()
    rows: dict[str, list[tuple[float, float, int]]] = {"raw": [], "ours": [], "ours_prefix_reused": []}
    for _ in range(reps):
        raw.reset()
        rows["raw"].append(measure(
            c for c in raw.create_chat_completion(messages=messages, max_tokens=64, temperature=0.0, stream=True)
            if c["choices"][0]["delta"].get("content")))
        ours._llm.reset()
        rows["ours"].append(measure(ours.stream(messages, max_tokens=64, temperature=0.0)))
        # Same system prompt already in the KV cache (a second question in a session): prefix reuse.
        other = [messages[0], {"role": "user", "content": messages[-1]["content"].replace("How old", "How old now")}]
        rows["ours_prefix_reused"].append(measure(ours.stream(other, max_tokens=64, temperature=0.0)))
    med = {k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v)) for k, v in rows.items()}
    prompt_tokens = len(raw.tokenize(json.dumps(messages).encode()))
    raw.close()
    ours.close()
    return {"model": model_path.name, "prompt_tokens": prompt_tokens,
            "raw_first_token_ms": round(med["raw"][0]), "ours_first_token_ms": round(med["ours"][0]),
            "first_token_overhead_ms": round(med["ours"][0] - med["raw"][0]),
            "raw_decode_tokens_per_s": round(med["raw"][1], 1), "ours_decode_tokens_per_s": round(med["ours"][1], 1),
            "decode_ratio": round(med["ours"][1] / med["raw"][1], 3) if med["raw"][1] else None,
            "prefix_reused_first_token_ms": round(med["ours_prefix_reused"][0]),
            "prefix_reuse_ratio": round(med["ours_prefix_reused"][0] / med["ours"][0], 2)}


def bench_llama_settings(model_path: Path, threads: int, reps: int, chars: int = 1400) -> dict[str, Any]:
    """Prompt processing (time to first token) on one prompt (the first `chars` characters of each seed article)
    under thread, batch and attention settings."""
    from llama_cpp import Llama

    text = "\n\n".join(p.read_text()[:chars] for p in sorted((ROOT / "seeds").glob("*.txt")))
    prompt = f"Passages:\n{text}\n\nQuestion: How old is Ri Il Gyu?\nAnswer:"
    configs = [("default", threads, 512, False)]
    configs += [(f"threads={t}", t, 512, False) for t in sorted({1, max(1, threads // 2), threads * 2}) if t != threads]
    configs += [(f"batch={b}", threads, b, False) for b in (64, 128, 256)]
    configs += [("flash attention", threads, 512, True)]
    rows: dict[str, dict[str, Any]] = {}
    tokens = 0
    for label, t, batch, flash in configs:
        llm = Llama(model_path=str(model_path), n_ctx=2048, n_threads=t, n_threads_batch=t, n_batch=batch,
                    flash_attn=flash, seed=0, verbose=False)
        tokens = len(llm.tokenize(prompt.encode()))
        llm.create_completion(prompt[:200], max_tokens=1)  # warm up
        times = []
        for _ in range(reps):
            llm.reset()
            start = time.perf_counter()
            llm.create_completion(prompt, max_tokens=1, temperature=0.0)
            times.append((time.perf_counter() - start) * 1000)
        llm.close()
        rows[label] = {"threads": t, "batch": batch, "flash_attn": flash, "first_token_ms": round(min(times))}
    base = rows["default"]["first_token_ms"]
    for row in rows.values():
        row["ratio"] = round(row["first_token_ms"] / base, 2)
        row["prompt_tokens_per_s"] = round(tokens / (row["first_token_ms"] / 1000), 1)
    return {"model": model_path.name, "prompt_tokens": tokens, "configs": rows}
