"""Comparison brackets run in the same evaluation: closed-book, oracle passages, and a naive tutorial RAG."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from langchain_text_splitters import RecursiveCharacterTextSplitter

from rag.chunking import Chunk, chunk_id
from rag.citations import clean_markers, resolve
from rag.documents import Document
from rag.embeddings import Embedder
from rag.llm import Generator
from rag.pipeline import Answer, Timings
from rag.retrieve import Retrieval, Retriever
from rag.store import ChromaStore, ScoredChunk, VectorStore

CLOSED_BOOK_SYSTEM = "Answer the question in one or two sentences. If you do not know, say that you don't know."
# The generic prompt of the common RAG tutorials, kept verbatim in spirit.
NAIVE_TEMPLATE = (
    "Use the following pieces of context to answer the question at the end. If you don't know the answer, "
    "just say that you don't know, don't try to make up an answer.\n\n{context}\n\nQuestion: {question}\n"
    "Helpful Answer:"
)


def generate(
    generator: Generator,
    question: str,
    messages: list[dict[str, str]],
    passages: list[ScoredChunk],
    *,
    max_tokens: int,
    retrieval_ms: float = 0.0,
    started: float | None = None,
) -> Answer:
    """Run a prompt through the generator and measure it the way the pipeline does."""
    started = time.perf_counter() if started is None else started
    pieces: list[str] = []
    first: float | None = None
    for piece in generator.stream(messages, max_tokens=max_tokens, temperature=0.0):
        if first is None:
            first = time.perf_counter()
        pieces.append(piece)
    end = time.perf_counter()
    text = clean_markers("".join(pieces).strip(), len(passages))
    decode = end - first if first else 0.0
    timings = Timings(
        retrieval_ms=retrieval_ms,
        first_token_ms=(first - started) * 1000 if first else None,
        total_ms=(end - started) * 1000,
        completion_tokens=len(pieces),
        tokens_per_s=(len(pieces) - 1) / decode if len(pieces) > 1 and decode > 0 else None,
    )
    return Answer(question, text, resolve(text, passages), passages, False, timings, generator.name,
                  question, passages)


def closed_book(generator: Generator, question: str, history: list[tuple[str, str]], max_tokens: int) -> Answer:
    """The model alone, no passages: what it "knows" (or invents)."""
    messages = [{"role": "system", "content": CLOSED_BOOK_SYSTEM}]
    for q, a in history:
        messages += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
    messages.append({"role": "user", "content": question})
    return generate(generator, question, messages, [], max_tokens=max_tokens)


class OracleSource:
    """Passages straight from the gold documents, in reading order: retrieval made perfect."""

    def __init__(self, store: VectorStore, gold_names: list[str]) -> None:
        self.chunks: list[Chunk] = []
        for record in store.documents():
            if Path(record.source).name in gold_names:
                self.chunks.extend(store.document_chunks(record.id))

    def retrieve(self, query: str, k: int | None = None) -> Retrieval:
        return Retrieval(query, [ScoredChunk(c, 1.0, i) for i, c in enumerate(self.chunks, start=1)], 0.0)


class NaiveRag:
    """The tutorial pipeline: 1000-character chunks with 200 overlap, top-4 by the same embedder, generic prompt."""

    def __init__(self, embedder: Embedder, documents: list[Document], k: int = 4) -> None:
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
            self.store.upsert_chunks(chunks, embedder.embed([c.text for c in chunks]))
        self.retriever = Retriever(embedder, self.store, k)
        self.k = k

    def ask(self, generator: Generator, question: str, history: list[tuple[str, str]], max_tokens: int) -> Answer:
        started = time.perf_counter()
        query = f"{history[-1][0]} {question}" if history else question
        found = self.retriever.retrieve(query, self.k)
        context = "\n\n".join(p.chunk.text for p in found.passages)
        messages = [{"role": "user", "content": NAIVE_TEMPLATE.format(context=context, question=question)}]
        return generate(generator, question, messages, found.passages, max_tokens=max_tokens,
                        retrieval_ms=found.ms, started=started)

    def ranked_sources(self, question: str, depth: int) -> list[str]:
        return [Path(p.chunk.source).name for p in self.retriever.retrieve(question, depth).passages]

    def close(self) -> None:
        self._tmp.cleanup()
