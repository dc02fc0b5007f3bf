"""Shared fixtures: settings in temporary folders, fakes, and the real small models."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.build import build_assistant
from rag.config import Settings, load_settings
from rag.models import Catalog, is_present
from tests.fakes import FakeEmbedder, FakeGenerator

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
SEEDS = ROOT / "seeds"
TINY = "smollm2-135m-instruct-q4_1"
SMALL = "qwen2.5-coder-0.5b-instruct-q4_k_m"
DEFAULT = "qwen2.5-coder-1.5b-instruct-q4_k_m"  # library mode needs it: the 0.5B refuses over whole libraries
SPOKESMAN = "004_93fa0684f6420914.txt"


def require_model(model_id: str) -> None:
    """Fail (in CI) or skip (elsewhere) when a model the test needs is not downloaded."""
    spec = Catalog.load(MODELS / "catalog.toml").get(model_id)
    if not is_present(MODELS, spec):
        msg = f"model {model_id} missing; run `make test-models` (or rag models pull {model_id})"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads the developer's ./rag.toml or inherits RAG_* variables (subprocesses included)."""
    for key in list(os.environ):
        if key.startswith("RAG_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh data folder and the repository's models."""
    return load_settings(env={}, data_dir=tmp_path / "data", models_dir=MODELS, chat_model=TINY)


@pytest.fixture
def fake_generator() -> FakeGenerator:
    """The scripted generator of `fake_assistant` (tests set its replies with `script`)."""
    return FakeGenerator()


@pytest.fixture
def fake_assistant(settings: Settings, fake_generator: FakeGenerator) -> Assistant:
    """An assistant on a real Chroma store with a fake embedder and a scripted generator."""
    return build_assistant(settings, embedder=FakeEmbedder(), generator=fake_generator)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real Chroma server for the session (`chroma run` on a free port); tests use databases of their own."""
    from tests.servers import chroma_run

    with chroma_run(tmp_path_factory.mktemp("chroma-server") / "db") as url:
        yield url


@pytest.fixture(scope="session")
def seeds_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed articles copied to a temporary folder (tests may not touch seeds/)."""
    dest = tmp_path_factory.mktemp("seeds")
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, dest / path.name)
    return dest


@pytest.fixture(scope="session")
def real_assistant(tmp_path_factory: pytest.TempPathFactory, seeds_copy: Path) -> Assistant:
    """The real embedder and Chroma store over the seeds, with the 0.5B chat model."""
    require_model("all-minilm-l6-v2-int8")
    require_model(SMALL)
    data = tmp_path_factory.mktemp("real-data")
    settings = load_settings(env={}, data_dir=data, models_dir=MODELS, chat_model=SMALL)
    assistant = build_assistant(settings)
    report = assistant.ingest([seeds_copy])
    assert not report.failed
    return assistant


def write_other_year(docs: Path) -> Path:
    """A library where a question about the Tarrow budget for 2024 finds only the 2022 budget (and "2024" only in
    another story), with more passages than a search returns: for the library-mode second look."""
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "budget.txt").write_text("Tarrow budget approved\n\nTarrow council approved a budget of 48 million "
                                     "pounds for 2022, with 3 million pounds for road repairs.")
    (docs / "marathon.txt").write_text("Harlow Marathon 2024\n\nThe 2024 Harlow Marathon drew 2,000 runners on a "
                                       "cold April morning.")
    for i, town in enumerate(["Arlo", "Brenn", "Corvik", "Dalby"]):
        (docs / f"town{i}.txt").write_text(f"{town} council notes\n\nThe {town} council met on Tuesday to discuss "
                                           "the library's opening hours and a new bus shelter near the school.")
    return docs


def write_vessby(docs: Path) -> Path:
    """Three short Vessby news articles (harbour, station, school) written to `docs`, for the typing tests."""
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "harbour.txt").write_text("Harbour master news\n\nThe harbour master Ana Ruiz is 47 years old. She runs "
                                      "the port of Vessby, where the ferries to Holm and Sundby leave every hour.")
    (docs / "station.txt").write_text("Railway station news\n\nThe new Vessby railway station opens in March with "
                                      "six tracks, a bicycle garage for 400 bicycles and a bus terminal.")
    (docs / "school.txt").write_text("School news\n\nThe Vessby school gets a new library in the autumn, paid for "
                                     "by the town and a local foundation.")
    return docs
