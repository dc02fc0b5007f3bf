"""Answering a question: retrieve, prompt, generate with streaming, and resolve citations."""

from __future__ import annotations

import re
import time
from collections.abc import Generator as Gen
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from rag.citations import Citation, MarkerFilter, attribute, clean_markers, repoint, resolve, strip_markers
from rag.excerpts import Excerpter
from rag.llm import Generator
from rag.prompting import REFUSAL, Turn, build_prompt, without_citation_rule
from rag.retrieve import PassageSource, retrieval_query
from rag.store import ScoredChunk

_WORDY = re.compile(r"\w")
# A small model sometimes echoes a passage header ("[2] (from \"Title\")") instead of answering.
_HEADER_ECHO = re.compile(r'\(from "[^"]*"\)?')
_HEADER_START = re.compile(r'\((?:f(?:r(?:o(?:m(?:\s+"[^"]*)?)?)?)?)?')
_REFUSAL_KEY = re.sub(r"\W+", " ", REFUSAL.lower()).strip()


@dataclass(frozen=True)
class Timings:
    """Where the time of one answer went."""

    retrieval_ms: float = 0.0
    excerpt_ms: float = 0.0
    first_token_ms: float | None = None
    total_ms: float = 0.0
    completion_tokens: int = 0
    tokens_per_s: float | None = None


@dataclass(frozen=True)
class Answer:
    """An answer with its citations, the passages it was given, and timings."""

    question: str
    text: str
    citations: list[Citation]
    passages: list[ScoredChunk]
    refused: bool
    timings: Timings
    model: str
    retrieval_query: str = ""
    retrieved: list[ScoredChunk] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        data = asdict(self)
        for citation, raw in zip(self.citations, data["citations"], strict=True):
            raw["support"] = citation.support
        return data


@dataclass(frozen=True)
class Retrieved:
    """Event: the passages chosen for the prompt."""

    passages: list[ScoredChunk]
    ms: float


@dataclass(frozen=True)
class Token:
    """Event: a piece of answer text that is safe to show."""

    text: str


@dataclass(frozen=True)
class Done:
    """Event: the finished answer."""

    answer: Answer


Event = Retrieved | Token | Done


def _has_words(text: str) -> bool:
    """Whether a text says anything beyond citation markers and echoed passage headers (even half-streamed)."""
    rest = _HEADER_ECHO.sub("", strip_markers(text)).strip()
    if _HEADER_START.fullmatch(rest):
        return False
    return bool(_WORDY.search(rest))


def is_refusal(text: str, citations: list[Citation]) -> bool:
    """The model said the articles lack the answer: it led with the fixed sentence, or said it and cited nothing."""
    flat = re.sub(r"\W+", " ", text.lower()).strip()
    if flat.startswith(_REFUSAL_KEY):
        return True
    return _REFUSAL_KEY in flat and not citations


@dataclass
class Pipeline:
    """Retriever + prompt + generator: the one code path that the CLI, UI and evaluation share."""

    retriever: PassageSource
    generator: Generator
    max_answer_tokens: int = 384
    temperature: float = 0.0
    history_turns: int = 3
    min_score: float = 0.1
    refusal: str = field(default=REFUSAL)
    excerpter: Excerpter | None = None

    def ask_stream(
        self, question: str, history: list[Turn] | None = None, k: int | None = None
    ) -> Iterator[Event]:
        """Answer a question, yielding the passages, then text pieces, then the finished Answer."""
        started = time.perf_counter()
        question = question.strip()
        history = list(history or [])[-self.history_turns :] if self.history_turns else []
        query = retrieval_query(question, [t.question for t in history])
        found = self.retriever.retrieve(query, k)
        # Passages below the floor are unrelated to the question (MiniLM scores unrelated text near 0).
        relevant = [p for p in found.passages if p.score >= self.min_score]
        narrowed = time.perf_counter()
        if self.excerpter is not None:
            relevant = self.excerpter.narrow(query, relevant, self.generator.count_tokens)
        excerpt_ms = (time.perf_counter() - narrowed) * 1000
        prompt = build_prompt(
            question,
            relevant,
            self.generator.count_tokens,
            context_length=self.generator.context_length,
            max_answer_tokens=self.max_answer_tokens,
            history=history,
        )
        passages = prompt.passages
        yield Retrieved(passages, found.ms)

        first: float | None = None
        n_tokens = 0
        if passages:
            model_raw, n_tokens, first = yield from self._stream(prompt.messages, len(passages))
            if first is None:
                # Only bare markers came back (small models do this): ask again for plain prose, whose
                # citations are then attached by lexical support. The passages prefix stays cached.
                retry = without_citation_rule(prompt, question)
                model_raw, extra, first = yield from self._stream(retry.messages, len(passages))
                n_tokens += extra
        else:
            # Nothing to answer from: say so without asking the model to guess.
            first = time.perf_counter()
            model_raw = self.refusal
            yield Token(self.refusal)
        end = time.perf_counter()

        model_text = clean_markers(model_raw.strip(), len(passages))
        # No words even after asking again: there is no answer to show, so say so plainly.
        refused = first is None or is_refusal(model_text, resolve(model_text, passages))
        if refused:
            text, citations = self.refusal, []
        else:
            text = attribute(repoint(model_text, passages), passages)
            citations = resolve(text, passages, model_text)
        decode_s = end - first if first is not None else 0.0
        timings = Timings(
            retrieval_ms=found.ms,
            excerpt_ms=excerpt_ms,
            first_token_ms=(first - started) * 1000 if first is not None else None,
            total_ms=(end - started) * 1000,
            completion_tokens=n_tokens,
            tokens_per_s=(n_tokens - 1) / decode_s if n_tokens > 1 and decode_s > 0 else None,
        )
        answer = Answer(
            question=question,
            text=text,
            citations=citations,
            passages=passages,
            refused=refused,
            timings=timings,
            model=self.generator.name,
            retrieval_query=query,
            retrieved=found.passages,
        )
        yield Done(answer)

    def _stream(
        self, messages: list[dict[str, str]], valid: int
    ) -> Gen[Token, None, tuple[str, int, float | None]]:
        """Stream one generation; leading bare markers are held back until words arrive.

        Returns the raw text, the number of pieces, and when the first shown text appeared (None if no words).
        """
        flt = MarkerFilter(valid)
        raw: list[str] = []
        pending = ""
        first: float | None = None
        for piece in self.generator.stream(messages, max_tokens=self.max_answer_tokens, temperature=self.temperature):
            raw.append(piece)
            shown = flt.feed(piece)
            if first is None:
                pending += shown
                if not _has_words(pending):
                    continue
                shown, pending = pending, ""
                first = time.perf_counter()
            if shown:
                yield Token(shown)
        tail = pending + flt.flush() if first is None else flt.flush()
        if first is None and _has_words(tail):
            first = time.perf_counter()
        if first is not None and tail:
            yield Token(tail)
        return "".join(raw), len(raw), first

    def ask(self, question: str, history: list[Turn] | None = None, k: int | None = None) -> Answer:
        """Answer a question without streaming."""
        for event in self.ask_stream(question, history, k):
            if isinstance(event, Done):
                return event.answer
        raise AssertionError("ask_stream ended without an answer")
