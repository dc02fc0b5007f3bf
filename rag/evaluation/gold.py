"""Gold questions: loading and checking a JSONL file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import EvalError

# "source": where a generated question came from (file, span, sentence); "held_out_answer": what the held-out
# article says, for a generated unanswerable question. Both kept for people, not scored.
KNOWN_KEYS = {"id", "question", "turns", "answers", "answerable", "gold_docs", "evidence", "category", "split",
              "source", "held_out_answer"}
SPLITS = ("dev", "test")


@dataclass(frozen=True)
class GoldItem:
    """One gold question (the last of `turns` is the one scored)."""

    id: str
    turns: list[str]
    answers: list[str]
    answerable: bool = True
    gold_docs: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    category: str = "uncategorised"
    split: str = "test"  # thresholds and prompts are tuned on "dev"; reports quote "test"

    @property
    def question(self) -> str:
        """The scored question."""
        return self.turns[-1]


def _str_list(value: object, key: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EvalError(f"{where}: {key!r} must be a list of strings, got {value!r}")
    return list(value)


def parse_line(line: str, where: str) -> GoldItem:
    """One JSONL line into a GoldItem, or an EvalError naming the line."""
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise EvalError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(raw, dict):
        raise EvalError(f"{where}: each line must be a JSON object")
    unknown = set(raw) - KNOWN_KEYS
    if unknown:
        raise EvalError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(KNOWN_KEYS)}")
    if "id" not in raw:
        raise EvalError(f"{where}: missing 'id'")
    if "turns" in raw:
        turns = _str_list(raw["turns"], "turns", where)
    elif isinstance(raw.get("question"), str):
        turns = [raw["question"]]
    else:
        raise EvalError(f"{where}: needs 'question' (a string) or 'turns' (a list of questions)")
    if not turns or not all(t.strip() for t in turns):
        raise EvalError(f"{where}: questions must not be empty")
    answerable = raw.get("answerable", True)
    if not isinstance(answerable, bool):
        raise EvalError(f"{where}: 'answerable' must be true or false")
    answers = _str_list(raw.get("answers", []), "answers", where)
    if answerable and not answers:
        raise EvalError(f"{where}: an answerable question needs at least one accepted answer in 'answers'")
    split = raw.get("split", "test")
    if split not in SPLITS:
        raise EvalError(f"{where}: 'split' must be one of {', '.join(SPLITS)}, got {split!r}")
    return GoldItem(
        id=str(raw["id"]),
        split=split,
        turns=turns,
        answers=answers,
        answerable=answerable,
        gold_docs=_str_list(raw.get("gold_docs", []), "gold_docs", where),
        evidence=_str_list(raw.get("evidence", []), "evidence", where),
        category=str(raw.get("category", "answerable" if answerable else "unanswerable")),
    )


def load_gold(path: Path) -> list[GoldItem]:
    """Every gold question in a file; the first malformed line is reported with its number."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvalError(f"cannot read gold file {path}: {exc.strerror}") from exc
    items: list[GoldItem] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = parse_line(line, f"{path}:{number}")
        if item.id in seen:
            raise EvalError(f"{path}:{number}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise EvalError(f"{path} holds no questions")
    return items
