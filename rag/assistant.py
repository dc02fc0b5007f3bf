"""The engine facade the CLI, the web UI and the evaluation use; `rag.build` wires it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.config import Settings
from rag.embeddings import Embedder
from rag.errors import ModelNotFoundError
from rag.ingest import Indexer, IngestReport, Progress
from rag.llm import Generator, LlamaCppGenerator
from rag.models import Catalog, is_present, resolve_chat_model
from rag.pipeline import Pipeline, TypedHead
from rag.preread import PassageStates, StateStats
from rag.registry import DocumentRegistry
from rag.retrieve import Retriever
from rag.store import VectorStore
from rag.typeahead import TypeAhead
from rag.types import Answer, DocumentRecord, Event, Turn

log = logging.getLogger(__name__)

CHUNKING_VERSION = "recursive-v1"


@dataclass(frozen=True)
class Status:
    """What the assistant holds and uses."""

    documents: int
    chunks: int
    chat_model: str
    chat_model_present: bool
    embed_model: str
    data_dir: str
    models_dir: str
    passage_states: StateStats | None = None  # pre-read passages on disk (None: off)


class Assistant:
    """Ingest, remove, list and ask: one object over the built parts."""

    def __init__(
        self,
        settings: Settings,
        catalog: Catalog,
        embedder: Embedder,
        store: VectorStore,
        registry: DocumentRegistry,
        indexer: Indexer,
        retriever: Retriever,
        *,
        make_generator: Callable[[str], Generator],
        make_pipeline: Callable[[Generator], Pipeline],
        generator: Generator | None = None,
    ) -> None:
        self.settings = settings
        self.catalog = catalog
        self.embedder = embedder
        self.store = store
        self.registry = registry
        self.indexer = indexer
        self.retriever = retriever
        self._make_generator = make_generator
        self._make_pipeline = make_pipeline
        self._generator = generator
        self._pipeline: Pipeline | None = None
        self._gen_lock = threading.Lock()
        self._checked = False
        self._ahead: threading.Thread | None = None  # a follow-up's prompt head being read (`read_ahead_later`)
        self.typing = TypeAhead(self._typed_head, self._read_typed)  # passages read while a question is typed

    @property
    def fingerprint(self) -> dict[str, str]:
        """What built the store's vectors: embedder and chunking settings."""
        s = self.settings
        return {
            "embedder": self.embedder.fingerprint,
            "chunking": f"{CHUNKING_VERSION}:{s.chunk_tokens}/{s.chunk_overlap}",
        }

    def _check_store(self) -> None:
        if not self._checked:
            self.store.ensure_built_with(self.fingerprint)
            self._checked = True

    @property
    def generator(self) -> Generator:
        """The chat model (created on first use, loaded on first generation)."""
        with self._gen_lock:
            if self._generator is None:
                self._generator = self._make_generator(self.settings.chat_model)
            return self._generator

    @property
    def pipeline(self) -> Pipeline:
        """The answering pipeline over the current generator (built once per generator)."""
        generator = self.generator
        with self._gen_lock:
            if self._pipeline is None or self._pipeline.generator is not generator:
                self._pipeline = self._make_pipeline(generator)
            return self._pipeline

    def set_chat_model(self, model: str) -> None:
        """Switch the chat model (catalogue id or .gguf path); the old one is freed."""
        if not self.settings.chat_server:
            resolve_chat_model(self.settings.models_dir, self.catalog, model)  # fail early with the fix
        self._wait_for_read_ahead()
        with self.typing.held(), self._gen_lock:
            if model == self.settings.chat_model and self._generator is not None:
                return
            old = self._generator
            self._generator = None
            self._pipeline = None
            self.settings.chat_model = model
        if old is not None:
            old.close()

    def chat_models(self) -> list[tuple[str, bool]]:
        """Catalogue chat models and whether each is downloaded."""
        return [
            (spec.id, is_present(self.settings.models_dir, spec))
            for spec in self.catalog.models.values()
            if spec.kind == "chat"
        ]

    def ingest(
        self, paths: Iterable[Path], *, sync: bool = False, rebuild: bool = False, progress: Progress | None = None
    ) -> IngestReport:
        """Add or update files and folders in the store."""
        if rebuild:
            self._checked = True  # the old fingerprint is about to go
            self.indexer.ingest([], rebuild=True)
            self.store.ensure_built_with(self.fingerprint)
        self._check_store()
        return self.indexer.ingest(paths, sync=sync, progress=progress)

    def preread(self, progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
        """Read every chunk of the library once and keep its KV state (pre-read passages), so no later question
        reads it: in groups of look-alikes (`rag.preread.lookalike_groups`, `top_k` at most), each passage kept as
        read over those before it, as a question that retrieves them together has them, and one read over
        look-alikes also as read with none before it (`preread_lookalike`). Chunks with a state
        already are placed, not read. Returns (states read now, chunks). Stops when the disk budget is full (the
        states kept last would push out the first). Nothing to do when pre-read passages are off or the model is a
        chat server."""
        from rag.llm import PassageReading
        from rag.preread import companies, lookalike_groups, unit
        from rag.prompting import build_prompt, stitched_passages
        from rag.types import ScoredChunk

        self._check_store()
        generator = self.generator
        chunks = sorted(self.store.all_chunks(), key=lambda c: (c.doc_id, c.index, c.start))  # library order
        if not isinstance(generator, PassageReading) or self.settings.passage_states_mb <= 0 \
                or self.pipeline.layout != "library":
            return 0, len(chunks)  # off, a chat server, or a model whose prompt has the passages after the question
        budget = self.settings.passage_states_mb * 2**20
        vectors = unit(self.embedder.embed([c.text for c in chunks]))
        groups = lookalike_groups(vectors, self.settings.top_k)
        floor = self.settings.preread_lookalike
        at = {c.id: i for i, c in enumerate(chunks)}
        done = seen = 0
        for n, group in enumerate(groups, start=1):
            passages = [ScoredChunk(chunks[j], 1.0, rank) for rank, j in enumerate(group, start=1)]
            prompt = build_prompt("", passages, generator.count_tokens, context_length=generator.context_length,
                                  max_answer_tokens=self.settings.max_answer_tokens, layout="library")
            order = [at[p.chunk.id] for p in prompt.passages]
            company = companies(vectors[order], floor) if floor > 0 else None
            placed = generator.place_passages(prompt.messages, stitched_passages(prompt), company=company)
            done += placed.computed if placed else 0
            # A passage read over look-alikes is also kept as read with none before it, as a question that finds it
            # without them has it (the company most often missed otherwise: docs/evaluation.md).
            for p, mates in zip(prompt.passages, company or [], strict=False):
                if placed is not None and mates:
                    alone = build_prompt("", [ScoredChunk(p.chunk, 1.0, 1)], generator.count_tokens,
                                         context_length=generator.context_length,
                                         max_answer_tokens=self.settings.max_answer_tokens, layout="library")
                    generator.place_passages(alone.messages, stitched_passages(alone), company=[[]])
            seen += len(group)
            if progress:
                progress(seen, len(chunks))
            if placed is None:
                break
            if n % 8 == 0 and PassageStates(self.settings.states_dir, budget).stats().bytes > 0.9 * budget:
                log.info("pre-read stopped near the disk budget (passage_states_mb)")
                break
        return done, len(chunks)

    def remove(self, ref: str) -> DocumentRecord:
        """Delete a document by id, source, file name or title."""
        self._check_store()
        return self.indexer.remove(ref)

    def documents(self) -> list[DocumentRecord]:
        """The ingested documents."""
        return self.registry.records()

    def document_text(self, doc_id: str) -> str:
        """The text that was indexed for a document (kept at ingest; never re-read from the source file)."""
        record = self.indexer.find(doc_id)
        text = self.registry.text(record.id)
        if text is not None:
            return text
        # A record written before texts were kept: rebuild the text from its chunks at their spans.
        rebuilt = ""
        for chunk in self.store.document_chunks(record.id):
            if chunk.start >= len(rebuilt):
                rebuilt += " " * (chunk.start - len(rebuilt)) + chunk.text
            else:
                rebuilt = rebuilt[: chunk.start] + chunk.text
        return rebuilt

    def ask_stream(
        self,
        question: str,
        history: list[Turn] | None = None,
        k: int | None = None,
        passage_tokens: int | None = None,
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> Iterator[Event]:
        """Stream an answer: passages, text pieces, then the Answer (sampling overrides for this answer only)."""
        self._check_store()
        self._wait_for_read_ahead()
        return self._held(self.pipeline.ask_stream(
            question, history, k, passage_tokens, temperature=temperature, max_tokens=max_tokens
        ))

    def _held(self, events: Iterator[Event]) -> Iterator[Event]:
        """An answer's events, with no reading for a typed question while they are made."""
        with self.typing.held():
            yield from events

    def ask(
        self, question: str, history: list[Turn] | None = None, k: int | None = None,
        passage_tokens: int | None = None,
    ) -> Answer:
        """Answer a question."""
        self._check_store()
        self._wait_for_read_ahead()
        with self.typing.held():
            return self.pipeline.ask(question, history, k, passage_tokens)

    def typed(self, text: str, history: list[Turn] | None = None) -> bool:
        """The question box holds `text` (the browser, as it is typed): its passages are read meanwhile, on a
        thread of its own, so that the question, once sent, reads only its own words (`read_while_typing`;
        retrieved passages read whole). False when there is nothing to read now."""
        if not self.settings.read_while_typing or self.settings.chat_server:
            return False
        return self.typing.typed(text, history)

    def _typed_head(self, text: str, history: list[Turn]) -> TypedHead | None:
        if not self.model_ready():
            return None  # loading the model is for the first question (it says so), not for a half-typed one
        self._check_store()
        return self.pipeline.typed_head(text, history)

    def _read_typed(self, head: TypedHead, stop: Callable[[], bool]) -> int:
        self._wait_for_read_ahead()
        return self.pipeline.read_typed(head, stop)

    def read_ahead(self, history: list[Turn]) -> int:
        """Read a follow-up's prompt head now, while the reader reads (library mode; `read_ahead`): returns the
        prompt tokens read. Never fails the chat: an error is logged and nothing is read."""
        if not self.settings.read_ahead or not history:
            return 0
        try:
            self._check_store()
            return self.pipeline.read_ahead(history)
        except Exception:  # a convenience: the follow-up then reads its conversation itself, as without it
            log.warning("reading ahead for a follow-up failed", exc_info=True)
            return 0

    def read_ahead_later(self, history: list[Turn]) -> threading.Thread | None:
        """`read_ahead` on a thread of its own, for a chat that waits on its reader; None when off."""
        if not self.settings.read_ahead or not history:
            return None
        self._wait_for_read_ahead()
        thread = threading.Thread(target=self.read_ahead, args=(list(history),), name="read-ahead", daemon=True)
        self._ahead = thread
        thread.start()
        return thread

    def _wait_for_read_ahead(self) -> None:
        """A question starts after the read-ahead it may use: the two would take turns on the model between the
        question's steps (the model's lock is held per step), and each step expects the cache the last one left."""
        thread = self._ahead
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def model_ready(self) -> bool:
        """Whether the chat model is in memory (a question now will not wait for it to load)."""
        with self._gen_lock:
            generator = self._generator
        return generator is not None and (not isinstance(generator, LlamaCppGenerator) or generator.loaded)

    def warm(self) -> str | None:
        """Load the chat model and its library prefix now (restored from disk when saved), not at the first
        question; None when the library is answered from retrieved passages."""
        self._check_store()
        return self.pipeline.warm()

    def library_mode(self) -> tuple[int, int, int | None] | None:
        """(library tokens, budget, KV cache bytes) when questions are asked over the whole library, else None.

        Loads the chat model (its tokenizer counts the library).
        """
        self._check_store()
        pipeline = self.pipeline
        library = pipeline.library.get(self.generator.count_tokens) if pipeline.library else None
        if library is None or pipeline.library is None:
            return None
        per_token = self.generator.kv_bytes_per_token() if isinstance(self.generator, LlamaCppGenerator) else None
        return library.tokens, pipeline.library.budget, per_token * library.tokens if per_token else None

    def status(self) -> Status:
        """Counts, models and folders."""
        s = self.settings
        try:
            present = bool(s.chat_server) or resolve_chat_model(s.models_dir, self.catalog, s.chat_model).is_file()
        except ModelNotFoundError:
            present = False
        return Status(
            documents=len(self.registry.records()),
            chunks=self.store.count_chunks(),
            chat_model=s.chat_model,
            chat_model_present=present,
            embed_model=s.embed_model,
            data_dir=str(s.data_dir),
            models_dir=str(s.models_dir),
            passage_states=PassageStates(s.states_dir, s.passage_states_mb * 2**20).stats()
            if s.passage_states_mb > 0 else None,
        )

    def close(self, keep_model: bool = False) -> None:
        """Free the model (unless `keep_model`: another assistant shares it) and the store connections."""
        self._wait_for_read_ahead()
        self.typing.close()
        with self._gen_lock:
            if self._generator is not None and not keep_model:
                self._generator.close()
            self._generator = None
            self._pipeline = None
        self.store.close()
        self.registry.close()
