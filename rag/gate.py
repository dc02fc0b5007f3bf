"""Before generation: checks that decide the passages cannot answer the question, so the model is not asked.

A gate returns `Check`s: one of kind "refused" stops the answer (fast, and it says why); others are notes
recorded on the answer (for example the answerability probability, which the evaluation calibrates on).
"""

from __future__ import annotations

from typing import Protocol

from rag.llm import Judge
from rag.opposites import negated, negated_reason, opposite_reason, opposites
from rag.prompting import Prompt, answerability_check
from rag.specifics import missing_reason, missing_specifics, spelled_alike
from rag.types import Check, stated_by

REFUSED = "refused"
ANSWERABILITY = "answerability"
OPPOSITE = "opposite"  # machine-readable, beside the plain refusal: "<the question's word> / <the passages' word>"
NEGATED = "negated"  # machine-readable, beside the plain refusal: "<share>: <the passage sentence, cut>"


class Gate(Protocol):
    """Decides, before the model writes, whether the passages can answer the question."""

    def check(self, question: str, prompt: Prompt) -> list[Check]:
        """Checks; one of kind "refused" means: don't answer."""
        ...


FORGIVEN = "names-forgiven"  # machine-readable: the question's names no passage states, let through by the model


class SpecificsGate:
    """Refuses when a specific of the question (a year, a number, a name) is in none of the passages.

    With a `judge` and `forgive` above 0, names alone (no number or year missing) refuse only when the model's
    P(yes) that the passages state the answer is below `forgive`: real questions name things by nicknames and other
    names that no form of writing holds ("Spurs" for Tottenham Hotspur, the NYPD for New York police), and the model
    reads those. A name the passages spell almost alike ("Turning" for "Turing") is not forgiven: it is the form
    adversarial questions take, and the refusal asks "Did you mean ...?". The model's P(yes) is then recorded as the
    answerability check's, which is not asked again.
    """

    def __init__(self, judge: Judge | None = None, forgive: float = 0.0) -> None:
        self.judge = judge
        self.forgive = forgive

    def check(self, question: str, prompt: Prompt) -> list[Check]:
        """The missing specifics as a refusal, or nothing (or, names forgiven, the model's P(yes) as a note)."""
        sources = stated_by([p.chunk for p in prompt.passages])
        missing = missing_specifics(question, sources, asked=True)
        if not missing:
            return []
        if self.judge is not None and self.forgive > 0 and not any(c.isdigit() for m in missing for c in m) \
                and not spelled_alike(missing, sources):
            p_yes = self.judge.yes_probability(answerability_check(prompt, question), then=prompt.messages)
            if p_yes >= self.forgive:
                return [Check(FORGIVEN, ", ".join(missing)), Check(ANSWERABILITY, f"{p_yes:.4f}")]
        return [Check(REFUSED, missing_reason(question, missing, sources=sources), question)]


class OppositesGate:
    """Refuses when the question asks about the opposite of what the passages say ("indirectly" where they say
    "directly", "the least" where they say "the most", in the same place)."""

    def check(self, question: str, prompt: Prompt) -> list[Check]:
        """Each opposite as a note and the first as a refusal, or nothing."""
        found = opposites(question, stated_by([p.chunk for p in prompt.passages]))
        if not found:
            return []
        return [*(Check(OPPOSITE, f"{o.asked} / {o.said}") for o in found),
                Check(REFUSED, opposite_reason(found), question)]


class NegatedGate:
    """Refuses when the question is a passage sentence with a negation added ("What does not induce a proper
    hierarchy?" where the passages only say what does) and no passage says it with the negation."""

    def check(self, question: str, prompt: Prompt) -> list[Check]:
        """The sentence as a note and a refusal, or nothing."""
        found = negated(question, stated_by([p.chunk for p in prompt.passages]))
        if found is None:
            return []
        return [Check(NEGATED, f"{found.share:.2f}: {found.sentence[:120]}"),
                Check(REFUSED, negated_reason(found), question)]


class AnswerabilityGate:
    """Asks the model, over the same passages the answer would use, whether they state the answer.

    P(yes) is read from the logits of the reply's first token; below `threshold` the question is refused. With
    the passages already in the KV cache for the answer, it costs a few dozen new tokens, read (where the judge
    can) together with the answer's own remaining prompt tokens.
    """

    def __init__(self, judge: Judge, threshold: float) -> None:
        self.judge = judge
        self.threshold = threshold

    def check(self, question: str, prompt: Prompt) -> list[Check]:
        """The probability as a note, and a refusal when it is below the threshold."""
        p_yes = self.judge.yes_probability(answerability_check(prompt, question), then=prompt.messages)
        checks = [Check(ANSWERABILITY, f"{p_yes:.4f}")]
        if p_yes < self.threshold:
            checks.append(Check(REFUSED, "The passages I found don't seem to state the answer.", question))
        return checks


class Gates:
    """Several gates in order; the first refusal stops the rest."""

    def __init__(self, gates: list[Gate]) -> None:
        self.gates = gates

    def check(self, question: str, prompt: Prompt) -> list[Check]:
        """Every gate's checks until one refuses."""
        out: list[Check] = []
        for gate in self.gates:
            if isinstance(gate, AnswerabilityGate) and any(c.kind == ANSWERABILITY for c in out):
                continue  # asked already (names forgiven), over the same prompt
            out += gate.check(question, prompt)
            if any(c.kind == REFUSED for c in out):
                break
        return out
