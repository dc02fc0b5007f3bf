from rag.citations import (
    MarkerFilter,
    attribute,
    best_support,
    cited_numbers,
    clean_markers,
    repoint,
    resolve,
    strip_markers,
)
from rag.types import Chunk, ScoredChunk


def _passages(*texts: str) -> list[ScoredChunk]:
    out = []
    offset = 100
    for i, text in enumerate(texts, start=1):
        chunk = Chunk(f"d{i}-00000", f"d{i}", f"Title {i}", f"/src/{i}.txt", 0, offset, offset + len(text), text)
        out.append(ScoredChunk(chunk, 0.5, i))
        offset += 1000
    return out


def test_markers_pointing_nowhere_are_removed() -> None:
    assert clean_markers("Paris is big [1][7]. Rome too [9].", valid=2) == "Paris is big [1]. Rome too."
    assert clean_markers("A [1, 2, 5] and [2,2].", valid=2) == "A [1][2] and [2]."


def test_streaming_filter_never_shows_an_invalid_marker() -> None:
    text = "He is 52 [1]. He fled [3] in November [2][4]. Done."
    for size in (1, 2, 3, 5, 8):
        flt = MarkerFilter(valid=2)
        shown = [flt.feed(text[i : i + size]) for i in range(0, len(text), size)] + [flt.flush()]
        assert "[3]" not in "".join(shown) and "[4]" not in "".join(shown)
        assert "".join(shown) == "He is 52 [1]. He fled  in November [2]. Done."


def test_brackets_that_are_not_markers_pass_through() -> None:
    flt = MarkerFilter(valid=2)
    assert flt.feed("see [the report] and [") + flt.feed("note]") + flt.flush() == "see [the report] and [note]"


def test_citations_carry_provenance_and_the_supporting_sentence() -> None:
    passages = _passages(
        "The embassy is in Havana. Ri Il Gyu is a 52-year-old counselor. He fled in November.",
        "Cuba and South Korea opened ties in February.",
    )
    answer = "Ri Il Gyu is 52 years old [1]. Ties opened in February [2]."
    cits = resolve(answer, passages)
    assert [c.marker for c in cits] == [1, 2]
    first = cits[0]
    assert (first.title, first.source, first.doc_id) == ("Title 1", "/src/1.txt", "d1")
    assert first.support == "Ri Il Gyu is a 52-year-old counselor."
    # the span is in document coordinates: chunk start + offset in the chunk
    assert passages[0].chunk.text[first.support_start - 100 : first.support_end - 100] == first.support
    assert not first.inferred


def test_uncited_sentence_gets_a_marker_only_with_clear_support() -> None:
    passages = _passages("The vessel carried two MiG-21 jet fighters under sugar.", "Unrelated text about rain.")
    text = attribute("The vessel carried MiG-21 jet fighters. Bananas are yellow.", passages)
    assert text == "The vessel carried MiG-21 jet fighters [1]. Bananas are yellow."
    [cit] = resolve(text, passages, model_text="The vessel carried MiG-21 jet fighters. Bananas are yellow.")
    assert cit.inferred


def test_cited_numbers_and_strip() -> None:
    assert cited_numbers("a [2] b [1][2] c [3, 1]") == [2, 1, 3]
    assert strip_markers("He is 52 [1]. Yes [2][3].") == "He is 52. Yes."


def test_a_wrong_number_moves_to_the_passage_that_supports_the_sentence() -> None:
    passages = _passages("The council met on Monday in the town hall.",
                         "The lighthouse will be rebuilt for 4 million dollars next spring.")
    text = "The lighthouse rebuild costs 4 million dollars [1]. The council met on Monday [1]."
    fixed = "The lighthouse rebuild costs 4 million dollars [2]. The council met on Monday [1]."
    assert repoint(text, passages) == fixed
    cits = resolve(repoint(text, passages), passages, text)
    assert [c.marker for c in cits] == [2, 1] and cits[0].inferred and not cits[1].inferred


def test_a_supported_or_unclear_citation_is_left_alone() -> None:
    passages = _passages("The council met on Monday in the town hall.",
                         "The lighthouse will be rebuilt for 4 million dollars next spring.")
    # One of the cited passages supports it: the model's choice stands, both numbers kept.
    assert repoint("The council met on Monday [2][1].", passages) == "The council met on Monday [2][1]."
    # No passage clearly supports it (a paraphrase): nothing is moved.
    assert repoint("Officials gathered early in the week [2].", passages) == "Officials gathered early in the week [2]."
    assert repoint("Yes [1].", passages) == "Yes [1]."
    assert repoint("Anything [1].", []) == "Anything [1]."


def test_the_supporting_sentence_is_not_cut_at_an_abbreviation() -> None:
    passage = "The envoy left Havana in July. Mr. Ri told the U.S. press he defected for his family. No comment."
    span = best_support("Ri defected for the sake of his family.", passage)
    assert span is not None
    assert passage[span[0] : span[1]] == "Mr. Ri told the U.S. press he defected for his family."


def test_the_refusal_sentence_after_a_bare_marker_is_a_refusal() -> None:
    """A small model sometimes writes "[1] I couldn't find that in the articles.": it answered nothing."""
    from rag.grounding import CitationGrounder
    from rag.prompting import REFUSAL

    passages = [ScoredChunk(Chunk("c1", "d", "T", "/s", 0, 0, 30, "The lighthouse cost 3.2 million."), 0.9, 1)]
    grounded = CitationGrounder().ground("How much did it cost?", f"[1]  {REFUSAL}", passages)
    assert grounded.refused and grounded.citations == []
    answered = CitationGrounder().ground("How much did it cost?", "The lighthouse cost 3.2 million [1].", passages)
    assert not answered.refused
