"""The systems an evaluation compares: ours, and the brackets closed-book, oracle and naive.

Each is a `System` with one `answer` method, timed by the same `Stopwatch` as the pipeline.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from langchain_text_splitters import RecursiveCharacterTextSplitter

from rag.chunking import chunk_id
from rag.citations import clean_markers, resolve
from rag.documents import Document
from rag.embeddings import Embedder
from rag.llm import Generator
from rag.pipeline import Pipeline
from rag.registry import DocumentRegistry
from rag.retrieve import PassageSource, Retrieval, Retriever
from rag.store import ChromaStore, VectorStore
from rag.timing import Stopwatch
from rag.typeahead import TypeAhead, type_out
from rag.types import Answer, Chunk, ScoredChunk, Turn

CLOSED_BOOK_SYSTEM = "Answer the question in one or two sentences. If you do not know, say that you don't know."
# The generic prompt of the common RAG tutorials, kept verbatim in spirit.
NAIVE_TEMPLATE = (
    "Use the following pieces of context to answer the question at the end. If you don't know the answer, "
    "just say that you don't know, don't try to make up an answer.\n\n{context}\n\nQuestion: {question}\n"
    "Helpful Answer:"
)


class System(Protocol):
    """Something that answers questions (`gold_docs` are for the oracle only; the others ignore them)."""

    name: str

    def answer(self, question: str, history: list[Turn], gold_docs: list[str] | None = None) -> Answer:
        """The answer to a question after the earlier turns."""
        ...


def generate(
    generator: Generator,
    question: str,
    messages: list[dict[str, str]],
    passages: list[ScoredChunk],
    *,
    max_tokens: int,
    retrieval_ms: float = 0.0,
    watch: Stopwatch | None = None,
) -> Answer:
    """Run a prompt through the generator unchanged (no checks), timed like the pipeline."""
    watch = watch or Stopwatch()
    pieces: list[str] = []
    for piece in generator.stream(messages, max_tokens=max_tokens, temperature=0.0):
        watch.first_text()
        watch.pieces += 1
        pieces.append(piece)
    watch.stop()
    text = clean_markers("".join(pieces).strip(), len(passages))
    return Answer(question, text, resolve(text, passages), passages, False, watch.timings(retrieval_ms=retrieval_ms),
                  generator.name, question, passages)


def _pairs(history: list[Turn]) -> list[dict[str, str]]:
    out = []
    for turn in history:
        out += [{"role": "user", "content": turn.question}, {"role": "assistant", "content": turn.answer}]
    return out


class Ours:
    """The assistant's own pipeline."""

    name = "ours"

    def __init__(self, pipeline: Pipeline, read_ahead: bool = False, typed_cps: float = 0.0) -> None:
        self.pipeline = pipeline
        self.read_ahead = read_ahead
        # > 0: each question is typed at this many characters a second first, its passages read meanwhile as in
        # the browser (`read_while_typing`); its timings start when it is sent.
        self.typed_cps = typed_cps
        self.typing = TypeAhead(pipeline.typed_head, pipeline.read_typed) if typed_cps > 0 else None

    def answer(self, question: str, history: list[Turn], gold_docs: list[str] | None = None) -> Answer:
        """The pipeline's answer (typed first, with `typed_cps`)."""
        if self.typing is None:
            return self.pipeline.ask(question, history)
        type_out(self.typing, question, history, self.typed_cps)
        with self.typing.held():
            return self.pipeline.ask(question, history)

    def close(self) -> None:
        """Stop reading for typed questions."""
        if self.typing is not None:
            self.typing.close()

    def pause(self, history: list[Turn]) -> None:
        """Between the turns of a conversation, where a person reads the answer: the chat reads ahead for a
        follow-up then (`read_ahead`), so the eval does too, outside the next answer's timings."""
        if self.read_ahead:
            self.pipeline.read_ahead(history)


class ClosedBook:
    """The model alone, no passages: what it "knows" (or invents)."""

    name = "closed-book"

    def __init__(self, generator: Generator, max_tokens: int) -> None:
        self.generator = generator
        self.max_tokens = max_tokens

    def answer(self, question: str, history: list[Turn], gold_docs: list[str] | None = None) -> Answer:
        """The model's reply with no passages."""
        messages = [{"role": "system", "content": CLOSED_BOOK_SYSTEM}, *_pairs(history),
                    {"role": "user", "content": question}]
        return generate(self.generator, question, messages, [], max_tokens=self.max_tokens)


class OracleSource:
    """Passages straight from the gold documents, in reading order: retrieval made perfect."""

    def __init__(self, store: VectorStore, registry: DocumentRegistry, gold_names: list[str]) -> None:
        self.chunks: list[Chunk] = []
        for record in registry.records():
            if Path(record.source).name in gold_names:
                self.chunks.extend(store.document_chunks(record.id))

    def retrieve(self, query: str, k: int | None = None) -> Retrieval:
        """Every chunk of the gold documents."""
        return Retrieval(query, [ScoredChunk(c, 1.0, i) for i, c in enumerate(self.chunks, start=1)], 0.0)


class Oracle:
    """Our pipeline given the gold articles as its passages."""

    name = "oracle"

    def __init__(self, store: VectorStore, registry: DocumentRegistry,
                 pipeline_for: Callable[[PassageSource], Pipeline]) -> None:
        self.store = store
        self.registry = registry
        self.pipeline_for = pipeline_for

    def answer(self, question: str, history: list[Turn], gold_docs: list[str] | None = None) -> Answer:
        """Our pipeline over the gold documents' chunks."""
        source = OracleSource(self.store, self.registry, list(gold_docs or []))
        return self.pipeline_for(source).ask(question, history)


class Naive:
    """The tutorial pipeline: 1000-character chunks with 200 overlap, top-4 by the same embedder, generic prompt."""

    name = "naive"

    def __init__(self, embedder: Embedder, documents: list[Document], generator: Generator, *, k: int = 4,
                 max_tokens: int = 384) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="rag-naive-")
        self.store = ChromaStore(Path(self._tmp.name))
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
        for doc in documents:
            chunks = []
            for i, piece in enumerate(splitter.create_documents([doc.text])):
                start = int(piece.metadata["start_index"])
                text = piece.page_content
                chunks.append(Chunk(chunk_id(doc.id, i), doc.id, doc.title, doc.source, i, start,
                                    start + len(text), text))
            self.store.add_chunks(chunks, embedder.embed([c.text for c in chunks]))
            self.store.publish([doc.id])
        self.retriever = Retriever(embedder, self.store, k)
        self.generator = generator
        self.k = k
        self.max_tokens = max_tokens

    def answer(self, question: str, history: list[Turn], gold_docs: list[str] | None = None) -> Answer:
        """The tutorial prompt over the tutorial retrieval."""
        watch = Stopwatch()
        query = f"{history[-1].question} {question}" if history else question
        found = self.retriever.retrieve(query, self.k)
        context = "\n\n".join(p.chunk.text for p in found.passages)
        # As in the tutorials, history only widens the search; the prompt holds the context and the question.
        messages = [{"role": "user", "content": NAIVE_TEMPLATE.format(context=context, question=question)}]
        return generate(self.generator, question, messages, found.passages, max_tokens=self.max_tokens,
                        retrieval_ms=found.ms, watch=watch)

    def ranked_sources(self, question: str, depth: int) -> list[str]:
        """Source file names of the top `depth` chunks."""
        return [Path(p.chunk.source).name for p in self.retriever.retrieve(question, depth).passages]

    def close(self) -> None:
        """Delete the temporary store."""
        self._tmp.cleanup()
