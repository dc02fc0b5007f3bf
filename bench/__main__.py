"""`make bench` / `python -m bench`: embedding, ingest, retrieval, generation and memory figures.

Every speed figure is reported as a ratio against a baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

from bench.corpus import passages, write_corpus

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = {"embedding", "embed_batch", "ingest", "ingest_batch", "retrieval", "generation", "llama_settings", "memory"}
MODELS = ROOT / "models"


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
    from tests.test_embeddings import chroma_default_function

    return chroma_default_function(tmp)


def our_embedder() -> Any:
    from rag.embeddings import OnnxEmbedder

    base = MODELS / "all-minilm-l6-v2-int8"
    return OnnxEmbedder(base / "model.onnx", base / "tokenizer.json")  # the default batch token budget


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
    from rag.assistant import build_assistant
    from rag.config import load_settings

    out: dict[str, Any] = {}
    embedder = our_embedder()
    embedder.embed(passages(64, 150))  # loaded and warm before the first timed run
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        write_corpus(folder, max(1, round(chunks / 4)))
        for size in sizes:
            settings = load_settings(env={}, data_dir=Path(tmp) / f"data-{size}", models_dir=MODELS)
            assistant = build_assistant(settings, embedder=embedder)
            assistant.indexer.batch_chunks = size
            report = assistant.ingest([folder])
            out[str(size)] = {"chunks": report.chunks, "seconds": round(report.seconds, 1),
                              "chunks_per_s": round(report.chunks / report.seconds, 1)}
    base = out[str(sizes[0])]["chunks_per_s"]
    for row in out.values():
        row["ratio"] = round(row["chunks_per_s"] / base, 2)
    return out


def bench_retrieval(sizes: list[int], queries: int) -> dict[str, Any]:
    from rag.chunking import Chunk
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
            for start in range(0, n, 5000):
                rows = range(start, min(n, start + 5000))
                chunks = [Chunk(f"d{i // 4}-{i % 4:05d}", f"d{i // 4}", "t", "/s", i % 4, 0, 1, f"text {i}")
                          for i in rows]
                store.upsert_chunks(chunks, matrix[start : start + len(chunks)])
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


def bench_generation(model_path: Path, reps: int, threads: int) -> dict[str, Any]:
    from llama_cpp import Llama

    from rag.llm import LlamaCppGenerator
    from rag.prompting import SYSTEM_PROMPT, user_message
    from rag.store import ScoredChunk

    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    fake = [ScoredChunk(__import__("rag.chunking", fromlist=["Chunk"]).Chunk(
        f"c{i}", "d", p.stem, str(p), 0, 0, 800, p.read_text()[:800]), 1.0, i) for i, p in enumerate(seeds, 1)]
    messages = [{"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": user_message("How old is Ri Il Gyu?", fake)}]

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
        other = [messages[0], {"role": "user", "content": messages[1]["content"].replace("How old", "How old now")}]
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


def bench_llama_settings(model_path: Path, threads: int, reps: int) -> dict[str, Any]:
    """Prompt processing (time to first token) on one prompt under thread, batch and attention settings."""
    from llama_cpp import Llama

    text = "\n\n".join(p.read_text()[:1400] for p in sorted((ROOT / "seeds").glob("*.txt")))
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


def end_to_end(summaries: list[Path]) -> list[dict[str, Any]]:
    """Ours against the naive bracket, each pair from one `rag eval --compare naive` run's summary.json."""
    rows = []
    for path in summaries:
        summary = json.loads(path.read_text())
        fp = summary["fingerprint"]
        ours, naive = (summary["systems"][k]["overall"] for k in ("ours", "naive"))
        rows.append({
            "source": str(path.relative_to(ROOT)), "model": fp["chat_model"], "k": fp["k"],
            "passage_tokens": fp.get("passage_tokens", 0),
            "ours_ttft_p50": ours["first_token_ms_p50"], "naive_ttft_p50": naive["first_token_ms_p50"],
            "ours_ttft_p95": ours["first_token_ms_p95"], "naive_ttft_p95": naive["first_token_ms_p95"],
            "ttft_p50_ratio": round(ours["first_token_ms_p50"] / naive["first_token_ms_p50"], 2),
            "ttft_p95_ratio": round(ours["first_token_ms_p95"] / naive["first_token_ms_p95"], 2),
            "ours_accuracy": ours["answer_accuracy"], "naive_accuracy": naive["answer_accuracy"],
            "ours_refusal": ours["refusal_accuracy"], "naive_refusal": naive["refusal_accuracy"],
            "ours_answer_in_context": ours["answer_in_context"],
            "ours_citation_precision": ours["citation_precision"],
            "ours_citation_holds_answer": ours.get("citation_answer_precision"),
            "ours_citation_coverage": ours["citation_coverage"],
        })
    return sorted(rows, key=lambda r: (r["passage_tokens"] != 0, -r["passage_tokens"]))


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
    from rag.assistant import build_assistant
    from rag.config import load_settings

    path = build_assistant(load_settings(env={}, models_dir=MODELS, chat_model=model)).generator.model_path
    _, raw_peak, _ = _peak_run("bench.rawload", [str(path)], dict(os.environ))
    return {"model": model, "serve_idle_rss_mib": idle, "answering_peak_rss_mib": ask_peak,
            "raw_llama_load_peak_rss_mib": raw_peak, "answering_ratio_to_raw": round(ask_peak / raw_peak, 2)}


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _sweep(title: str, intro: str, columns: list[str], rows: list[list[Any]]) -> list[str]:
    """A measured sweep: heading, a sentence on what it varies, and its table."""
    table = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return ["", title, "", intro, "", *table, *("| " + " | ".join(str(c) for c in row) + " |" for row in rows)]


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [f"# Benchmark results ({results['mode']})", "",
             f"Machine: {m['cores']} cores, {m['cpu']}, {m['memory_mib']} MiB; Python {m['python']}, "
             f"chromadb {m['chromadb']}, onnxruntime {m['onnxruntime']}, llama-cpp-python {m['llama_cpp_python']}.",
             f"Run on {results['date']}. Ratios compare against a baseline measured in the same run.", ""]
    if results.get("section_dates"):
        when = ", ".join(f"{k} {v}" for k, v in sorted(results["section_dates"].items()))
        lines += [f"Sections re-measured on their own (each ratio is still within one run): {when}.", ""]
    e = results.get("embedding", {})
    if e:
        lines += ["## 1. Embedding throughput (ours vs chromadb's default MiniLM function, same model files)", "",
                  "| texts | mean tokens | ours texts/s | chromadb texts/s | ours tokens/s | speed-up |", "|---|---|---|---|---|---|"]
        lines += [f"| {k} | {v['mean_tokens']} | {v['ours_texts_per_s']} | {v['chroma_texts_per_s']} | "
                  f"{v['ours_tokens_per_s']} | **{v['speedup']}x** |" for k, v in e.items()]
    eb = results.get("embed_batch", {})
    if eb:
        lines += _sweep("## 1b. Embedding batch size (most tokens per batch, padding counted; own process each)",
                        "The default is 512. 8192 tokens is 32 full chunks, the batch of 32 texts used before; "
                        "ratios are to it.",
                        ["texts", "budget (tokens)", "texts/s", "peak RSS MiB", "ratio to 8192"],
                        [[label, b, v["texts_per_s"], v["peak_rss_mib"], f"{v['ratio']}x"]
                         for label, rows in eb.items() for b, v in rows.items()])
    i = results.get("ingest", {})
    if i:
        lines += ["", "## 2. Ingest end to end (`rag ingest`, Chroma writes included)", "",
                  "| size | docs/s | chunks/s | peak RSS MiB | embedding-only chunks/s | ratio |", "|---|---|---|---|---|---|"]
        lines += [f"| {k} | {v['documents_per_s']} | {v['chunks_per_s']} | {v['peak_rss_mib']} | "
                  f"{v['embed_only_chunks_per_s']} | {v['ratio_to_embed_only']}x |" for k, v in i.items()]
    ib = results.get("ingest_batch", {})
    if ib:
        lines += _sweep("## 2b. Ingest write batching (documents written together until a batch holds N chunks)",
                        "N = 1 writes every document on its own: a pending record, its chunks and a ready record, "
                        "three store calls per document. Same corpus and embedder in one process.",
                        ["batch (chunks)", "chunks", "seconds", "chunks/s", "ratio to N = 1"],
                        [[k, v["chunks"], v["seconds"], v["chunks_per_s"], f"{v['ratio']}x"] for k, v in ib.items()])
    r = results.get("retrieval", {})
    if r:
        lines += ["", "## 3. Retrieval latency (query embedding + Chroma HNSW + filtering)", "",
                  "| size | p50 ms | p95 ms | numpy exact p50 | numpy exact p95 | p95 ratio |", "|---|---|---|---|---|---|"]
        lines += [f"| {k} | {v['p50_ms']} | {v['p95_ms']} | {v['numpy_exact_p50_ms']} | {v['numpy_exact_p95_ms']} | "
                  f"{v['p95_ratio']}x |" for k, v in r.items()]
    g = results.get("generation")
    if g:
        lines += ["", f"## 4. Generation overhead ({g['model']}, identical prompt, threads, context)", "",
                  "| | raw llama-cpp-python | ours | ratio / overhead |", "|---|---|---|---|",
                  f"| first token ms | {g['raw_first_token_ms']} | {g['ours_first_token_ms']} | "
                  f"+{g['first_token_overhead_ms']} ms |",
                  f"| decode tokens/s | {g['raw_decode_tokens_per_s']} | {g['ours_decode_tokens_per_s']} | "
                  f"{g['decode_ratio']}x |",
                  f"| first token, same passages already in the KV cache (new question only) | – | {g['prefix_reused_first_token_ms']} | "
                  f"{g['prefix_reuse_ratio']}x of cold |"]
    ls = results.get("llama_settings")
    if ls:
        lines += ["", f"## 4b. llama.cpp settings for this machine ({ls['model']}, {ls['prompt_tokens']}-token prompt, "
                  "raw llama-cpp-python)", "",
                  "| setting | threads | batch | flash attention | first token ms | prompt tokens/s | ratio to default |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {k} | {v['threads']} | {v['batch']} | {'on' if v['flash_attn'] else 'off'} | {v['first_token_ms']} | "
                  f"{v['prompt_tokens_per_s']} | {v['ratio']}x |" for k, v in ls["configs"].items()]
    e2e = results.get("end_to_end")
    if e2e:
        lines += ["", f"## 5. End to end on the seed gold questions ({e2e[0]['model']}, `rag eval --compare naive`)", "",
                  "Each row is one `rag eval` run (our pipeline over all questions, then the brackets) on one warm model. `passage tokens` is "
                  "the excerpt budget (0 = whole chunks, the default).", "",
                  "| k | passage tokens | first token p50 s: ours / naive | ratio | p95 ratio | answer acc. ours / naive | "
                  "refusal acc. ours / naive | answer in context | citation precision / coverage | cited passage holds the answer |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        lines += [f"| {r['k']} | {r['passage_tokens'] or 'whole chunks'} | {r['ours_ttft_p50'] / 1000:.2f} / "
                  f"{r['naive_ttft_p50'] / 1000:.2f} | **{r['ttft_p50_ratio']}x** | {r['ttft_p95_ratio']}x | "
                  f"{r['ours_accuracy']:.3f} / {r['naive_accuracy']:.3f} | {r['ours_refusal']:.2f} / {r['naive_refusal']:.2f} | "
                  f"{r['ours_answer_in_context']:.2f} | {r['ours_citation_precision']:.2f} / {r['ours_citation_coverage']:.2f} | "
                  f"{_num(r['ours_citation_holds_answer'])} |"
                  for r in e2e]
    mem = results.get("memory")
    if mem:
        lines += ["", f"## 6. Memory ({mem['model']})", "",
                  f"`rag serve` idle: {mem['serve_idle_rss_mib']} MiB; answering (`rag ask`, peak): "
                  f"{mem['answering_peak_rss_mib']} MiB; llama-cpp-python loading the model alone: "
                  f"{mem['raw_llama_load_peak_rss_mib']} MiB (ratio {mem['answering_ratio_to_raw']}x)."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--smoke", action="store_true", help="smallest sizes, tiny model: checks the suite runs")
    parser.add_argument("--out", type=Path, default=ROOT / "bench")
    parser.add_argument("--model", default=None, help="chat model id for generation and memory")
    parser.add_argument("--ingest-sizes", default="1000", help="chunk counts for the ingest benchmark (e.g. 1000,10000)")
    parser.add_argument("--retrieval-sizes", default="1000,10000,100000", help="chunk counts for retrieval latency")
    parser.add_argument("--only", default="", help="comma-separated sections: " + ",".join(sorted(SECTIONS)))
    args = parser.parse_args()
    from rag.assistant import go_offline

    go_offline()
    sections = set(filter(None, args.only.split(","))) or set(SECTIONS)
    unknown = sections - SECTIONS
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(sorted(SECTIONS))}")
    smoke = args.smoke
    model = args.model or ("smollm2-135m-instruct-q4_1" if smoke else "qwen2.5-coder-1.5b-instruct-q4_k_m")
    results: dict[str, Any] = {"mode": "smoke" if smoke else "full", "machine": machine(),
                               "date": time.strftime("%Y-%m-%d")}
    threads = len(os.sched_getaffinity(0))
    if "embedding" in sections:
        results["embedding"] = bench_embedding(32 if smoke else 256, 1 if smoke else 3)
        print("embedding", results["embedding"], flush=True)
    if "embed_batch" in sections:
        results["embed_batch"] = bench_embed_batch(32 if smoke else 256, [512, 8192] if smoke else
                                                    [256, 512, 1024, 2048, 8192])
        print("embed_batch", results["embed_batch"], flush=True)
    if "ingest" in sections:
        results["ingest"] = bench_ingest([40] if smoke else [int(x) for x in args.ingest_sizes.split(",")])
        print("ingest", results["ingest"], flush=True)
    if "ingest_batch" in sections:
        results["ingest_batch"] = bench_ingest_batch(40 if smoke else 1000, [1, 128] if smoke else [1, 32, 128, 512])
        print("ingest_batch", results["ingest_batch"], flush=True)
    if "retrieval" in sections:
        sizes = [1000] if smoke else [int(x) for x in args.retrieval_sizes.split(",")]
        results["retrieval"] = bench_retrieval(sizes, 20 if smoke else 200)
        print("retrieval", results["retrieval"], flush=True)
    if "generation" in sections:
        from rag.assistant import build_assistant
        from rag.config import load_settings

        path = build_assistant(load_settings(env={}, models_dir=MODELS, chat_model=model)).generator.model_path
        results["generation"] = bench_generation(Path(path), 1 if smoke else 3, threads)
        print("generation", results["generation"], flush=True)
    if "llama_settings" in sections:
        from rag.assistant import build_assistant
        from rag.config import load_settings

        path = build_assistant(load_settings(env={}, models_dir=MODELS, chat_model=model)).generator.model_path
        results["llama_settings"] = bench_llama_settings(Path(path), threads, 1 if smoke else 3)
        print("llama_settings", results["llama_settings"], flush=True)
    if "memory" in sections:
        results["memory"] = bench_memory(model)
        print("memory", results["memory"], flush=True)
    if not smoke:
        # Target 5 comes from `rag eval --compare naive` runs (bench/e2e/*.json): both pipelines in the same run.
        results["end_to_end"] = end_to_end(sorted((ROOT / "bench" / "e2e").glob("*.json")))
    args.out.mkdir(parents=True, exist_ok=True)
    name = "results-smoke" if smoke else "results"
    previous = args.out / f"{name}.json"
    if args.only and previous.is_file():
        # A partial run updates its sections and keeps the others, each with the date it was measured.
        old = json.loads(previous.read_text())
        dates = old.get("section_dates", {})
        kept = {k: v for k, v in old.items() if k in SECTIONS | {"end_to_end"} and k not in results}
        results = {**kept, **results, "section_dates": {**dates, **{k: results["date"] for k in results
                                                                        if k in SECTIONS}}}
    (args.out / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / f"{name}.md").write_text(render(results))
    print(f"wrote {args.out}/{name}.md and {name}.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
