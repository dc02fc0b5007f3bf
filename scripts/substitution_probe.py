"""Probe (issue 36): a question that copies an article's phrase with one word swapped ("computational simplicity
theory" over "computational complexity theory"), and whether the chat model can tell a swap from a paraphrase.

For every dev question of every dev set, over its whole library: a word of the question that no article uses,
where an article has another word between the same words on both sides (matched outwards, each side holding at
least one word that is not glue). Each such pair is then put to the model as a yes/no question ("Do the two
phrases mean the same thing?", P(yes) from the logits), and the table says where it would refuse.

    python scripts/substitution_probe.py [MODEL.gguf]

Not part of the product; measurement only (docs/evaluation.md, "Swapped words").
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from rag.opposites import GLUE, _words, opposites

ROOT = Path(__file__).resolve().parent.parent
SQUAD = ROOT.parent / "shared" / "benchmarks" / "squad2-complexity"
REQUEST = ("A question says \u201c{q}\u201d. The articles say \u201c{p}\u201d. Do the two phrases mean the same "
           "thing? Reply with yes or no.")


def swaps(question: str, sources: list[str]) -> list[tuple[str, str, str, str]]:
    """(asked word, the articles' word, the words before, the words after) for each swap found."""
    seqs = [_words(t) for t in sources]
    vocab = {w for s in seqs for w in s}
    at: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for si, ws in enumerate(seqs):
        for j in range(1, len(ws) - 1):
            at.setdefault((ws[j - 1], ws[j + 1]), []).append((si, j))
    q = _words(question)
    out = set()
    for i in range(1, len(q) - 1):
        w = q[i]
        if w in GLUE or w in vocab or not w.isalpha():
            continue
        for si, j in at.get((q[i - 1], q[i + 1]), []):
            ws, s = seqs[si], seqs[si][j]
            if s in GLUE or s == w:
                continue
            a = 1
            while i - a - 1 >= 0 and j - a - 1 >= 0 and q[i - a - 1] == ws[j - a - 1]:
                a += 1
            b = 1
            while i + b + 1 < len(q) and j + b + 1 < len(ws) and q[i + b + 1] == ws[j + b + 1]:
                b += 1
            left, right = q[i - a:i][-3:], q[i + 1:i + 1 + b][:3]
            if any(x not in GLUE for x in left) and any(x not in GLUE for x in right):
                out.add((w, s, " ".join(left), " ".join(right)))
    return sorted(out)


def dev_sets() -> Iterator[tuple[str, Path, Path]]:
    yield "squad2", SQUAD / "gold.jsonl", SQUAD / "corpus"
    yield "distractors", ROOT / "corpora" / "distractors-gold.jsonl", ROOT / "corpora" / "distractors"
    yield "seeds", ROOT / "seeds" / "gold.jsonl", ROOT / "seeds"
    for k in range(1, 7):
        gen = ROOT / "corpora" / "generated"
        yield f"generated {k}", gen / f"fold-{k}.jsonl", gen / f"fold-{k}-library"


def main(model: str) -> None:
    import llama_cpp

    llm = llama_cpp.Llama(model_path=model, n_ctx=1024, logits_all=True, verbose=False)
    yes = [llm.tokenize(t.encode(), add_bos=False)[0] for t in ("yes", "Yes")]
    no = [llm.tokenize(t.encode(), add_bos=False)[0] for t in ("no", "No")]
    asked = found = 0
    print("| P(yes) | dev set | answerable | asked | the articles say |\n|---|---|---|---|---|")
    for name, gold, library in dev_sets():
        texts = [p.read_text(encoding="utf-8") for p in sorted(library.iterdir()) if p.suffix in (".txt", ".md")]
        for line in gold.read_text(encoding="utf-8").splitlines():
            g = json.loads(line)
            if g.get("split") != "dev":
                continue
            question = g.get("question") or g["turns"][-1]
            asked += 1
            found_here = swaps(question, texts)
            if not found_here or opposites(question, texts):
                continue
            found += 1
            w, s, left, right = found_here[0]
            q, p = f"{left} {w} {right}", f"{left} {s} {right}"
            text = REQUEST.format(q=q, p=p)
            prompt = (f"<|im_start|>system\nYou are a careful reader.<|im_end|>\n<|im_start|>user\n{text}<|im_end|>\n"
                      "<|im_start|>assistant\n")
            llm.reset()
            llm.eval(llm.tokenize(prompt.encode(), add_bos=False, special=True))
            logits = np.array(llm.scores[llm.n_tokens - 1], dtype=np.float64)
            e = np.exp(logits - logits.max())
            p_yes = e[yes].sum() / (e[yes].sum() + e[no].sum())
            print(f"| {p_yes:.2f} | {name} | {'yes' if g['answerable'] else 'no'} | {q} | {p} |")
    print(f"\n{found} of {asked} dev questions have a swap the rule sees.")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"))
