"""Plain data passed between the stages: chunks, records, citations, answers and stream events.

Nothing here imports a model, a store or a UI, so any layer may use these types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

# The KV cache types llama.cpp is asked for (`Settings.kv_type`; `rag.llm.KV_TYPES` lists them).
KvType = Literal["f16", "q8_0"]

READY = "ready"
PENDING = "pending"
REMOVING = "removing"


@dataclass(frozen=True)
class Chunk:
    """A passage of a document, with its provenance and character span in the document text."""

    id: str
    doc_id: str
    title: str
    source: str
    index: int
    start: int
    end: int
    text: str
    # Whether the title is the article's own headline; False when it was made from the first sentence (or the file
    # name): shown to people, but not given to the model as a heading of every passage.
    headline: bool = True

    def metadata(self) -> dict[str, str | int | bool]:
        """Flat metadata for the vector store."""
        meta: dict[str, str | int | bool] = {
            "doc_id": self.doc_id,
            "title": self.title,
            "source": self.source,
            "index": self.index,
            "start": self.start,
            "end": self.end,
        }
        if not self.headline:
            meta["headline"] = False
        return meta

    @property
    def heading(self) -> str:
        """How the model is told where a passage comes from: the headline, or the file name without one."""
        return self.title if self.headline else Path(self.source).stem


def stated_by(chunks: Sequence[Chunk]) -> list[str]:
    """What the model reads of these passages: their texts, and the headlines of their articles once each (a later
    passage of an article does not repeat its headline, but the model sees it as the passage's heading)."""
    titles = sorted({c.title for c in chunks if c.headline and c.title})
    return [c.text for c in chunks] + titles


@dataclass(frozen=True)
class ScoredChunk:
    """A retrieved chunk, its similarity to the query and its rank (1 = best)."""

    chunk: Chunk
    score: float
    rank: int


@dataclass(frozen=True)
class DocumentRecord:
    """What the registry knows of an ingested document."""

    id: str
    title: str
    source: str
    chunks: int
    chars: int
    added_at: str
    status: str = READY
    # Who is writing or removing it (host:pid:run) and until when (epoch seconds) that run holds it: recovery in a
    # shared store only finishes what is abandoned, never another live process's work in progress.
    owner: str = ""
    lease: float = 0.0
    headline: bool = True  # False: the title was made from the first sentence or the file name

    def metadata(self) -> dict[str, str | int]:
        """Flat metadata for a store."""
        return {k: v for k, v in asdict(self).items() if k != "id"}


@dataclass(frozen=True)
class Turn:
    """An earlier question, the answer given to it, and the passages it was answered from (in their prompt
    order; empty when unknown, as for a conversation sent by an API client)."""

    question: str
    answer: str
    passages: tuple[ScoredChunk, ...] = ()


@dataclass(frozen=True)
class Citation:
    """A marker [n] in the answer, resolved to the passage it cites."""

    marker: int
    chunk_id: str
    doc_id: str
    title: str
    source: str
    start: int
    end: int
    snippet: str
    support_start: int | None = None
    support_end: int | None = None
    inferred: bool = False
    # The grounding verdict: does the cited passage state the specifics (names, numbers) of its sentence?
    supported: bool | None = None

    @property
    def support(self) -> str | None:
        """The sentence of the snippet that best supports the claim, if any."""
        if self.support_start is None or self.support_end is None:
            return None
        return self.snippet[self.support_start - self.start : self.support_end - self.start]


@dataclass(frozen=True)
class Check:
    """Something a trust check did to an answer, and why (shown to the user)."""

    kind: str  # "refused" (before answering), "withheld" (a sentence removed), "marker-removed", "marker-moved", ...
    detail: str
    text: str = ""


@dataclass(frozen=True)
class Timings:
    """Where the time of one answer went."""

    retrieval_ms: float = 0.0
    excerpt_ms: float = 0.0
    check_ms: float = 0.0
    first_token_ms: float | None = None
    total_ms: float = 0.0
    completion_tokens: int = 0
    tokens_per_s: float | None = None
    prompt_tokens: int | None = None  # prompt tokens the model read for this answer (the rest was cached)
    passages_preread: int | None = None  # passages placed from their pre-read states (None: not this path)
    passages_read: int | None = None  # passages read now (no state yet, or a bad one), then kept


@dataclass(frozen=True)
class Answer:
    """An answer with its citations, the passages it was given, what the checks did, and timings."""

    question: str
    text: str
    citations: list[Citation]
    passages: list[ScoredChunk]
    refused: bool
    timings: Timings
    model: str
    retrieval_query: str = ""
    retrieved: list[ScoredChunk] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    stopped: bool = False
    scores: dict[str, float] = field(default_factory=dict)  # the judgement's numbers (rag.judgement), if scored

    def turn(self) -> Turn:
        """This answer as a turn of its conversation, for the next question's history."""
        return Turn(self.question, self.text, tuple(self.passages))

    @property
    def withheld(self) -> list[Check]:
        """Sentences the grounding check removed."""
        return [c for c in self.checks if c.kind == "withheld"]

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


@dataclass(frozen=True)
class Retry:
    """Event: the text so far is withdrawn (`reason` says why, in plain words) and another answer follows."""

    reason: str


Event = Retrieved | Token | Retry | Done
