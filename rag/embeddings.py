"""Sentence embeddings with onnxruntime and tokenizers: the MiniLM model without PyTorch."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from rag.errors import ModelNotFoundError


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
    """all-MiniLM-L6-v2 on onnxruntime: batches padded to their longest text, masked mean pooling."""

    def __init__(
        self,
        model_path: Path,
        tokenizer_path: Path,
        *,
        name: str = "all-minilm-l6-v2-int8",
        max_tokens: int = 256,
        batch_size: int = 32,
        threads: int | None = None,
        sha256: str | None = None,
    ) -> None:
        self.model_path = Path(model_path)
        self.tokenizer_path = Path(tokenizer_path)
        self.name = name
        self.max_tokens = max_tokens
        self.batch_size = batch_size
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

            tok = Tokenizer.from_file(str(self.tokenizer_path))
            tok.enable_truncation(max_length=self.max_tokens)
            tok.enable_padding(pad_id=0, pad_token="[PAD]")  # pads to the longest text of each batch
            counter = Tokenizer.from_file(str(self.tokenizer_path))
            counter.no_truncation()
            counter.no_padding()
            opts = ort.SessionOptions()
            if self.threads:
                opts.intra_op_num_threads = self.threads
            opts.inter_op_num_threads = 1
            opts.log_severity_level = 3
            self._session = ort.InferenceSession(
                str(self.model_path), sess_options=opts, providers=["CPUExecutionProvider"]
            )
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
        # Sorting by length keeps similar lengths together, so little padding is computed.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[np.ndarray | None] = [None] * len(texts)
        for begin in range(0, len(order), self.batch_size):
            idx = order[begin : begin + self.batch_size]
            vectors = self._embed_batch([texts[i] for i in idx])
            for i, vec in zip(idx, vectors, strict=True):
                out[i] = vec
        return np.stack(out)  # type: ignore[arg-type]

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
