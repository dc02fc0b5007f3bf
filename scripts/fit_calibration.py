"""Fit the answer checks' calibration (rag.judgement) on dev evaluations, choose its thresholds, and measure it.

Input: `results.jsonl` files of `rag eval --split dev` runs made with every check recording its number and none
refusing alone (`RAG_ANSWER_CHECKS=scores RAG_ANSWER_THRESHOLD=0`). For each row the numbers are in "scores", and
"correct" says whether the answer given was right (for an unanswerable question: never, once answered).

Two logistic regressions (numpy, L2, Newton's method on standardised features): "before" (what is known before
the model writes) and "after" (everything). Their thresholds are chosen on out-of-fold predictions (k-fold cross
validation, so a dev question never scores itself) for the best dev truthfulness, averaged over the dev sets
(each set counts once, whatever its size) that refuses at most `--lost` of the answers that were right. Prints
the policies side by side (today's literal rules, scores, each score dropped, each literal rule kept as a veto)
and, with `--write`, puts the fits into the calibration file under the model's id.

    python scripts/fit_calibration.py /tmp/cal/*/results.jsonl --model qwen2.5-coder-1.5b-instruct-q4_k_m \
        --write models/calibration.json
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.judgement import AFTER, BEFORE, OBJECTIONS, Fit, expected_calibration_error

LAMBDA = 1.0  # L2 penalty on the standardised weights
RULE_THRESHOLD = 0.45  # today's answerability threshold, for the literal-rules policy


@dataclass
class Row:
    dataset: str
    answerable: bool
    hard_refused: bool  # refused whatever the scores: the model said so, every sentence withheld, ...
    correct: bool  # the answer given was right (False when refused)
    scores: dict[str, float]

    @property
    def has_after(self) -> bool:
        return not self.hard_refused and "withheld" in self.scores


def load(paths: Sequence[Path]) -> list[Row]:
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r.get("system") != "ours":
                continue
            scores = r.get("scores") or {}
            if not scores:  # no passages: nothing to weigh (refused as an empty library)
                continue
            correct = bool(r["correct"]) and r["answerable"] and not r["refused"]
            rows.append(Row(path.parent.name, r["answerable"], bool(r["refused"]), correct, scores))
    return rows


def fit_lr(x: np.ndarray, y: np.ndarray, lam: float = LAMBDA) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Weights, bias, mean and scale of a logistic regression with an L2 penalty (bias unpenalised)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    a = np.hstack([z, np.ones((len(z), 1))])
    w = np.zeros(a.shape[1])
    penalty = np.full(a.shape[1], lam)
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(a @ w, -30, 30)))
        grad = a.T @ (p - y) + penalty * w
        hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1]), mean, scale


def make_fit(rows: list[Row], features: Sequence[str], threshold: float = 0.5) -> Fit:
    x = np.array([[r.scores.get(f, 0.0) for f in features] for r in rows])
    y = np.array([float(r.correct) for r in rows])
    w, b, mean, scale = fit_lr(x, y)
    return Fit(tuple(features), tuple(float(v) for v in w), b, tuple(float(v) for v in mean),
               tuple(float(v) for v in scale), threshold)


def out_of_fold(rows: list[Row], before: Sequence[str], after: Sequence[str], folds: int,
                seed: int = 0) -> tuple[list[float], list[float | None]]:
    """Each row's P(correct) from the fits made without its fold: before, and after (None without an answer)."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    p_before: list[float] = [0.0] * len(rows)
    p_after: list[float | None] = [None] * len(rows)
    for k in range(folds):
        test = set(order[k::folds])
        train = [r for i, r in enumerate(rows) if i not in test]
        fb = make_fit(train, before) if before else None
        fa = make_fit([r for r in train if r.has_after], after)
        for i in test:
            p_before[i] = fb.p_correct(rows[i].scores) if fb else 1.0
            p_after[i] = fa.p_correct(rows[i].scores) if rows[i].has_after else None
    return p_before, p_after


def outcome(row: Row, p_before: float, p_after: float | None, t_before: float, t_after: float,
            vetoes: Sequence[str] = ()) -> int:
    """+1 right, 0 refused, -1 wrong, under a policy."""
    if p_before < t_before or any(row.scores.get(v, 0.0) > 0 for v in vetoes):
        return 0
    if row.hard_refused or p_after is None or p_after < t_after:
        return 0
    return 1 if row.correct else -1


def measure(rows: list[Row], truths: list[int]) -> dict[str, float]:
    """Macro truthfulness (each dev set once), and over all rows: answer accuracy, refusals, false refusals."""
    sets = sorted({r.dataset for r in rows})
    per = {s: float(np.mean([t for r, t in zip(rows, truths, strict=True) if r.dataset == s])) for s in sets}
    ans = [t for r, t in zip(rows, truths, strict=True) if r.answerable]
    una = [t for r, t in zip(rows, truths, strict=True) if not r.answerable]
    return {
        "truth": float(np.mean(list(per.values()))),
        **{f"truth:{s}": v for s, v in per.items()},
        "answer_acc": float(np.mean([t == 1 for t in ans])),
        "false_refusals": float(np.mean([t == 0 for t in ans])),
        "refusal_acc": float(np.mean([t == 0 for t in una])),
        "lost": float(np.mean([t == 0 for r, t in zip(rows, truths, strict=True) if r.correct])),
    }


def choose(rows: list[Row], p_before: list[float], p_after: list[float | None], max_lost: float,
           vetoes: Sequence[str] = ()) -> tuple[float, float, dict[str, float]]:
    """The thresholds with the best macro truthfulness that refuse at most `max_lost` of the answers that were
    right (the least refusing pair when none does)."""
    best: tuple[float, float, float, dict[str, float]] | None = None
    for t_before in (0.0, 0.02, 0.05, 0.08, 0.1, 0.15):
        for t_after in np.arange(0.0, 0.96, 0.01):
            m = measure(rows, [outcome(r, pb, pa, t_before, float(t_after), vetoes)
                               for r, pb, pa in zip(rows, p_before, p_after, strict=True)])
            key = m["truth"] if m["lost"] <= max_lost else -10 - m["lost"]
            if best is None or key > best[0] + 1e-9:
                best = (key, t_before, float(t_after), m)
    assert best is not None
    return best[1], best[2], best[3]


def rules_truths(rows: list[Row]) -> list[int]:
    """Each row's outcome under today's literal rules, replayed from the recorded numbers: a missing name or number,
    P(yes) below 0.45, any objection of grounding, each refuses alone."""
    truths = []
    for r in rows:
        s = r.scores
        p_yes = 1 / (1 + np.exp(-s.get("answerable", 0.0)))
        vetoed = s.get("missing_numbers", 0) > 0 or s.get("missing_names", 0) > 0 or p_yes < RULE_THRESHOLD \
            or any(s.get(o, 0) > 0 for o in OBJECTIONS)
        truths.append(0 if vetoed or not r.has_after else (1 if r.correct else -1))
    return truths


def rules_policy(rows: list[Row]) -> dict[str, float]:
    """Today's literal rules, replayed from the recorded numbers (`rules_truths`), measured."""
    return measure(rows, rules_truths(rows))


VETOABLE = ("missing_numbers", "missing_names", *OBJECTIONS)


def earned_vetoes(rows: list[Row], external: Sequence[str]) -> list[str]:
    """The literal checks that refuse alone: those that, on the external dev sets, fire on more wrong answers than
    right ones (a question's missing name or number counts against the answer the model gave anyway)."""
    kept = []
    print("| literal check | fires on (external dev) | wrong | right | kept as a veto |\n|---|---|---|---|---|")
    for name in VETOABLE:
        fired = [r for r in rows if r.dataset in external and r.has_after and r.scores.get(name, 0.0) > 0]
        wrong, right = sum(not r.correct for r in fired), sum(r.correct for r in fired)
        if wrong > right:
            kept.append(name)
        print(f"| {name} | {len(fired)} | {wrong} | {right} | {'yes' if wrong > right else 'no'} |")
    return kept


def row_text(name: str, m: dict[str, float], sets: list[str]) -> str:
    cells = [f"{m['truth']:+.3f}", *(f"{m['truth:' + s]:+.3f}" for s in sets),
             f"{m['answer_acc']:.3f}", f"{m['refusal_acc']:.3f}", f"{m['false_refusals']:.3f}", f"{m['lost']:.3f}"]
    return f"| {name} | " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="+", type=Path)
    parser.add_argument("--model", required=True, help="the chat model's catalogue id")
    parser.add_argument("--lost", type=float, default=0.10,
                        help="most of the right dev answers the chosen thresholds may refuse")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--external", nargs="*", default=["squad-dev"],
                        help="dev sets the checks were never tuned on: a literal check stays a veto only where, on "
                             "them, the answers it refuses are more often wrong than right")
    parser.add_argument("--write", type=Path, help="the calibration file to put the fits into")
    args = parser.parse_args()

    rows = load(args.results)
    sets = sorted({r.dataset for r in rows})
    print(f"{len(rows)} dev rows ({', '.join(f'{s}: {sum(r.dataset == s for r in rows)}' for s in sets)}), "
          f"{sum(r.has_after for r in rows)} answered")
    head = "| policy (dev, out-of-fold) | truthfulness (macro) | " + " | ".join(sets) + \
        " | answer acc. | refusal acc. | false refusals | right answers refused |"
    print(head + "\n" + "|---" * (len(sets) + 6) + "|")
    print(row_text("no checks (answers as given)", measure(rows, [outcome(r, 1, 1, 0, 0) for r in rows]), sets))
    print(row_text("today's literal rules, each refusing alone", rules_policy(rows), sets))

    vetoes = earned_vetoes(rows, args.external)
    p_before, p_after = out_of_fold(rows, BEFORE, AFTER, args.folds)
    t_before, t_after, chosen = choose(rows, p_before, p_after, args.lost, vetoes=vetoes)
    print(row_text(f"**scores + vetoes** (before >= {t_before:.2f}, after >= {t_after:.2f})", chosen, sets))
    _, _, alone = choose(rows, p_before, p_after, args.lost)
    print(row_text("scores alone, no veto", alone, sets))
    ece = expected_calibration_error([(p, r.correct) for r, p in zip(rows, p_after, strict=True) if p is not None])
    for name in AFTER:
        before = [f for f in BEFORE if f != name]
        after = [f for f in AFTER if f != name]
        pb, pa = out_of_fold(rows, before, after, args.folds)
        tb, ta, m = choose(rows, pb, pa, args.lost, vetoes=[v for v in vetoes if v != name])
        print(row_text(f"without {name} ({tb:.2f}, {ta:.2f})", m, sets))
    print(f"\nout-of-fold ECE of the after fit: {ece}")

    before_fit = make_fit(rows, BEFORE, t_before)
    after_fit = make_fit([r for r in rows if r.has_after], AFTER, t_after)
    for fit, name in ((before_fit, "before"), (after_fit, "after")):
        print(f"{name}: bias {fit.bias:+.3f}; " + ", ".join(f"{f} {w:+.3f}" for f, w in
                                                            zip(fit.features, fit.weights, strict=True)))
    if args.write:
        data = json.loads(args.write.read_text()) if args.write.is_file() else {"models": {}}
        data.setdefault("about", "Fitted by scripts/fit_calibration.py; see docs/evaluation.md.")
        data["models"][args.model] = {
            "vetoes": vetoes,
            "before": before_fit.to_dict(),
            "after": after_fit.to_dict(),
            "about": {"dev_sets": sets, "rows": len(rows), "right_answers_refused_at_most": args.lost,
                      "dev_out_of_fold": {k: round(v, 4) for k, v in chosen.items()}, "dev_out_of_fold_ece": ece},
        }
        args.write.write_text(json.dumps(data, indent=2) + "\n")
        print(f"wrote {args.write}")


if __name__ == "__main__":
    main()
