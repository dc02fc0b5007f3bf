"""Metrics: SQuAD exact match and F1, alias accuracy, refusals, retrieval ranks, citations, latency."""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence

from rag.citations import claims_for
from rag.text import content_words
from rag.types import Citation

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = set(string.punctuation) | set("“”‘’–—…")
# Phrasings of "not in the articles" that any pipeline (ours or a bracket) may use.
_REFUSAL_PHRASES = re.compile(
    r"couldn.?t find that in the articles|(do|does|did) not (know|say|mention|specify|provide|contain|state)|"
    r"don.?t know|not (mentioned|stated|specified|provided)|no information|cannot be determined|"
    r"not enough information|unable to (find|answer|determine)",
    re.IGNORECASE,
)


def normalize_answer(text: str) -> str:
    """The official SQuAD normalisation: lowercase, drop punctuation and articles, collapse whitespace."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in _PUNCT)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str, aliases: Sequence[str]) -> float:
    """1.0 when the normalised prediction equals a normalised alias."""
    pred = normalize_answer(prediction)
    return float(any(pred == normalize_answer(a) for a in aliases))


def f1_score(prediction: str, aliases: Sequence[str]) -> float:
    """Best token-overlap F1 over the aliases."""
    pred = normalize_answer(prediction).split()
    best = 0.0
    for alias in aliases:
        gold = normalize_answer(alias).split()
        common = Counter(pred) & Counter(gold)
        same = sum(common.values())
        if not pred or not gold or same == 0:
            continue
        precision, recall = same / len(pred), same / len(gold)
        best = max(best, 2 * precision * recall / (precision + recall))
    return best


def _spaced(text: str) -> str:
    # Like normalize_answer, but punctuation becomes a space, so "52-year-old" still holds the word "52".
    text = "".join(" " if ch in _PUNCT else ch for ch in text.lower())
    return " ".join(_ARTICLES.sub(" ", text).split())


def contains_alias(text: str, aliases: Sequence[str]) -> bool:
    """Whether a normalised alias occurs in the normalised text on word boundaries."""
    hay = f" {_spaced(text)} "
    return any(_spaced(a) and f" {_spaced(a)} " in hay for a in aliases)


def looks_like_refusal(text: str) -> bool:
    """Whether an answer declines to answer (our fixed sentence or a common paraphrase)."""
    return bool(_REFUSAL_PHRASES.search(text))


def first_relevant_rank(sources: Sequence[str], gold_docs: Sequence[str]) -> int | None:
    """1-based rank of the first retrieved passage whose file is a gold document."""
    wanted = set(gold_docs)
    for rank, source in enumerate(sources, start=1):
        if source in wanted:
            return rank
    return None


def citation_valid(c: Citation, answer_text: str, aliases: Sequence[str], evidence: Sequence[str]) -> bool:
    """A citation holds when its passage contains an alias or an evidence span, or supports its sentence."""
    if contains_alias(c.snippet, aliases) or contains_alias(c.snippet, evidence):
        return True
    claim = claims_for(answer_text).get(c.marker, "")
    words = content_words(claim)
    return bool(words) and len(words & content_words(c.snippet)) / len(words) >= 0.5


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation; None for no values."""
    data = sorted(v for v in values if v is not None)
    if not data:
        return None
    pos = (len(data) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)
