"""A question that asks about the opposite of what the passages say.

Adversarial unanswerable questions (SQuAD 2.0 wrote a fifth of its own this way) take a sentence of the article and
turn one word into its opposite: "How are the parcels delivered indirectly?" over a passage that says they are
delivered directly; "the least visited branch" over "the most visited". The model answers them from the sentence
they were made from. Caught here: a word of the question that no passage uses, whose opposite a passage uses in the
same place, either by a negating prefix ("indirectly" / "directly", "dependent" / "independent", "non-binary" /
"binary") or as one of a few superlatives and directions that only ever mean the reverse ("least" / "most").

Literal, so kept narrow: a prefixed word counts only with the ending of an adjective, adverb or quality (so
"discover" is not "cover" negated, nor "information" "formation"), the word without its prefix has at least five
letters, and a passage that writes the plain word after "not" or "no" ("not possible") says what the question
says. Chosen on squad2-complexity's dev split (docs/evaluation.md, "Opposite words").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PREFIXES = ("non-", "non", "un", "in", "im", "il", "ir", "dis")
# Endings of adjectives, adverbs and qualities: where a negating prefix makes an opposite.
ENDINGS = ("ly", "ble", "ent", "ant", "ive", "al", "ite", "ary", "ic", "own", "ful", "ous", "ate", "ity", "ness",
           "ar", "ct")
# Prefixed words of those endings that are no opposite of the word without the prefix.
NOT_OPPOSITES = {"immigrant", "incredible", "incredibly", "indifferent", "infamous", "invaluable", "inflammable",
                 "informative", "disability", "discontent", "disgruntled"}
MIN_BASE = 5

PAIRS = (
    ("least", "most"), ("fewest", "most"), ("lowest", "highest"), ("smallest", "largest"), ("smallest", "biggest"),
    ("minimum", "maximum"), ("earliest", "latest"), ("worst", "best"), ("weakest", "strongest"),
    ("shortest", "longest"), ("increase", "decrease"), ("increased", "decreased"), ("increases", "decreases"),
    ("increasing", "decreasing"), ("past", "future"),
)
OPPOSITE: dict[str, set[str]] = {}
for _a, _b in PAIRS:
    OPPOSITE.setdefault(_a, set()).add(_b)
    OPPOSITE.setdefault(_b, set()).add(_a)

NEGATIONS = {"not", "no", "never", "cannot", "non"}
# Words too common to place a word by: the place is the nearest other word on each side.
GLUE = {"a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "with", "from", "and", "or", "as", "is", "are",
        "was", "were", "be", "been", "being", "it", "its", "that", "this", "these", "those", "what", "which", "who",
        "whom", "whose", "how", "when", "where", "why", "do", "does", "did", "has", "have", "had", "can", "could",
        "will", "would", "may", "might", "should", "there", "their", "they", "than", "then", "also", "very"}
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*[a-z0-9]|[a-z0-9]")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def _places(words: list[str], i: int) -> set[str]:
    """The nearest word on each side of words[i] that is not glue."""
    before = next((w for w in reversed(words[:i]) if w not in GLUE), None)
    after = next((w for w in words[i + 1:] if w not in GLUE), None)
    return {w for w in (before, after) if w is not None}


def _unprefixed(word: str) -> list[str]:
    """The plain words a prefixed adjective or adverb negates ("indirectly" -> ["directly"])."""
    if word in NOT_OPPOSITES:
        return []
    out = []
    for prefix in PREFIXES:
        base = word[len(prefix):].lstrip("-") if word.startswith(prefix) else ""
        if len(base) >= MIN_BASE and base.endswith(ENDINGS):
            out.append(base)
    return out


def opposites(question: str, sources: Iterable[str]) -> list[tuple[str, str]]:
    """(the question's word, the passages' opposite word) for each word of the question that no passage uses and
    whose opposite a passage uses in the same place: next to the word the question has next to it ("encoded
    indirectly" asked, "encoded directly" written), and not right after a negation."""
    used: set[str] = set()
    beside: dict[str, set[str]] = {}  # a passage word -> the words next to it, where it is not negated
    for text in sources:
        words = _words(text)
        used.update(words)
        for i, w in enumerate(words):
            if i and words[i - 1] in NEGATIONS:
                continue
            beside.setdefault(w, set()).update(_places(words, i))
    asked = _words(question)
    found: list[tuple[str, str]] = []
    for i, word in enumerate(asked):
        if word in used or any(word == f for f, _ in found):
            continue
        neighbours = _places(asked, i)
        candidates = [*_unprefixed(word), *sorted(OPPOSITE.get(word, ()))]
        candidates += sorted(w for w in beside if word in _unprefixed(w))  # "dependent" asked, "independent" written
        hit = next((c for c in candidates if beside.get(c, set()) & neighbours), None)
        if hit is not None:
            found.append((word, hit))
    return found


def opposite_reason(found: list[tuple[str, str]], where: str = "The articles") -> str:
    """Plain words for a refusal: what the passages say instead."""
    asked, said = found[0]
    return f"{where} say \u201c{said}\u201d, not \u201c{asked}\u201d."
