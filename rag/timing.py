"""One way to time an answer, shared by the pipeline and the evaluation brackets."""

from __future__ import annotations

import time

from rag.types import Timings


class Stopwatch:
    """Marks the start, the first shown text and the end of an answer, and counts the generated pieces."""

    def __init__(self, started: float | None = None) -> None:
        self.started = time.perf_counter() if started is None else started
        self.first: float | None = None
        self.end: float | None = None
        self.pieces = 0

    def first_text(self) -> None:
        """The reader sees the first words now (only the first call counts)."""
        if self.first is None:
            self.first = time.perf_counter()

    def stop(self) -> None:
        """The answer is complete."""
        self.end = time.perf_counter()

    def timings(self, **extra: float | int | None) -> Timings:
        """Timings from the marks: first token, total, and decoding speed after the first piece."""
        end = self.end if self.end is not None else time.perf_counter()
        decode_s = end - self.first if self.first is not None else 0.0
        n = self.pieces
        return Timings(
            first_token_ms=(self.first - self.started) * 1000 if self.first is not None else None,
            total_ms=(end - self.started) * 1000,
            completion_tokens=n,
            tokens_per_s=(n - 1) / decode_s if n > 1 and decode_s > 0 else None,
            **extra,  # type: ignore[arg-type]
        )
