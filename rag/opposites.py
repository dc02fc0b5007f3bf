"""A question that asks about the opposite of what the passages say.

Adversarial unanswerable questions (SQuAD 2.0 wrote a fifth of its own this way) take a sentence of the article and
turn one word into its opposite: "How are the parcels delivered indirectly?" over a passage that says they are
delivered directly; "the least visited branch" over "the most visited". The model answers them from the sentence
they were made from. Caught here: a word of the question that the passages do not use in its place (beside the
word the question has beside it), while they use its opposite there, either by a negating prefix ("indirectly" /
"directly", "dependent" / "independent", "non-binary" / "binary") or as one of a few superlatives and directions
that only ever mean the reverse ("least" / "most").

Literal, so kept narrow: a prefixed word counts only with the ending of an adjective, adverb or quality (so
"discover" is not "cover" negated, nor "information" "formation"), the word without its prefix has at least five
letters, and a passage that writes the plain word after "not" or "no" ("not possible") says what the question
says. Chosen on squad2-complexity's dev split (docs/evaluation.md, "Opposite words").

Also here (`negated`): a question that is a passage sentence with "not" added ("What does not induce a proper
hierarchy?" where the passage says what does), the other way SQuAD 2.0 reversed its sentences (docs/evaluation.md,
"Negated questions").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import NamedTuple

from rag.text import sentence_spans, stems

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
    ("increasing", "decreasing"), ("past", "future"), ("input", "output"), ("inputs", "outputs"), ("more", "less"),
    ("harder", "easier"), ("hardest", "easiest"),
)
OPPOSITE: dict[str, set[str]] = {}
for _a, _b in PAIRS:
    OPPOSITE.setdefault(_a, set()).add(_b)
    OPPOSITE.setdefault(_b, set()).add(_a)

# Superlatives: a sentence that ranks both ends ("the best record; Rovers had the worst") answers either.
SUPERLATIVES = {w for pair in PAIRS for w in pair
                if w.endswith("est") or w in ("most", "least", "worst", "minimum", "maximum")}
# Comparatives: the converse of a comparison answers the reversed question ("more than" read backwards is "less
# than"), so they count as opposites only where the question compares the same thing as the passages (`_compared`).
COMPARATIVES = {"more", "less", "harder", "easier", "fewer"}
_THAN = re.compile(r"\bthan\s+(?:the\s+)?([\w'’-]+)", re.IGNORECASE)


def _compared(question: str, sources: tuple[str, ...]) -> bool:
    """Whether a question compares something the passages compare with another: it offers a choice ("Who earns
    less, nurses or doctors?"), or it compares with another thing than the passages do ("less than Germany" over
    "Germany spent more than France"). A comparison with the same thing ("a factor more than k" over "a factor less
    than k") is the passage's, reversed."""
    if re.search(r"\bor\b", question, re.IGNORECASE):
        return True
    m = _THAN.search(question)
    if m is None:
        return False
    same = re.compile(r"\bthan\s+(?:the\s+)?" + re.escape(m.group(1)) + r"\b", re.IGNORECASE)
    return not any(same.search(text) for text in sources)


# A question answered by yes or no: an opposite in the passages is its answer ("No: the court ruled it illegal").
_YES_NO = re.compile(r"\s*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|may|might|must|"
                     r"isn't|aren't|wasn't|weren't|don't|doesn't|didn't|hasn't|haven't)\b", re.IGNORECASE)

NEGATIONS = {"not", "no", "never", "cannot", "non"}
# Words too common to place a word by: the place is the nearest other word on each side. Narrower than
# rag.text.STOPWORDS on purpose: with those (prepositions such as "about" skipped too) an answerable squad2 dev
# question fired ("unknown about the complexity classes" against "known complexity classes").
GLUE = {"a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "with", "from", "and", "or", "as", "is", "are",
        "was", "were", "be", "been", "being", "it", "its", "that", "this", "these", "those", "what", "which", "who",
        "whom", "whose", "how", "when", "where", "why", "do", "does", "did", "has", "have", "had", "can", "could",
        "will", "would", "may", "might", "should", "there", "their", "they", "than", "then", "also", "very"}
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*[a-z0-9]|[a-z0-9]")


def _words(text: str) -> list[str]:
    """Lower-case words; a hyphenated word is its parts ("worst-case" is "worst", "case"), except after "non"."""
    out: list[str] = []
    for word in _WORD.findall(text.lower().replace("\u2019", "'")):
        out += [word] if word.startswith("non-") else [p for p in word.split("-") if p]
    return out


def _places(words: list[str], i: int) -> tuple[str | None, str | None]:
    """The nearest word before and after words[i] that is not glue (walking outwards, no copies of the list)."""
    before = next((words[j] for j in range(i - 1, -1, -1) if words[j] not in GLUE), None)
    after = next((words[j] for j in range(i + 1, len(words)) if words[j] not in GLUE), None)
    return before, after


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


class Opposite(NamedTuple):
    """A word of the question, the opposite word the passages use in its place, and the word beside both."""

    asked: str
    said: str
    beside: str
    beside_after: bool  # the word beside them comes after them ("most recent"), else before ("encoded directly")

    def phrases(self) -> tuple[str, str]:
        """The question's phrase and the passages' ("least recent", "most recent")."""
        if self.beside_after:
            return f"{self.asked} {self.beside}", f"{self.said} {self.beside}"
        return f"{self.beside} {self.asked}", f"{self.beside} {self.said}"


_Index = tuple[dict[tuple[str, int], set[str]], dict[tuple[str, int], set[str]], dict[str, list[str]]]


@functools.lru_cache(maxsize=8)
def _index(sources: tuple[str, ...]) -> _Index:
    """Where the passages use each word: (a word, -1 before / +1 after) -> the words there, everywhere and where
    the word is not negated; and each plain word -> the passages' words that negate it by a prefix. Kept for the
    last few passage sets: in library mode every question reads the same whole library."""
    used: dict[tuple[str, int], set[str]] = {}
    beside: dict[tuple[str, int], set[str]] = {}
    for text in sources:
        words = _words(text)
        for i, w in enumerate(words):
            negated = bool(i and words[i - 1] in NEGATIONS)
            for side, place in zip((-1, 1), _places(words, i), strict=True):
                if place is not None:
                    used.setdefault((w, side), set()).add(place)
                    if not negated:
                        beside.setdefault((w, side), set()).add(place)
    prefixed: dict[str, list[str]] = {}
    for w in sorted({w for w, _ in beside}):
        for base in _unprefixed(w):
            prefixed.setdefault(base, []).append(w)
    return used, beside, prefixed


def opposites(question: str, sources: Iterable[str]) -> list[Opposite]:
    """Each word of the question that the passages do not use in its place (beside the words the question has
    beside it) while they use its opposite there, not right after a negation ("encoded indirectly" asked, "encoded
    directly" written). None where the opposite is the answer: a question answered by yes or no, a comparison with
    another thing than the passages' or a choice (`_compared`), a superlative the same sentence also says."""
    if _YES_NO.match(question):
        return []  # "Was the strike legal?" over "the court ruled it illegal": the answer is "no"
    sources = tuple(sources)
    used, beside, prefixed = _index(sources)
    asked = _words(question)
    compared = _compared(question, sources)
    found: list[Opposite] = []
    for i, word in enumerate(asked):
        if compared and word in COMPARATIVES:
            continue  # "Which country spent less than Germany?" over "Germany spent more than France"
        places = [(side, place) for side, place in zip((-1, 1), _places(asked, i), strict=True) if place is not None]
        if not word.endswith("ly"):  # quoted with the word it qualifies: "least important", "encoded indirectly"
            places.reverse()
        if any(place in used.get((word, side), ()) for side, place in places) or any(word == o.asked for o in found):
            continue  # the passages use the word itself there
        candidates = [*_unprefixed(word), *sorted(OPPOSITE.get(word, ()))]
        candidates += prefixed.get(word, [])  # "dependent" asked, "independent" said
        hit = next(((c, side, place) for c in candidates for side, place in places
                    if place in beside.get((c, side), ())), None)
        if hit is not None and not (word in SUPERLATIVES and _said_beside(word, hit[0], hit[2], sources)):
            found.append(Opposite(word, hit[0], hit[2], hit[1] == 1))
    return found


@functools.lru_cache(maxsize=64)
def _said_beside(word: str, said: str, place: str, sources: tuple[str, ...]) -> bool:
    """Whether a passage sentence that says the opposite in the question's place says the question's word too, or
    another of its side: "United had the best record; Rovers had the worst" answers who had the worst record, "the
    most populated region; the islands have the fewest people" which is the least populated."""
    side = OPPOSITE.get(said, set()) | {word}  # the words opposite to what the passage says there
    for text in sources:
        for start, end in sentence_spans(text):
            words = set(_words(text[start:end]))
            if {said, place} <= words and side & words:
                return True
    return False


def opposite_reason(found: list[Opposite], where: str = "The articles") -> str:
    """Plain words for a refusal: what the passages say instead ("The articles say “most recent”, not “least
    recent”.")."""
    asked, said = found[0].phrases()
    return f"{where} say \u201c{said}\u201d, not \u201c{asked}\u201d."


# A question that adds "not" to what the passages say: "What does not induce a proper hierarchy on the classes?"
# over "The hierarchy theorems induce a proper hierarchy on the classes." SQuAD 2.0 wrote many of its unanswerable
# questions this way; the model answers them from the sentence they were made from, often with the negation
# copied in ("The hierarchy theorems do not induce ..."), the reverse of what the passage says.
_NEGATOR = re.compile(r"\b(?:not|never|no|cannot)\b|n['\u2019]t\b", re.IGNORECASE)
# The share of the question's content words (Snowball stems, negation and glue left out) that one passage sentence
# must state for the question to be that sentence with a negation added; and the fewest content words a question
# needs for the share to mean anything. Chosen on squad2-complexity's dev split (docs/evaluation.md, "Negated
# questions"): every answerable question with a negation there shares at most half its words with a sentence.
NEGATED_SHARE = 0.75
NEGATED_MIN_WORDS = 3
# Words that say who or what did not, or that something stopped: beside them, a negated question asks about the
# ones left out or what stopped ("What did the crews not do for two days?" over "Crews stopped work for two days"),
# which the passages do answer. Chosen with 15 news questions with a negation written over the distractor briefs
# (docs/evaluation.md, "Negated questions"); one of squad2's 36 dev catches has one near its sentence.
_LEFT_OUT = re.compile(
    r"\b(?:except|excluding|declin\w*|refus\w*|reject\w*|fail\w*|oppos\w*|abstain\w*|boycott\w*|withdr[ae]w\w*|"
    r"exempt\w*|absent|neither|nor|instead|rather than|other than|apart from|vot\w* against|"
    r"stop\w*|cut|cuts|cutting|end|ends|ended|ending|cancel\w*|halt\w*|suspend\w*|scrap\w*|dropp?\w*|lost|lose|"
    r"loses|losing|lack\w*|miss\w*|ban|bans|banned|shut\w*|quit\w*|ceas\w*|denie[sd]|deny\w*|postpon\w*|"
    r"unable|barred|blocked|skipp\w*|refund\w*)\b", re.IGNORECASE)


_SPLIT = {"cannot": "can", "can't": "can", "won't": "will", "shan't": "shall"}


def _without_negation(text: str) -> str:
    """The text with its negations left out ("cannot" is "can", "doesn't" is "does"), so that the words the
    question and a sentence share are counted apart from them."""
    text = re.sub(r"\b(?:cannot|can['\u2019]t|won['\u2019]t|shan['\u2019]t)\b",
                  lambda m: _SPLIT[m.group().lower().replace("\u2019", "'")], text, flags=re.IGNORECASE)
    return _NEGATOR.sub(" ", text)


class Negated(NamedTuple):
    """The passage sentence that states what the question asks with a negation added, without one."""

    sentence: str
    share: float


def negated(question: str, sources: Iterable[str]) -> Negated | None:
    """The passage sentence that a negated question was made from, when the passages state it only without the
    negation: at least NEGATED_SHARE of the question's content words in one sentence with no "not", "no", "never"
    or "n't", no sentence that states as much with one, and no word of refusing or leaving out in that sentence or
    the next ("Twelve countries signed the pact; Norway declined." answers which country did not sign it)."""
    if _YES_NO.match(question):
        return None  # "Did the council not approve the budget?" over "it rejected the budget": the answer is "yes"
    if not _NEGATOR.search(question):
        return None
    asked = stems(_without_negation(question))
    if len(asked) < NEGATED_MIN_WORDS:
        return None
    best: Negated | None = None
    after = ""  # the sentence after the best one, in its passage
    said_negated = 0.0
    for text in sources:
        spans = sentence_spans(text)
        for n, (start, end) in enumerate(spans):
            sentence = text[start:end].strip()
            share = len(asked & stems(_without_negation(sentence))) / len(asked)
            if share < NEGATED_SHARE:
                continue
            if _NEGATOR.search(sentence):
                said_negated = max(said_negated, share)
            elif best is None or share > best.share:
                best = Negated(sentence, share)
                after = text[spans[n + 1][0] : spans[n + 1][1]] if n + 1 < len(spans) else ""
    if best is None or best.share <= said_negated or _LEFT_OUT.search(f"{best.sentence} {after}"):
        return None
    return best


def negated_reason(found: Negated, where: str = "The articles", limit: int = 160) -> str:
    """Plain words for a refusal: the sentence the passages say, the other way round from the question."""
    sentence = found.sentence if len(found.sentence) <= limit else found.sentence[:limit].rsplit(" ", 1)[0] + " \u2026"
    return f"{where} only say it the other way round: \u201c{sentence}\u201d"
