"""Small fakes for fast unit tests: a hashing embedder and a generator that replays text."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence

import numpy as np

DIM = 64


class FakeEmbedder:
    """Bag of words hashed into 64 dimensions: similar texts share words, so they score higher."""

    fingerprint = "fake-embedder:v1"

    def __init__(self) -> None:
        self.calls = 0

    def count_tokens(self, text: str) -> int:
        return len(re.findall(r"\w+|[^\w\s]", text))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % DIM] += 1.0
            out[row] /= max(np.linalg.norm(out[row]), 1e-9)
        return out


class FakeGenerator:
    """Replays a scripted reply in small pieces and records the prompts it was given."""

    name = "fake-generator"
    context_length = 4096
    prompt_tokens_read = None

    def __init__(self, reply: str | list[str] = "", piece: int = 3) -> None:
        self.replies = [reply] if isinstance(reply, str) else list(reply)
        self.piece = piece
        self.prompts: list[list[dict[str, str]]] = []
        self.sampling: list[tuple[int, float]] = []  # (max_tokens, temperature) of each reply

    def script(self, reply: str | list[str]) -> FakeGenerator:
        """Replace the scripted replies (and forget earlier prompts)."""
        self.replies = [reply] if isinstance(reply, str) else list(reply)
        self.prompts = []
        return self

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def close(self) -> None:
        pass

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float) -> Iterator[str]:
        self.prompts.append(messages)
        self.sampling.append((max_tokens, temperature))
        reply = self.replies[min(len(self.prompts), len(self.replies)) - 1]
        for i in range(0, len(reply), self.piece):
            yield reply[i : i + self.piece]
