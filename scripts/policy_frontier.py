"""How far the answer checks' numbers can go: the policies of `fit_calibration.py` on dev rows, and the best any
threshold reaches under a false-refusal cap with a fit made on the very rows it is scored on (in-sample, so an upper
bound for any real policy over these numbers).

Input: `results.jsonl` files of `rag eval --split dev` runs made with every check recording its number and none
refusing alone (`RAG_ANSWER_CHECKS=scores RAG_ANSWER_THRESHOLD=0`), one folder per dev set (the folder's name is
the set's). Unlike `fit_calibration.py`, a question refused before any number was recorded (a year, number or name
no passage states, an opposite word, an added "not") counts as a refusal in every policy instead of being left out.

    python scripts/policy_frontier.py /tmp/cal/*/results.jsonl --cap squad-dev=0.15 --cap seeds-dev=0.10
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import fit_calibration as fc

from rag.judgement import AFTER, BEFORE, OBJECTIONS, load_calibration

VETOES = ("missing_numbers", "missing_names", *OBJECTIONS)


def refused_unscored(paths: Sequence[Path]) -> list[fc.Row]:
    """The questions refused before any number was recorded, as rows that every policy refuses."""
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r.get("system") == "ours" and not r.get("scores") and r["refused"]:
                rows.append(fc.Row(path.parent.name, r["answerable"], True, False, {}))
    return rows


def table_row(name: str, rows: list[fc.Row], truths: list[int], sets: list[str]) -> str:
    m = fc.measure(rows, truths)
    return (f"| {name} | {m['truth']:+.3f} | " + " | ".join(f"{m['truth:' + s]:+.3f}" for s in sets)
            + f" | {m['answer_acc']:.3f} | {m['refusal_acc']:.3f} | {m['false_refusals']:.3f} |")


def frontier(rows: list[fc.Row], fixed: list[fc.Row], cap: float) -> tuple[float, float, float]:
    """(truthfulness, refusal accuracy, false refusals) of the in-sample policy that refuses the most unanswerable
    questions while refusing at most `cap` of the answerable ones (ties: the more truthful)."""
    fb = fc.make_fit(rows, BEFORE)
    fa = fc.make_fit([r for r in rows if r.has_after], AFTER)
    pb = [fb.p_correct(r.scores) for r in rows]
    pa = [fa.p_correct(r.scores) if r.has_after else None for r in rows]
    every = rows + fixed
    n_ans = sum(r.answerable for r in every)
    n_una = len(every) - n_ans
    best = (-1.0, -1.0, 1.0)
    for t_before in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4):
        for t_after in np.arange(0.0, 0.96, 0.01):
            for vetoes in ((), VETOES):
                truths = [fc.outcome(r, b, a, t_before, float(t_after), vetoes) for r, b, a in zip(rows, pb, pa,
                                                                                                   strict=True)]
                truths += [0] * len(fixed)
                refused = [t == 0 for t in truths]
                fr = sum(x for x, r in zip(refused, every, strict=True) if r.answerable) / n_ans
                ra = sum(x for x, r in zip(refused, every, strict=True) if not r.answerable) / n_una
                truth = sum(truths) / len(every)
                if fr <= cap + 1e-9 and (ra, truth) > (best[1], best[0]):
                    best = (truth, ra, fr)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="+", type=Path)
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct-q4_k_m")
    parser.add_argument("--calibration", type=Path, default=Path("models/calibration.json"))
    parser.add_argument("--cap", action="append", default=[], metavar="SET=FRACTION",
                        help="a dev set and the most of its answerable questions a policy may refuse")
    args = parser.parse_args()

    rows = fc.load(args.results)
    fixed = refused_unscored(args.results)
    every = rows + fixed
    sets = sorted({r.dataset for r in every})
    print(f"{len(rows)} rows with numbers, {len(fixed)} refused before any number")
    print("| policy | truthfulness (macro) | " + " | ".join(sets) + " | answer acc. | refusal acc. | false refusals |")
    print("|---" * (len(sets) + 5) + "|")
    fill = [0] * len(fixed)
    print(table_row("no checks", every, [fc.outcome(r, 1, 1, 0, 0) for r in rows] + fill, sets))
    print(table_row("literal rules (the default)", every, fc.rules_truths(rows) + fill, sets))
    cal = load_calibration(args.calibration, args.model)
    ece: float | None = None
    if cal is not None and cal.before is not None:
        shipped = [fc.outcome(r, cal.before.p_correct(r.scores),
                              cal.after.p_correct(r.scores) if r.has_after else None,
                              cal.before.threshold, cal.after.threshold, cal.vetoes) for r in rows]
        print(table_row(f"shipped fit ({cal.before.threshold:.2f}, {cal.after.threshold:.2f})", every,
                        shipped + fill, sets))
        ece = fc.expected_calibration_error([(cal.after.p_correct(r.scores), r.correct) for r in rows
                                             if r.has_after])
    vetoes = [v for v in VETOES if v in fc.earned_vetoes(rows, ["squad-dev"])]
    p_before, p_after = fc.out_of_fold(rows, BEFORE, AFTER, 5)
    for name, kept in (("scores + vetoes", vetoes), ("scores alone", [])):
        tb, ta, _ = fc.choose(rows, p_before, p_after, 0.10, vetoes=kept)
        truths = [fc.outcome(r, b, a, tb, ta, kept) for r, b, a in zip(rows, p_before, p_after, strict=True)]
        print(table_row(f"refitted out of fold, {name} ({tb:.2f}, {ta:.2f})", every, truths + fill, sets))
    refit = fc.expected_calibration_error([(p, r.correct) for r, p in zip(rows, p_after, strict=True) if p is not None])
    if ece is not None and refit is not None:
        print(f"\nECE of P(correct) after answering: shipped fit {ece:.3f}, refitted out of fold {refit:.3f}")
    for spec in args.cap:
        name, _, value = spec.partition("=")
        own = [r for r in rows if r.dataset == name]
        right = sum(r.correct for r in own)
        n = sum(r.dataset == name for r in every)
        truth, ra, fr = frontier(own, [r for r in fixed if r.dataset == name], float(value))
        print(f"{name}: at most {float(value):.2f} of answerable refused, in-sample: refusal acc. {ra:.3f}, false "
              f"refusals {fr:.3f}, truthfulness {truth:+.3f} (every right answer kept, nothing else: {right / n:.3f})")


if __name__ == "__main__":
    main()
