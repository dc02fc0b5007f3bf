"""Scored checks with fakes: the numbers, the calibrated fit, its file, its plain refusals, and the fitting script."""

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from rag.assistant import Assistant
from rag.build import build_assistant
from rag.config import Settings
from rag.errors import ConfigError
from rag.judgement import (
    AFTER,
    BEFORE,
    P_BEFORE,
    P_CORRECT,
    Fit,
    expected_calibration_error,
    load_calibration,
    plain_reason,
)
from rag.prompting import REFUSAL
from tests.conftest import MODELS, TINY
from tests.fakes import FakeEmbedder, FakeGenerator

ROOT = Path(__file__).resolve().parent.parent


def _fit(weights: dict[str, float], features: tuple[str, ...] = AFTER, bias: float = 0.0,
         threshold: float = 0.5) -> Fit:
    return Fit(features, tuple(weights.get(f, 0.0) for f in features), bias, (0.0,) * len(features),
               (1.0,) * len(features), threshold)


def test_a_fit_weighs_each_number_and_survives_its_file() -> None:
    fit = _fit({"answerable": 1.0, "missing_numbers": -2.0})
    sure, doubtful = fit.p_correct({"answerable": 3.0}), fit.p_correct({"answerable": 3.0, "missing_numbers": 2.0})
    assert sure > 0.9 and doubtful < 0.5  # a missing number pulls down, but P(yes) can outweigh one alone
    assert fit.p_correct({"answerable": 3.0, "missing_numbers": 1.0}) > 0.5
    assert Fit.from_dict(json.loads(json.dumps(fit.to_dict()))) == fit


def test_a_broken_calibration_file_says_how_to_mend_it(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    assert load_calibration(path, "m") is None  # no file: no calibration (the literal rules decide)
    path.write_text(json.dumps({"models": {"m": {"after": {"features": ["a"], "weights": [1, 2]}}}}))
    with pytest.raises(ConfigError, match="refit it"):
        load_calibration(path, "m")
    assert load_calibration(path, "another model") is None


def test_the_calibration_error_tells_calibrated_from_overconfident() -> None:
    calibrated = [(0.8, True)] * 8 + [(0.8, False)] * 2 + [(0.2, True)] * 2 + [(0.2, False)] * 8
    overconfident = [(0.95, True)] * 5 + [(0.95, False)] * 5
    assert expected_calibration_error(calibrated) == pytest.approx(0.0)
    assert expected_calibration_error(overconfident) == pytest.approx(0.45)
    assert expected_calibration_error([]) is None


def test_a_refusal_names_what_pulled_the_answer_down_most() -> None:
    fit = _fit({"answerable": 1.0, "missing_numbers": -3.0, "not_given": -1.0})
    notes = {"missing_numbers": "The articles mention “Vessby”, but not “2021”.", "not_given": "no number"}
    assert plain_reason(fit, {"missing_numbers": 1.0, "not_given": 1.0}, notes) == notes["missing_numbers"]
    assert plain_reason(fit, {"not_given": 1.0}, notes) == "no number"
    assert "check" not in plain_reason(fit, {"answerable": -4.0}, {}).lower()  # plain words, no check names


def _scored(tmp_path: Path, generator: FakeGenerator, fits: dict[str, object]) -> Assistant:
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy(MODELS / "catalog.toml", models / "catalog.toml")
    (models / "calibration.json").write_text(json.dumps({"models": {TINY: fits}}))
    settings = Settings(data_dir=tmp_path / "data", models_dir=models, chat_model=TINY, answer_checks="scores")
    return build_assistant(settings, embedder=FakeEmbedder(), generator=generator)


def _regatta(folder: Path) -> list[Path]:
    folder.mkdir()
    (folder / "regatta.txt").write_text("Harbour regatta report\n\nThe 2019 Vessby regatta was won by the schooner "
                                        "Marta, skippered by Lena Ostrova. The race drew 52 boats.")
    (folder / "station.txt").write_text("Railway station news\n\nThe new Vessby station opens in March.")
    return [folder / "regatta.txt", folder / "station.txt"]


def test_a_missing_year_lowers_the_score_instead_of_refusing_alone(tmp_path: Path) -> None:
    generator = FakeGenerator("The schooner Marta won [1].")
    light = _scored(tmp_path, generator, {"after": _fit({"missing_numbers": -0.5}, bias=2.0).to_dict()})
    assert not light.ingest(_regatta(tmp_path / "docs")).failed
    answer = light.ask("Who won the 2021 Vessby regatta?")
    # The literal rule would have refused before the model; weighed lightly, the answer stands, with its numbers.
    assert not answer.refused and generator.prompts
    assert answer.scores["missing_numbers"] == 1.0 and answer.scores["withheld"] == 0.0
    assert [c.kind for c in answer.checks if c.kind == P_CORRECT]


def test_an_answer_below_the_threshold_is_refused_in_plain_words(tmp_path: Path) -> None:
    generator = FakeGenerator("The schooner Marta won [1].")
    heavy = _scored(tmp_path, generator, {"after": _fit({"missing_numbers": -6.0}, bias=2.0).to_dict()})
    assert not heavy.ingest(_regatta(tmp_path / "docs")).failed
    answer = heavy.ask("Who won the 2021 Vessby regatta?")
    assert answer.refused and answer.citations == []
    assert answer.text == f"{REFUSAL} The articles mention “Vessby”, but not “2021”."
    withdrawn = [c for c in answer.checks if c.kind == "refused"]
    assert withdrawn and "Marta" in withdrawn[-1].text  # the withdrawn answer is kept for the evaluation
    assert not heavy.ask("Who won the 2019 Vessby regatta?").refused


def test_the_fit_before_the_answer_refuses_without_asking_the_model(tmp_path: Path) -> None:
    generator = FakeGenerator("The schooner Marta won [1].")
    fits = {"before": _fit({"missing_numbers": -6.0}, BEFORE, bias=2.0, threshold=0.1).to_dict(),
            "after": _fit({}, bias=2.0).to_dict()}
    assistant = _scored(tmp_path, generator, fits)
    assert not assistant.ingest(_regatta(tmp_path / "docs")).failed
    answer = assistant.ask("Who won the 2021 Vessby regatta?")
    assert answer.refused and generator.prompts == []
    assert [c.kind for c in answer.checks] == [P_BEFORE, "refused"]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fit_calibration", ROOT / "scripts" / "fit_calibration.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_fitting_script_learns_which_number_tells_right_from_wrong(tmp_path: Path) -> None:
    fit_calibration = _script()
    results = tmp_path / "dev" / "results.jsonl"
    results.parent.mkdir()
    rows = []
    for i in range(120):
        right = i % 3 != 0  # wrong answers: their passages lack the question's year
        rows.append({"system": "ours", "answerable": right or i % 2 == 0, "refused": False, "correct": right,
                     "scores": {"answerable": 1.0 + (i % 5) * 0.1, "missing_numbers": 0.0 if right else 1.0,
                                "withheld": 0.0, "words": 2.0}})
    results.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "calibration.json"
    argv = sys.argv
    sys.argv = ["fit", str(results), "--model", "m", "--write", str(out)]
    try:
        fit_calibration.main()
    finally:
        sys.argv = argv
    cal = load_calibration(out, "m")
    assert cal is not None and cal.before is not None
    weights = dict(zip(cal.after.features, cal.after.weights, strict=True))
    assert weights["missing_numbers"] < -1 and abs(weights["role"]) < 1e-6  # learnt; a constant number weighs 0
    assert cal.after.p_correct({**rows[1]["scores"]}) > cal.after.threshold > cal.after.p_correct(rows[0]["scores"])


@pytest.mark.slow
def test_the_default_model_reports_p_correct_and_scored_checks_refuse_in_plain_words(tmp_path: Path) -> None:
    """Through the real parts: the 1.5B model with its fitted calibration (models/calibration.json)."""
    from rag.config import load_settings
    from tests.conftest import require_model

    default = Settings.model_fields["chat_model"].default
    require_model(default)
    require_model("all-minilm-l6-v2-int8")
    docs = tmp_path / "docs"
    _regatta(docs)
    rules = build_assistant(load_settings(env={}, data_dir=tmp_path / "data", models_dir=MODELS))
    assert not rules.ingest([docs]).failed
    answer = rules.ask("Who won the 2019 Vessby regatta?")
    assert not answer.refused and "Marta" in answer.text
    judged = [c for c in answer.checks if c.kind == P_CORRECT]
    assert judged and 0 < float(judged[0].detail.split("/")[0]) < 1  # the rules decided; P(correct) is reported
    assert answer.scores["answerable"] > 0  # the model said yes
    scored = build_assistant(load_settings(env={}, data_dir=tmp_path / "data", models_dir=MODELS,
                                           answer_checks="scores"), generator=rules.generator)
    refused = scored.ask("Who won the 2021 Vessby regatta?")
    assert refused.refused and refused.timings.completion_tokens == 0  # a veto the fit kept: no model call
    assert refused.text == f"{REFUSAL} The articles mention “Vessby”, but not “2021”."
    again = scored.ask("Who won the 2019 Vessby regatta?")
    assert not again.refused and ("Marta" in again.text or "Ostrova" in again.text)  # the schooner or its skipper
    assert [c for c in again.checks if c.kind in (P_BEFORE, P_CORRECT)]
    rules.close()
