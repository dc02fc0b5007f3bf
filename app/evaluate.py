"""The Evaluate tab: questions generated from the library (or a gold file), answered by the same engine as
`rag eval`, with the headline numbers, the calibration plot and every answer's verdict."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from rag.assistant import Assistant
from rag.chunking import Chunker
from rag.errors import RagError
from rag.evaluation.gold import load_gold
from rag.evaluation.report import headline_table
from rag.evaluation.runner import corpus_documents, evaluate, library_folder

ANSWER_HEADERS = ["Question", "Expected", "Answer", "Verdict", "P(correct)"]


def verdict(row: dict[str, Any]) -> str:
    """One answer's verdict in words."""
    if row["answerable"]:
        return "right" if row["correct"] else "refused" if row["refused"] else "wrong"
    return "refused, rightly" if row["refused"] else "invented (the articles don't say)"


class Evaluator:
    """Generates gold questions from the library and runs them; each run in its own folder under the data folder."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def _folder(self, kind: str) -> Path:
        folder = self.assistant.settings.data_dir / "evaluations" / f"{time.strftime('%Y%m%d-%H%M%S')}-{kind}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def generate(self, n: float, progress: Any = None) -> tuple[str, str]:
        """About `n` questions from the library's articles, half about articles held out of the library they go
        with; the gold file's path, and a message."""
        from rag.evaluation.generate import generate_rows, plan_gold, write_gold

        if not self.assistant.documents():
            raise RagError("the library is empty: add articles first")
        folder = self._folder("generated")
        documents = corpus_documents(library_folder(self.assistant, folder / "articles"))
        settings = self.assistant.settings
        chunker = Chunker(self.assistant.embedder.count_tokens, settings.chunk_tokens, settings.chunk_overlap)

        def step(done: int, total: int) -> None:
            if progress is not None:
                progress(done / max(total, 1), desc=f"writing questions: {done} of {total} candidate sentences")

        plan = plan_gold(documents, chunker, int(n))
        gold = folder / "gold.jsonl"
        # Written as they come, as `rag eval --generate` does: a generation stopped early keeps its questions.
        _, kinds = write_gold(generate_rows(plan, self.assistant.generator, step), plan.kept, gold)
        return str(gold), (f"Wrote {kinds[True] + kinds[False]} questions ({kinds[True]} answerable, {kinds[False]} "
                           f"about articles held out) to `{gold}`. Press **Run** to answer them.")

    def run(self, gold_path: str, progress: Any = None) -> tuple[str, str | None, list[list[Any]], str, str]:
        """Answer every question of a gold file; the headline table, the calibration plot, the answers, the
        report's path and a message. Generated questions go with the library they were made for; others are
        answered over a copy of the whole library (the library itself is not touched)."""
        if not gold_path:
            raise RagError("generate questions first, or upload a gold file (JSON Lines, as for `rag eval --gold`)")
        gold = Path(gold_path)
        items = load_gold(gold)
        folder = self._folder("run")
        made_for = gold.with_name(f"{gold.stem}-library")
        corpus = made_for if made_for.is_dir() else library_folder(self.assistant, folder / "articles")
        done = [0]

        def step(_: str) -> None:
            done[0] += 1
            if progress is not None:
                progress(min(done[0], len(items)) / len(items), desc=f"question {min(done[0], len(items))} of "
                                                                     f"{len(items)}")

        summary = evaluate(self.assistant.settings, items, gold_path=gold, corpus=corpus, compare=[],
                           out=folder, say=lambda _: None, progress=step, generator=self.assistant.generator)
        rows = [json.loads(line) for line in (folder / "results.jsonl").read_text(encoding="utf-8").splitlines()]
        expected = {i.id: "; ".join(i.answers) or "(a refusal)" for i in items}
        table = [[r["question"], expected[r["id"]], r["answer"], verdict(r),
                  f"{r['p_correct']:.2f}" if "p_correct" in r else "–"] for r in rows]
        plot = folder / "calibration.png"
        overall = summary["systems"]["ours"]["overall"]
        message = (f"{overall['questions']} questions in {summary['seconds']:.0f} s. Full report: "
                   f"`{folder / 'report.html'}`")
        return headline_table(summary), str(plot) if plot.is_file() else None, table, str(folder / "report.html"), \
            message
