"""Reports of an evaluation: a Markdown and an HTML page with tables and plots."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

from rag.judgement import expected_calibration_error, reliability

COLUMNS = [
    ("truthfulness", "truthfulness (+1 right, 0 refused, -1 wrong)"),
    ("answer_accuracy", "answer acc."),
    ("exact_match", "EM"),
    ("f1", "F1"),
    ("refusal_accuracy", "refusal acc."),
    ("false_refusal_rate", "false refusals"),
    ("hit@1", "hit@1"),
    ("hit@3", "hit@3"),
    ("hit@5", "hit@5"),
    ("mrr", "MRR"),
    ("answer_in_context", "answer in context"),
    ("citation_answer_precision", "cited passage holds the answer"),
    ("citation_precision", "citation precision (pipeline's own word-overlap rule)"),
    ("citation_coverage", "citation coverage"),
    ("withheld_rate", "answers with a sentence withheld"),
    ("retried_rate", "questions asked again (library mode's second look)"),
    ("calibration_error", "calibration error of P(correct) (ECE)"),
    ("first_token_ms_p50", "first token p50 (s)"),
    ("first_token_ms_p95", "first token p95 (s)"),
    ("total_ms_p50", "total p50 (s)"),
    ("retrieval_ms_p50", "retrieval p50 (ms)"),
    ("check_ms_p50", "checks p50 (ms)"),
    ("tokens_per_s", "tokens/s"),
]


def _fmt(key: str, value: Any) -> str:
    if value is None:
        return "–"
    if key.endswith("_ms_p50") or key.endswith("_ms_p95"):
        return f"{value:.0f}" if key.startswith(("retrieval", "check")) else f"{value / 1000:.2f}"
    if isinstance(value, float):
        return f"{value:.1f}" if key == "tokens_per_s" else f"{value:.2f}"
    return str(value)


def headline_table(summary: dict[str, Any]) -> str:
    """Systems side by side, one metric a row (Markdown)."""
    systems = list(summary["systems"])
    lines = ["| metric | " + " | ".join(systems) + " |", "|---|" + "---|" * len(systems)]
    for key, label in COLUMNS:
        cells = [_fmt(key, summary["systems"][s]["overall"].get(key)) for s in systems]
        if all(c == "–" for c in cells):
            continue
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _category_score(m: dict[str, Any]) -> float | None:
    """Answer accuracy, or refusal accuracy for a category of unanswerable questions."""
    return m.get("answer_accuracy") if m.get("answer_accuracy") is not None else m.get("refusal_accuracy")


def _save(fig: Any, path: Path, paths: list[Path]) -> None:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    paths.append(path)


def category_table(summary: dict[str, Any]) -> str:
    """Answer accuracy (or refusal accuracy) by category and system (Markdown)."""
    systems = list(summary["systems"])
    cats = sorted({c for s in systems for c in summary["systems"][s]["by_category"]})
    lines = ["| category | n | " + " | ".join(systems) + " |", "|---|---|" + "---|" * len(systems)]
    for cat in cats:
        first = summary["systems"][systems[0]]["by_category"][cat]
        cells = []
        for s in systems:
            cells.append(_fmt("x", _category_score(summary["systems"][s]["by_category"].get(cat, {}))))
        lines.append(f"| {cat} | {first['questions']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _plots(out: Path, summary: dict[str, Any], results: dict[str, list[dict[str, Any]]]) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = list(summary["systems"])
    paths: list[Path] = []
    cats = sorted({c for s in systems for c in summary["systems"][s]["by_category"]})
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / max(len(systems), 1)
    for i, s in enumerate(systems):
        vals = [_category_score(summary["systems"][s]["by_category"].get(c, {})) or 0.0 for c in cats]
        ax.bar([x + i * width for x in range(len(cats))], vals, width, label=s)
    ax.set_xticks([x + width * (len(systems) - 1) / 2 for x in range(len(cats))], cats)
    ax.set_ylim(0, 1)
    ax.set_ylabel("accuracy (refusal accuracy for unanswerable)")
    ax.set_title("Accuracy by category")
    ax.legend()
    _save(fig, out / "accuracy_by_category.png", paths)

    fig, ax = plt.subplots(figsize=(6, 4))
    for s in systems:
        curve = summary["systems"][s]["overall"].get("hit_curve")
        if curve:
            ax.plot(range(1, len(curve) + 1), curve, marker="o", label=s)
    ax.set_xlabel("k")
    ax.set_ylabel("hit@k (a gold article in the top k)")
    ax.set_ylim(0, 1.05)
    ax.set_title("Retrieval hit@k")
    ax.legend()
    _save(fig, out / "hit_at_k.png", paths)

    fig, ax = plt.subplots(figsize=(7, 4))
    data, labels = [], []
    for s in systems:
        for key, name in (("first_token_ms", "first token"), ("total_ms", "total")):
            vals = [r["timings"][key] / 1000 for r in results[s] if r["timings"][key] is not None]
            if vals:
                data.append(vals)
                labels.append(f"{s}\n{name}")
    if data:
        ax.boxplot(data, tick_labels=labels)
    ax.set_ylabel("seconds")
    ax.set_title("Latency per question")
    _save(fig, out / "latency.png", paths)

    pairs = [(float(r["p_correct"]), bool(r["judged_correct"])) for r in results.get("ours", []) if "p_correct" in r]
    if pairs:
        fig, ax = plt.subplots(figsize=(5, 5))
        points = reliability(pairs)
        ax.plot([0, 1], [0, 1], color="#999", linestyle="--", label="perfectly calibrated")
        ax.scatter([p for p, _, _ in points], [o for _, o, _ in points], s=[20 + 8 * n for _, _, n in points],
                   label="answers (size: how many)")
        ax.plot([p for p, _, _ in points], [o for _, o, _ in points])
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("predicted P(correct)")
        ax.set_ylabel("share right")
        ax.set_title(f"Calibration (ECE {expected_calibration_error(pairs):.3f}, {len(pairs)} answers)")
        ax.legend(loc="upper left")
        _save(fig, out / "calibration.png", paths)
    return paths


def write_reports(out: Path, summary: dict[str, Any], results: dict[str, list[dict[str, Any]]]) -> None:
    """report.md (tables, linked plots) and report.html (tables, embedded plots)."""
    plots = _plots(out, summary, results)
    fp = summary["fingerprint"]
    fp_lines = "\n".join(f"- {k}: `{v}`" for k, v in fp.items())
    wrong = [r for r in results.get("ours", []) if not r["correct"]]
    misses = "\n".join(f"- `{r['id']}` ({r['category']}): {r['question']} → {r['answer'][:160]!r}" for r in wrong)
    md = (
        f"# Evaluation report\n\nGold: `{summary['gold']}` ({summary['systems']['ours']['overall']['questions']} "
        f"questions), corpus `{summary['corpus']}`, {summary['seconds']} s.\n\n## Overall\n\n"
        f"{headline_table(summary)}\n\n## By category\n\n{category_table(summary)}\n\n"
        + "".join(f"![{p.stem}]({p.name})\n\n" for p in plots)
        + f"## Configuration\n\n{fp_lines}\n\n## Questions our pipeline got wrong\n\n{misses or '(none)'}\n"
    )
    (out / "report.md").write_text(md, encoding="utf-8")
    images = "".join(
        f'<img alt="{p.stem}" src="data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}">' for p in plots
    )
    page = (
        "<!doctype html><meta charset='utf-8'><title>Evaluation report</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:auto;padding:1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}img{max-width:100%}</style>"
        f"<h1>Evaluation report</h1><p>{html.escape(summary['gold'])} · {html.escape(summary['corpus'])}</p>"
        f"{_md_table_html(headline_table(summary))}<h2>By category</h2>{_md_table_html(category_table(summary))}"
        f"{images}<h2>Configuration</h2><ul>"
        + "".join(f"<li>{html.escape(k)}: <code>{html.escape(str(v))}</code></li>" for k, v in fp.items())
        + "</ul><h2>Questions our pipeline got wrong</h2><ul>"
        + "".join(f"<li><code>{html.escape(r['id'])}</code> {html.escape(r['question'])} → "
                  f"{html.escape(r['answer'][:200])}</li>" for r in wrong)
        + "</ul>"
    )
    (out / "report.html").write_text(page, encoding="utf-8")


def _md_table_html(table: str) -> str:
    rows = [line.strip("|").split("|") for line in table.splitlines() if not line.startswith("|---")]
    head, *body = rows
    cells = "".join(f"<th>{html.escape(c.strip())}</th>" for c in head)
    trs = "".join("<tr>" + "".join(f"<td>{html.escape(c.strip())}</td>" for c in r) + "</tr>" for r in body)
    return f"<table><tr>{cells}</tr>{trs}</table>"
