"""Sentence embeddings with onnxruntime and tokenizers: the MiniLM model without PyTorch."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from rag.errors import ModelLoadError, ModelNotFoundError


class Embedder(Protocol):
    """Turns texts into unit-length vectors; `fingerprint` names the model so a store can check it."""

    @property
    def fingerprint(self) -> str:
        """A stable description of the model (name and file hash)."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of shape (len(texts), dim), L2-normalised."""
        ...

    def count_tokens(self, text: str) -> int:
        """Word pieces in a text, without special tokens."""
        ...


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class OnnxEmbedder:
    """all-MiniLM-L6-v2 on onnxruntime: length-sorted batches of a token budget, masked mean pooling.

    A batch holds as many texts as fit `batch_tokens` once padded to its longest text: many short queries
    at once, a few full chunks. Attention memory grows with texts x length^2, and on a small CPU big
    batches are no faster (bench table 1b), so the budget, not a text count, bounds a batch.
    """

    def __init__(
        self,
        model_path: Path,
        tokenizer_path: Path,
        *,
        name: str = "all-minilm-l6-v2-int8",
        max_tokens: int = 256,
        batch_tokens: int = 512,
        threads: int | None = None,
        sha256: str | None = None,
    ) -> None:
        self.model_path = Path(model_path)
        self.tokenizer_path = Path(tokenizer_path)
        self.name = name
        self.max_tokens = max_tokens
        self.batch_tokens = batch_tokens
        self.threads = threads
        self._sha256 = sha256
        self._session: Any = None
        self._tokenizer: Any = None
        self._count_tokenizer: Any = None
        self._lock = threading.Lock()

    @property
    def fingerprint(self) -> str:
        """Model name, truncation and a short hash of the ONNX file."""
        sha = self._sha256 or _file_digest(self.model_path)
        self._sha256 = sha
        return f"{self.name}:{sha[:12]}:max{self.max_tokens}"

    def load(self) -> None:
        """Open the tokenizer and the ONNX session (done lazily on first use)."""
        with self._lock:
            if self._session is not None:
                return
            for path in (self.model_path, self.tokenizer_path):
                if not path.is_file():
                    raise ModelNotFoundError(
                        f"embedding model file {path} is missing; fetch it with: rag models pull {self.name}"
                    )
            import onnxruntime as ort
            from tokenizers import Tokenizer

            fix = (f"it is damaged or not the expected file. Fetch it again with `rag models pull {self.name} "
                   "--force` (`rag doctor` checks every model file)")
            try:
                tok = Tokenizer.from_file(str(self.tokenizer_path))
                counter = Tokenizer.from_file(str(self.tokenizer_path))
            except Exception as exc:
                raise ModelLoadError(f"the tokenizer file {self.tokenizer_path} cannot be read; {fix}") from exc
            tok.enable_truncation(max_length=self.max_tokens)
            tok.no_padding()  # the file may ask for padding; `_embed_batch` pads each batch to its longest text
            counter.no_truncation()
            counter.no_padding()
            opts = ort.SessionOptions()
            if self.threads:
                opts.intra_op_num_threads = self.threads
            opts.inter_op_num_threads = 1
            opts.log_severity_level = 3
            try:
                self._session = ort.InferenceSession(
                    str(self.model_path), sess_options=opts, providers=["CPUExecutionProvider"]
                )
            except Exception as exc:
                raise ModelLoadError(f"the embedding model file {self.model_path} cannot be loaded; {fix}") from exc
            self._input_names = {i.name for i in self._session.get_inputs()}
            self._count_tokenizer = counter
            self._tokenizer = tok

    def count_tokens(self, text: str) -> int:
        """Word pieces in a text, without [CLS]/[SEP]."""
        if self._count_tokenizer is None:
            self.load()
        return len(self._count_tokenizer.encode(text, add_special_tokens=False).ids)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for texts, computed in length-sorted batches and returned in input order."""
        if self._session is None:
            self.load()
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        # Sorted by token count, so a batch pads little; returned in input order.
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        batches: list[list[int]] = [[]]
        for i in order:
            # Sorted ascending, so text i is the longest yet: the padded size is (texts + 1) x its length.
            if batches[-1] and (len(batches[-1]) + 1) * len(encodings[i].ids) > self.batch_tokens:
                batches.append([])
            batches[-1].append(i)
        vectors = [self._embed_batch([encodings[j] for j in batch]) for batch in batches]
        out = np.empty((len(texts), vectors[0].shape[1]), dtype=np.float32)
        for batch, vecs in zip(batches, vectors, strict=True):
            out[batch] = vecs
        return out

    def _embed_batch(self, encodings: list[Any]) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
