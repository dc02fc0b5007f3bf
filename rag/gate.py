"""Before generation: checks that decide the passages cannot answer the question, so the model is not asked.

A refusal here is fast (no answer is generated) and says why.
"""

from __future__ import annotations

from typing import Protocol

from rag.prompting import Prompt
from rag.specifics import missing_specifics
from rag.types import Check


class Gate(Protocol):
    """Decides, before the model writes, that the passages don't answer the question."""

    def check(self, question: str, prompt: Prompt) -> Check | None:
        """A refusal with its reason, or None to let the model answer."""
        ...


def _quoted(items: list[str]) -> str:
    shown = [f"“{i}”" for i in items]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" or {shown[-1]}"


class SpecificsGate:
    """Refuses when a specific of the question (a year, a number, a name) is in none of the passages."""

    def check(self, question: str, prompt: Prompt) -> Check | None:
        """The missing specifics as a refusal, or None."""
        missing = missing_specifics(question, [p.chunk.text for p in prompt.passages])
        if not missing:
            return None
        return Check("refused", f"The passages found don't mention {_quoted(missing)}.", question)


class Gates:
    """Several gates in order; the first refusal wins."""

    def __init__(self, gates: list[Gate]) -> None:
        self.gates = gates

    def check(self, question: str, prompt: Prompt) -> Check | None:
        """The first gate's refusal, or None."""
        for gate in self.gates:
            verdict = gate.check(question, prompt)
            if verdict is not None:
                return verdict
        return None
