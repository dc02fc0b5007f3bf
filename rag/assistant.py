"""The one place that wires the parts together: `build_assistant(settings)`."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.chunking import Chunker
from rag.config import Settings
from rag.embeddings import Embedder, OnnxEmbedder
from rag.errors import ModelNotFoundError
from rag.excerpts import Excerpter
from rag.ingest import Indexer, IngestReport, Progress
from rag.llm import Generator, LlamaCppGenerator, OpenAICompatibleGenerator
from rag.models import Catalog, file_paths, is_present, resolve_chat_model
from rag.pipeline import Answer, Event, Pipeline
from rag.prompting import Turn
from rag.retrieve import Retriever
from rag.store import ChromaStore, DocumentRecord, VectorStore

log = logging.getLogger(__name__)

CHUNKING_VERSION = "recursive-v1"


def go_offline() -> None:
    """Switch off everything in our dependencies that would phone home (telemetry, hub lookups)."""
    for key, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "DO_NOT_TRACK": "1",
    }.items():
        os.environ.setdefault(key, value)


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


class Assistant:
    """The engine facade used by the CLI, the web UI and the evaluation harness."""

    def __init__(
        self,
        settings: Settings,
        catalog: Catalog,
        embedder: Embedder,
        store: VectorStore,
        chunker: Chunker,
        generator: Generator | None = None,
    ) -> None:
        self.settings = settings
        self.catalog = catalog
        self.embedder = embedder
        self.store = store
        self.chunker = chunker
        self.indexer = Indexer(store, embedder, chunker, settings.data_dir)
        self.retriever = Retriever(embedder, store, settings.top_k)
        self._generator = generator
        self._gen_lock = threading.Lock()
        self._checked = False

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
            if self._generator is None and self.settings.chat_server:
                self._generator = OpenAICompatibleGenerator(
                    self.settings.chat_server, self.settings.chat_model, context_length=self.settings.context_length
                )
            if self._generator is None:
                path = resolve_chat_model(self.settings.models_dir, self.catalog, self.settings.chat_model)
                self._generator = LlamaCppGenerator(
                    path,
                    context_length=self.settings.context_length,
                    threads=self.settings.threads,
                    batch_size=self.settings.batch_size,
                    seed=self.settings.seed,
                )
            return self._generator

    def set_chat_model(self, model: str) -> None:
        """Switch the chat model (catalogue id or .gguf path); the old one is freed."""
        if not self.settings.chat_server:
            resolve_chat_model(self.settings.models_dir, self.catalog, model)  # fail early with the fix
        with self._gen_lock:
            if model == self.settings.chat_model and self._generator is not None:
                return
            old = self._generator
            self._generator = None
            self.settings.chat_model = model
        close = getattr(old, "close", None)
        if close:
            close()

    def chat_models(self) -> list[tuple[str, bool]]:
        """Catalogue chat models and whether each is downloaded."""
        return [
            (spec.id, is_present(self.settings.models_dir, spec))
            for spec in self.catalog.models.values()
            if spec.kind == "chat"
        ]

    def pipeline(self, passage_tokens: int | None = None) -> Pipeline:
        """A pipeline over the current generator (`passage_tokens` overrides the excerpt budget)."""
        return Pipeline(
            self.retriever,
            self.generator,
            max_answer_tokens=self.settings.max_answer_tokens,
            temperature=self.settings.temperature,
            history_turns=self.settings.history_turns,
            min_score=self.settings.min_score,
            excerpter=self.excerpter(passage_tokens),
        )

    def excerpter(self, passage_tokens: int | None = None) -> Excerpter | None:
        """The passage-narrowing stage, when a passage token budget is set."""
        budget = self.settings.passage_tokens if passage_tokens is None else passage_tokens
        return Excerpter(self.embedder, budget) if budget > 0 else None

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

    def remove(self, ref: str) -> DocumentRecord:
        """Delete a document by id, source, file name or title."""
        self._check_store()
        return self.indexer.remove(ref)

    def documents(self) -> list[DocumentRecord]:
        """The ingested documents."""
        return self.store.documents()

    def document_text(self, doc_id: str) -> str:
        """A document's text, rebuilt from its source file (or its chunks when the file is gone)."""
        record = self.indexer.find(doc_id)
        chunks = self.store.document_chunks(record.id)
        try:
            from rag.documents import load_document

            doc = load_document(Path(record.source))
            if doc.id == record.id:
                return doc.text
        except Exception:  # the file may be gone or changed; fall back to what the store has
            log.debug("source of %s unavailable; rebuilding text from chunks", record.id)
        text = ""
        for chunk in chunks:
            if chunk.start >= len(text):
                text += " " * (chunk.start - len(text)) + chunk.text
            else:
                text = text[: chunk.start] + chunk.text
        return text

    def ask_stream(
        self,
        question: str,
        history: list[Turn] | None = None,
        k: int | None = None,
        passage_tokens: int | None = None,
    ) -> Iterator[Event]:
        """Stream an answer: passages, text pieces, then the Answer."""
        self._check_store()
        return self.pipeline(passage_tokens).ask_stream(question, history, k)

    def ask(self, question: str, history: list[Turn] | None = None, k: int | None = None) -> Answer:
        """Answer a question."""
        self._check_store()
        return self.pipeline().ask(question, history, k)

    def status(self) -> Status:
        """Counts, models and folders."""
        s = self.settings
        try:
            present = bool(s.chat_server) or resolve_chat_model(s.models_dir, self.catalog, s.chat_model).is_file()
        except ModelNotFoundError:
            present = False
        return Status(
            documents=len(self.store.documents()),
            chunks=self.store.count_chunks(),
            chat_model=s.chat_model,
            chat_model_present=present,
            embed_model=s.embed_model,
            data_dir=str(s.data_dir),
            models_dir=str(s.models_dir),
        )


def build_embedder(settings: Settings, catalog: Catalog) -> OnnxEmbedder:
    """The ONNX embedder for the configured model (files are opened on first use)."""
    spec = catalog.get(settings.embed_model, kind="embedding")
    paths = {p.name: p for p in file_paths(settings.models_dir, spec)}
    onnx = next(f for f in spec.files if f.name.endswith(".onnx"))
    return OnnxEmbedder(
        paths[onnx.name],
        paths["tokenizer.json"],
        name=spec.id,
        max_tokens=spec.max_tokens or 256,
        batch_tokens=settings.embed_batch_tokens,
        threads=settings.threads,
        sha256=onnx.sha256,
    )


def build_assistant(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    store: VectorStore | None = None,
    generator: Generator | None = None,
) -> Assistant:
    """Wire settings into a ready Assistant; any part can be swapped by passing it in."""
    go_offline()
    catalog = Catalog.load(settings.catalog_path)
    embedder = embedder or build_embedder(settings, catalog)
    store = store or ChromaStore(settings.store_dir)
    chunker = Chunker(embedder.count_tokens, settings.chunk_tokens, settings.chunk_overlap)
    return Assistant(settings, catalog, embedder, store, chunker, generator)
