"""Uploads from the web (the UI's Library tab and the API's /v1/documents): the same checks for both.

A file is accepted when its type is supported and its size within the limit; it is copied into the data
folder's `uploads/` under a name that cannot leave that folder, then ingested. Messages shown to a remote user
never carry server paths.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from rag.assistant import Assistant
from rag.documents import SUPPORTED_SUFFIXES
from rag.errors import RagError
from rag.ingest import FAILED, IGNORED, Progress


def safe_name(name: str) -> str:
    """A file name that cannot leave its folder: no separators, no dots at the start, plain characters."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", stem).strip(" ._") or "upload"
    return f"{stem[:100]}{suffix}"


@dataclass(frozen=True)
class Outcome:
    """What became of one uploaded file: status is added, updated, skipped, refused or failed."""

    name: str
    status: str
    reason: str = ""
    title: str = ""
    chunks: int = 0
    doc_id: str = ""
    warning: str = ""  # sentences of the article kept out of prompts (orders to an assistant)

    @property
    def ok(self) -> bool:
        """Whether the file is in the library now."""
        return self.status not in ("refused", FAILED)


class Uploads:
    """Checks, keeps and ingests uploaded files for one assistant."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.folder = Path(assistant.settings.data_dir) / "uploads"

    def keep(self, original: str, src: Path) -> Path | Outcome:
        """Copy an upload into the uploads folder, or say why it is refused."""
        limit_mb = self.assistant.settings.max_upload_mb
        name = safe_name(original)
        if Path(name).suffix not in SUPPORTED_SUFFIXES:
            return Outcome(original, "refused", f"unsupported type; use {', '.join(sorted(SUPPORTED_SUFFIXES))}")
        size = src.stat().st_size
        if size > limit_mb * 1024 * 1024:
            return Outcome(original, "refused", f"{size / 1048576:.1f} MiB is over the {limit_mb:g} MiB limit")
        self.folder.mkdir(parents=True, exist_ok=True)
        dest = (self.folder / name).resolve()
        if not dest.is_relative_to(self.folder.resolve()):  # safe_name makes this impossible; belt and braces
            return Outcome(original, "refused", "refused file name")
        shutil.copyfile(src, dest)
        return dest

    def add(self, files: list[tuple[str, Path]], progress: Progress | None = None) -> list[Outcome]:
        """Check and ingest uploaded files, given as (name the user gave, where its bytes are); one outcome per
        file, in the order given, named as the user named it."""
        outcomes: list[Outcome | None] = []
        accepted: dict[str, tuple[int, str]] = {}  # kept path -> (position, name the user gave)
        for original, src in files:
            kept = self.keep(original, src)
            if isinstance(kept, Outcome):
                outcomes.append(kept)
            else:
                accepted[str(kept)] = (len(outcomes), original)
                outcomes.append(None)
        if accepted:
            try:
                report = self.assistant.ingest([Path(p) for p in accepted], progress=progress)
            except RagError as exc:
                for path, (i, original) in accepted.items():
                    Path(path).unlink(missing_ok=True)
                    outcomes[i] = Outcome(original, FAILED, self.public(str(exc)))
            else:
                for r in report.results:
                    if str(r.path) not in accepted:
                        continue
                    i, original = accepted[str(r.path)]
                    reason = self.public(r.reason or "", r.path)
                    if r.status in (FAILED, IGNORED):
                        Path(r.path).unlink(missing_ok=True)
                        outcomes[i] = Outcome(original, FAILED, reason)
                    else:
                        outcomes[i] = Outcome(original, r.status, reason, r.title or "", r.chunks, r.doc_id or "",
                                              r.warning)
        return [o or Outcome(name, FAILED, "not ingested") for o, (name, _) in zip(outcomes, files, strict=True)]

    def owns(self, source: str) -> bool:
        """Whether a document's source is one of our upload copies (deleted with the document)."""
        return Path(source).resolve().is_relative_to(self.folder.resolve())

    def public(self, text: str, path: str | Path | None = None) -> str:
        """A message without server paths: the file's own path goes (its name is shown beside it), others become
        their file names."""
        if path:
            path = str(path)
            text = text.replace(f"{path}: ", "").replace(path, Path(path).name)
        folder = str(self.folder.resolve()) + "/"
        return re.sub(r"(?:/[^\s/:]+)+/([^\s/:]+)", lambda m: m.group(1), text.replace(folder, ""))
