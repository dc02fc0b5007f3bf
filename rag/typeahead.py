"""Reading a question's passages while it is typed: what is typed so far is searched, and the prompt head its
passages make is read into the model's cache on a thread of its own, so that the question, once sent, reads only
its own words (when its search finds the same passages)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rag.types import Turn

log = logging.getLogger(__name__)

# What plans: (the words typed so far, the conversation before) -> the prompt head to read (equal for the same
# prompt head), None when nothing is to be read.
Planner = Callable[[str, list[Turn]], Any]
# What reads: (a head, a callable saying "stop now") -> tokens read.
Reader = Callable[[Any, Callable[[], bool]], int]

MIN_CHARS = 8  # fewer typed characters search for nothing useful yet
PAUSE_S = 0.15  # text typed within this of the last is taken together (fast typing, a paste)


def complete_words(text: str) -> str:
    """What is typed up to the last space: the word being typed is not searched until it is whole (a half word
    finds other passages)."""
    text = text.lstrip()
    if not text or text[-1].isspace() or text[-1] in "?!.":
        return text.strip()
    cut = max(text.rfind(" "), text.rfind("\n"), text.rfind("\t"))
    return text[:cut].strip() if cut > 0 else ""


class TypeAhead:
    """One reader thread for a model. `typed` hands it the latest text; it searches with the whole words and reads
    the prompt head they make. Every few tokens it looks at newer text: when that finds the same head, it reads
    on; when another, it reads that one instead (from what the two share). `held` stops it while a question is
    answered; nothing typed meanwhile is read."""

    def __init__(self, plan: Planner, read: Reader, *, pause_s: float = PAUSE_S, min_chars: int = MIN_CHARS) -> None:
        self._plan = plan
        self._read = read
        self.pause_s = pause_s
        self.min_chars = min_chars
        self._cond = threading.Condition()
        self._pending: tuple[str, list[Turn]] | None = None
        self._last = ""  # the text planned last: the same text again is not planned again
        self._head: Any = None  # the head being read
        self._next: Any = None  # a newer text's other head: read next
        self._busy = False
        self._holds = 0
        self._closed = False
        self._thread: threading.Thread | None = None
        self.reads = 0  # readings done (stopped ones too)
        self.tokens = 0  # prompt tokens they read

    def typed(self, text: str, history: list[Turn] | None = None) -> bool:
        """The question box now holds `text`: read for its whole words soon. False when there is nothing new to
        read, or a question is being answered."""
        words = complete_words(text)
        with self._cond:
            if self._closed or self._holds or len(words) < self.min_chars:
                return False
            if words == self._last and self._pending is None:
                return False
            self._pending = (words, list(history or []))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="read-while-typed", daemon=True)
                self._thread.start()
            self._cond.notify_all()
            return True

    def _take(self) -> tuple[str, list[Turn]] | None:
        """The pending text, taken (under the condition's lock)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            self._last = pending[0]
        return pending

    def _planned(self, pending: tuple[str, list[Turn]]) -> Any:
        try:
            return self._plan(*pending)
        except Exception:  # a convenience: the question then reads its passages itself, as without it
            log.warning("searching for a question being typed failed", exc_info=True)
            return None

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and self._next is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                head, self._next = self._next, None
                if head is None:
                    # Take text typed together (a fast typist, a paste) as one.
                    while True:
                        seen = self._pending
                        self._cond.wait(self.pause_s)
                        if self._pending is seen or self._pending is None or self._closed:
                            break
                    if self._holds or self._closed:
                        continue
                pending = self._take() if head is None else None
                if head is None and pending is None:
                    continue
                self._busy = True
            try:
                if head is None:
                    assert pending is not None
                    head = self._planned(pending)
                read = 0
                if head is not None and not self._stopping():
                    self._head = head
                    try:
                        read = self._read(head, self._stopping)
                    except Exception:  # as above: the question reads what is missing itself
                        log.warning("reading for a question being typed failed", exc_info=True)
            finally:
                with self._cond:
                    self._busy = False
                    self._head = None
                    if head is not None:
                        self.reads += 1
                    self.tokens += read if head is not None else 0
                    self._cond.notify_all()

    def _stopping(self) -> bool:
        """Asked by the reading every few tokens: stop for a question being answered (what was read stays in the
        cache, for it when it is its head), or for newer text that finds another head (which is read next); read on
        when it finds the same."""
        with self._cond:
            if self._holds or self._closed:
                return True
            pending = self._take()
        if pending is None:
            return False
        head = self._planned(pending)
        with self._cond:
            if head is None or head == self._head:
                return False
            self._next = head
        return True

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Until nothing is pending or being read (tests, the evaluation); False on timeout."""
        end = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._busy or self._pending is not None or self._next is not None:
                left = None if end is None else end - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left)
            return True

    @contextmanager
    def held(self) -> Iterator[None]:
        """While a question is answered (or the model changes): no reading; the reading under way stops within a
        few tokens (what it read stays in the cache: the question's own head, when it was that), and this waits
        for it."""
        with self._cond:
            self._holds += 1
            self._pending = self._next = None
            while self._busy:
                self._cond.wait()
        try:
            yield
        finally:
            with self._cond:
                self._holds -= 1
                self._last = ""  # the answer changed the cache: the same text is worth reading again

    def close(self) -> None:
        """Stop for good (the model is going)."""
        with self._cond:
            self._closed = True
            self._pending = self._next = None
            self._cond.notify_all()
            while self._busy:
                self._cond.wait()


def type_out(ahead: TypeAhead, text: str, history: list[Turn] | None = None, chars_per_s: float = 6.0,
             sleep: Callable[[float], None] = time.sleep) -> float:
    """A person typing `text` at `chars_per_s` into a box watched by `ahead` (the evaluation's stand-in for the
    browser), in real time: the seconds it took."""
    start = time.monotonic()
    for i in range(1, len(text) + 1):
        delay = start + i / chars_per_s - time.monotonic()
        if delay > 0:
            sleep(delay)
        ahead.typed(text[:i], history)
    return time.monotonic() - start
