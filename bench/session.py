"""Section 9: a session of follow-up questions over a library too big for library mode.

Two conversations are interleaved, as two people on one `rag serve` would ask them: each asks three questions
about one generated article (the second and third with the conversation so far), then moves to another article.
Every question is answered from its retrieved passages. Measured per variant: first-token p50 / p95 and the prompt
tokens llama.cpp read per question (the rest came from its KV cache or a kept prefix). "Follow-ups search afresh"
is ours with `conversation_passages` 0: each follow-up gets the passages of its own search instead of keeping its
conversation's and adding one new.

The variant "before" is the code of another revision (by default the last one before passages were laid out for
reuse), run from a git worktree with this same script, so both are measured in one run on one machine:
`python -m bench --only session --baseline-rev REV`.

Run directly (`python bench/session.py RUN.json`), the script answers one variant's session and prints JSON; the
`rag` it imports is whichever is first on PYTHONPATH.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASELINE_REV = "27b351a"  # main before the passages moved into the cached system message (issue 11, part 2)


def session_questions(folder: Path, articles: int, seed: int = 3) -> list[tuple[int, str]]:
    """(conversation, question) pairs: two conversations at a time, three questions per article each. The first
    names the article by its headline, as a reader would; the two follow-ups say "it"."""
    import random

    from bench.corpus import PEOPLE

    rng = random.Random(seed)
    files = sorted(folder.glob("*.txt"))
    per_article: list[list[str]] = []
    for path in rng.sample(files, articles):
        headline, body = path.read_text(encoding="utf-8").split("\n\n", 1)
        names = [n for n in PEOPLE if n in body]
        places = sorted(set(re.findall(r"\bin ([A-Z][a-z]+(?: Bay)?)", body)))
        per_article.append([f"In the report \"{headline}\", what did the officials decide?",
                            f"What does it say about {rng.choice(names)}?",
                            f"And what does it say about {rng.choice(places) if places else 'the cost'}?"])
    # Conversations 0 and 1 take turns; conversation c asks about articles c, c+2, c+4, ...
    order: list[tuple[int, str]] = []
    for start in range(0, articles, 2):
        pair = per_article[start : start + 2]
        for turn in range(3):
            for c, questions in enumerate(pair):
                order.append((start + c, questions[turn]))
    return order


def run(spec: dict[str, Any]) -> dict[str, Any]:
    """Answer one variant's session; first-token ms and prompt tokens read per question."""
    from rag.build import build_assistant
    from rag.config import load_settings
    from rag.types import Turn

    # Not bench.common's bench_settings: the "before" variant imports another revision's bench package.
    smoke = json.loads(os.environ.get("BENCH_SMOKE_SETTINGS") or "{}")
    overrides = {"library_tokens": 0, **smoke, **spec.get("settings", {})}
    settings = load_settings(env={}, data_dir=Path(spec["data_dir"]), models_dir=Path(spec["models_dir"]),
                             chat_model=spec["model"], **overrides)
    assistant = build_assistant(settings)
    assistant.ingest([Path(spec["corpus"])])
    assistant.warm()
    conversations: dict[int, list[Any]] = {}
    rows = []
    for conversation, question in spec["questions"]:
        history = conversations.setdefault(conversation, [])
        gen = assistant.generator
        before = getattr(gen, "tokens_read", None)
        answer = assistant.ask(question, history=list(history))
        # A revision before conversations kept their passages has no Answer.turn().
        history.append(answer.turn() if hasattr(answer, "turn") else Turn(question, answer.text))
        if before is not None:
            read = gen.tokens_read - before  # type: ignore[attr-defined]
        else:  # a revision without the counter: the check before answering (when it ran), then the answer
            checked = any(c.kind == "answerability" for c in answer.checks)
            read = (gen.last_prompt_tokens - gen.last_cached_tokens if checked else 0)  # type: ignore[attr-defined]
            read += answer.timings.prompt_tokens or 0
        passages = [p.chunk.id for p in answer.passages]
        rows.append({"conversation": conversation, "first_token_ms": answer.timings.first_token_ms,
                     "prompt_tokens": read, "refused": answer.refused, "passages": passages})
    chunks = assistant.status().chunks
    return {"rows": rows, "chunks": chunks}


def _variant(name: str, pythonpath: Path, spec: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"bench-session-{name}-") as tmp:
        spec = {**spec, "data_dir": str(Path(tmp) / "data")}
        run_file = Path(tmp) / "run.json"
        run_file.write_text(json.dumps(spec))
        env = {**os.environ, "PYTHONPATH": str(pythonpath)}
        env = {k: v for k, v in env.items() if not k.startswith("RAG_")}
        out = subprocess.run([sys.executable, str(Path(__file__).resolve()), str(run_file)], env=env, cwd=pythonpath,
                             capture_output=True, text=True, check=True, timeout=3600)
        return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def bench_session(model: str, articles: int, baseline_rev: str = BASELINE_REV, smoke: bool = False) -> dict[str, Any]:
    """The session in three variants: the baseline revision, ours keeping no prefixes, ours as configured."""
    from bench.common import MODELS, pct
    from bench.corpus import write_corpus

    with tempfile.TemporaryDirectory(prefix="bench-session-") as tmp:
        corpus = Path(tmp) / "corpus"
        write_corpus(corpus, articles)
        questions = session_questions(corpus, 2 if smoke else 6)
        spec = {"model": model, "models_dir": str(MODELS), "corpus": str(corpus), "questions": questions}
        variants: dict[str, dict[str, Any]] = {}
        worktree = Path(tmp) / "baseline"
        if not smoke:
            subprocess.run(["git", "worktree", "add", "--detach", str(worktree), baseline_rev], cwd=ROOT, check=True,
                           capture_output=True)
        try:
            if not smoke:
                variants["before"] = _variant("before", worktree, spec)
            variants["no kept prefixes"] = _variant("nokept", ROOT, {**spec, "settings": {"prefix_memory_mb": 0,
                                                                                       "conversation_passages": 0}})
            variants["follow-ups search afresh"] = _variant("afresh", ROOT,
                                                            {**spec, "settings": {"conversation_passages": 0}})
            variants["ours"] = _variant("ours", ROOT, spec)
        finally:
            if not smoke:
                subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=False,
                               capture_output=True)
    out: dict[str, Any] = {"model": model, "articles": articles, "questions": len(questions),
                           "baseline_rev": baseline_rev if not smoke else None}
    for name, result in variants.items():
        first = [r["first_token_ms"] for r in result["rows"] if r["first_token_ms"] is not None]
        read = [r["prompt_tokens"] or 0 for r in result["rows"]]
        out["chunks"] = result["chunks"]
        # How many of a follow-up's passages its conversation's previous turn had too (of k).
        last: dict[int, set[str]] = {}
        shared = []
        for r in result["rows"]:
            if r["conversation"] in last:
                shared.append(len(last[r["conversation"]] & set(r["passages"])))
            last[r["conversation"]] = set(r["passages"])
        out[name] = {"first_token_ms_p50": round(pct(first, 50)), "first_token_ms_p95": round(pct(first, 95)),
                     "prompt_tokens_mean": round(sum(read) / len(read)),
                     "refused": sum(r["refused"] for r in result["rows"]),
                     "follow_up_passages_shared": round(sum(shared) / len(shared), 2) if shared else None}
    base = out.get("before") or out["no kept prefixes"]
    out["p50_ratio"] = round(out["ours"]["first_token_ms_p50"] / base["first_token_ms_p50"], 2)
    out["p95_ratio"] = round(out["ours"]["first_token_ms_p95"] / base["first_token_ms_p95"], 2)
    return out


if __name__ == "__main__":
    print(json.dumps(run(json.loads(Path(sys.argv[1]).read_text()))))
