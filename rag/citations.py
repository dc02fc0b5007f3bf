"""Citation markers: keep those that point at a passage, drop the rest, and find the supporting sentence."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rag.text import content_words, sentence_spans
from rag.types import Citation, ScoredChunk

MARKER = re.compile(r"\[(\s*\d{1,3}\s*(?:[,;]\s*\d{1,3}\s*)*)\]")
_MAX_MARKER = 16  # longest bracket text we hold back while streaming


def _numbers(inner: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", inner)]


def _rewrite(match_text: str, keeps: Callable[[int], bool]) -> str:
    """A marker with the numbers `keeps` refuses removed ("" when none is left)."""
    m = MARKER.fullmatch(match_text)
    if not m:
        return match_text
    keep: list[int] = []
    for n in _numbers(m.group(1)):
        if keeps(n) and n not in keep:
            keep.append(n)
    return "".join(f"[{n}]" for n in keep)


def _tidy(text: str) -> str:
    """No space left before punctuation where a marker was removed."""
    return re.sub(r"[ \t]+([.,;:!?])", r"\1", text)


def clean_markers(text: str, valid: int) -> str:
    """Normalise markers to [n][m] form and remove any that point at no passage."""
    out = MARKER.sub(lambda m: _rewrite(m.group(0), lambda n: 1 <= n <= valid), text)
    return _tidy(out) if out != text else out


def drop_markers(text: str, dropped: set[int]) -> str:
    """The text without its markers of the passages `dropped`, the others kept as [n][m]."""
    out = MARKER.sub(lambda m: _rewrite(m.group(0), lambda n: n not in dropped), text)
    return _tidy(re.sub(r"[ \t]{2,}", " ", out)) if out != text else out


def strip_markers(text: str) -> str:
    """The text with every marker removed (for conversation history)."""
    return re.sub(r"\s+([.,;:!?])", r"\1", MARKER.sub("", text)).strip()


class MarkerFilter:
    """Streams text through, holding back a possible marker until it is complete, then cleaning it."""

    def __init__(self, valid: int) -> None:
        self.valid = valid
        self._held = ""

    def feed(self, piece: str) -> str:
        """Text that is safe to show now."""
        text = self._held + piece
        self._held = ""
        out: list[str] = []
        i = 0
        while i < len(text):
            j = text.find("[", i)
            if j < 0:
                out.append(text[i:])
                break
            out.append(text[i:j])
            k = text.find("]", j)
            if k < 0:
                tail = text[j:]
                if len(tail) <= _MAX_MARKER and re.fullmatch(r"\[[\d\s,;]*", tail):
                    self._held = tail  # may still become a marker
                else:
                    out.append(tail)
                break
            out.append(_rewrite(text[j : k + 1], lambda n: 1 <= n <= self.valid))
            i = k + 1
        return "".join(out)

    def flush(self) -> str:
        """Whatever is still held at the end of the stream."""
        held, self._held = self._held, ""
        return held


def cited_numbers(text: str) -> list[int]:
    """Passage numbers cited in a text, in order of first appearance."""
    seen: list[int] = []
    for m in MARKER.finditer(text):
        for n in _numbers(m.group(1)):
            if n not in seen:
                seen.append(n)
    return seen


def _claim_before(text: str, pos: int) -> str:
    """The sentence a marker at `pos` is attached to: the text since the previous sentence end, markers removed."""
    before = MARKER.sub("", text[:pos]).rstrip()
    cut = max(before.rfind(". "), before.rfind("! "), before.rfind("? "), before.rfind("\n"))
    return before[cut + 1 :].strip()


def claims_for(text: str) -> dict[int, str]:
    """For each cited number, the answer text it is attached to (the sentence before the marker)."""
    claims: dict[int, list[str]] = {}
    for m in MARKER.finditer(text):
        claim = _claim_before(text, m.start())
        for n in _numbers(m.group(1)):
            claims.setdefault(n, []).append(claim)
    return {n: " ".join(c) for n, c in claims.items()}


def best_support(claim: str, passage_text: str) -> tuple[int, int] | None:
    """Span (in the passage) of the sentence sharing the most content words with the claim."""
    wanted = content_words(claim)
    if not wanted:
        return None
    best: tuple[float, int, int] | None = None
    for s, e in sentence_spans(passage_text):
        overlap = len(wanted & content_words(passage_text[s:e]))
        if overlap and (best is None or overlap > best[0]):
            best = (overlap, s, e)
    return None if best is None else (best[1], best[2])


MIN_SUPPORT = 0.5  # default share of a sentence's content words a passage must hold to be cited for it


def _shares(words: set[str], vocab: list[set[str]]) -> list[float]:
    """For each passage vocabulary, the share of `words` it contains."""
    return [len(words & v) / len(words) for v in vocab]


def attribute(text: str, passages: Sequence[ScoredChunk], min_support: float = MIN_SUPPORT) -> str:
    """Add a marker to each answer sentence the model left uncited, when one passage clearly supports it."""
    if not passages:
        return text
    vocab = [content_words(p.chunk.text) for p in passages]
    out: list[str] = []
    last = 0
    for s, e in sentence_spans(text):
        sentence = text[s:e]
        after = text[e : e + 2]
        if MARKER.search(sentence) or after.lstrip().startswith("["):
            continue
        words = content_words(sentence)
        if len(words) < 2:
            continue
        shares = _shares(words, vocab)
        best = max(range(len(shares)), key=lambda i: shares[i])
        if shares[best] < min_support:
            continue
        cut = e - 1 if sentence[-1] in ".!?" else e
        out.append(text[last:cut] + f" [{best + 1}]")
        last = cut
    out.append(text[last:])
    return "".join(out)


_GROUP = re.compile(rf"{MARKER.pattern}(?:\s*{MARKER.pattern})*")


def repoint(text: str, passages: Sequence[ScoredChunk], min_support: float = MIN_SUPPORT) -> str:
    """Move a citation that no cited passage supports to the one passage that clearly does.

    Small models often write the right sentence with the wrong number. A group of markers is changed only when
    none of its passages holds half of the sentence's content words and another passage does; otherwise the
    model's choice stands (paraphrase defeats word overlap, so this never removes a supported citation).
    """
    if not passages:
        return text
    vocab = [content_words(p.chunk.text) for p in passages]

    def fix(m: re.Match[str]) -> str:
        words = content_words(_claim_before(text, m.start()))
        if len(words) < 2:
            return m.group()
        shares = _shares(words, vocab)
        cited = [n for n in cited_numbers(m.group()) if 1 <= n <= len(passages)]
        if any(shares[n - 1] >= min_support for n in cited):
            return m.group()
        best = max(range(len(shares)), key=lambda i: shares[i])
        return f"[{best + 1}]" if shares[best] >= min_support else m.group()

    return _GROUP.sub(fix, text)


def cite_only(text: str, number: int) -> str:
    """The text with its markers replaced by the one marker [number], where their first group stood."""
    first = _GROUP.search(text)
    if not first:
        return text
    rest = MARKER.sub("", text[first.end() :])
    return _tidy(re.sub(r"[ \t]{2,}", " ", f"{text[: first.start()]}[{number}]{rest}")).rstrip()


def resolve(text: str, passages: Sequence[ScoredChunk], model_text: str | None = None) -> list[Citation]:
    """Citations for every valid marker in a cleaned answer, in order of first appearance.

    Markers absent from `model_text` (the model's own words) are flagged as inferred.
    """
    own = set(cited_numbers(model_text if model_text is not None else text))
    claims = claims_for(text)
    citations = []
    for n in cited_numbers(text):
        if not 1 <= n <= len(passages):
            continue
        chunk = passages[n - 1].chunk
        span = best_support(claims.get(n, ""), chunk.text)
        citations.append(
            Citation(
                marker=n,
                chunk_id=chunk.id,
                doc_id=chunk.doc_id,
                title=chunk.title,
                source=chunk.source,
                start=chunk.start,
                end=chunk.end,
                snippet=chunk.text,
                support_start=chunk.start + span[0] if span else None,
                support_end=chunk.start + span[1] if span else None,
                inferred=n not in own,
            )
        )
    return citations
