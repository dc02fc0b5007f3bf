"""The evaluation harness: gold parsing, metrics and reports with small fakes; the CI quality gate with real parts."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.errors import EvalError
from rag.evaluation.gold import load_gold
from rag.evaluation.metrics import (
    citation_valid,
    contains_alias,
    exact_match,
    f1_score,
    first_relevant_rank,
    looks_like_refusal,
    normalize_answer,
    percentile,
)
from rag.evaluation.runner import run_eval, summarise, write_outputs
from rag.types import Citation
from tests.conftest import MODELS, ROOT, SEEDS, SMALL, require_model


def test_squad_normalisation_and_scores() -> None:
    assert normalize_answer("The  Chosun Ilbo!") == "chosun ilbo"
    assert exact_match("the Chosun Ilbo.", ["Chosun Ilbo"]) == 1.0
    assert f1_score("He is 52 years old", ["52"]) == pytest.approx(2 * (1 / 5) * 1 / (1 / 5 + 1))
    assert f1_score("nothing", ["52"]) == 0.0


def test_alias_accuracy_needs_word_boundaries() -> None:
    assert contains_alias("Ri is a 52-year-old counselor.", ["52"])
    assert not contains_alias("It was 1952.", ["52"])
    assert contains_alias("Around ten people left.", ["ten", "10"])
    assert not contains_alias("They often left.", ["ten"])


def test_refusal_phrases_and_ranks_and_percentiles() -> None:
    assert looks_like_refusal("I couldn't find that in the articles.")
    assert looks_like_refusal("The passages do not mention his wife.")
    assert not looks_like_refusal("He is 52.")
    assert first_relevant_rank(["a.txt", "b.txt", "a.txt"], ["b.txt"]) == 2
    assert first_relevant_rank(["a.txt"], ["b.txt"]) is None
    assert percentile([1, 2, 3, 4, 5], 50) == 3 and percentile([], 50) is None
    assert percentile([0, 10], 95) == pytest.approx(9.5)


def test_citation_validity() -> None:
    c = Citation(1, "c", "d", "T", "/s.txt", 0, 40, "The ship carried 10,000 tons of sugar.")
    assert citation_valid(c, "It carried sugar [1].", ["10,000"], [])
    assert citation_valid(c, "The ship carried sugar [1].", [], [])  # lexical support of the cited sentence
    assert not citation_valid(c, "Bananas grow in Ecuador [1].", ["Ecuador"], [])


def test_malformed_gold_lines_are_reported_with_their_number(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "a", "question": "Q?", "answers": ["x"]}\n\n{"id": "b", "question": "Q2?"\n')
    with pytest.raises(EvalError, match=r"gold.jsonl:3: not valid JSON"):
        load_gold(gold)
    gold.write_text('{"id": "a", "question": "Q?", "answers": []}\n')
    with pytest.raises(EvalError, match=r":1: an answerable question needs at least one accepted answer"):
        load_gold(gold)
    gold.write_text('{"id": "a", "question": "Q?", "answers": ["x"], "gold": []}\n')
    with pytest.raises(EvalError, match="unknown key"):
        load_gold(gold)


def test_seed_gold_file_meets_its_brief() -> None:
    items = load_gold(SEEDS / "gold.jsonl")
    assert len(items) >= 80
    assert sum(not i.answerable for i in items) >= 40  # mostly near misses about what the articles cover
    assert {i.split for i in items} == {"dev", "test"}
    for split in ("dev", "test"):  # both halves hold every kind of question
        assert {i.category for i in items if i.split == split} == {i.category for i in items}
    assert sum(len(i.turns) > 1 for i in items) >= 3
    assert sum(i.category == "cross-article" for i in items) >= 5
    texts = {p.name: p.read_text() for p in SEEDS.glob("*.txt")}
    for item in items:
        for doc in item.gold_docs:
            assert doc in texts, (item.id, doc)
        for span in item.evidence:  # evidence is verbatim from a gold document
            assert any(span in texts[d] for d in item.gold_docs), (item.id, span)


def test_run_and_reports_with_fakes(fake_assistant, fake_generator, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Harbour master news today\n\nThe harbour master Ana Ruiz is 47 years old.")
    fake_assistant.ingest([tmp_path / "a.txt"])
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        '{"id": "age", "question": "How old is the harbour master Ana Ruiz?", "answers": ["47"], '
        '"gold_docs": ["a.txt"], "category": "fact"}\n'
        '{"id": "none", "question": "What colour is the harbour master Ana Ruiz\'s car?", "answers": [], '
        '"answerable": false, "category": "unanswerable"}\n'
    )
    fake_generator.script("Ana Ruiz is 47 [1].")
    results = run_eval(fake_assistant, load_gold(gold), compare=["closed-book", "oracle"], corpus=None)
    ours = summarise(results["ours"])
    assert ours["answer_accuracy"] == 1.0 and ours["refusal_accuracy"] == 0.0
    assert ours["hit@1"] == 1.0 and ours["citation_coverage"] == 1.0
    # The invented answer to the unanswerable question cites a passage without any answer in it.
    assert ours["citation_answer_precision"] == 0.5
    from rag.evaluation.runner import fingerprint

    out = tmp_path / "out"
    summary = write_outputs(out, results, fingerprint(fake_assistant, fake_assistant.settings),
                            {"gold": str(gold), "corpus": "x", "seconds": 1})
    for name in ("results.jsonl", "summary.json", "report.md", "report.html", "hit_at_k.png", "latency.png"):
        assert (out / name).stat().st_size > 0, name
    assert set(summary["systems"]) == {"ours", "closed-book", "oracle"}
    assert "| answer acc. |" in (out / "report.md").read_text()


@pytest.mark.slow
@pytest.mark.eval
def test_quality_gate_against_the_committed_baseline(tmp_path: Path) -> None:
    """rag eval on the seeds with the small model must not fall below seeds/eval-baseline.json."""
    require_model(SMALL)
    baseline = json.loads((SEEDS / "eval-baseline.json").read_text())
    out = tmp_path / "eval"
    env = {**os.environ, "RAG_MODELS_DIR": str(MODELS)}
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli", "eval", "--gold", str(SEEDS / "gold.jsonl"), "--corpus", str(SEEDS),
         "--model", baseline["model"], "--split", baseline.get("split", "all"), "--out", str(out)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    overall = summary["systems"]["ours"]["overall"]
    for metric, floor in baseline["metrics"].items():
        allowed = floor - baseline["tolerance"][metric] - 1e-9
        assert overall[metric] >= allowed, f"{metric} fell to {overall[metric]} (baseline {floor})"
    assert summary["fingerprint"]["chat_model"] == Path(baseline["model_file"]).stem
    # Each answer records the prompt tokens llama.cpp read for it (the rest came from its caches).
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    read = [r["timings"]["tokens_read"] for r in rows if r["system"] == "ours"]
    assert len(read) == len(rows) and all(isinstance(n, int) and n >= 0 for n in read) and max(read) > 0


def test_the_library_as_a_folder_keeps_both_files_of_one_name_and_the_text_of_a_gone_one(
    fake_assistant: Assistant, tmp_path: Path
) -> None:
    from rag.evaluation.runner import library_folder

    for folder, text in (("a", "Harbour news\n\nThe ferry left at noon."), ("b", "Rail news\n\nThe train was late."),
                         ("c", "Park news\n\nThe park opens in May.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "news.txt").write_text(text)
    assert not fake_assistant.ingest([tmp_path / "a", tmp_path / "b", tmp_path / "c"]).failed
    (tmp_path / "c" / "news.txt").unlink()  # gone since: the text that was indexed stands in
    out = library_folder(fake_assistant, tmp_path / "library")
    texts = sorted(p.read_text() for p in out.iterdir())
    assert len(texts) == 3 and any("ferry" in t for t in texts) and any("train" in t for t in texts)
    assert any("park opens in May" in t for t in texts)
