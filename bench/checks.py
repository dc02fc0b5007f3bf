"""Section 12: what the trust checks add to an answer's time, against the same pipeline with every check off.

Two assistants over the seeds library, each with its own copy of the model (so neither finds the other's prompts
in its KV cache or its kept prompt heads), both warm: the default one, and one with every check switched off (no
specifics or P(yes) gate before answering; no claim grounding, `check_cited`, `check_asked` or `check_near` after).
Each seed gold question of one turn is asked of both, which one asks first alternating from question to question,
so drift in the machine's speed falls on both. The cost is per question: first-token and total time with the
checks minus without, p50 over the questions both answered. A question the gate refuses is timed against the
answer the unchecked pipeline wrote for it instead.

`Timings.check_ms` is not this cost: the P(yes) request is appended to the answer's own prompt, so the gate also
reads the question's tokens (and, in the same batch, the answer's turn markers), which the answer then finds in the
KV cache.

A third assistant, checks on, reads the P(yes) request and the answer's remaining prompt tokens one after the
other (`read_beside=False`, as before 2026-12-02) instead of in one batch: the same run's measure of what reading
them together saves.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bench.common import MODELS, ROOT, machine, pct

OFF: dict[str, Any] = {"check_specifics": False, "answerability_threshold": 0.0, "check_claims": False,
                       "check_cited": False, "check_asked": False, "check_near": False}


def _questions(limit: int) -> list[str]:
    from rag.evaluation.gold import load_gold

    return [g.question for g in load_gold(ROOT / "seeds" / "gold.jsonl") if len(g.turns) == 1][:limit]


def bench_checks(model: str, limit: int) -> dict[str, Any]:
    """Seeds ingested into a fresh folder; each question asked with and without the checks."""
    from bench.common import bench_settings
    from rag.build import build_assistant
    from rag.llm import LlamaCppGenerator

    with tempfile.TemporaryDirectory(prefix="bench-checks-") as tmp:
        common: dict[str, Any] = {"data_dir": Path(tmp) / "data", "models_dir": MODELS, "chat_model": model}
        checked = build_assistant(bench_settings(**common))
        checked.ingest([ROOT / "seeds"])
        bare = build_assistant(bench_settings(**common, **OFF), embedder=checked.embedder,
                               store=checked.store, registry=checked.registry)
        apart = build_assistant(bench_settings(**common), embedder=checked.embedder,
                                store=checked.store, registry=checked.registry)
        generator = apart.generator
        assert isinstance(generator, LlamaCppGenerator)
        generator.read_beside = False
        for assistant in (checked, bare, apart):
            assistant.warm()
        questions = _questions(limit)
        timed: dict[int, dict[str, dict[str, Any]]] = {i: {} for i in range(len(questions))}
        for i, question in enumerate(questions):
            turns = [("checked", checked), ("bare", bare), ("apart", apart)]
            for name, assistant in turns[i % 3 :] + turns[: i % 3]:
                answer = assistant.ask(question)
                timed[i][name] = {"first_token_ms": answer.timings.first_token_ms or 0.0,
                                  "total_ms": answer.timings.total_ms, "check_ms": answer.timings.check_ms,
                                  "refused": answer.refused}
        rows = [timed[i] for i in range(len(questions))]
    return summarise(model, rows)


def summarise(model: str, rows: list[dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """Per-question differences, split into questions both answered and questions only the checks refused."""
    both = [r for r in rows if not r["checked"]["refused"] and not r["bare"]["refused"]]
    gate = [r for r in rows if r["checked"]["refused"] and r["checked"]["check_ms"] > 0 and not r["bare"]["refused"]]

    def p50(group: list[dict[str, dict[str, Any]]], name: str, key: str) -> float:
        return round(pct([r[name][key] for r in group], 50)) if group else 0.0

    def added(group: list[dict[str, dict[str, Any]]], key: str, name: str = "checked", base: str = "bare") -> float:
        return round(pct([r[name][key] - r[base][key] for r in group], 50)) if group else 0.0

    out: dict[str, Any] = {"model": model, "cpu": machine()["cpu"], "questions": len(rows), "answered_by_both": len(both),
                           "refused_before_answering": len(gate)}
    for key in ("first_token_ms", "total_ms"):
        out[key] = {"checked_p50": p50(both, "checked", key), "bare_p50": p50(both, "bare", key),
                    "added_p50": added(both, key)}
    out["check_ms_p50"] = p50(both, "checked", "check_ms")
    # Checks on, the request and the answer's prompt read one after the other: where all three answered.
    three = [r for r in both if "apart" in r and not r["apart"]["refused"]]
    if three:
        out["apart"] = {"answered": len(three), "first_token_p50": p50(three, "apart", "first_token_ms"),
                        "added_p50": added(three, "first_token_ms", "apart"),
                        "saved_p50": added(three, "first_token_ms", "apart", "checked")}
    out["first_token_ratio"] = round(out["first_token_ms"]["checked_p50"] / max(out["first_token_ms"]["bare_p50"], 1), 2)
    out["refusal"] = {"checked_first_token_p50": p50(gate, "checked", "first_token_ms"),
                      "bare_total_p50": p50(gate, "bare", "total_ms")}
    return out


def render_checks(c: dict[str, Any]) -> list[str]:
    ft, tot, ref = c["first_token_ms"], c["total_ms"], c["refusal"]
    return ["", f"## 12. What the checks add to an answer ({c['model']}, seeds library, {c['questions']} questions)",
            "", f"Measured on {c.get('cpu', 'this machine')}. The same questions, warm models, every check on against every check off, each with its own copy of the model (who asks first rotating from question to question). "
            "\"Added\" is the p50 of the per-question differences over the questions both answered.", "",
            "| | checks on p50 ms | checks off p50 ms | added p50 ms |", "|---|---|---|---|",
            f"| first token ({c['answered_by_both']} answered by both) | {ft['checked_p50']} | {ft['bare_p50']} | "
            f"**{ft['added_p50']}** |",
            f"| whole answer | {tot['checked_p50']} | {tot['bare_p50']} | {tot['added_p50']} |", "",
            f"First token with the checks against without: **{c['first_token_ratio']}x**. The P(yes) request's own "
            f"`check_ms` p50 is {c['check_ms_p50']} ms: it includes reading the question's tokens and the answer's turn markers, which the "
            f"answer then finds cached. {c['refused_before_answering']} questions refused before answering: the refusal came at "
            f"{ref['checked_first_token_p50']} ms p50, where the unchecked pipeline took {ref['bare_total_p50']} ms "
            "to write its answer.", *_apart_lines(c)]


def _apart_lines(c: dict[str, Any]) -> list[str]:
    if "apart" not in c:
        return []
    a = c["apart"]
    return ["", f"Checks on, the P(yes) request and the answer's remaining prompt tokens read one after the other "
            f"instead of in one batch ({a['answered']} questions all three answered): first token p50 "
            f"{a['first_token_p50']} ms, {a['added_p50']} ms over checks off; reading them together saves "
            f"**{a['saved_p50']} ms** p50 per answer."]
