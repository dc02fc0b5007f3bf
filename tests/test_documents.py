from pathlib import Path

import pytest

from rag.chunking import Chunker
from rag.documents import document_id, guess_title, load_document
from rag.errors import IngestError
from tests.conftest import SEEDS, SPOKESMAN
from tests.fakes import FakeEmbedder
from tests.pdfs import blank_pdf, text_pdf


def test_headline_skips_masthead_and_photo_credit() -> None:
    doc = load_document(SEEDS / SPOKESMAN)
    assert doc.title == "Senior North Korean diplomat based in Cuba defects to South Korea"


def test_the_article_begins_at_its_headline_after_a_web_pages_chrome(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("Arrow-right Camera\nThe Vessby Courier Newspaper\nVessby  Est. May 19, 1883\n\n"
                    "Ferry strike ends after two days\n\nCrews returned to work on Friday.")
    doc = load_document(page)
    assert doc.text[doc.start :].startswith("Ferry strike ends after two days")
    chunks = Chunker(FakeEmbedder().count_tokens).split(doc)
    assert chunks[0].start == doc.start and "Courier" not in " ".join(c.text for c in chunks)
    assert all(doc.text[c.start : c.end] == c.text for c in chunks)  # spans still point into the whole text
    # A line above the headline that is article text (not chrome) keeps everything: nothing is dropped.
    page.write_text("The ferry crews met on Thursday.\n\nFerry strike ends after two days\n\nCrews returned.")
    assert load_document(page).start == 0
    # The seed page's masthead ("The Spokesman-Review Newspaper") is no passage of the article.
    seed = load_document(SEEDS / SPOKESMAN)
    assert "Spokesman" in seed.text and "Spokesman" not in seed.text[seed.start :]


def test_without_a_headline_the_first_sentence_is_the_title_shortened(tmp_path: Path) -> None:
    path = tmp_path / "0a1b2c3d4e.txt"
    path.write_text("Ferries resumed on the northern route. The council said more crossings come in May.\nMore text.")
    doc = load_document(path)
    assert doc.title == "Ferries resumed on the northern route" and not doc.headline
    path.write_text("A senior harbour official stationed in Vela has resigned after the audit of the port accounts, "
                    "according to the council, which named no successor.")
    title = load_document(path).title  # the first clause, when it is about the size of a title
    assert title == "A senior harbour official stationed in Vela has resigned after the audit of the port accounts…"
    path.write_text("The storm flooded the lower town of Brindle and the harbour road and the old market square "
                    "overnight and then moved east towards the hills, the mayor said on Tuesday evening.")
    title = load_document(path).title  # a clause too long: cut at a word boundary
    assert title == "The storm flooded the lower town of Brindle and the harbour road and the old…"
    path.write_text("Short.\nTwo words.")
    assert load_document(path).title == "0a1b2c3d4e"  # no sentence worth a title: the file name


def test_markdown_heading_is_the_title(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("Menu | Home\n\n# Rivers rise after storm\n\nThe river rose two metres overnight.")
    assert load_document(path).title == "Rivers rise after storm"


@pytest.mark.parametrize(
    "line",
    ["By Jane Doe Bloomberg News", "Photo: (AP Photo/John Smith)", "Updated March 3, 2024 at 10:00",
     "The Daily Planet Newspaper", "Spokane, Washington  Est. May 19, 1883"],
)
def test_boilerplate_lines_are_not_titles(line: str) -> None:
    assert guess_title(f"{line}\nBody text follows.", "fallback") == "fallback"
    sentence = "The body text follows here in a sentence"
    assert guess_title(f"{line}\n{sentence}.", "x") == sentence


def test_id_depends_on_content_not_whitespace() -> None:
    assert document_id("Hello  world\r\n") == document_id("Hello world")
    assert document_id("Hello world") != document_id("Hello world!")


def test_html_main_text_and_title(tmp_path: Path) -> None:
    path = tmp_path / "story.html"
    body = " ".join(["The council approved the new bridge on Monday after a long debate."] * 6)
    path.write_text(
        "<html><head><title>Council approves bridge</title></head><body>"
        "<nav><a href='/'>Home</a><a href='/sports'>Sports</a></nav>"
        f"<article><h1>Council approves bridge</h1><p>{body}</p></article>"
        "<footer>Copyright 2024 Example News</footer></body></html>"
    )
    doc = load_document(path)
    assert doc.title == "Council approves bridge"
    assert "approved the new bridge" in doc.text
    assert "Sports" not in doc.text


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(text_pdf(["Harbour Expansion Approved", "The port will add two berths by 2027."]))
    doc = load_document(path)
    assert "two berths" in doc.text
    assert doc.title == "Harbour Expansion Approved"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("spaces.txt", b"   \n\t ", "empty"),
        ("binary.txt", b"\x00\x01\x02PNG\x00" * 20, "binary"),
        ("latin1.txt", "caf\xe9 au lait".encode("latin-1"), "not valid UTF-8"),
        ("scan.pdf", blank_pdf(), "no extractable text"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "could not be read"),
        ("data.docx", b"PK\x03\x04 word file", "unsupported file type"),
    ],
)
def test_bad_files_say_why(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError, match=reason):
        load_document(path)


def test_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="cannot read"):
        load_document(tmp_path / "gone.txt")


def test_document_ids_are_the_hash_of_the_normalised_text_computed_in_pieces() -> None:
    # Ids must stay the same for every text (stores keep them): the piecewise hash equals the whole-text one.
    import hashlib
    import random

    from rag.documents import document_id, normalise

    rng = random.Random(3)
    alphabet = ["a", "b", " ", "\n", "\t", "\r\n", "\u00a0", "e\u0301", "\u2028", "  ", "é", "Ri Il Gyu"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30000))) for _ in range(60)]
    texts += ["", "   ", "x", " x ", "word " * 9000, "A headline\n\nBody text.\r\n"]
    for text in texts:
        assert document_id(text) == hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:16]
