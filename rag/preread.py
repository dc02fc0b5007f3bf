"""Pre-read passages: each chunk's llama.cpp KV state, computed once and kept on disk.

A passage read behind the system prompt once is kept as the KV cells of its own tokens (keys and values in every
layer). A later question that retrieves it has the state placed behind the cached prompt head, shifted to its
place (llama.cpp's K-shift), instead of reading the passage again; it then reads only its own words (rag/llm.py).

A state is derived data. Its file name is a hash of everything it was computed from: the model (file hash, KV
type, llama.cpp version), the prompt head it was read behind, the chunk id, and the passage's exact tokens (title
and text). A changed chunk has other tokens, so another name; a removed one is never looked up again and ages out.
Each file carries a header with its own key, token count, payload size and a BLAKE2 digest of the payload: a
damaged, truncated or foreign file is found on reading, deleted and computed again, never trusted. Files are
written to a temporary name and renamed, so a killed process leaves no half-written state under a real name.
The folder is kept under a size budget, least recently used first (a hit touches the file).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import struct
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

LOOKALIKE = 0.3  # cosine of two chunks' vectors from which they count as look-alikes, read together when pre-read

MAGIC = b"RAGKV01\n"
_HEADER = struct.Struct("<8s32sIQ16s")  # magic, key (sha256), tokens, payload bytes, blake2b-128 of the payload
SUFFIX = ".kv"
STATS_FILE = "stats.json"


def state_key(model: str, head: Sequence[int], chunk_id: str, body: Sequence[int]) -> bytes:
    """The 32-byte key of a passage state: model, prompt head, chunk id and the passage's tokens."""
    h = hashlib.sha256()
    h.update(model.encode())
    h.update(b"\x00head")
    h.update(struct.pack(f"<{len(head)}i", *head))
    h.update(b"\x00chunk")
    h.update(chunk_id.encode())
    h.update(b"\x00body")
    h.update(struct.pack(f"<{len(body)}i", *body))
    return h.digest()


@dataclass(frozen=True)
class StateStats:
    """What `rag status` shows: files and bytes on disk, the budget, and hits against misses so far."""

    files: int
    bytes: int
    budget: int
    hits: int
    misses: int

    @property
    def hit_rate(self) -> float | None:
        """Hits over lookups; None before the first lookup."""
        total = self.hits + self.misses
        return self.hits / total if total else None


@dataclass(frozen=True)
class Problem:
    """A state file that cannot be used, and why."""

    path: Path
    why: str


class PassageStates:
    """KV states of passages on disk, under a byte budget with least-recently-used eviction."""

    def __init__(self, folder: Path, budget_bytes: int) -> None:
        self.folder = Path(folder)
        self.budget = budget_bytes
        self._lock = threading.Lock()
        self._size: int | None = None  # bytes on disk, counted on first use, then kept up to date
        self._counts = [0, 0]  # hits, misses not yet added to the stats file

    def _path(self, key: bytes) -> Path:
        name = key.hex()
        return self.folder / name[:2] / f"{name}{SUFFIX}"

    def load(self, key: bytes, tokens: int) -> bytes | None:
        """The payload kept for `key` when it is whole and was made for `tokens` tokens; else None (a bad file is
        deleted, so it is computed again)."""
        path = self._path(key)
        try:
            raw = path.read_bytes()
        except OSError:
            self._count(hit=False)
            return None
        why = _damage(raw, key, tokens)
        if why:
            log.warning("passage state %s is %s; reading the passage again", path.name, why)
            self.discard(key)
            self._count(hit=False)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # least recently used goes first
        self._count(hit=True)
        return raw[_HEADER.size :]

    def save(self, key: bytes, tokens: int, payload: bytes) -> None:
        """Keep a payload under `key` (written whole, then renamed into place), then evict down to the budget."""
        if self.budget <= 0 or _HEADER.size + len(payload) > self.budget:
            return
        path = self._path(key)
        header = _HEADER.pack(MAGIC, key, tokens, len(payload), hashlib.blake2b(payload, digest_size=16).digest())
        part = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(part, "wb") as fh:
                fh.write(header)
                fh.write(payload)
            os.replace(part, path)
        except OSError as exc:
            log.warning("could not keep a passage state in %s (%s); it will be read again next time", self.folder,
                        exc)
            part.unlink(missing_ok=True)
            return
        with self._lock:
            self._size = (self._size if self._size is not None else self._scan_size()) + _HEADER.size + len(payload)
            over = self._size > self.budget
        if over:
            self.evict()

    def discard(self, key: bytes) -> None:
        """Forget one state (it failed to load into the model, or is damaged)."""
        path = self._path(key)
        try:
            size = path.stat().st_size
            path.unlink()
        except OSError:
            return
        with self._lock:
            if self._size is not None:
                self._size -= size

    def _files(self) -> list[os.DirEntry[str]]:
        found: list[os.DirEntry[str]] = []
        if not self.folder.is_dir():
            return found
        for sub in os.scandir(self.folder):
            if sub.is_dir():
                found += [e for e in os.scandir(sub.path) if e.name.endswith(SUFFIX) and e.is_file()]
        return found

    def _scan_size(self) -> int:
        return sum(e.stat().st_size for e in self._files())

    def evict(self) -> int:
        """Delete the least recently used states until the folder fits the budget; how many went."""
        with self._lock:
            files = sorted(self._files(), key=lambda e: e.stat().st_mtime)
            size = sum(e.stat().st_size for e in files)
            gone = 0
            for entry in files:
                if size <= self.budget:
                    break
                try:
                    n = entry.stat().st_size
                    os.unlink(entry.path)
                except OSError:
                    continue
                size -= n
                gone += 1
            self._size = size
        return gone

    def _count(self, *, hit: bool) -> None:
        with self._lock:
            self._counts[0 if hit else 1] += 1

    def flush_stats(self) -> None:
        """Add this process's hits and misses to the folder's stats file (for `rag status`)."""
        with self._lock:
            hits, misses = self._counts
            self._counts = [0, 0]
        if not hits and not misses:
            return
        stats = _read_stats(self.folder)
        stats["hits"] += hits
        stats["misses"] += misses
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            part = self.folder / f"{STATS_FILE}.{os.getpid()}.part"
            part.write_text(json.dumps({**stats, "updated": time.time()}))
            os.replace(part, self.folder / STATS_FILE)
        except OSError:
            pass

    def stats(self) -> StateStats:
        """Files, bytes, budget, and hits and misses (this folder's, over every process)."""
        files = self._files()
        saved = _read_stats(self.folder)
        with self._lock:
            hits, misses = saved["hits"] + self._counts[0], saved["misses"] + self._counts[1]
        return StateStats(len(files), sum(e.stat().st_size for e in files), self.budget, hits, misses)

    def check(self, repair: bool = False) -> tuple[int, list[Problem]]:
        """Every state file read and its header and digest checked (`rag doctor`); with `repair`, bad files and
        half-written ones are deleted. Returns (whole files, problems)."""
        problems: list[Problem] = []
        whole = 0
        if not self.folder.is_dir():
            return 0, problems
        for sub in os.scandir(self.folder):
            if not sub.is_dir():
                continue
            for entry in os.scandir(sub.path):
                path = Path(entry.path)
                if entry.name.endswith(".part"):
                    problems.append(Problem(path, "half-written"))
                elif entry.name.endswith(SUFFIX):
                    try:
                        key = bytes.fromhex(entry.name[: -len(SUFFIX)])
                        raw = path.read_bytes()
                    except (OSError, ValueError):
                        problems.append(Problem(path, "unreadable"))
                        continue
                    why = _damage(raw, key, None)
                    if why:
                        problems.append(Problem(path, why))
                    else:
                        whole += 1
        if repair:
            for problem in problems:
                problem.path.unlink(missing_ok=True)
            with self._lock:
                self._size = None
        return whole, problems


def _damage(raw: bytes, key: bytes, tokens: int | None) -> str:
    """Why a state file cannot be trusted, or "" when it can."""
    if len(raw) < _HEADER.size:
        return "truncated"
    magic, own, n, size, digest = _HEADER.unpack_from(raw)
    if magic != MAGIC:
        return "not a passage state"
    if own != key:
        return "another passage's state"
    if tokens is not None and n != tokens:
        return "made for another length"
    if len(raw) - _HEADER.size != size:
        return "truncated"
    if hashlib.blake2b(memoryview(raw)[_HEADER.size :], digest_size=16).digest() != digest:
        return "damaged"
    return ""


def _read_stats(folder: Path) -> dict[str, int]:
    try:
        data = json.loads((folder / STATS_FILE).read_text())
        return {"hits": int(data.get("hits", 0)), "misses": int(data.get("misses", 0))}
    except (OSError, ValueError, AttributeError):
        return {"hits": 0, "misses": 0}


def unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (a zero row stays zero), as `companies` and `lookalike_groups` compare them."""
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)


def companies(vectors: np.ndarray, floor: float) -> list[list[int]]:
    """For each passage of a prompt (rows of unit `vectors`, in prompt order), the passages before it that are its
    look-alikes (cosine >= `floor`): the company its pre-read state must have been read in to serve this prompt. Read
    apart from a look-alike before it (the same race in another year), a passage's state lets the model mix up their
    facts; an unrelated passage before it changes little."""
    if len(vectors) == 0:
        return []
    sims = vectors @ vectors.T
    return [[j for j in range(i) if sims[i, j] >= floor] for i in range(len(vectors))]


def lookalike_groups(vectors: np.ndarray, size: int, floor: float = LOOKALIKE) -> list[list[int]]:
    """The library's chunks (rows of unit `vectors`, in library order) in groups of at most `size` to pre-read
    together: the first chunk not yet in a group, with the chunks most like it (cosine >= `floor`) not yet in one;
    each group in library order. Read as one prompt, each passage is kept as read over the look-alikes before it,
    as a question that finds them together has them."""
    free = np.ones(len(vectors), dtype=bool)
    groups: list[list[int]] = []
    for i in range(len(vectors)):
        if not free[i]:
            continue
        free[i] = False
        sims = vectors @ vectors[i]
        sims[~free] = -np.inf
        mates = [int(j) for j in np.argsort(-sims)[: max(size - 1, 0)] if sims[j] >= floor]
        free[mates] = False
        groups.append(sorted([i, *mates]))
    return groups
