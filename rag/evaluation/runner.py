"""Running gold questions through the pipeline (and the brackets) and summarising the metrics."""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from rag.assistant import Assistant, build_assistant
from rag.config import Settings
from rag.documents import iter_files, load_document
from rag.errors import EvalError, IngestError
from rag.evaluation import metrics as M
from rag.evaluation.brackets import NaiveRag, OracleSource, closed_book
from rag.evaluation.gold import GoldItem, load_gold
from rag.models import Catalog, sha256_file
from rag.pipeline import Answer, Pipeline
from rag.prompting import Turn, prompt_hash

log = logging.getLogger(__name__)

BRACKETS = ("closed-book", "oracle", "naive")
RANK_DEPTH = 10
OURS = "ours"


@dataclass
class Row:
    """One question's result for one system."""

    data: dict[str, Any]


def _history_pairs(turns: list[Turn]) -> list[tuple[str, str]]:
    return [(t.question, t.answer) for t in turns]


def score(item: GoldItem, answer: Answer, ranked_sources: list[str] | None) -> dict[str, Any]:
    """Every per-question metric for one answer."""
    refused = answer.refused or M.looks_like_refusal(answer.text)
    row: dict[str, Any] = {
        "id": item.id,
        "category": item.category,
        "answerable": item.answerable,
        "question": item.question,
        "turns": item.turns,
        "answer": answer.text,
        "refused": refused,
        "timings": {
            "retrieval_ms": answer.timings.retrieval_ms,
            "excerpt_ms": answer.timings.excerpt_ms,
            "first_token_ms": answer.timings.first_token_ms,
            "total_ms": answer.timings.total_ms,
            "tokens_per_s": answer.timings.tokens_per_s,
        },
        "passages": [
            {"rank": p.rank, "chunk_id": p.chunk.id, "source": Path(p.chunk.source).name, "score": round(p.score, 4),
             "start": p.chunk.start, "end": p.chunk.end}
            for p in answer.passages
        ],
    }
    if item.answerable:
        row["exact_match"] = M.exact_match(answer.text, item.answers)
        row["f1"] = M.f1_score(answer.text, item.answers)
        row["correct"] = (not refused) and M.contains_alias(answer.text, item.answers)
        row["answer_in_context"] = any(M.contains_alias(p.chunk.text, item.answers) for p in answer.passages)
    else:
        row["correct"] = refused
    if ranked_sources is not None:
        row["retrieved"] = ranked_sources
        if item.gold_docs:
            rank = M.first_relevant_rank(ranked_sources, item.gold_docs)
            row["first_relevant_rank"] = rank
            row["rr"] = 1.0 / rank if rank else 0.0
    cits = []
    for c in [] if refused else answer.citations:
        valid = M.citation_valid(c, answer.text, item.answers, item.evidence)
        # Stricter, and independent of the word-overlap rule the pipeline uses to add or move markers.
        holds = M.contains_alias(c.snippet, item.answers) or M.contains_alias(c.snippet, item.evidence)
        cits.append({"marker": c.marker, "source": Path(c.source).name, "chunk_id": c.chunk_id, "valid": valid,
                     "holds_answer": holds, "inferred": c.inferred})
    row["citations"] = cits
    return row


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate metrics over a set of rows."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    ranked = [r for r in answerable if "first_relevant_rank" in r]
    answered = [r for r in answerable if not r["refused"]]
    all_cits = [c for r in rows if not r["refused"] for c in r["citations"]]
    out: dict[str, Any] = {
        "questions": len(rows),
        "answer_accuracy": _mean([float(r["correct"]) for r in answerable]),
        "exact_match": _mean([r["exact_match"] for r in answerable]),
        "f1": _mean([r["f1"] for r in answerable]),
        "refusal_accuracy": _mean([float(r["refused"]) for r in unanswerable]),
        "false_refusal_rate": _mean([float(r["refused"]) for r in answerable]),
        "answer_in_context": _mean([float(r["answer_in_context"]) for r in answerable]),
        "citation_precision": _mean([float(c["valid"]) for c in all_cits]),
        "citation_answer_precision": _mean([float(c.get("holds_answer", False)) for c in all_cits]),
        "citation_coverage": _mean([float(any(c["valid"] for c in r["citations"])) for r in answered]),
    }
    if ranked:
        for k in (1, 3, 5):
            out[f"hit@{k}"] = _mean([float(r["first_relevant_rank"] is not None and r["first_relevant_rank"] <= k)
                                     for r in ranked])
        out["mrr"] = _mean([r["rr"] for r in ranked])
        out["hit_curve"] = [
            _mean([float(r["first_relevant_rank"] is not None and r["first_relevant_rank"] <= k) for r in ranked])
            for k in range(1, RANK_DEPTH + 1)
        ]
    for key in ("retrieval_ms", "excerpt_ms", "first_token_ms", "total_ms"):
        values = [r["timings"][key] for r in rows if r["timings"].get(key) is not None]
        out[f"{key}_p50"] = round(M.percentile(values, 50) or 0.0, 1) if values else None
        out[f"{key}_p95"] = round(M.percentile(values, 95) or 0.0, 1) if values else None
    speeds = [r["timings"]["tokens_per_s"] for r in rows if r["timings"]["tokens_per_s"]]
    out["tokens_per_s"] = round(statistics.median(speeds), 1) if speeds else None
    return out


def summarise_by_category(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Overall and per-category summaries."""
    cats = sorted({r["category"] for r in rows})
    return {"overall": summarise(rows), "by_category": {c: summarise([r for r in rows if r["category"] == c])
                                                        for c in cats}}


def fingerprint(assistant: Assistant, settings: Settings) -> dict[str, Any]:
    """What produced these numbers, so two runs can be compared."""
    gen = assistant.generator
    path = Path(getattr(gen, "model_path", ""))
    sha = None
    catalog = Catalog.load(settings.catalog_path)
    for spec in catalog.models.values():
        if spec.files[0].name == path.name:
            sha = spec.files[0].sha256
    if sha is None and path.is_file():
        sha = sha256_file(path)
    return {
        "chat_model": gen.name,
        "chat_model_sha256": sha,
        "embedder": assistant.embedder.fingerprint,
        "chunking": assistant.fingerprint["chunking"],
        "k": settings.top_k,
        "passage_tokens": settings.passage_tokens,
        "min_score": settings.min_score,
        "prompt_hash": prompt_hash(),
        "seed": settings.seed,
        "temperature": settings.temperature,
        "context_length": settings.context_length,
    }


def _corpus_documents(corpus: Path) -> list[Any]:
    docs = []
    for path in iter_files([corpus]):
        try:
            docs.append(load_document(path))
        except IngestError:
            continue
    return docs


def run_eval(
    assistant: Assistant,
    items: list[GoldItem],
    *,
    compare: list[str],
    corpus: Path | None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Answer every gold question with our pipeline and each requested bracket."""
    settings = assistant.settings
    pipeline = assistant.pipeline()
    gen = assistant.generator
    results: dict[str, list[dict[str, Any]]] = {OURS: []}
    naive = None
    if "naive" in compare:
        docs = _corpus_documents(corpus) if corpus else [
            load_document(Path(r.source)) for r in assistant.documents() if Path(r.source).is_file()
        ]
        naive = NaiveRag(assistant.embedder, docs, k=settings.top_k)
    systems = [OURS, *[b for b in BRACKETS if b in compare]]
    for name in systems:
        results[name] = []
    gen.count_tokens("warm up")  # load the model once, outside every timing
    try:
        # One system answers every question, then the next: like a user's session, each system keeps its own
        # stable prompt prefix in the model's KV cache instead of having it evicted by another system's prompt.
        for name in systems:
            for item in items:
                if progress:
                    progress(f"{name}:{item.id}")
                history: list[Turn] = []
                for earlier in item.turns[:-1]:  # earlier turns are answered by the same system
                    prev = _answer(name, assistant, pipeline, naive, earlier, history, item)
                    history.append(Turn(earlier, prev.text))
                answer = _answer(name, assistant, pipeline, naive, item.question, history, item)
                ranked = None
                if name == OURS:
                    ranked = [Path(p.chunk.source).name
                              for p in assistant.retriever.retrieve(answer.retrieval_query, RANK_DEPTH).passages]
                elif name == "naive" and naive is not None:
                    ranked = naive.ranked_sources(answer.retrieval_query, RANK_DEPTH)
                results[name].append(score(item, answer, ranked))
    finally:
        if naive is not None:
            naive.close()
    return results


def _answer(name: str, assistant: Assistant, pipeline: Pipeline, naive: NaiveRag | None, question: str,
            history: list[Turn], item: GoldItem) -> Answer:
    settings = assistant.settings
    if name == OURS:
        return pipeline.ask(question, history)
    if name == "closed-book":
        return closed_book(assistant.generator, question, _history_pairs(history), settings.max_answer_tokens)
    if name == "oracle":
        oracle = Pipeline(OracleSource(assistant.store, item.gold_docs), assistant.generator,
                          max_answer_tokens=settings.max_answer_tokens, temperature=settings.temperature,
                          history_turns=settings.history_turns, min_score=-1.0, excerpter=assistant.excerpter())
        return oracle.ask(question, history)
    if name == "naive" and naive is not None:
        return naive.ask(assistant.generator, question, _history_pairs(history), settings.max_answer_tokens)
    raise EvalError(f"unknown system {name!r}; brackets are {', '.join(BRACKETS)}")


def parse_compare(text: str) -> list[str]:
    """The bracket names of --compare, checked."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in BRACKETS]
    if bad:
        raise EvalError(f"unknown bracket(s) {', '.join(bad)}; choose from {', '.join(BRACKETS)}")
    return names


def write_outputs(out: Path, results: dict[str, list[dict[str, Any]]], fp: dict[str, Any],
                  meta: dict[str, Any]) -> dict[str, Any]:
    """results.jsonl, summary.json, report.md, report.html and the plots."""
    from rag.evaluation.report import write_reports

    out.mkdir(parents=True, exist_ok=True)
    with open(out / "results.jsonl", "w", encoding="utf-8") as fh:
        for system, rows in results.items():
            for row in rows:
                fh.write(json.dumps({"system": system, **row}, ensure_ascii=False) + "\n")
    summary = {
        "fingerprint": fp,
        **meta,
        "systems": {system: summarise_by_category(rows) for system, rows in results.items()},
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    write_reports(out, summary, results)
    return summary


def run_cli(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """`rag eval`: build the index, run the questions, write the files, print the headline table."""
    from tqdm import tqdm

    items = load_gold(args.gold)
    if args.limit:
        items = items[: args.limit]
    compare = parse_compare(args.compare or "")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rag-eval-") as tmp:
        if args.corpus:
            if not args.corpus.is_dir():
                raise EvalError(f"corpus {args.corpus} is not a folder")
            settings = settings.model_copy(update={"data_dir": Path(tmp)})
        assistant = build_assistant(settings)
        if args.corpus:
            report = assistant.ingest([args.corpus])
            out.write(f"indexed {args.corpus}: {report.summary()}\n")
            for failed in report.failed:
                out.write(f"  failed: {failed.reason}\n")
        known = {Path(d.source).name for d in assistant.documents()}
        missing = sorted({g for it in items for g in it.gold_docs} - known)
        if missing:
            out.write(f"warning: gold_docs not in the index: {', '.join(missing)}\n")
        bar = tqdm(total=len(items) * (1 + len(compare)), desc="questions", unit="q", file=sys.stderr,
                   dynamic_ncols=True)

        def tick(label: str) -> None:
            bar.update(1)
            bar.set_postfix_str(label[:40])

        try:
            results = run_eval(assistant, items, compare=compare, corpus=args.corpus, progress=tick)
        finally:
            bar.close()
        fp = fingerprint(assistant, settings)
    gold_hash = hashlib.sha256(Path(args.gold).read_bytes()).hexdigest()[:12]
    meta = {"gold": str(args.gold), "gold_sha256": gold_hash, "corpus": str(args.corpus or settings.data_dir),
            "seconds": round(time.perf_counter() - started, 1)}
    summary = write_outputs(args.out, results, fp, meta)
    from rag.evaluation.report import headline_table

    out.write(headline_table(summary) + "\n")
    out.write(f"wrote {args.out}/results.jsonl, summary.json, report.md, report.html\n")
    return 0
