"""Replay recorded answers through the checks after answering, with no model: what a change to `rag.grounding` (or
to what it reads: `rag.specifics`, `rag.text`) does to the verdicts of answers already given.

Reads `results.jsonl` files of `rag eval` runs (the assistant's rows, single questions), rebuilds each answer's
passages from the articles (`--corpus`, by file name and character span), runs `CitationGrounder` on the answer the
model wrote (for a refused row, the answer its refusal check recorded), and writes each verdict. With `--diff`,
compares two such verdict files and prints the answers whose verdict changed, with their split.

    python scripts/replay_checks.py runs/*/results.jsonl --corpus seeds corpora/distractors --out after.json
    python scripts/replay_checks.py --diff before.json after.json
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from rag.documents import find_headline
from rag.grounding import CitationGrounder
from rag.types import Chunk, ScoredChunk


def _rows(paths: list[Path]) -> list[dict]:
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r.get("system") == "ours" and "answer" in r and r.get("passages") and len(r.get("turns") or [1]) == 1:
                rows.append(r)
    return rows


def _given(row: dict) -> str | None:
    """The answer the model wrote: for a refused row, the text its refusal check recorded (None if it wrote none)."""
    if not row["refused"]:
        return str(row["answer"])
    texts = [c.get("text") for c in row["checks"] if c["kind"] == "refused" and c.get("text")]
    return texts[0] if texts and texts[0] != row["question"] else None


def replay(paths: list[Path], corpora: list[Path]) -> dict[str, dict]:
    files = {f.name: f for d in corpora for f in sorted(d.iterdir()) if f.is_file()}
    texts: dict[str, str] = {}
    out: dict[str, dict] = {}
    grounder = CitationGrounder()
    for row in _rows(paths):
        answer = _given(row)
        sources = [Path(p["source"]).name for p in row["passages"]]
        if answer is None or any(s not in files for s in sources):
            continue
        passages = []
        for rank, (p, name) in enumerate(zip(row["passages"], sources, strict=True), start=1):
            text = texts.setdefault(name, files[name].read_text(encoding="utf-8"))
            body = text[p["start"] : p["end"]]
            chunk = Chunk(p["chunk_id"], name, find_headline(text) or name, name, 0, p["start"], p["end"], body)
            passages.append(ScoredChunk(chunk, float(p.get("score", 0.5)), rank))
        grounded = grounder.ground(row["question"], answer, passages)
        reasons = [c.detail for c in grounded.checks if c.kind in ("refused", "withheld")]
        out[f"{row['question']}\x00{answer}"] = {"id": row["id"], "answerable": row["answerable"],
                                                 "refused": grounded.refused, "reasons": reasons,
                                                 "question": row["question"], "answer": answer}
    return out


def diff(before: dict[str, dict], after: dict[str, dict], splits: dict[str, str]) -> None:
    counts: Counter[str] = Counter()
    for key, old in before.items():
        new = after.get(key)
        if new is None or new["refused"] == old["refused"]:
            continue
        split = splits.get(old["id"], "?")
        counts[split] += 1
        verdict = "refused -> answered" if old["refused"] else "answered -> refused"
        print(f"{split} {'answerable' if old['answerable'] else 'unanswerable'} {verdict} | {old['question']} | "
              f"{old['answer'][:120]} | {(old['reasons'] or new['reasons'])[:1]}")
    print(f"{len(before)} answers, changed: {dict(counts) or 0}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="*", type=Path)
    parser.add_argument("--corpus", nargs="*", type=Path, default=[])
    parser.add_argument("--gold", nargs="*", type=Path, default=[], help="gold files, for each answer's split")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--diff", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.diff:
        splits = {json.loads(line)["id"]: json.loads(line).get("split", "?")
                  for g in args.gold for line in g.read_text(encoding="utf-8").splitlines()}
        diff(*(json.loads(p.read_text(encoding="utf-8")) for p in args.diff), splits)
        return
    verdicts = replay(args.results, args.corpus)
    if args.out:
        args.out.write_text(json.dumps(verdicts), encoding="utf-8")
    print(f"{len(verdicts)} answers replayed")


if __name__ == "__main__":
    main()
