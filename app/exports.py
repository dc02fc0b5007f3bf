"""Conversation downloads: the Markdown files behind the UI's download button.

The button is given a fresh file after every answer and every page load. Each file is written once into one
folder per server (under the system's temporary folder, where Gradio may serve files from), named by its
contents so the same conversation is one file however often it is offered, and files older than `keep_s` are
removed as new ones are written: Gradio copies a file into its own cache when it sends it, so ours are only
needed for a moment. The folder goes when the server stops.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from pathlib import Path

EXPORT_NAME = "conversation.md"


class Exports:
    """Writes conversation files into one folder and keeps it small."""

    def __init__(self, keep_s: float = 600.0) -> None:
        self.keep_s = keep_s
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._lock = threading.Lock()

    @property
    def folder(self) -> Path:
        """The folder (made on first use, removed with this object or when the process exits)."""
        with self._lock:
            if self._folder is None:
                self._folder = tempfile.TemporaryDirectory(prefix="rag-export-")
            return Path(self._folder.name)

    def write(self, text: str) -> Path:
        """The file holding `text`, named `conversation.md` (the name the browser saves it under)."""
        folder = self.folder
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        self._prune(folder, keep=digest)
        path = folder / digest / EXPORT_NAME
        for attempt in (1, 2):  # once more if another request pruned the folder between the steps
            try:
                path.parent.mkdir(exist_ok=True)
                fd, partial = tempfile.mkstemp(dir=path.parent, suffix=".part")
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(partial, path)  # a download never reads a half-written file
                os.utime(path.parent)  # fresh: not pruned while it is being sent
                return path
            except FileNotFoundError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _prune(self, folder: Path, keep: str) -> None:
        cutoff = time.time() - self.keep_s
        for entry in folder.iterdir():
            if entry.name == keep:
                continue
            try:
                if entry.stat().st_mtime < cutoff:
                    for file in entry.iterdir():
                        file.unlink(missing_ok=True)
                    entry.rmdir()
            except OSError:  # another request pruned or wrote it meanwhile
                continue

    def close(self) -> None:
        """Remove the folder and everything in it."""
        with self._lock:
            if self._folder is not None:
                self._folder.cleanup()
                self._folder = None
