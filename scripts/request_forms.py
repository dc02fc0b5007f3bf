"""Probe: how well other wordings of the answerability request separate questions, and what they cost.

For each single-turn question of a gold split, the pipeline's own prompt is built (the same passages and question
the answer would use) and the model's P(yes) is read for every wording, appended to the question's message as the
gate appends its request. Printed per wording: ROC AUC of P(yes), answerable against unanswerable questions, and
its length in tokens (with the turn markers around it, the same for every wording, this is what the check adds
to the first token), then the ROC AUC of the mean P(yes) of the current wording and each other one (asking twice,
an ensemble). Tune on the dev split only.

    .venv/bin/python scripts/request_forms.py --gold seeds/gold.jsonl --corpus seeds --split dev
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from rag.build import build_assistant, go_offline
from rag.config import load_settings
from rag.evaluation.gold import load_gold
from rag.llm import LlamaCppGenerator
from rag.prompting import ANSWERABLE_QUESTION, answerability_check

FORMS = {
    "current": ANSWERABLE_QUESTION,
    "no 'to this question'": "Do the passages above state the answer? Reply with yes or no.",
    "no 'above', no 'with'": "Do the passages state the answer to this question? Reply yes or no.",
    "shortest": "Is the answer stated above? Reply yes or no.",
}


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
    args = parser.parse_args()
    go_offline()
    items = [i for i in load_gold(args.gold) if i.split == args.split and len(i.turns) == 1]
    scores: dict[str, list[tuple[bool, float]]] = {name: [] for name in FORMS}
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
                scores[name].append((item.answerable, p))
            print(item.id, " ".join(f"{scores[n][-1][1]:.3f}" for n in FORMS), flush=True)
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
