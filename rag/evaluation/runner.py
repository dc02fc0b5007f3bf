"""Running gold questions through the pipeline (and the brackets) and summarising the metrics."""

from __future__ import annotations

import hashlib
import json
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rag.assistant import Assistant
from rag.build import answerability_threshold, build_assistant, build_pipeline, chat_model_path, library_tokens
from rag.config import Settings
from rag.documents import iter_files, load_document
from rag.errors import EvalError, IngestError, ModelNotFoundError
from rag.evaluation import metrics as M
from rag.evaluation.gold import GoldItem
from rag.evaluation.systems import ClosedBook, Naive, Oracle, Ours, System
from rag.judgement import P_CORRECT, expected_calibration_error
from rag.llm import Generator
from rag.models import Catalog, sha256_file
from rag.pipeline import RETRIED, Pipeline
from rag.prompting import prompt_hash
from rag.retrieve import PassageSource
from rag.types import Answer, Turn

log = logging.getLogger(__name__)

BRACKETS = ("closed-book", "oracle", "naive")
RANK_DEPTH = 10
OURS = "ours"


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
            "check_ms": answer.timings.check_ms,
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
    row["withheld"] = len(answer.withheld)
    row["checks"] = [{"kind": c.kind, "detail": c.detail, "text": c.text} for c in answer.checks]
    if answer.scores:
        row["scores"] = answer.scores
    judged = [c for c in answer.checks if c.kind == P_CORRECT]
    if judged:
        # The calibration's own label: was the answer it judged right (withdrawn or not)?
        row["p_correct"] = float(judged[-1].detail.split("/")[0])
        withdrawn = [c.text for c in answer.checks if c.kind == "refused"]
        said = withdrawn[-1] if answer.refused and withdrawn else answer.text
        row["judged_correct"] = item.answerable and M.contains_alias(said, item.answers)
    if item.answerable:
        row["exact_match"] = M.exact_match(answer.text, item.answers)
        row["f1"] = M.f1_score(answer.text, item.answers)
        row["correct"] = (not refused) and M.contains_alias(answer.text, item.answers)
        row["answer_in_context"] = any(M.contains_alias(p.chunk.text, item.answers) for p in answer.passages)
    else:
        row["correct"] = refused
    # CRAG's truthfulness: a refusal costs nothing, a wrong or invented answer costs as much as a right one earns.
    row["truth"] = 0 if refused else (1 if row["correct"] else -1)
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
    judged = [(float(r["p_correct"]), bool(r["judged_correct"])) for r in rows if "p_correct" in r]
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    ranked = [r for r in answerable if "first_relevant_rank" in r]
    answered = [r for r in answerable if not r["refused"]]
    all_cits = [c for r in rows if not r["refused"] for c in r["citations"]]
    out: dict[str, Any] = {
        "questions": len(rows),
        "truthfulness": _mean([float(r.get("truth", 0)) for r in rows]),
        "withheld_rate": _mean([float(r.get("withheld", 0) > 0) for r in rows if not r["refused"]]),
        # Library mode's second look: the share of questions whose first answer was withdrawn and asked again.
        "retried_rate": _mean([float(any(c.get("kind") == RETRIED for c in r.get("checks") or [])) for r in rows]),
        "answer_accuracy": _mean([float(r["correct"]) for r in answerable]),
        "exact_match": _mean([r["exact_match"] for r in answerable]),
        "f1": _mean([r["f1"] for r in answerable]),
        "refusal_accuracy": _mean([float(r["refused"]) for r in unanswerable]),
        "false_refusal_rate": _mean([float(r["refused"]) for r in answerable]),
        "answer_in_context": _mean([float(r["answer_in_context"]) for r in answerable]),
        "citation_precision": _mean([float(c["valid"]) for c in all_cits]),
        "citation_answer_precision": _mean([float(c.get("holds_answer", False)) for c in all_cits]),
        "citation_coverage": _mean([float(any(c["valid"] for c in r["citations"])) for r in answered]),
        "calibration_error": expected_calibration_error(judged),
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
    for key in ("retrieval_ms", "excerpt_ms", "check_ms", "first_token_ms", "total_ms"):
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
    sha = None
    catalog = Catalog.load(settings.catalog_path)
    try:
        path = chat_model_path(settings, catalog)
    except ModelNotFoundError:
        path = None
    if path is not None:
        for spec in catalog.models.values():
            if spec.files[0].name == path.name:
                sha = spec.files[0].sha256
        if sha is None and path.is_file():
            sha = sha256_file(path)
    return {
        "chat_model": assistant.generator.name,
        "chat_model_sha256": sha,
        "embedder": assistant.embedder.fingerprint,
        "chunking": assistant.fingerprint["chunking"],
        "k": settings.top_k,
        "passage_tokens": settings.passage_tokens,
        "min_score": settings.min_score,
        "hybrid": settings.hybrid,
        "check_specifics": settings.check_specifics,
        "check_claims": settings.check_claims,
        "check_cited": settings.check_cited,
        "check_asked": settings.check_asked,
        "check_near": settings.check_near,
        "answerability_threshold": answerability_threshold(settings, assistant.catalog),
        "library_tokens": library_tokens(settings, assistant.catalog),
        "passage_states_mb": settings.passage_states_mb,
        "library_hints": settings.library_hints,
        "read_ahead": settings.read_ahead,  # a follow-up's head read between turns, outside its timings
        "prompt_hash": prompt_hash(),
        "seed": settings.seed,
        "temperature": settings.temperature,
        "context_length": settings.context_length,
    }


def corpus_documents(corpus: Path) -> list[Any]:
    """The readable articles of a folder (unreadable ones are skipped)."""
    docs = []
    for path in iter_files([corpus]):
        try:
            docs.append(load_document(path))
        except IngestError:
            continue
    return docs


def build_systems(assistant: Assistant, compare: list[str], corpus: Path | None, typed_cps: float = 0.0
                  ) -> list[System]:
    """Ours, then each requested bracket, all on the assistant's one generator."""
    settings = assistant.settings
    gen = assistant.generator
    typing = typed_cps if settings.read_while_typing else 0.0
    systems: list[System] = [Ours(assistant.pipeline, read_ahead=settings.read_ahead, typed_cps=typing)]

    def oracle_pipeline(source: PassageSource) -> Pipeline:
        # Every gold chunk is given, whatever its similarity: retrieval made perfect.
        return build_pipeline(settings, assistant.catalog, source, gen, assistant.embedder, min_score=-1.0)

    for name in (b for b in BRACKETS if b in compare):
        if name == "closed-book":
            systems.append(ClosedBook(gen, settings.max_answer_tokens))
        elif name == "oracle":
            systems.append(Oracle(assistant.store, assistant.registry, oracle_pipeline))
        else:
            docs = corpus_documents(corpus) if corpus else [
                load_document(Path(r.source)) for r in assistant.documents() if Path(r.source).is_file()
            ]
            systems.append(Naive(assistant.embedder, docs, gen, k=settings.top_k,
                                 max_tokens=settings.max_answer_tokens))
    return systems


def run_eval(
    assistant: Assistant,
    items: list[GoldItem],
    *,
    compare: list[str],
    corpus: Path | None,
    progress: Callable[[str], None] | None = None,
    typed_cps: float = 0.0,
) -> dict[str, list[dict[str, Any]]]:
    """Answer every gold question with our pipeline and each requested bracket (ours typed first at `typed_cps`
    characters a second, when > 0)."""
    systems = build_systems(assistant, compare, corpus, typed_cps)
    results: dict[str, list[dict[str, Any]]] = {s.name: [] for s in systems}
    assistant.generator.count_tokens("warm up")  # load the model once, outside every timing
    try:
        # One system answers every question, then the next: like a user's session, each system keeps its own
        # stable prompt prefix in the model's KV cache instead of having it evicted by another system's prompt.
        for system in systems:
            for item in items:
                if progress:
                    progress(f"{system.name}:{item.id}")
                history: list[Turn] = []
                for earlier in item.turns[:-1]:  # earlier turns are answered by the same system
                    prev = system.answer(earlier, history, item.gold_docs)
                    history.append(prev.turn())
                    if isinstance(system, Ours):
                        system.pause(history)
                read_before = getattr(assistant.generator, "tokens_read", None)
                answer = system.answer(item.question, history, item.gold_docs)
                read_after = getattr(assistant.generator, "tokens_read", None)
                ranked = None
                if isinstance(system, Ours):
                    ranked = [Path(p.chunk.source).name
                              for p in assistant.retriever.retrieve(answer.retrieval_query, RANK_DEPTH).passages]
                elif isinstance(system, Naive):
                    ranked = system.ranked_sources(answer.retrieval_query, RANK_DEPTH)
                row = score(item, answer, ranked)
                if isinstance(read_before, int) and isinstance(read_after, int):
                    # Prompt tokens llama.cpp read for this question (checks included; the rest came from a cache).
                    row["timings"]["tokens_read"] = read_after - read_before
                results[system.name].append(row)
    finally:
        for system in systems:
            if isinstance(system, Naive | Ours):
                system.close()
    return results


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


def evaluate(
    settings: Settings,
    items: list[GoldItem],
    *,
    gold_path: Path,
    corpus: Path | None,
    compare: list[str],
    out: Path,
    say: Callable[[str], None],
    progress: Callable[[str], None] | None = None,
    preread: bool = False,
    generator: Generator | None = None,
    typed_cps: float = 0.0,
) -> dict[str, Any]:
    """Index the corpus (into a fresh temporary store), answer every question, write the files; the summary.

    `preread`: read every passage with the chat model after indexing (`rag ingest --preread`), timed apart, so the
    answers' timings are those of a library whose passages have all been read once. `generator`: a chat model
    already loaded (the web app's), used and left open. `typed_cps`: each of our questions is typed at this many
    characters a second before it is sent, its passages read meanwhile (`read_while_typing`, as in the browser)."""
    started = time.perf_counter()
    preread_s: float | None = None
    with tempfile.TemporaryDirectory(prefix="rag-eval-") as tmp:
        if corpus:
            if not corpus.is_dir():
                raise EvalError(f"corpus {corpus} is not a folder")
            settings = settings.model_copy(update={"data_dir": Path(tmp)})
        assistant = build_assistant(settings, generator=generator)
        if corpus:
            report = assistant.ingest([corpus])
            say(f"indexed {corpus}: {report.summary()}")
            for failed in report.failed:
                say(f"  failed: {failed.reason}")
        if preread:
            began = time.perf_counter()
            read, chunks = assistant.preread()
            preread_s = round(time.perf_counter() - began, 1)
            say(f"pre-read {read} of {chunks} passages in {preread_s} s")
        known = {Path(d.source).name for d in assistant.documents()}
        missing = sorted({g for it in items for g in it.gold_docs} - known)
        if missing:
            say(f"warning: gold_docs not in the index: {', '.join(missing)}")
        results = run_eval(assistant, items, compare=compare, corpus=corpus, progress=progress, typed_cps=typed_cps)
        fp = fingerprint(assistant, settings)
        fp["typed_cps"] = typed_cps if settings.read_while_typing else 0.0
        assistant.close(keep_model=generator is not None)
    gold_hash = hashlib.sha256(Path(gold_path).read_bytes()).hexdigest()[:12]
    meta = {"gold": str(gold_path), "gold_sha256": gold_hash, "corpus": str(corpus or settings.data_dir),
            "splits": sorted({it.split for it in items}), "seconds": round(time.perf_counter() - started, 1),
            "preread_seconds": preread_s}
    return write_outputs(out, results, fp, meta)


def library_folder(assistant: Assistant, folder: Path) -> Path:
    """The library's articles as a folder to evaluate on: a link to each article's file, or the text that was
    indexed where the file is gone."""
    folder.mkdir(parents=True, exist_ok=True)
    for record in assistant.documents():
        source = Path(record.source)
        if source.is_file():
            link = folder / source.name
            if link.is_symlink() and link.resolve() != source.resolve():
                link = folder / f"{record.id}-{source.name}"  # two articles from files of one name
            if not link.is_symlink():
                link.symlink_to(source.resolve())
        else:
            (folder / f"{record.id}.txt").write_text(f"{record.title}\n\n{assistant.document_text(record.id)}",
                                                     encoding="utf-8")
    return folder
