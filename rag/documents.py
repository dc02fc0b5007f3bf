"""Loading articles from files: text extraction, titles, and content-derived ids."""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.errors import IngestError

SUPPORTED_SUFFIXES = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
MAX_TITLE_CHARS = 160
SENTENCE_TITLE_CHARS = 80  # a title made from a first sentence is shortened to this
_HEAD_LINES = 10  # a headline sits near the top; deeper lines are body text


@dataclass(frozen=True)
class Document:
    """An article: its id, title, source path and full text."""

    id: str
    title: str
    source: str
    text: str
    headline: bool = True  # False: the title was made from the first sentence or the file name
    start: int = 0  # where the article begins in `text`: at its headline, after a web page's chrome above it

    @property
    def name(self) -> str:
        """The source file name, for short display."""
        return Path(self.source).name


def normalise(text: str) -> str:
    """Canonical form of a text for hashing: NFC, unified newlines, collapsed whitespace."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"\s+", " ", text).strip()


_WORD = re.compile(r"\S+")


def document_id(text: str) -> str:
    """A stable id from the normalised content, so the same article always gets the same id.

    The sha256 of `normalise(text)`, computed a few thousand words at a time: substituting every whitespace run
    of a 20 MB text at once builds millions of small strings (about 240 MB).
    """
    digest = hashlib.sha256()
    words: list[str] = []
    started = False
    for match in _WORD.finditer(unicodedata.normalize("NFC", text)):
        words.append(match.group())
        if len(words) == 4096:
            digest.update(((" " if started else "") + " ".join(words)).encode("utf-8"))
            started, words = True, []
    if words:
        digest.update(((" " if started else "") + " ".join(words)).encode("utf-8"))
    return digest.hexdigest()[:16]


# Lines that sit above or beside a headline on web pages but are not it.
_BOILERPLATE = re.compile(
    r"""(
        ^(by|photo|photos|image|video|credit|source|updated|published|posted|share|follow|subscribe|sign\ in|log\ in|
          menu|home|skip\ to|advertisement|sponsored|read\ more|listen|print|email|cookie|search|close|watch)\b
      | ©|\(c\)\s*\d{4}|all\ rights\ reserved
      | getty\ images|/afp|\bap\ photo\b|\breuters\b/|\btns\)
      | \best\.\s
      | \b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\ \d{1,2},\ \d{4}\b
      | \b(newspaper|newsletter|homepage)\b
      | arrow-(left|right)|camera$
      | ^https?://
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def _headline_like(line: str) -> bool:
    words = line.split()
    if not 3 <= len(words) <= 25 or len(line) > MAX_TITLE_CHARS:
        return False
    if line.endswith((".", ",", ";", ":")) and not line.endswith("..."):
        return False  # a sentence or a lead-in, not a headline
    if line.startswith(("(", "[", "“", '"', "'", "-", "*", "|")):
        return False
    if _BOILERPLATE.search(line):
        return False
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 0.6 * len(line.replace(" ", "")) and line[0].isupper()


def find_headline(text: str) -> str | None:
    """The headline: a markdown heading, else the first headline-like line near the top."""
    head = text[:20_000]  # the headline is near the top; never split a whole long file into lines
    lines = [ln.strip() for ln in head.splitlines() if ln.strip()]
    for line in lines[:_HEAD_LINES]:
        match = re.match(r"^#{1,3}\s+(.+?)\s*#*$", line)
        if match:
            return match.group(1).strip()[:MAX_TITLE_CHARS]
    for line in lines[:_HEAD_LINES]:
        if _headline_like(line):
            return line
    return None


def article_start(text: str, headline: str | None) -> int:
    """Where the article begins: at its headline when every line above it is a web page's chrome (a masthead, a
    menu, "Est. 1883"), so no passage carries the site's name as if the article said it; else 0."""
    if not headline:
        return 0
    offset = 0
    for number, line in enumerate(text[:20_000].splitlines(keepends=True)):
        bare = line.strip()
        if bare == headline or re.fullmatch(r"#{1,3}\s+" + re.escape(headline) + r"\s*#*", bare):
            return offset
        if number >= _HEAD_LINES or (bare and not _BOILERPLATE.search(bare)):
            return 0
        offset += len(line)
    return 0


def sentence_title(text: str) -> str | None:
    """A title for an article without a headline: its first sentence, shortened (a file id says nothing)."""
    for line in text[:20_000].splitlines()[:_HEAD_LINES]:
        line = line.strip()
        if len(line.split()) >= 5 and not _BOILERPLATE.search(line):
            return shorten(re.split(r"(?<=[.!?])\s+", line, maxsplit=1)[0].rstrip(".!?;:, "), SENTENCE_TITLE_CHARS)
    return None


def guess_title(text: str, fallback: str) -> str:
    """The headline, else the first sentence shortened, else the fallback."""
    return find_headline(text) or sentence_title(text) or fallback


def shorten(text: str, limit: int) -> str:
    """About `limit` characters: the first clause when it is of that size (up to 1.25x), else a cut at a word
    boundary; an ellipsis marks the cut."""
    if len(text) <= limit:
        return text
    clause = re.split(r"[,;:—]\s", text, maxsplit=1)[0].rstrip()
    if limit // 3 <= len(clause) <= limit * 5 // 4:
        return clause + "…"
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


def _decode(raw: bytes, path: Path) -> str:
    if not raw.strip():
        raise IngestError(f"{path}: the file is empty; add text or remove it from the folder")
    if b"\x00" in raw[:8192]:
        raise IngestError(f"{path}: looks like a binary file, not text; only .txt, .md, .html and .pdf are read")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{path}: not valid UTF-8 (bad byte at offset {exc.start}); re-save the file as UTF-8"
        ) from exc
    if not text.strip():
        raise IngestError(f"{path}: the file holds only whitespace; add text or remove it")
    return text


def _clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _read_html(raw: bytes, path: Path) -> tuple[str, str | None]:
    import trafilatura  # imported lazily: it is slow to import and only HTML needs it

    html = _decode(raw, path)
    doc = trafilatura.bare_extraction(html, include_comments=False, include_tables=True, with_metadata=True)
    body = getattr(doc, "text", None) if doc is not None else None
    if not body or not body.strip():
        raise IngestError(f"{path}: no article text found in the HTML; save the article page itself")
    title = getattr(doc, "title", None)
    return body, title


def _read_pdf(path: Path) -> tuple[str, str | None]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
        meta_title = reader.metadata.title if reader.metadata else None
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise IngestError(f"{path}: the PDF could not be read ({exc}); check the file is a complete PDF") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        raise IngestError(f"{path}: the PDF has no extractable text (scanned images?); run OCR on it first")
    return text, (meta_title or None)


def load_document(path: Path) -> Document:
    """Read one file into a Document, or raise IngestError with the reason and the fix."""
    kind = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise IngestError(f"{path}: unsupported file type {path.suffix or '(none)'!r}; supported: {supported}")
    try:
        special = _kind(path.stat().st_mode)
        if special:  # reading a FIFO would wait forever
            raise IngestError(f"{path}: {special}, not a regular file; only regular files are read")
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot read the file ({exc.strerror}); check it exists and is readable") from exc
    title: str | None = None
    if kind == "pdf":
        if not raw.strip():
            raise IngestError(f"{path}: the file is empty; add text or remove it from the folder")
        text, title = _read_pdf(path)
    elif kind == "html":
        text, title = _read_html(raw, path)
    else:
        text = _decode(raw, path)
    text = _clean_text(text)
    if not text:
        raise IngestError(f"{path}: no text left after cleaning")
    headline = (title or "").strip() or find_headline(text)
    title = headline or sentence_title(text) or path.stem
    return Document(id=document_id(text), title=title, source=str(path), text=text, headline=bool(headline),
                    start=article_start(text, headline))


HIDDEN = "hidden"


@dataclass(frozen=True)
class Found:
    """A path met while walking files and folders: to be read (`skip` is None), or skipped and why."""

    path: Path
    skip: str | None = None
    hidden: bool = False  # hidden files and folders are skipped by default and only counted


def _kind(mode: int) -> str | None:
    """What a non-regular file is, for messages (None for a regular file)."""
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device")):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def walk(paths: Iterable[Path]) -> Iterator[Found]:
    """Every path met under the given files and folders, each either to be read or skipped with its reason.

    Folders are walked recursively in sorted order; symbolic links are followed unless they point back into a
    folder already being walked (a loop) or nowhere (broken); hidden entries inside folders are skipped.
    Nothing is skipped silently.
    """
    for path in paths:
        if path.is_dir():
            yield from _walk_folder(path, {os.path.realpath(path)})
        else:
            yield Found(path)


def _walk_folder(folder: Path, walking: set[str]) -> Iterator[Found]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield Found(folder, f"cannot read the folder ({exc.strerror}); check its permissions")
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            yield Found(path, "hidden", hidden=True)
            continue
        try:
            st = path.stat()  # follows symbolic links
        except FileNotFoundError:
            target = os.readlink(path) if path.is_symlink() else "?"
            yield Found(path, f"broken symbolic link (its target {target} does not exist)")
            continue
        except OSError as exc:
            yield Found(path, f"cannot read it ({exc.strerror})")
            continue
        if stat.S_ISDIR(st.st_mode):
            real = os.path.realpath(path)
            if real in walking:
                yield Found(path, f"symbolic link loop (points back to {real})")
                continue
            yield from _walk_folder(path, walking | {real})
            continue
        kind = _kind(st.st_mode)
        yield Found(path, f"{kind}, not a regular file; only regular files are read") if kind else Found(path)


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Every readable file under the given files and folders (recursive, sorted, hidden files skipped)."""
    for found in walk(paths):
        if found.skip is None:
            yield found.path
