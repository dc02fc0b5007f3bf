"""Section 13: pre-read passages. First token against today's retrieved-passages path, disk per 1,000 chunks, and
the time to pre-read a library.

Per library: the same questions are asked three times, each by a fresh assistant (a new process's model), all with
the retrieved passages first in the prompt (library mode off):
- `whole`: pre-read passages off; every question reads its passages (today's retrieved-passages path);
- `cold`: pre-read passages on, no state kept yet: a passage is read (and kept) the first time it is retrieved;
- `warm`: the same again, every passage retrieved having a state now;
- `typed`: pre-read passages off, each question typed first (`TYPED_CPS` characters a second, as `rag eval --typed`),
  its passages read meanwhile as in the browser (`read_while_typing`); timed from when it is sent.
The model reads the instructions before the first question (`warm()`, as `rag serve` does) in all three.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, bench_settings, pct


def _questions(gold: Path, split: str, n: int) -> list[str]:
    rows = [json.loads(line) for line in gold.read_text().splitlines() if line.strip()]
    return [r["question"] for r in rows if r.get("split") == split and not r.get("turns")][:n]


TYPED_CPS = 6.0  # a fast typist (72 words a minute)


def _ask_all(settings: Any, questions: list[str], typed_cps: float = 0.0) -> dict[str, Any]:
    from rag.build import build_assistant
    from rag.typeahead import type_out

    assistant = build_assistant(settings)
    assistant.warm()
    first: list[float] = []
    read: list[int] = []
    preread = fresh = 0
    for q in questions:
        if typed_cps > 0:
            type_out(assistant.typing, q, chars_per_s=typed_cps)
        answer = assistant.ask(q)
        if answer.timings.first_token_ms is not None:
            first.append(answer.timings.first_token_ms)
        read.append(answer.timings.prompt_tokens or 0)
        preread += answer.timings.passages_preread or 0
        fresh += answer.timings.passages_read or 0
    assistant.close()
    return {"first_token_p50_ms": round(pct(first, 50)), "first_token_p95_ms": round(pct(first, 95)),
            "prompt_tokens_p50": statistics.median(read), "passages_preread": preread, "passages_read_now": fresh}


def _library(name: str, corpus: Path, questions: list[str], model: str, extra: dict[str, Any],
             typed_cps: float = TYPED_CPS) -> dict[str, Any]:
    from rag.build import build_assistant

    with tempfile.TemporaryDirectory(prefix="bench-preread-") as tmp:
        base = {"data_dir": Path(tmp) / "data", "models_dir": ROOT / "models", "chat_model": model,
                "library_tokens": 0, "prompt_layout": "library", **extra}
        assistant = build_assistant(bench_settings(**base))
        started = time.perf_counter()
        assistant.ingest([corpus])
        ingest_s = time.perf_counter() - started
        chunks = assistant.store.count_chunks()
        assistant.close()
        whole = _ask_all(bench_settings(**base, passage_states_mb=0), questions)
        cold = _ask_all(bench_settings(**base, passage_states_mb=2048), questions)
        warm = _ask_all(bench_settings(**base, passage_states_mb=2048), questions)
        typed = _ask_all(bench_settings(**base, passage_states_mb=0), questions, typed_cps)
        states = list((Path(tmp) / "data" / "passage-states").rglob("*.kv"))
        per_state = statistics.mean(p.stat().st_size for p in states) if states else 0.0
    return {"library": name, "chunks": chunks, "questions": len(questions), "ingest_s": round(ingest_s, 1),
            "whole": whole, "cold": cold, "warm": warm, "typed": typed, "typed_cps": typed_cps,
            "typed_over_whole_p50": round(typed["first_token_p50_ms"] / whole["first_token_p50_ms"], 2),
            "typed_over_whole_p95": round(typed["first_token_p95_ms"] / whole["first_token_p95_ms"], 2),
            "warm_over_whole_p50": round(warm["first_token_p50_ms"] / whole["first_token_p50_ms"], 2),
            "warm_over_whole_p95": round(warm["first_token_p95_ms"] / whole["first_token_p95_ms"], 2),
            "cold_over_whole_p50": round(cold["first_token_p50_ms"] / whole["first_token_p50_ms"], 2),
            "state_mib_mean": round(per_state / 2**20, 2), "disk_gib_per_1000_chunks": round(per_state * 1000 / 2**30, 2)}


def _preread_time(model: str, extra: dict[str, Any]) -> dict[str, Any]:
    """Ingest the seeds, then pre-read every chunk (`rag ingest --preread`): seconds for each."""
    from rag.build import build_assistant

    with tempfile.TemporaryDirectory(prefix="bench-preread-all-") as tmp:
        assistant = build_assistant(bench_settings(data_dir=Path(tmp), models_dir=ROOT / "models", chat_model=model,
                                                   library_tokens=0, prompt_layout="library",
                                                   passage_states_mb=2048, **extra))
        started = time.perf_counter()
        assistant.ingest([ROOT / "seeds"])
        ingest_s = time.perf_counter() - started
        assistant.generator.count_tokens("load")  # the model's load is not pre-reading
        started = time.perf_counter()
        read, chunks = assistant.preread()
        preread_s = time.perf_counter() - started
        assistant.close()
    return {"chunks": chunks, "ingest_s": round(ingest_s, 1), "preread_s": round(preread_s, 1),
            "preread_s_per_chunk": round(preread_s / max(read, 1), 2), "read": read}


def bench_preread(model: str, questions: int, sizes: list[int], smoke: bool = False, named: bool = True
                  ) -> dict[str, Any]:
    """The seeds and the distractor news briefs (`named`), and generated libraries of about `sizes` chunks."""
    from bench.corpus import write_corpus
    from bench.session import session_questions

    extra: dict[str, Any] = {"max_answer_tokens": 24} if not smoke else {}
    from bench.common import machine

    out: dict[str, Any] = {"model": model, "cpu": machine()["cpu"], "libraries": []}
    if named:
        out["libraries"].append(_library("seeds", ROOT / "seeds", _questions(ROOT / "seeds" / "gold.jsonl", "dev",
                                                                             questions), model, extra,
                                         typed_cps=30.0 if smoke else TYPED_CPS))
    if named and not smoke:
        out["libraries"].append(_library(
            "distractor news", ROOT / "corpora" / "distractors",
            _questions(ROOT / "corpora" / "distractors-gold.jsonl", "dev", questions), model, extra))
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-preread-corpus-") as tmp:
            articles = max(2, round(size / 3.5))  # the generated articles are about 3.5 chunks each
            write_corpus(Path(tmp), articles)
            asked = [q for _, q in session_questions(Path(tmp), articles) if q.startswith("In the report")]
            asked = asked[:questions]
            out["libraries"].append(_library(f"generated, {articles} articles", Path(tmp), asked, model, extra))
    if named:
        out["preread_all_seeds"] = _preread_time(model, extra)
    return out


def render_preread(result: dict[str, Any]) -> list[str]:
    """The section's tables for results.md."""
    lines = ["", "## 13. Pre-read passages (first token against the retrieved-passages path)", "",
             f"Model `{result['model']}`, measured on {result.get('cpu', 'the machine above')}; each library's questions asked by a fresh assistant three times: `whole` = "
             "pre-read passages off (every question reads its passages), `cold` = on with nothing kept yet, `warm` = "
             "on again, every retrieved passage kept; `typed` = off, each question typed first, its passages read "
             "meanwhile (`read_while_typing`). Ratios are against `whole` in the same run.", "",
             "| library | chunks | questions | whole p50 / p95 ms | cold p50 ms | warm p50 / p95 ms | warm/whole p50 "
             "| warm/whole p95 | typed p50 / p95 ms | typed/whole p50 | typed/whole p95 | MiB per state "
             "| GiB per 1,000 chunks |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for lib in result["libraries"]:
        w, c, h = lib["whole"], lib["cold"], lib["warm"]
        t = lib.get("typed") or {}
        lines.append(f"| {lib['library']} | {lib['chunks']} | {lib['questions']} | {w['first_token_p50_ms']} / "
                     f"{w['first_token_p95_ms']} | {c['first_token_p50_ms']} | {h['first_token_p50_ms']} / "
                     f"{h['first_token_p95_ms']} | {lib['warm_over_whole_p50']} | {lib['warm_over_whole_p95']} | "
                     f"{t.get('first_token_p50_ms', '–')} / {t.get('first_token_p95_ms', '–')} | "
                     f"{lib.get('typed_over_whole_p50', '–')} | {lib.get('typed_over_whole_p95', '–')} | "
                     f"{lib['state_mib_mean']} | {lib['disk_gib_per_1000_chunks']} |")
    p = result.get("preread_all_seeds")
    if p:
        lines += ["", f"Ingest of the seeds ({p['chunks']} chunks): {p['ingest_s']} s; pre-reading all of them "
                      f"(`rag ingest --preread`): {p['preread_s']} s more ({p['preread_s_per_chunk']} s per chunk)."]
    return lines
