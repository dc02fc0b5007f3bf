"""Probe: how well other wordings of the answerability request separate questions, and what they cost.

For each single-turn question of a gold split, the pipeline's own prompt is built (the same passages and question
the answer would use) and the model's P(yes) is read for every wording, appended to the question's message as the
gate appends its request. Printed per wording: ROC AUC of P(yes), answerable against unanswerable questions, and
its length in tokens (with the turn markers around it, the same for every wording, this is what the check adds
to the first token), then the ROC AUC of the mean P(yes) of the current wording and each other one (asking twice,
an ensemble). A negated wording ("is the answer missing?") scores 1 - P(yes), so for every wording a higher score
should mean answerable. `--closed-book` also reads the current request with no passages at all (a second pass, so
the library stays cached during the first) and scores the contrast logit P(yes) - w * logit P(yes, no passages):
contextual calibration, which would cancel a question's own pull towards "yes". Tune on the dev split only.

    .venv/bin/python scripts/request_forms.py --gold seeds/gold.jsonl --corpus seeds --split dev
"""

from __future__ import annotations

import argparse
import math
import tempfile
from pathlib import Path

from rag.build import build_assistant, go_offline
from rag.config import load_settings
from rag.evaluation.gold import load_gold
from rag.llm import LlamaCppGenerator
from rag.prompting import ANSWERABLE_QUESTION, QUESTION, QUESTION_LEAD, SYSTEM_PROMPT, answerability_check

FORMS = {
    "current": ANSWERABLE_QUESTION,
    "no 'to this question'": "Do the passages above state the answer? Reply with yes or no.",
    "no 'above', no 'with'": "Do the passages state the answer to this question? Reply yes or no.",
    "shortest": "Is the answer stated above? Reply yes or no.",
    "negated: missing": "Is the answer to this question missing from the passages above? Reply with yes or no.",
    "negated: outside facts": (
        "Would answering this question need facts the passages above do not state? Reply with yes or no."
    ),
}
NEGATED = ("negated:",)  # wordings whose "yes" means unanswerable: scored 1 - P(yes)


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def auc(scored: list[tuple[bool, float]]) -> str:
    """ROC AUC of (answerable, P(yes)) pairs: the chance an answerable question scores above an unanswerable one
    (ties count half); "-" when either group is empty."""
    pos = [p for answerable, p in scored if answerable]
    neg = [p for answerable, p in scored if not answerable]
    if not pos or not neg:
        return "-"
    wins = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in pos for b in neg)
    return f"{wins / (len(pos) * len(neg)):.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(prog="request_forms")
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--models-dir", type=Path, default=Path("models"))
    parser.add_argument("--closed-book", action="store_true", help="also the current request with no passages")
    args = parser.parse_args()
    go_offline()
    items = [i for i in load_gold(args.gold) if i.split == args.split and len(i.turns) == 1]
    scores: dict[str, list[tuple[bool, float]]] = {name: [] for name in FORMS}
    asked: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        assistant = build_assistant(load_settings(env={}, data_dir=Path(tmp) / "data", models_dir=args.models_dir))
        assistant.ingest([args.corpus])
        pipeline = assistant.pipeline
        pipeline.gate = None  # the prompt only; every wording is asked below
        judge = assistant.generator
        assert isinstance(judge, LlamaCppGenerator), "the probe reads P(yes) from a local model"
        for item in items:
            prompt = pipeline.prepare(item.question).prompt
            if not prompt.passages:
                continue
            # The current wording first, read with the question as the gate reads it; the others find the
            # question's tokens cached (llama.cpp's sums differ slightly with the batch: P(yes) moves by ~0.03).
            for name, request in FORMS.items():
                p = judge.yes_probability(answerability_check(prompt, item.question, request))
                scores[name].append((item.answerable, 1 - p if name.startswith(NEGATED) else p))
            asked.append(item.question)
            print(item.id, " ".join(f"{scores[n][-1][1]:.3f}" for n in FORMS), flush=True)
        # No passages: the same instructions and question, the library's place saying "(none)". Asked after every
        # question above, since it replaces the library in the KV cache.
        closed: list[float] = []
        for question in asked if args.closed_book else []:
            closed.append(judge.yes_probability([
                {"role": "system", "content": f"{SYSTEM_PROMPT}\n\nPassages:\n(none)"},
                {"role": "user", "content": f"{QUESTION_LEAD}{QUESTION}{question}\n\n{ANSWERABLE_QUESTION}"},
            ]))
    print(f"\n{args.gold} {args.split}: {len(items)} single-turn questions")
    print("| wording | ROC AUC | tokens |")
    print("|---|---|---|")
    for name, request in FORMS.items():
        print(f"| {name}: “{request}” | {auc(scores[name])} | {judge.count_tokens(request)} |")
    print("\n| mean P(yes) of the current wording and | ROC AUC |")
    print("|---|---|")
    current = scores["current"]
    for name in list(FORMS)[1:]:
        pairs = [(a, (p + q) / 2) for (a, p), (_, q) in zip(current, scores[name], strict=True)]
        print(f"| {name} | {auc(pairs)} |")
    if closed:
        alone = [(a, q) for (a, _), q in zip(current, closed, strict=True)]
        print("\n| contextual calibration | ROC AUC |")
        print("|---|---|")
        print(f"| P(yes) with no passages alone | {auc(alone)} |")
        for w in (0.25, 0.5, 1.0):
            pairs = [(a, logit(p) - w * logit(q)) for (a, p), q in zip(current, closed, strict=True)]
            print(f"| logit P(yes) - {w} x logit P(yes, no passages) | {auc(pairs)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
