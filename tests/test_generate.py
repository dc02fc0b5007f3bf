"""Gold questions generated from a folder of articles, through the real model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.cli import main
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
