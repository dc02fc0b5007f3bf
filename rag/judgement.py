"""After grounding, one stage: every check's verdict as a number, and one calibrated model that turns them into
P(correct), the probability that the answer is right. Below the model's threshold the answer is refused.

The checks (the model's own P(yes) that the passages state the answer, the question's names and numbers missing
from the passages, the answer's withheld sentences, an answer about another event than the question ...) are
literal and each misfires somewhere: on real phrasing a single one refused answers that were right. Here none of
them refuses alone: a logistic regression, fitted on dev data by `scripts/fit_calibration.py` (its weights in
`models/calibration.json`, one entry per chat model), weighs them. Two fits: "before" (what is known before the
model writes: it can refuse without generating) and "after" (everything).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rag.citations import MARKER
from rag.errors import ConfigError
from rag.specifics import missing_specifics
from rag.text import sentence_spans, stems
from rag.types import Check, ScoredChunk, stated_by

CALIBRATION_FILE = "calibration.json"
P_CORRECT = "p-correct"  # Check kind: the calibrated probability that the answer is right
P_BEFORE = "p-correct-before"  # Check kind: the same, from what is known before the model writes
LOGIT_CLIP = 8.0

# What is known before the model writes.
BEFORE = ("answerable", "missing_numbers", "missing_names", "top_score", "overlap")
# The grounding stage's objections (1 = the check objects), and the rest known after the answer.
OBJECTIONS = ("off_question", "not_given", "apart", "role")
# ("verified", the model's P(yes) after answering, is recorded when asked but not weighed: on dev it earned nothing
# for its extra model call.)
AFTER = (*BEFORE, "withheld", *OBJECTIONS, "words", "near", "near_none")


def logit(p: float) -> float:
    """log(p / (1 - p)), clipped to +-LOGIT_CLIP."""
    p = min(max(p, 1e-6), 1 - 1e-6)
    return max(-LOGIT_CLIP, min(LOGIT_CLIP, math.log(p / (1 - p))))


def before_scores(question: str, passages: Sequence[ScoredChunk], retrieved: Sequence[ScoredChunk],
                  p_answerable: float | None) -> dict[str, float]:
    """The numbers known before the answer: the model's P(yes) that the passages answer the question (as a logit; 0
    when not asked), how many of the question's numbers (years included) and names no passage states (2 at most),
    the best retrieval score, and the largest share of the question's words that one passage holds."""
    texts = [p.chunk.text for p in passages]
    missing = missing_specifics(question, stated_by([p.chunk for p in passages]), asked=True)
    digits = sum(1 for m in missing if any(ch.isdigit() for ch in m))
    asked = stems(question)
    overlap = max((len(asked & stems(t)) / len(asked) for t in texts), default=0.0) if asked else 0.0
    return {
        "answerable": logit(p_answerable) if p_answerable is not None else 0.0,
        "missing_numbers": float(min(digits, 2)),
        "missing_names": float(min(len(missing) - digits, 2)),
        "top_score": max((p.score for p in retrieved), default=0.0),
        "overlap": round(overlap, 4),
    }


def after_scores(before: Mapping[str, float], raw: str, text: str, withheld: int, objections: Sequence[str],
                 p_verified: float | None, near: float | None = None) -> dict[str, float]:
    """Everything: the scores before, the share of the answer's sentences withheld, each objection of grounding,
    the model's P(yes) after answering that the passages state its answer (a logit; 0 when not asked), the
    answer's length (log words), and the largest share of the question's words stated around the answer's new facts
    (`near`; `near_none` = 1 when the answer adds no fact its passages state)."""
    sentences = max(1, len(sentence_spans(MARKER.sub("", raw))))
    out = dict(before)
    out["withheld"] = round(min(1.0, withheld / sentences), 4)
    for name in OBJECTIONS:
        out[name] = float(name in objections)
    out["verified"] = logit(p_verified) if p_verified is not None else 0.0
    out["words"] = round(math.log1p(len(MARKER.sub("", text).split())), 4)
    out["near"] = round(near or 0.0, 4)
    out["near_none"] = float(near is None)
    return out


@dataclass(frozen=True)
class Fit:
    """One logistic regression: P(correct) = sigmoid(bias + sum of weight x (value - mean) / scale)."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float

    def p_correct(self, scores: Mapping[str, float]) -> float:
        """The calibrated probability that the answer is right."""
        z = self.bias + sum(w * (scores.get(f, 0.0) - m) / s
                            for f, w, m, s in zip(self.features, self.weights, self.mean, self.scale, strict=True))
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def to_dict(self) -> dict[str, object]:
        """Plain data for the calibration file."""
        return {"features": list(self.features), "weights": [round(w, 6) for w in self.weights],
                "bias": round(self.bias, 6), "mean": [round(m, 6) for m in self.mean],
                "scale": [round(s, 6) for s in self.scale], "threshold": round(self.threshold, 4)}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Fit:
        """A fit read from the calibration file."""
        def floats(key: str) -> tuple[float, ...]:
            value = data[key]
            assert isinstance(value, list)
            return tuple(float(v) for v in value)

        features = data["features"]
        assert isinstance(features, list)
        bias, threshold = data["bias"], data["threshold"]
        assert isinstance(bias, (int, float)) and isinstance(threshold, (int, float))
        fit = cls(tuple(str(f) for f in features), floats("weights"), float(bias), floats("mean"),
                  floats("scale"), float(threshold))
        if not len(fit.features) == len(fit.weights) == len(fit.mean) == len(fit.scale):
            raise ValueError("features, weights, mean and scale differ in length")
        return fit


@dataclass(frozen=True)
class Calibration:
    """The two fits for one chat model, and what they were fitted on."""

    model: str
    after: Fit
    before: Fit | None = None
    about: dict[str, object] = field(default_factory=dict)
    # Numbers that refuse alone when above 0: the literal checks that earned a veto on external dev data.
    vetoes: tuple[str, ...] = ()


def load_calibration(path: Path, model: str) -> Calibration | None:
    """The calibration for a chat model from the calibration file; None when the file has none for it."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entry = data.get("models", {}).get(model)
        if entry is None:
            return None
        before = Fit.from_dict(entry["before"]) if entry.get("before") else None
        vetoes = tuple(str(v) for v in entry.get("vetoes", []))
        unknown = [v for v in vetoes if v not in AFTER]
        if unknown:
            raise ValueError(f"unknown vetoes {unknown}")
        return Calibration(model, Fit.from_dict(entry["after"]), before, dict(entry.get("about", {})), vetoes)
    except (OSError, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise ConfigError(f"{path} is not a readable calibration file ({exc}); restore it from git or refit it "
                          "with scripts/fit_calibration.py") from exc


# The user's words for each objection, when it is what most lowered P(correct).
PLAIN = {
    "answerable": "The passages I found don't seem to state the answer.",
    "overlap": "The passages I found are about something else than your question.",
    "top_score": "The passages I found are about something else than your question.",
    "withheld": "What I would answer is not stated in the passages I found.",
    "off_question": "The only articles with an answer are not about what you asked.",
    "not_given": "I found nothing that gives what you asked for.",
    "apart": "The passages I found give a possible answer only about something other than what you asked.",
    "role": "No passage I found names the role you asked about.",
    "verified": "The passages I found don't seem to state the answer.",
}


def plain_reason(fit: Fit, scores: Mapping[str, float], notes: Mapping[str, str]) -> str:
    """Why an answer was refused, in words: the reason of the score that lowered P(correct) most against an
    average answer (a missing name or number says which, from `notes`)."""
    pulls = sorted(((w * (scores.get(f, 0.0) - m) / s, f)
                    for f, w, m, s in zip(fit.features, fit.weights, fit.mean, fit.scale, strict=True)),
                   key=lambda t: t[0])
    for pull, name in pulls:
        if pull >= 0:
            break
        if name in notes:
            return notes[name]
        if name in PLAIN:
            return PLAIN[name]
    return PLAIN["answerable"]


def score_check(p: float, threshold: float, before: bool = False) -> Check:
    """P(correct) as a note on the answer (its threshold after the slash)."""
    return Check(P_BEFORE if before else P_CORRECT, f"{p:.4f}/{threshold:.4f}")


def expected_calibration_error(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> float | None:
    """ECE: over equal-width bins of predicted P(correct), the gap between the mean prediction and the share that
    was right, weighted by the bin's size."""
    if not pairs:
        return None
    return round(sum(n * abs(p - right) for p, right, n in reliability(pairs, bins)) / len(pairs), 4)


def reliability(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> list[tuple[float, float, int]]:
    """The calibration plot's points: per non-empty bin, the mean prediction, the share right, and the count."""
    out = []
    for b in range(bins):
        inside = [(p, ok) for p, ok in pairs if b / bins <= p < (b + 1) / bins or (b == bins - 1 and p == 1.0)]
        if inside:
            out.append((sum(p for p, _ in inside) / len(inside), sum(ok for _, ok in inside) / len(inside),
                        len(inside)))
    return out
