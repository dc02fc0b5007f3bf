"""Answering a question: the steps before generation, the streamed generation, and the grounding stage after."""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterator
from collections.abc import Generator as Gen
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag.citations import MarkerFilter, strip_markers
from rag.embeddings import Embedder
from rag.errors import QuestionError
from rag.excerpts import Excerpter
from rag.gate import ANSWERABILITY, FORGIVEN, Gate
from rag.grounding import Grounder, nearness
from rag.judgement import BEFORE, PLAIN, Calibration, after_scores, before_scores, plain_reason, score_check
from rag.library import Library, LibraryCache
from rag.llm import Generator, Judge, PassageReading, Placed, PrefixCaching
from rag.preread import companies, unit
from rag.prompting import (
    PASSAGES_HEADING,
    QUESTION,
    QUESTION_LEAD,
    REFUSAL,
    Prompt,
    build_library_prompt,
    build_prompt,
    stitched_passages,
    verification_check,
    without_citation_rule,
)
from rag.retrieve import PassageSource, Retrieval, focused, retrieval_query
from rag.specifics import missing_reason, missing_specifics
from rag.store import VectorStore
from rag.timing import Stopwatch
from rag.types import Answer, Check, Done, Event, Retrieved, Retry, ScoredChunk, Token, Turn, stated_by

log = logging.getLogger(__name__)

RETRIED = "retried"  # Check kind: a library-mode answer withdrawn (why, and its text) and asked again
# An answer asked again after one was withdrawn stands only when it is more likely right than wrong (its calibrated
# P(correct)): the assistant has already doubted one answer to the question.
SECOND_LOOK_P = 0.5
VERIFIED = "verified"  # Check kind: the model's P(yes), after answering, that the passages state its answer
EMPTY_LIBRARY = "The library is empty: add articles with `rag ingest PATH` (or in the Library tab)."

_WORDY = re.compile(r"\w")
# A small model sometimes echoes a passage header ("[2] (from \"Title\")") instead of answering.
_HEADER_ECHO = re.compile(r'\(from "[^"]*"\)?')
_HEADER_START = re.compile(r'\((?:f(?:r(?:o(?:m(?:\s+"[^"]*)?)?)?)?)?')


def _has_words(text: str) -> bool:
    """Whether a text says anything beyond citation markers and echoed passage headers (even half-streamed)."""
    rest = _HEADER_ECHO.sub("", strip_markers(text)).strip()
    if _HEADER_START.fullmatch(rest):
        return False
    return bool(_WORDY.search(rest))


@dataclass(frozen=True)
class Prepared:
    """Everything decided before the model writes: the search, the passages, the prompt, and the gate's verdict."""

    question: str
    history: list[Turn]
    query: str
    found: Retrieval
    prompt: Prompt
    excerpt_ms: float
    check_ms: float
    checks: list[Check]
    placed: Placed | None = None  # how the passages came into the model's cache (pre-read passages), if they did
    scores: dict[str, float] = field(default_factory=dict)  # the judgement's numbers known before the answer

    @property
    def refusal(self) -> Check | None:
        """The gate's refusal, if any."""
        return next((c for c in self.checks if c.kind == "refused"), None)


@dataclass(frozen=True)
class TypedHead:
    """A typed question's prompt up to its own words: the messages before its message, and how that one starts."""

    messages: list[dict[str, str]]
    lead: str
    passages: tuple[str, ...]  # their chunk ids, in prompt order
    prompt: Prompt | None = None  # with pre-read passages: the prompt whose passages are placed (read and kept)


VECTORS_KEPT = 20_000  # passage vectors kept for `Pipeline._companies` (384 floats each: about 30 MB)


@dataclass
class Pipeline:
    """Retriever, gate, prompt, generator and grounder: the one path the CLI, UI and evaluation share."""

    retriever: PassageSource
    generator: Generator
    grounder: Grounder
    excerpter: Excerpter | None = None
    gate: Gate | None = None
    max_answer_tokens: int = 384
    temperature: float = 0.0
    history_turns: int = 3
    follow_up_passages: int = 1  # "library" layout: new passages a follow-up adds to its conversation's
    conversation_passages: int = 8  # most passages a conversation keeps before a follow-up searches afresh
    store: VectorStore | None = None  # where a conversation's passages are looked up again (none: not kept)
    min_score: float = 0.1
    passage_tokens: int = 0
    refusal: str = field(default=REFUSAL)
    library: LibraryCache | None = None
    prefix_dir: Path | None = None  # where saved library prefixes (KV cache states) are kept
    library_hints: int = 0  # library mode: name this many of the best-ranked passages after the instruction
    # Library mode: an answer the cited-article check refuses (it cites an article without the question's year,
    # number or name) is asked again over the retrieved passages alone.
    library_retry: bool = False
    layout: str = "question"  # retrieved passages: "library" (first, in library order) or "question" (best first)
    verifier: Judge | None = None  # asked after answering whether the passages state the answer
    verify_threshold: float = 0.0  # below this P(yes), the answer is withdrawn
    preread_instruction: bool = True  # pre-read passages: the instruction after them is a pre-read piece too
    focus: bool = False  # retrieved passages: only the articles that state all of the question's specifics, if any
    scored: bool = False  # the checks give numbers that `calibration` weighs, instead of each refusing alone
    # The model's calibration: scored, it decides (None: numbers recorded, nothing refused by them); else the
    # literal checks decide and it reports P(correct) beside each answer.
    calibration: Calibration | None = None
    answer_threshold: float | None = None  # below this P(correct), refuse; None = the calibration's own
    # Pre-read passages: a passage's state serves only when its look-alikes before it (cosine >= this, by `embedder`)
    # are those it was read over (`rag.preread.companies`); 0 or no embedder = any state of it serves.
    preread_lookalike: float = 0.0
    embedder: Embedder | None = None
    _vectors: dict[tuple[str, int], np.ndarray] = field(default_factory=dict, init=False, repr=False)

    def warm(self) -> str | None:
        """Load the models and have the library prefix in the KV cache (restored from disk when saved)."""
        self.retriever.retrieve("warm", 1)  # the embedding model and the indexes, loaded before the first question
        library = self.library.get(self.generator.count_tokens) if self.library else None
        if library is None and self.layout == "library" and isinstance(self.generator, PassageReading):
            # Pre-read passages go behind the instructions: read those now, not with the first question.
            empty = build_prompt("", [], self.generator.count_tokens, context_length=self.generator.context_length,
                                 max_answer_tokens=self.max_answer_tokens, layout="library")
            self.generator.read_head(empty.messages, PASSAGES_HEADING)
            return None
        if library is None or not isinstance(self.generator, PrefixCaching):
            return None
        return self._ensure_prefix(library)

    def _ensure_prefix(self, library: Library) -> str:
        assert isinstance(self.generator, PrefixCaching)
        cache_file = None
        lead = QUESTION_LEAD + QUESTION  # the saved prefix runs through it: every question's message starts so
        if self.prefix_dir is not None:
            named = f"{self.generator.name}\n{self.generator.model_key()}\n{lead}\n{library.system}"
            key = hashlib.sha256(named.encode()).hexdigest()[:20]  # another model file or KV type: another file
            cache_file = self.prefix_dir / f"{key}.kvcache"
        status = self.generator.ensure_prefix([{"role": "system", "content": library.system}], cache_file, lead=lead)
        if status == "computed" and self.prefix_dir is not None:
            # Keep the few newest saved prefixes (one per library version and model); drop older ones.
            saved = sorted(self.prefix_dir.glob("*.kvcache"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in saved[3:]:
                old.unlink(missing_ok=True)
        log.info("library prefix (%d tokens): %s", library.tokens, status)
        return status

    def read_ahead(self, history: list[Turn]) -> int:
        """While the reader reads the last answer: have the prompt head of a follow-up in llama.cpp's cache (the
        library, this conversation as the follow-up will give it, the instruction), so that the follow-up reads
        only its own words. Library mode only, where a follow-up's passages are known before it is asked (the
        whole library). Returns the prompt tokens read (0 when there was nothing to read or nothing to do)."""
        if not history or self.history_turns <= 0 or self.passage_tokens > 0 or self.library is None \
                or not isinstance(self.generator, PrefixCaching):
            return 0
        library = self.library.get(self.generator.count_tokens)
        if library is None:
            return 0
        prompt = build_library_prompt(
            "", library.passages, self.generator.count_tokens, context_length=self.generator.context_length,
            max_answer_tokens=self.max_answer_tokens, history=self._recent(history),
            system=library.system,
        )
        return self._read_head(prompt.messages[:-1], self._follow_up_lead(), "read ahead for a follow-up")

    def _read_head(self, messages: list[dict[str, str]], lead: str, what: str,
                   stop: Callable[[], bool] | None = None) -> int:
        """`ensure_prefix` for a head read before its question is asked; the prompt tokens llama.cpp read."""
        assert isinstance(self.generator, PrefixCaching)
        before = getattr(self.generator, "tokens_read", 0)  # llama.cpp's count of prompt tokens read, in all
        status = self.generator.ensure_prefix(messages, lead=lead, stop=stop)
        read = getattr(self.generator, "tokens_read", 0) - before
        log.info("%s: %s, %d tokens", what, status, read)
        return read

    def _recent(self, history: list[Turn] | None) -> list[Turn]:
        """The turns of a conversation a prompt gives (`history_turns`, the newest)."""
        return list(history or [])[-self.history_turns :] if self.history_turns else []

    def typed_head(self, text: str, history: list[Turn] | None = None) -> TypedHead | None:
        """While a question is being typed: search with what is typed so far, and the prompt head its passages
        make (everything before the question's own words), for `read_typed`. None where there is nothing to read
        ahead: retrieved whole passages only (library mode's head is read already), and not without passages."""
        text = text.strip()
        if not text or not isinstance(self.generator, PrefixCaching) or self.passage_tokens > 0:
            return None
        if self.library is not None and self.library.get(self.generator.count_tokens) is not None:
            return None
        _, _, prompt, _ = self._prompt(text, self._recent(history), None, None)
        last = prompt.messages[-1]["content"]
        at = last.rfind(QUESTION)
        if not prompt.passages or at < 0:
            return None
        placing = prompt if self._placing(prompt) else None
        return TypedHead(prompt.messages[:-1], last[: at + len(QUESTION)], tuple(p.chunk.id for p in prompt.passages),
                         placing)

    def read_typed(self, head: TypedHead, stop: Callable[[], bool] | None = None) -> int:
        """Have a typed question's prompt head in llama.cpp's cache, so that the question, once sent, reads only its
        own words when its search finds the same passages (when not, it reads what differs, as without this).
        `stop` is asked every few tokens (more was typed, or the question was sent) and ends the reading when it
        says so; what was read stays. With pre-read passages, the passages are placed as a question places them,
        and each one read is kept as its state, so the question places it even when its search finds other
        passages around it. Returns the prompt tokens read."""
        what = f"read while typed ({len(head.passages)} passages)"
        if head.prompt is not None:
            placed = self._place(head.prompt, stop)
            if placed is not None:
                log.info("%s: %s, %d tokens", what, "stopped" if placed.stopped else "placed", placed.tokens_read)
                return placed.tokens_read
        if not isinstance(self.generator, PrefixCaching):
            return 0
        return self._read_head(head.messages, head.lead, what, stop)

    def _follow_up_lead(self) -> str:
        """How a follow-up's message starts: the instruction, and "Question: " when no hint line comes next."""
        return QUESTION_LEAD + ("" if self.library_hints else QUESTION)

    def _read_ahead_for(self, prompt: Prompt) -> bool:
        """Whether the KV cache holds this library-mode follow-up's head, read ahead (or kept from before): then
        the library prefix alone is not put back in its place."""
        if len(prompt.messages) <= 2 or not isinstance(self.generator, PrefixCaching):
            return False
        held = self.generator.ensure_prefix(prompt.messages[:-1], lead=self._follow_up_lead(), read=False)
        return held != "missing"

    def prepare(
        self, question: str, history: list[Turn] | None = None, k: int | None = None,
        passage_tokens: int | None = None, *, whole_library: bool = True,
    ) -> Prepared:
        """The steps before generation, in order: search text, retrieve, filter, narrow or take the whole
        library, prompt, gate. `whole_library` False: the retrieved passages, searched afresh, even when the library
        fits (a library-mode answer asked again)."""
        question = question.strip()
        if not question:
            raise QuestionError("the question is empty; type a question about your articles")
        # Room for the instructions, at least one passage and the answer; a longer question could only be refused.
        limit = self.generator.context_length - self.max_answer_tokens - 600
        size = self.generator.count_tokens(question)
        if size > limit:
            raise QuestionError(f"question too long ({size} tokens; at most {limit}); shorten it")
        history = self._recent(history)
        query, found, prompt, excerpt_ms = self._prompt(question, history, k, passage_tokens, whole_library)
        placed = self._place(prompt)  # reading passages (or placing their pre-read states): not a check's time
        started = time.perf_counter()
        checks = self.gate.check(question, prompt) if self.gate is not None and prompt.passages else []
        scores: dict[str, float] = {}
        if (self.scored or self.calibration is not None) and prompt.passages and not any(
                c.kind == "refused" for c in checks):
            p_yes = next((float(c.detail) for c in checks if c.kind == ANSWERABILITY), None)
            scores = before_scores(question, prompt.passages, found.passages, p_yes)
            if self.scored:
                checks += self._judge_before(question, prompt, scores)
        if not found.passages:
            checks = [Check("refused", EMPTY_LIBRARY, question)]
        check_ms = (time.perf_counter() - started) * 1000
        return Prepared(question, history, query, found, prompt, excerpt_ms, check_ms, checks, placed, scores)

    def _prompt(
        self, question: str, history: list[Turn], k: int | None, passage_tokens: int | None,
        whole_library: bool = True,
    ) -> tuple[str, Retrieval, Prompt, float]:
        """Search text, retrieval, the passages kept (the whole library when it fits, else the retrieved ones: a
        conversation's, focused or narrowed) and the prompt; the library's prefix put in the KV cache."""
        query = retrieval_query(question, [t.question for t in history])
        budget = self.passage_tokens if passage_tokens is None else passage_tokens
        found = self.retriever.retrieve(query, k)
        # Passages below the floor are unrelated to the question (MiniLM scores unrelated text near 0).
        relevant = [p for p in found.passages if p.score >= self.min_score]
        started = time.perf_counter()
        # The whole library, when it fits and something relevant was found; else the retrieved passages.
        library = self.library.get(self.generator.count_tokens) \
            if whole_library and self.library and budget <= 0 and relevant else None
        kept = self._follow_up(self._carried(history, budget), relevant) if library is None and whole_library else None
        if kept is not None:
            relevant = kept
        elif library is None and self.focus:
            relevant = focused(question, relevant)
        if kept is None and self.excerpter is not None and budget > 0:
            relevant = self.excerpter.narrow(query, relevant, self.generator.count_tokens, budget)
        excerpt_ms = (time.perf_counter() - started) * 1000
        if library is not None:
            number = {p.chunk.id: p.rank for p in library.passages}
            hints = [number[p.chunk.id] for p in relevant if p.chunk.id in number][: self.library_hints]
            prompt = build_library_prompt(
                question,
                library.passages,
                self.generator.count_tokens,
                context_length=self.generator.context_length,
                max_answer_tokens=self.max_answer_tokens,
                history=history,
                system=library.system,
                hints=hints,
            )
            if isinstance(self.generator, PrefixCaching) and not self._read_ahead_for(prompt):
                self._ensure_prefix(library)
        else:
            prompt = build_prompt(
                question,
                relevant,
                self.generator.count_tokens,
                context_length=self.generator.context_length,
                max_answer_tokens=self.max_answer_tokens,
                history=history,
                layout=self.layout,
                ordered=kept is not None,
            )
        return query, found, prompt, excerpt_ms

    def _notes(self, question: str, prompt: Prompt) -> dict[str, str]:
        """What a refusal says when a missing name or number of the question lowered P(correct) most."""
        sources = stated_by([p.chunk for p in prompt.passages])
        missing = missing_specifics(question, sources, asked=True)
        if not missing:
            return {}
        reason = missing_reason(question, missing, sources=sources)
        return {"missing_numbers": reason, "missing_names": reason}

    def _judge_before(self, question: str, prompt: Prompt, scores: dict[str, float]) -> list[Check]:
        """P(correct) from what is known before the answer; a refusal, without asking the model to write, when it
        is below the threshold of the fit for it."""
        if self.calibration is None:
            return []
        vetoed = [v for v in self.calibration.vetoes if v in BEFORE and scores.get(v, 0.0) > 0]
        if vetoed and self.answer_threshold != 0:
            reason = self._notes(question, prompt).get(vetoed[0]) or PLAIN.get(vetoed[0], PLAIN["answerable"])
            return [Check("refused", reason, question)]
        fit = self.calibration.before
        if fit is None:
            return []
        p = fit.p_correct(scores)
        threshold = 0.0 if self.answer_threshold == 0 else fit.threshold  # 0: record the numbers, refuse nothing
        out = [score_check(p, threshold, before=True)]
        if p < threshold:
            out.append(Check("refused", plain_reason(fit, scores, self._notes(question, prompt)), question))
        return out

    def _placing(self, prompt: Prompt) -> bool:
        """Whether this prompt's passages are placed from pre-read states (retrieved passages, first in it)."""
        return not prompt.library and isinstance(self.generator, PassageReading) \
            and getattr(self.generator, "passage_states", None) is not None and bool(stitched_passages(prompt))

    def _place(self, prompt: Prompt, stop: Callable[[], bool] | None = None) -> Placed | None:
        """Retrieved passages first in the prompt: have the model place their pre-read states (read in place and
        kept now when it has none), and the instruction after them, so the question reads only its own words. (With
        a conversation between them, the instruction is read: it would be a new piece each time.)"""
        if not self._placing(prompt):
            return None
        assert isinstance(self.generator, PassageReading)
        until = QUESTION if self.preread_instruction and len(prompt.messages) == 2 else ""
        placed = self.generator.place_passages(prompt.messages, stitched_passages(prompt), until, stop,
                                               self._companies(prompt.passages))
        if placed is not None and not placed.stopped:
            log.info("passages: %d cached, %d pre-read, %d read now (%d tokens)", placed.cached, placed.loaded,
                     placed.computed, placed.tokens_read)
        return placed

    def _companies(self, passages: list[ScoredChunk]) -> list[list[int]] | None:
        """Each passage's look-alikes before it in the prompt, the company its pre-read state must have been read in
        (None: any state serves). Vectors are the embedder's, kept by chunk id and text (a few KB each)."""
        if self.embedder is None or self.preread_lookalike <= 0:
            return None
        if len(passages) < 2:
            return [[] for _ in passages]  # alone: no look-alike before it (a state read over some does not serve)
        keys = [(p.chunk.id, hash(p.chunk.text)) for p in passages]
        kept = self._vectors
        new = [(k, p.chunk.text) for k, p in zip(keys, passages, strict=True) if k not in kept]
        if new:
            if len(kept) > VECTORS_KEPT:
                kept = self._vectors = {}
            for (key, _), vector in zip(new, unit(self.embedder.embed([t for _, t in new])), strict=True):
                kept[key] = vector
        return companies(np.stack([kept[k] for k in keys]), self.preread_lookalike)

    def _carried(self, history: list[Turn], budget: int) -> list[ScoredChunk]:
        """The passages the conversation's last answer was read from, as the store holds them now, when a
        follow-up may keep them (the "library" layout with whole passages: they start the prompt already read).
        A passage of an article removed or changed since is dropped."""
        if not history or self.layout != "library" or budget > 0 or self.conversation_passages <= 0 \
                or self.store is None or not history[-1].passages:
            return []
        now = {c.id: c for c in self.store.chunks([p.chunk.id for p in history[-1].passages])}
        return [p for p in history[-1].passages if p.chunk.id in now and now[p.chunk.id].text == p.chunk.text]

    def _follow_up(self, carried: list[ScoredChunk], relevant: list[ScoredChunk]) -> list[ScoredChunk] | None:
        """A follow-up's passages: its conversation's, in their order (so llama.cpp reads none of them again),
        then the best `follow_up_passages` of its own search that the conversation lacks. None, so the follow-up
        gets only passages of its own, when nothing is carried or the conversation would hold more than
        `conversation_passages`. (A follow-up on another subject gets that many of its own passages, beside the
        conversation's: a new chat searches afresh.)"""
        if not carried or not relevant:
            return None
        have = {p.chunk.id for p in carried}
        new = [p for p in relevant if p.chunk.id not in have][: self.follow_up_passages]
        if len(carried) + len(new) > self.conversation_passages:
            return None
        return [ScoredChunk(p.chunk, p.score, rank) for rank, p in enumerate([*carried, *new], start=1)]

    def ask_stream(
        self, question: str, history: list[Turn] | None = None, k: int | None = None,
        passage_tokens: int | None = None, *, temperature: float | None = None, max_tokens: int | None = None,
    ) -> Iterator[Event]:
        """Answer a question, yielding the passages, then text pieces, then the finished Answer.

        `temperature` and `max_tokens` override the pipeline's for this answer only (`max_tokens` at most the
        pipeline's, which the prompt's budget was sized for)."""
        watch = Stopwatch()
        sampling = (
            self.temperature if temperature is None else temperature,
            self.max_answer_tokens if max_tokens is None else max(1, min(max_tokens, self.max_answer_tokens)),
        )
        yield from self._answer(question, history, k, passage_tokens, watch, sampling)

    def _answer(
        self, question: str, history: list[Turn] | None, k: int | None, passage_tokens: int | None,
        watch: Stopwatch, sampling: tuple[float, int], retried: Check | None = None, read_before: int = 0,
    ) -> Iterator[Event]:
        """`ask_stream`'s work. `retried`: this is a library-mode answer asked again over the retrieved passages
        (the first one's refusal; `read_before`: the prompt tokens the first one read)."""
        ready = self.prepare(question, history, k, passage_tokens, whole_library=retried is None)
        passages = ready.prompt.passages
        yield Retrieved(passages, ready.found.ms)

        if not passages or ready.refusal is not None:
            # Nothing to answer from, or the gate found the passages don't hold the answer: say so without asking
            # the model to guess.
            raw = self.refusal
            watch.first_text()
            yield Token(self._refusal_text(ready.refusal))
        else:
            self._place(ready.prompt)  # again: another question may have had the model since (cheap when not)
            raw = yield from self._stream(ready.prompt.messages, len(passages), watch, sampling)
            if watch.first is None:
                # Only bare markers came back (small models do this): ask again for plain prose, whose
                # citations are then attached by lexical support. The passages prefix stays cached.
                retry = without_citation_rule(ready.prompt, ready.question)
                raw = yield from self._stream(retry.messages, len(passages), watch, sampling)
        watch.stop()

        # No words even after asking again: there is no answer to show, so say so plainly.
        forgiven = next((c.detail.split(", ") for c in ready.checks if c.kind == FORGIVEN), [])
        grounded = self.grounder.ground(ready.question, raw if watch.first is not None else "", passages,
                                        about=ready.query, forgiven=forgiven)
        reason = ready.refusal or next((c for c in grounded.checks if c.kind == "refused"), None)
        text = self._refusal_text(reason) if grounded.refused else grounded.text
        refused, citations, after = grounded.refused, grounded.citations, list(grounded.checks)
        prompt_tokens = self.generator.prompt_tokens_read if watch.pieces else 0
        if prompt_tokens is not None and ready.placed is not None:
            prompt_tokens += ready.placed.tokens_read
        if prompt_tokens is not None:
            prompt_tokens += read_before
        if self.library_retry and retried is None and ready.prompt.library and grounded.refused \
                and ready.refusal is None and "off_question" in grounded.objections \
                and len({p.chunk.id for p in ready.found.passages}) < len(passages):  # fewer: else the same
            # Over the whole library the model took another year's look-alike (the cited-article check refused
            # it); the retrieved passages alone, read together, hold the question's own article first.
            why = grounded.objections["off_question"]
            yield Retry(why)
            watch.first, watch.pieces = None, 0  # the reader's first words are the new answer's
            yield from self._answer(question, history, k, passage_tokens, watch, sampling,
                                    Check(RETRIED, why, raw), prompt_tokens or 0)
            return
        verify_ms = 0.0
        p_verified = None
        if self.verifier is not None and not refused and self._verifies():
            started = time.perf_counter()
            p_verified = p_yes = self.verifier.yes_probability(verification_check(ready.prompt, raw))
            verify_ms = (time.perf_counter() - started) * 1000
            after.append(Check(VERIFIED, f"{p_yes:.4f}"))
            if p_yes < self.verify_threshold and not self.scored:
                withdrawn = Check("refused", "The passages I found don't seem to state the answer.", text)
                after.append(withdrawn)
                text, refused, citations = self._refusal_text(withdrawn), True, []
        scores = dict(ready.scores)
        if not refused and ready.scores:
            after += [Check("objection", reason, name) for name, reason in grounded.objections.items()]
            scores = after_scores(ready.scores, raw, text, len([c for c in after if c.kind == "withheld"]),
                                  list(grounded.objections), p_verified,
                                  nearness(ready.query, text, passages))
            p_correct = self.calibration.after.p_correct(scores) if self.calibration is not None else None
            if self.scored:
                judged = self._judge_after(ready, scores, grounded.objections, text)
            else:  # the rules decided; P(correct) is reported beside the answer
                assert self.calibration is not None and p_correct is not None
                judged = [score_check(p_correct, self.calibration.after.threshold)]
            if retried is not None and p_correct is not None and p_correct < SECOND_LOOK_P \
                    and not any(c.kind == "refused" for c in judged):
                judged.append(Check("refused", "The closest passages don't clearly state the answer either.", text))
            after += judged
            if any(c.kind == "refused" for c in judged):
                text, refused, citations = self._refusal_text(judged[-1]), True, []
        answer = Answer(
            question=ready.question,
            text=text,
            citations=citations,
            passages=passages,
            refused=refused,
            timings=watch.timings(
                retrieval_ms=ready.found.ms, excerpt_ms=ready.excerpt_ms, check_ms=ready.check_ms + verify_ms,
                prompt_tokens=prompt_tokens,
                passages_preread=ready.placed.loaded if ready.placed else None,
                passages_read=ready.placed.computed if ready.placed else None,
            ),
            model=self.generator.name,
            retrieval_query=ready.query,
            retrieved=ready.found.passages,
            checks=([retried] if retried is not None else []) + ready.checks + after,
            scores=scores,
        )
        yield Done(answer)

    def _verifies(self) -> bool:
        """Whether to ask the model, after it answered, if the passages state its answer: for the threshold, or
        when the calibration weighs that (or records every number, having no fit)."""
        if self.verify_threshold > 0:
            return True
        if not self.scored:
            return False
        if self.calibration is None:
            return True
        fit = self.calibration.after
        return any(f == "verified" and w != 0 for f, w in zip(fit.features, fit.weights, strict=True))

    def _judge_after(self, ready: Prepared, scores: dict[str, float], objections: dict[str, str],
                     text: str) -> list[Check]:
        """P(correct) from every number; a refusal when it is below the threshold."""
        if self.calibration is None:
            return []
        vetoed = [v for v in self.calibration.vetoes if v in objections]
        if vetoed and self.answer_threshold != 0:
            return [Check("refused", objections[vetoed[0]], text)]
        fit = self.calibration.after
        p = fit.p_correct(scores)
        threshold = fit.threshold if self.answer_threshold is None else self.answer_threshold
        out = [score_check(p, threshold)]
        if p < threshold:  # the withdrawn answer stays in the check: the evaluation calibrates on it
            notes = {**self._notes(ready.question, ready.prompt), **objections}
            out.append(Check("refused", plain_reason(fit, scores, notes), text))
        return out

    def _refusal_text(self, reason: Check | None) -> str:
        return f"{self.refusal} {reason.detail}" if reason is not None and reason.detail else self.refusal

    def _stream(
        self, messages: list[dict[str, str]], valid: int, watch: Stopwatch, sampling: tuple[float, int]
    ) -> Gen[Token, None, str]:
        """Stream one generation; leading bare markers are held back until words arrive. Returns the raw text."""
        temperature, max_tokens = sampling
        flt = MarkerFilter(valid)
        raw: list[str] = []
        pending = ""
        shown_any = False
        for piece in self.generator.stream(messages, max_tokens=max_tokens, temperature=temperature):
            raw.append(piece)
            watch.pieces += 1
            shown = flt.feed(piece)
            if not shown_any:
                pending += shown
                if not _has_words(pending):
                    continue
                shown, pending, shown_any = pending, "", True
                watch.first_text()
            if shown:
                yield Token(shown)
        tail = pending + flt.flush() if not shown_any else flt.flush()
        if not shown_any and _has_words(tail):
            shown_any = True
            watch.first_text()
        if shown_any and tail:
            yield Token(tail)
        return "".join(raw)

    def ask(
        self, question: str, history: list[Turn] | None = None, k: int | None = None,
        passage_tokens: int | None = None,
    ) -> Answer:
        """Answer a question without streaming."""
        for event in self.ask_stream(question, history, k, passage_tokens):
            if isinstance(event, Done):
                return event.answer
        raise AssertionError("ask_stream ended without an answer")
