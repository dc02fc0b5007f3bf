"""The one place that decides which part the settings ask for, and wires the parts into an Assistant."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rag.assistant import Assistant
from rag.chunking import Chunker
from rag.config import Settings
from rag.embeddings import Embedder, OnnxEmbedder
from rag.excerpts import Excerpter
from rag.gate import AnswerabilityGate, Gate, Gates, NegatedGate, OppositesGate, SpecificsGate
from rag.grounding import CitationGrounder
from rag.ingest import Indexer
from rag.judgement import Calibration, load_calibration
from rag.lexical import LexicalIndex
from rag.library import LibraryCache
from rag.llm import Generator, LlamaCppGenerator, OpenAICompatibleGenerator
from rag.models import Catalog, file_paths, resolve_chat_model
from rag.pipeline import Pipeline
from rag.preread import PassageStates
from rag.prompting import QUESTION
from rag.registry import ChromaRegistry, DocumentRegistry
from rag.retrieve import PassageSource, Retriever
from rag.store import ChromaConnection, ChromaStore, VectorStore


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


def build_connection(settings: Settings) -> ChromaConnection:
    """The Chroma database the store and the registry share: embedded in the data folder, or a Chroma server."""
    return ChromaConnection(settings.store_dir, url=settings.chroma_url or None)


def build_store(connection: ChromaConnection) -> ChromaStore:
    """The vector store of chunks."""
    return ChromaStore(connection)


def build_registry(connection: ChromaConnection) -> ChromaRegistry:
    """The document registry."""
    return ChromaRegistry(connection)


def chat_model_path(settings: Settings, catalog: Catalog, model: str | None = None) -> Path:
    """The GGUF file of a chat model id or path (raises with the fetch command when it is missing)."""
    return resolve_chat_model(settings.models_dir, catalog, model or settings.chat_model)


def build_generator(settings: Settings, catalog: Catalog, model: str | None = None) -> Generator:
    """The chat model: an OpenAI-compatible server when `chat_server` is set, else llama.cpp in-process."""
    model = model or settings.chat_model
    if settings.chat_server:
        return OpenAICompatibleGenerator(
            settings.chat_server, model, context_length=settings.context_length,
            api_key=settings.chat_server_api_key, timeout=settings.chat_server_timeout,
        )
    return LlamaCppGenerator(
        chat_model_path(settings, catalog, model),
        context_length=settings.context_length,
        threads=settings.threads,
        batch_size=settings.batch_size,
        kv_type=settings.kv_type,
        seed=settings.seed,
        model_id=model if model in catalog.models else None,
        prefix_memory_mb=settings.prefix_memory_mb,
        question_marker=QUESTION,
        passage_states=build_states(settings),
        model_hash=_model_sha256(catalog, model),
        recompute_start=settings.preread_recompute_start,
        recompute_end=settings.preread_recompute_end,
    )


def build_states(settings: Settings) -> PassageStates | None:
    """The pre-read passages' folder, when its budget is above 0."""
    if settings.passage_states_mb <= 0:
        return None
    return PassageStates(settings.states_dir, settings.passage_states_mb * 2**20)


def _model_sha256(catalog: Catalog, model: str) -> str:
    """The catalogue's sha256 of a chat model's GGUF file ("" for a file outside the catalogue)."""
    spec = catalog.models.get(model)
    files = [f for f in spec.files if f.name.endswith(".gguf")] if spec is not None else []
    return files[0].sha256 if files and files[0].sha256 else ""


def build_retriever(settings: Settings, embedder: Embedder, store: VectorStore) -> Retriever:
    """Vector search, fused with BM25 when `hybrid` is on."""
    lexical = LexicalIndex(store) if settings.hybrid else None
    return Retriever(embedder, store, settings.top_k, lexical=lexical, rrf_k=settings.rrf_k)


def _per_model(settings: Settings, catalog: Catalog, name: str) -> Any:
    """A per-model setting: the setting when given, else the chat model's value in the catalogue, else None."""
    value = getattr(settings, name)
    if value is not None:
        return value
    spec = catalog.models.get(settings.chat_model)
    return getattr(spec, name) if spec is not None else None


def answerability_threshold(settings: Settings, catalog: Catalog) -> float:
    """The setting when given, else the threshold calibrated for the chat model in the catalogue, else 0 (off)."""
    return float(_per_model(settings, catalog, "answerability_threshold") or 0.0)


def names_forgiven_at(settings: Settings, catalog: Catalog) -> float:
    """The setting when given, else the model's value in the catalogue, else 0 (a missing name always refuses)."""
    return float(_per_model(settings, catalog, "names_forgiven_at") or 0.0)


def library_tokens(settings: Settings, catalog: Catalog) -> int:
    """The library-mode budget: the setting when given, else the catalogue's value for the model, else 0 (off)."""
    return int(_per_model(settings, catalog, "library_tokens") or 0)


def prompt_layout(settings: Settings, catalog: Catalog) -> str:
    """How retrieved passages are laid out: the setting when given, else the catalogue's value, else "question"."""
    return str(_per_model(settings, catalog, "prompt_layout") or "question")


def build_library(settings: Settings, catalog: Catalog, store: VectorStore) -> LibraryCache | None:
    """Library mode for the current chat model, when its budget is above 0."""
    budget = library_tokens(settings, catalog)
    return LibraryCache(store, budget) if budget > 0 else None


def build_calibration(settings: Settings) -> tuple[bool, Calibration | None]:
    """Whether the checks are scored, and the chat model's calibration (scored without one, the checks only record
    their numbers, as when collecting dev data for a fit; with rules, it reports P(correct) beside each answer)."""
    model = Path(settings.chat_model).name if settings.chat_model.endswith(".gguf") else settings.chat_model
    return settings.answer_checks == "scores", load_calibration(settings.calibration_path, model)


def build_gate(settings: Settings, catalog: Catalog, generator: Generator, scored: bool = False) -> Gate | None:
    """The checks that may refuse before the model answers: specifics and opposites first (free), then the
    model's own view. Scored, the specifics are a number of the judgement and the model's P(yes) is asked for it,
    refusing nothing alone; opposites stay a veto (on squad2's dev split they fired on unanswerable questions
    only)."""
    forgive = names_forgiven_at(settings, catalog)
    judge = generator if forgive > 0 and isinstance(generator, LlamaCppGenerator) else None
    gates: list[Gate] = [SpecificsGate(judge, forgive)] if settings.check_specifics and not scored else []
    if settings.check_opposites:
        gates.append(OppositesGate())
    if settings.check_negated:
        gates.append(NegatedGate())
    threshold = 0.0 if scored else answerability_threshold(settings, catalog)
    if (scored or threshold > 0) and isinstance(generator, LlamaCppGenerator):
        gates.append(AnswerabilityGate(generator, threshold))
    return Gates(gates) if gates else None


def build_pipeline(
    settings: Settings,
    catalog: Catalog,
    source: PassageSource,
    generator: Generator,
    embedder: Embedder,
    *,
    min_score: float | None = None,
    library: LibraryCache | None = None,
    store: VectorStore | None = None,
) -> Pipeline:
    """Retrieval, gate, prompt, generation and grounding for one generator."""
    scored, calibration = build_calibration(settings)
    return Pipeline(
        source,
        generator,
        CitationGrounder(min_support=settings.support_threshold, check_claims=settings.check_claims,
                         check_cited=settings.check_cited, check_asked=settings.check_asked,
                         check_near=settings.check_near, veto=not scored),
        excerpter=Excerpter(embedder, settings.rrf_k),
        gate=build_gate(settings, catalog, generator, scored),
        max_answer_tokens=settings.max_answer_tokens,
        temperature=settings.temperature,
        history_turns=settings.history_turns,
        follow_up_passages=settings.follow_up_passages,
        conversation_passages=settings.conversation_passages,
        min_score=settings.min_score if min_score is None else min_score,
        passage_tokens=settings.passage_tokens,
        library=library,
        store=store,
        prefix_dir=settings.data_dir / "prompt-cache",
        library_hints=settings.library_hints,
        library_retry=settings.library_retry,
        layout=prompt_layout(settings, catalog),
        verifier=generator if (settings.answer_check_threshold > 0 or scored)
        and isinstance(generator, LlamaCppGenerator) else None,
        verify_threshold=settings.answer_check_threshold,
        preread_instruction=settings.preread_instruction,
        preread_lookalike=settings.preread_lookalike,
        embedder=embedder,
        focus=settings.focus_passages,
        scored=scored,
        calibration=calibration,
        answer_threshold=settings.answer_threshold,
    )


def build_assistant(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    store: VectorStore | None = None,
    registry: DocumentRegistry | None = None,
    generator: Generator | None = None,
) -> Assistant:
    """Wire settings into a ready Assistant; any part can be swapped by passing it in."""
    go_offline()
    catalog = Catalog.load(settings.catalog_path)
    embedder = embedder or build_embedder(settings, catalog)
    connection = build_connection(settings)
    store = store or build_store(connection)
    registry = registry or build_registry(connection)
    chunker = Chunker(embedder.count_tokens, settings.chunk_tokens, settings.chunk_overlap)
    indexer = Indexer(store, registry, embedder, chunker, settings.data_dir, settings.write_batch_chunks,
                      max_file_mb=settings.max_file_mb)
    retriever = build_retriever(settings, embedder, store)
    return Assistant(
        settings,
        catalog,
        embedder,
        store,
        registry,
        indexer,
        retriever,
        make_generator=lambda model: build_generator(settings, catalog, model),
        make_pipeline=lambda gen: build_pipeline(settings, catalog, retriever, gen, embedder,
                                                 library=build_library(settings, catalog, store), store=store),
        generator=generator,
    )
