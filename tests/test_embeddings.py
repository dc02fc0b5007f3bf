from pathlib import Path

import numpy as np
import pytest

from bench.common import chroma_default_ef
from rag.embeddings import OnnxEmbedder
from rag.errors import ModelNotFoundError
from tests.conftest import MODELS, SEEDS, require_model

BASE = MODELS / "all-minilm-l6-v2-int8"


@pytest.fixture(scope="module")
def embedder() -> OnnxEmbedder:
    require_model("all-minilm-l6-v2-int8")
    return OnnxEmbedder(BASE / "model.onnx", BASE / "tokenizer.json", batch_tokens=256)


def test_same_vectors_as_chromadb_default_function(embedder: OnnxEmbedder, tmp_path: Path) -> None:
    texts = [p for path in sorted(SEEDS.glob("*.txt")) for p in path.read_text().split("\n") if p.strip()]
    texts += ["short", "How old is Ri Il Gyu?", "Ein Satz auf Deutsch mit Umlauten: Größe, Übermut."]
    ours = embedder.embed(texts)
    theirs = np.asarray(chroma_default_ef(tmp_path)(texts), dtype=np.float32)
    assert ours.shape == theirs.shape == (len(texts), 384)
    cosines = (ours * theirs).sum(axis=1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1))
    assert cosines.min() >= 0.9999


def test_vectors_are_unit_length_and_order_is_kept(embedder: OnnxEmbedder) -> None:
    texts = ["a much longer sentence about harbours and ships and the sea", "ship", "rain in Spain"]
    together = embedder.embed(texts)
    alone = np.stack([embedder.embed([t])[0] for t in texts])
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(together, alone, atol=1e-5)  # batching and sorting change nothing


def test_related_texts_score_higher_than_unrelated(embedder: OnnxEmbedder) -> None:
    q, related, unrelated = embedder.embed(
        ["Which diplomat defected?", "A North Korean diplomat fled to the South.", "Bake the bread for an hour."]
    )
    assert q @ related > q @ unrelated + 0.2


def test_missing_files_name_the_fetch_command(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="rag models pull"):
        OnnxEmbedder(tmp_path / "model.onnx", tmp_path / "tokenizer.json").embed(["x"])


def test_batches_keep_to_the_token_budget(embedder: OnnxEmbedder, monkeypatch: pytest.MonkeyPatch) -> None:
    shapes: list[tuple[int, int]] = []
    real = embedder._embed_batch

    def spy(encodings):
        shapes.append((len(encodings), max(len(e.ids) for e in encodings)))
        return real(encodings)

    monkeypatch.setattr(embedder, "_embed_batch", spy)
    long = " ".join(f"harbour{i}" for i in range(300))  # truncated to 256 tokens
    texts = ["ship"] * 20 + [long] * 3
    vectors = embedder.embed(texts)
    assert vectors.shape == (23, 384)
    assert all(n == 1 or n * width <= embedder.batch_tokens for n, width in shapes), shapes
    assert sum(n for n, _ in shapes) == 23
    assert max(n for n, _ in shapes) == 20 and (1, 256) in shapes  # short texts together, long ones alone
