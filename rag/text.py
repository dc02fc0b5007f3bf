"""Text helpers shared by the stages: sentence spans and content words."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[0-9a-z]+(?:['’][a-z]+)?")
STOPWORDS = frozenset(
    """a an the and or but of to in on at for from by with as is are was were be been being it its this that
    these those he she they them his her their who whom which what when where why how do does did has have
    had not no yes i you we our your my me us there here than then so such into about after before over
    under also according said says""".split()
)
# A sentence ends at . ! ? or … (with any closing quotes or brackets) before white space, or at a line break.
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+|\s*\n\s*")
# Words whose trailing full stop does not end a sentence ("Mr. Kim", "U.S. officials", "Jan. 5").
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|Gen|Lt|Col|Capt|Sgt|Sen|Rep|Gov|Rev|No|Vol|vs|etc|Inc|Corp|Ltd|Co|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z]|(?:\b[A-Za-z]\.)+[A-Za-z])\.$"
)


def content_words(text: str) -> set[str]:
    """Lowercased words of a text without stopwords."""
    return {w for w in _WORD.findall(text.lower()) if w not in STOPWORDS}


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def stems(text: str) -> set[str]:
    """The Snowball stems of a text's content words: "opened" and "open" are one, "defection" and "defected"."""
    return set(_stemmer().stemWords(sorted(content_words(text))))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a text, not cut after common abbreviations or initials."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        piece = text[start : m.start()]
        if "\n" not in m.group() and _ABBREVIATION.search(piece):
            continue  # "Mr." or "U.S." - the sentence goes on
        if piece.strip():
            spans.append((start, m.start() + len(m.group()) - len(m.group().lstrip("\"”’)]"))))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(s, e) for s, e in spans if e > s]
