"""Gold questions generated from a folder of articles, through the real model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.evaluate import Evaluator
from rag.build import build_assistant
from rag.chunking import Chunker
from rag.cli import main
from rag.config import load_settings
from rag.documents import Document
from rag.evaluation.generate import (
    Candidate,
    _answered_alike,
    answers,
    generate_rows,
    plan_gold,
    specific,
    write_gold,
)
from rag.evaluation.gold import load_gold
from tests.conftest import DEFAULT, MODELS, require_model

ARTICLES = {
    "bridge.txt": "Tarn bridge reopens\n\nThe Tarn bridge reopened on Monday after repairs that cost 14 million "
                  "euros, the road office said. The bridge carries 9,000 cars a day. The works were led by the "
                  "engineer Marta Solberg.",
    "choir.txt": "Ekholm choir wins\n\nThe Ekholm school choir won the national youth prize with 38 singers on "
                 "Saturday. Its conductor Lars Holm has led the choir for twelve years.",
    "harbour.txt": "Vessby harbour grows\n\nThe Vessby harbour handled 2,400 ships last year, up from 2,100. The "
                   "harbour master Ana Ruiz said a new quay will open in Lindvik next spring.",
    "library.txt": "Ostvik library hours\n\nThe Ostvik public library will lend 60,000 books this year, head "
                   "librarian Mira Dahl said. A new reading room with 120 seats opens in March.",
    "market.txt": "Norrby market returns\n\nThe Norrby autumn market drew 23,000 visitors over three days, the "
                  "organiser Karin Aberg said. Stall rents rose to 450 crowns.",
    "school.txt": "Skarby school renovated\n\nThe renovation of the Skarby school will cost 64 million crowns, "
                  "the council said. Pupils will use 12 temporary classrooms in the meantime.",
}


WORDS = Chunker(lambda t: len(t.split()), 200, 20)  # chunks counted in words


def _articles() -> list[Document]:
    return [Document(id=name, title=name, source=name, text=text) for name, text in ARTICLES.items()]


def test_a_sentence_gives_a_question_for_each_thing_it_states() -> None:
    sentence = ("The Tarn bridge opened on May 15, 2023 after delays that added 31 million pounds, said Mayor Ruth "
                "Abara's deputy Ola Brandt.")
    document = "Tarn bridge opens\n\n" + sentence + " Engineers from Corrin praised the Tarn design."
    picks = answers(sentence, document)
    assert set(picks) == {"31 million pounds", "May 15", "2023", "Ruth Abara", "Ola Brandt", "Tarn"}, picks
    # a one-word name counts only where the article writes it after a lowercase word (not a capitalised first word)
    assert "Corrin" not in answers("Corrin praised the design of the bridge in the end.", "Corrin praised it.")

    # a part of a compound quantity is no answer alone; "of" inside a name keeps the name whole
    assert answers("Kiprono won in 2 hours 11 minutes 40 seconds at the Museum of Maps in Harlow town.", "") == [
        "Museum of Maps"]


def test_a_generated_question_must_say_what_it_is_about() -> None:
    article = "Storm Agnes brought gusts of 130 km/h on September 27, cutting power to 40,000 homes."
    assert specific("How many homes lost power when Storm Agnes hit?", article)
    assert specific("How strong were the gusts on September 27?", article)
    assert not specific("How many homes were affected by the storm?", article)  # which storm?
    assert not specific("Which storm is mentioned in the article about Agnes?", article)


def test_an_unanswerable_question_a_look_alike_answers_is_dropped() -> None:
    held = "ELDEN - Mayor Ruth Abara was re-elected in 2020 with 51 percent."
    doc = Document(id="e20", title="Elden 2020", source="elden-2020.txt", text=held)
    cand = Candidate(doc, held, held, 0, len(held), "2020")
    kept = ["ELDEN - Ruth Abara of the Green Alliance won the 2016 mayoral election. She took 54 percent."]
    assert _answered_alike("In which year did Ruth Abara win the election?", cand, kept)  # 2016 answers it
    assert not _answered_alike("In which year was Ruth Abara re-elected with 51 percent?", cand, kept)
    assert not _answered_alike("In which year did Freya Dunmore win the election?", cand, kept)
    share = Candidate(doc, held, held, 0, len(held), "51 percent")  # the name and the share in two sentences
    assert _answered_alike("What share of the vote did Ruth Abara win?", share, kept)
    invited = Candidate(doc, held, held, 0, len(held), "1,500 invited")  # "1,500 invited runners"
    assert _answered_alike("How many runners did Ruth Abara's race have?", invited, [*kept, "Abara: 800 runners."])


def test_the_two_folds_hold_out_complementary_halves_of_the_articles() -> None:
    docs, chunker = _articles(), WORDS
    one, two = (plan_gold(docs, chunker, 1000, fold=f) for f in (1, 2))
    kept_one, kept_two = {d.id for d in one.kept}, {d.id for d in two.kept}
    assert kept_one and kept_two and not kept_one & kept_two and kept_one | kept_two == set(ARTICLES)

    # a people's adjective before what it describes is no name to ask for
    assert "Serbian" not in answers("The orchestra named Serbian conductor Vesna Radic as its chief.", "named Serbian")


def test_folds_three_and_four_hold_out_the_halves_of_another_shuffle() -> None:
    docs, chunker = _articles(), WORDS
    kept = {f: frozenset(d.id for d in plan_gold(docs, chunker, 1000, fold=f).kept) for f in (1, 2, 3, 4)}
    assert not kept[3] & kept[4] and kept[3] | kept[4] == set(ARTICLES)
    assert kept[3] not in (kept[1], kept[2])  # another half: a small corpus gives more files


class EchoQuestion:
    """A fake chat model that asks about the answer it is told to ask for, and answers by quoting the passage
    (so every candidate passes the round trip)."""

    def stream(self, messages, max_tokens=0, temperature=0.0):  # type: ignore[no-untyped-def]
        prompt = messages[-1]["content"]
        if prompt.startswith("Here is"):
            self.asked = getattr(self, "asked", 0) + 1
            headline = prompt.split(":\n\n", 1)[1].split()[0]  # the passage's first word, a name of its article
            yield f"What is fact number {self.asked} that {headline} gives?"
        else:
            yield prompt


def test_when_one_kind_runs_out_the_other_stops_at_as_many() -> None:
    plan = plan_gold(_articles(), WORDS, 1000)
    plan.queues[False] = plan.queues[False][:3]  # three unanswerable candidates, many answerable ones
    rows = list(generate_rows(plan, EchoQuestion()))  # type: ignore[arg-type]
    made = [r["answerable"] for r in rows]
    assert 0 < made.count(False) <= 3 and 0 <= made.count(True) - made.count(False) <= 1, made  # not 200 answerable


class SameQuestion:
    """A fake chat model that writes one question whatever it is asked to, and answers by quoting the passage."""

    def stream(self, messages, max_tokens=0, temperature=0.0):  # type: ignore[no-untyped-def]
        prompt = messages[-1]["content"]
        yield "How many cars use the Tarn bridge each day?" if prompt.startswith("Here is") else prompt


def test_one_question_written_for_two_answers_is_kept_once() -> None:
    plan = plan_gold(_articles(), WORDS, 40)
    rows = list(generate_rows(plan, SameQuestion()))  # type: ignore[arg-type]
    assert [r["question"] for r in rows] == ["How many cars use the Tarn bridge each day?"]


def test_the_committed_generated_sets_load_and_hold_out_what_they_ask_about() -> None:
    root = Path(__file__).resolve().parent.parent / "corpora" / "generated"
    folds = sorted(int(p.stem.split("-")[1]) for p in root.glob("fold-*.jsonl"))
    assert folds[:2] == [1, 2], folds
    for fold in folds:
        items = load_gold(root / f"fold-{fold}.jsonl")  # the project's own loader accepts every key it writes
        library = {p.name for p in (root / f"fold-{fold}-library").iterdir()}
        rows = [json.loads(line) for line in (root / f"fold-{fold}.jsonl").read_text().splitlines()]
        assert len(items) == len(rows) and all((root / f"fold-{fold}-library" / n).is_file() for n in library)
        for r in rows:
            held = r["source"].split(" ")[0] not in library
            assert held != r["answerable"], r  # answerable from the library, unanswerable from a held-out article


def test_a_gold_file_keeps_every_question_made_before_a_run_stops(tmp_path: Path) -> None:
    doc_path = tmp_path / "a.txt"
    doc_path.write_text("x")
    doc = Document(id="a", title="A", source=str(doc_path), text="x")

    def rows() -> Iterator[dict[str, object]]:  # the generator stops (killed, interrupted) after two questions
        for i in range(2):
            yield {"id": f"gen-{i}", "question": f"q{i}?", "answers": ["x"], "answerable": True}
        raise KeyboardInterrupt

    out = tmp_path / "gold.jsonl"
    with pytest.raises(KeyboardInterrupt):
        write_gold(rows(), [doc], out)
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["gen-0", "gen-1"]
    assert (tmp_path / "gold-library" / "a.txt").resolve() == doc_path.resolve()


@pytest.mark.slow
def test_generated_gold_has_both_kinds_with_provenance_and_its_own_library(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_model(DEFAULT)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text)
    out = tmp_path / "gen" / "gold.jsonl"
    code = main(["eval", "--generate", "6", "--corpus", str(corpus), "--out", str(out), "--model", DEFAULT,
                 "--data-dir", str(tmp_path / "data"), "--models-dir", str(MODELS)])
    assert code == 0, capsys.readouterr()
    items = load_gold(out)  # the project's own loader accepts it
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    library = {p.name for p in (out.parent / "gold-library").iterdir()}
    assert items and {r["category"] for r in rows} <= {"generated", "generated-unanswerable"}
    assert all(r["split"] in ("dev", "test") and r["source"] for r in rows)
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    assert answerable and unanswerable, rows
    for r in answerable:  # its article is in the library, and states the answer in the quoted sentence
        assert r["gold_docs"][0] in library and r["answers"][0] in r["evidence"][0]
        assert r["evidence"][0] in ARTICLES[r["gold_docs"][0]]
    for r in unanswerable:  # its article was held out of the library
        assert r["source"].split(" ")[0] not in library and r["answers"] == []
    assert len(library) < len(ARTICLES)


@pytest.mark.slow
def test_the_evaluate_tab_generates_questions_from_the_library_and_the_library_they_go_with(tmp_path: Path) -> None:
    require_model(DEFAULT)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text)
    assistant = build_assistant(load_settings(env={}, data_dir=tmp_path / "data", models_dir=MODELS,
                                              chat_model=DEFAULT))
    try:
        assert not assistant.ingest([corpus]).failed
        path, message = Evaluator(assistant).generate(6)
    finally:
        assistant.close()
    gold = Path(path)
    rows = [json.loads(line) for line in gold.read_text().splitlines()]
    assert load_gold(gold) and f"Wrote {len(rows)} questions" in message
    library = {p.name for p in (gold.parent / "gold-library").iterdir()}
    assert {r["answerable"] for r in rows} == {True, False}, rows
    for r in rows:  # answerable from an article of its library, unanswerable from one held out of it
        assert (r["source"].split(" ")[0] in library) == r["answerable"], r
