"""Probe (issue 36): the model's P(yes) over the question's closest sentences alone, against its P(yes) over the
passages (the answerability check), on the recorded dev answers of every dev set.

For each recorded single-turn dev answer (`docs/eval/calibration/*/results.jsonl`: the passages it was given, its
scores, and its outcome with nothing refusing), the two sentences of those passages that hold the largest share of
the question's word stems are put to the model alone: "Text: “...” Question: ... Does the text state the answer to
this exact question?" (P(yes) from the logits, no passages). Printed per dev set: ROC AUC, answerable against
unanswerable, of the recorded P(yes) and of the new one, then the outcomes when the new P(yes) replaces the
answerability threshold or joins it (logit sum), every other rule replayed as recorded.

    .venv/bin/python scripts/sentence_judge_probe.py [MODEL.gguf]

Not part of the product; measurement only (docs/evaluation.md, "The closest sentences, judged alone").
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np

from rag.judgement import OBJECTIONS
from rag.text import sentence_spans, stems

ROOT = Path(__file__).resolve().parent.parent
CAL = ROOT / "docs" / "eval" / "calibration"
LIBRARIES = {
    "squad-dev": ROOT.parent / "shared" / "benchmarks" / "squad2-complexity" / "corpus",
    "dis-dev": ROOT / "corpora" / "distractors",
    "seeds-dev": ROOT / "seeds",
    "gen1-dev": ROOT / "corpora" / "generated" / "fold-1-library",
    "gen2-dev": ROOT / "corpora" / "generated" / "fold-2-library",
}
REQUEST = ("Text: \u201c{s}\u201d\n\nQuestion: {q}\n\nDoes the text state the answer to this exact question? "
           "Reply with yes or no.")
RULE_THRESHOLD = 0.45


def closest(question: str, texts: list[str], n: int = 2) -> str:
    """The n sentences of the texts that hold the largest share of the question's word stems, best first."""
    asked = stems(question)
    scored = [(len(asked & stems(t[a:b])) / max(1, len(asked)), t[a:b].strip())
              for t in texts for a, b in sentence_spans(t)]
    scored.sort(key=lambda x: -x[0])
    return " ".join(s for _, s in scored[:n])


def auc(pos: list[float], neg: list[float]) -> float:
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg)) if pos and neg else float("nan")


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def outcome(r: dict, gate: float, threshold: float) -> int:
    """+1 right, 0 refused, -1 wrong: the recorded answer under the literal rules, with `gate` for P(yes)."""
    s = r["scores"]
    vetoed = s.get("missing_numbers", 0) > 0 or s.get("missing_names", 0) > 0 or gate < threshold \
        or any(s.get(o, 0) > 0 for o in OBJECTIONS)
    if vetoed or r["refused"] or "withheld" not in s:
        return 0
    return 1 if r["answerable"] and r["correct"] else -1


def summary(rows: list[dict], truths: list[int]) -> str:
    ans = [t for r, t in zip(rows, truths, strict=True) if r["answerable"]]
    una = [t for r, t in zip(rows, truths, strict=True) if not r["answerable"]]
    return (f"{np.mean(truths):+.3f} | {np.mean([t == 1 for t in ans]):.2f} | {np.mean([t == 0 for t in ans]):.2f} | "
            f"{np.mean([t == 0 for t in una]):.2f}")


def main(model: str) -> None:
    import llama_cpp

    llm = llama_cpp.Llama(model_path=model, n_ctx=2048, verbose=False)
    yes = [llm.tokenize(t.encode(), add_bos=False)[0] for t in ("yes", "Yes")]
    no = [llm.tokenize(t.encode(), add_bos=False)[0] for t in ("no", "No")]
    print("| dev set | policy | truthfulness | answer acc. | false refusals | refusal acc. |")
    print("|---|---|---|---|---|---|")
    aucs = []
    for name, library in LIBRARIES.items():
        rows = []
        for line in (CAL / name / "results.jsonl").read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if len(r.get("turns") or [1]) > 1 or not r["passages"] or not r.get("scores"):
                continue
            texts = [(library / p["source"]).read_text(encoding="utf-8")[p["start"]:p["end"]] for p in r["passages"]]
            text = REQUEST.format(s=closest(r["question"], texts), q=r["question"])
            prompt = (f"<|im_start|>system\nYou are a careful reader.<|im_end|>\n<|im_start|>user\n{text}<|im_end|>\n"
                      "<|im_start|>assistant\n")
            llm.reset()
            llm.eval(llm.tokenize(prompt.encode(), add_bos=False, special=True))
            lg = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1), shape=(llm.n_vocab(),))
            e = np.exp(lg.astype(np.float64) - lg.max())
            r["sentence"] = float(e[yes].sum() / (e[yes].sum() + e[no].sum()))
            rows.append(r)
        pos, neg = ([x for x in rows if x["answerable"] is a] for a in (True, False))
        recorded = auc([x["scores"]["answerable"] for x in pos], [x["scores"]["answerable"] for x in neg])
        aucs.append((name, len(rows), recorded, auc([x["sentence"] for x in pos], [x["sentence"] for x in neg])))
        before = [1 / (1 + math.exp(-x["scores"]["answerable"])) for x in rows]
        print(f"| {name} | the rules (P(yes) over the passages >= 0.45) | "
              f"{summary(rows, [outcome(x, b, RULE_THRESHOLD) for x, b in zip(rows, before, strict=True)])} |")
        for t in (0.4, 0.45, 0.5):
            alone = [outcome(x, x["sentence"], t) for x in rows]
            print(f"| | sentence P(yes) >= {t} instead | {summary(rows, alone)} |")
        for t in (-0.25, 0.0):
            joined = [x["scores"]["answerable"] + 0.5 * logit(x["sentence"]) for x in rows]
            print(f"| | logit P(yes) + 0.5 logit sentence P(yes) >= {t} | "
                  f"{summary(rows, [outcome(x, j, t) for x, j in zip(rows, joined, strict=True)])} |")
    print("\n| dev set | answers | ROC AUC, P(yes) over the passages | ROC AUC, sentence P(yes) |\n|---|---|---|---|")
    for name, n, a, b in aucs:
        print(f"| {name} | {n} | {a:.3f} | {b:.3f} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"))
