"""The UI's own logic without a browser: escaping and upload names."""

import os
import time

from app.exports import Exports
from app.render import answer_markdown, sources_html
from app.uploads import safe_name
from rag.types import Answer, Chunk, Citation, ScoredChunk, Timings

EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def _answer(refused: bool = False) -> Answer:
    chunk = Chunk("d-00000", "d", f"Title {EVIL}", f"/up/{EVIL}.txt", 0, 10, 60, f"Snippet {EVIL} supports it.")
    cit = Citation(1, chunk.id, "d", chunk.title, chunk.source, 10, 60, chunk.text, 10, 30)
    other = Chunk("e-00000", "e", "Other", "/o.txt", 0, 0, 5, f"uncited {EVIL}")
    return Answer("q?", f"Answer {EVIL} [1]", [] if refused else [cit],
                  [ScoredChunk(chunk, 0.9, 1), ScoredChunk(other, 0.5, 2)], refused, Timings(), "m",
                  retrieved=[ScoredChunk(chunk, 0.9, 1), ScoredChunk(other, 0.5, 2)])


def test_sources_escape_every_piece_of_article_text() -> None:
    html = sources_html(_answer(), {"d": f"Whole article {EVIL}" * 3})
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<mark>" in html and "Open the whole article" in html and "not cited" in html


def test_refused_answer_shows_no_sources() -> None:
    html = sources_html(_answer(refused=True), {})
    assert "No sources" in html and "rag-source" not in html


def test_model_output_is_escaped_and_cannot_make_links() -> None:
    md = answer_markdown(f"{EVIL} [1](javascript:alert(3)) He said \"it's done\".")
    assert "<script>" not in md and "](" not in md and "[1]" in md
    assert "&quot;" not in md and "&#x27;" not in md and "\"it's done\"" in md  # Copy gives what was written


def test_upload_names_cannot_leave_the_folder() -> None:
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("..\\..\\win.ini.md") == "win.ini.md"
    assert safe_name(".hidden.txt") == "hidden.txt"
    assert safe_name("<b>x<b>.txt") == "b_x_b.txt"
    assert "/" not in safe_name("a/b/c.pdf")


def test_snippets_read_like_text_but_spans_stay_exact() -> None:
    from app.render import readable

    assert readable("# Harbour news\nThe crane\nlifts forty tonnes.\n\nNew paragraph") == (
        "Harbour news\n\nThe crane lifts forty tonnes.\n\nNew paragraph")
    assert readable("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"  # still escaped
    # Icon labels left by text extraction are not shown; a sentence that names an icon word is.
    assert readable("Arrow-right Camera\nThe Daily Gazette\n\nShare the camera with us.") == (
        "The Daily Gazette\n\nShare the camera with us.")


def test_exports_share_one_folder_and_old_ones_go() -> None:
    exports = Exports(keep_s=600)
    first = exports.write("**You:** one")
    assert first.name == "conversation.md" and first.read_text() == "**You:** one"
    assert exports.write("**You:** one") == first  # offered again: the same file, not another
    old = time.time() - 3600
    os.utime(first.parent, (old, old))
    second = exports.write("**You:** two")
    assert second.parent.parent == first.parent.parent == exports.folder
    assert not first.exists() and second.read_text() == "**You:** two"  # the hour-old one was removed
    assert [p.name for p in exports.folder.iterdir()] == [second.parent.name]
    folder = exports.folder
    exports.close()
    assert not folder.exists()
