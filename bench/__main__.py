"""`python -m bench`: run the benchmark sections and write bench/results.md and results.json."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from bench.common import MODELS, ROOT, SMOKE_ENV, SMOKE_SETTINGS, machine
from bench.embedding import bench_embed_batch, bench_embedding
from bench.generation import bench_generation, bench_llama_settings
from bench.ingest import bench_ingest, bench_ingest_batch
from bench.largefile import bench_large_file
from bench.memory import bench_memory
from bench.render import end_to_end, render
from bench.retrieval import bench_retrieval

SECTIONS = {"embedding", "embed_batch", "ingest", "ingest_batch", "retrieval", "generation", "llama_settings", "memory",
            "large_file", "team", "session", "restart", "quantize", "checks", "preread"}


def _model_path(model: str) -> Path:
    from rag.build import chat_model_path
    from rag.config import load_settings
    from rag.models import Catalog

    settings = load_settings(env={}, models_dir=MODELS, chat_model=model)
    return chat_model_path(settings, Catalog.load(settings.catalog_path))


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--smoke", action="store_true", help="smallest sizes, tiny model: checks the suite runs")
    parser.add_argument("--out", type=Path, default=ROOT / "bench")
    parser.add_argument("--model", default=None, help="chat model id for generation and memory")
    parser.add_argument("--ingest-sizes", default="1000", help="chunk counts for the ingest benchmark (e.g. 1000,10000)")
    parser.add_argument("--retrieval-sizes", default="1000,10000,100000", help="chunk counts for retrieval latency")
    parser.add_argument("--large-file-mib", type=float, default=20.0, help="size of the large-file ingest")
    parser.add_argument("--baseline-rev", default=None, help="revision the session benchmark compares with")
    parser.add_argument("--check-questions", type=int, default=40, help="seed questions the checks section asks")
    parser.add_argument("--preread-questions", type=int, default=12, help="questions per library, pre-read section")
    parser.add_argument("--preread-sizes", default="800,10000", help="generated library sizes (chunks), pre-read section")
    parser.add_argument("--preread-generated-only", action="store_true", help="pre-read section: skip seeds and briefs")
    parser.add_argument("--only", default="", help="comma-separated sections: " + ",".join(sorted(SECTIONS)))
    args = parser.parse_args()
    from rag.build import go_offline

    go_offline()
    sections = set(filter(None, args.only.split(","))) or set(SECTIONS)
    unknown = sections - SECTIONS
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(sorted(SECTIONS))}")
    smoke = args.smoke
    if smoke:
        os.environ[SMOKE_ENV] = json.dumps(SMOKE_SETTINGS)
        os.environ.update({f"RAG_{k.upper()}": str(v) for k, v in SMOKE_SETTINGS.items()})  # `rag` processes
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
        path = _model_path(model)
        results["generation"] = bench_generation(Path(path), 1 if smoke else 3, threads)
        print("generation", results["generation"], flush=True)
    if "llama_settings" in sections:
        path = _model_path(model)
        results["llama_settings"] = bench_llama_settings(Path(path), threads, 1 if smoke else 3, 300 if smoke else 1400)
        print("llama_settings", results["llama_settings"], flush=True)
    if "memory" in sections:
        results["memory"] = bench_memory(model)
        print("memory", results["memory"], flush=True)
    if "large_file" in sections:
        results["large_file"] = bench_large_file(0.1 if smoke else args.large_file_mib)
        print("large_file", results["large_file"], flush=True)
    if "team" in sections:
        from bench.team import bench_api, bench_chroma_server

        api_model = "smollm2-135m-instruct-q4_1" if smoke else "qwen2.5-coder-0.5b-instruct-q4_k_m"
        results["team"] = {"chroma_server": bench_chroma_server(200 if smoke else 10000, 10 if smoke else 200),
                           "api": bench_api(api_model, 2 if smoke else 16, 2 if smoke else 10)}
        print("team", results["team"], flush=True)
    if "session" in sections:
        from bench.session import BASELINE_REV, bench_session

        results["session"] = bench_session(model, 12 if smoke else 300, args.baseline_rev or BASELINE_REV, smoke)
        print("session", results["session"], flush=True)
    if "restart" in sections:
        from bench.restart import bench_restart

        results["restart"] = bench_restart(model)
        print("restart", results["restart"], flush=True)
    if "checks" in sections:
        from bench.checks import bench_checks

        results["checks"] = bench_checks(model, 4 if smoke else args.check_questions)
        print("checks", results["checks"], flush=True)
    if "preread" in sections:
        from bench.preread import bench_preread

        sizes = [] if smoke else [int(x) for x in args.preread_sizes.split(",") if x]
        results["preread"] = bench_preread(model, 2 if smoke else args.preread_questions, sizes, smoke,
                                           named=not args.preread_generated_only)
        print("preread", results["preread"], flush=True)
    if "quantize" in sections and not smoke:
        from bench.quantize import bench_quantize

        results["quantize"] = bench_quantize(threads, 3)
        print("quantize", results["quantize"], flush=True)
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
