"""End to end through the real parts: ONNX embedder, Chroma on disk, llama.cpp with the 0.5B model."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.assistant import Assistant
from tests.conftest import MODELS, SMALL, SPOKESMAN, require_model

pytestmark = pytest.mark.slow


def test_seed_question_is_answered_with_a_citation_of_the_right_article(real_assistant: Assistant) -> None:
    answer = real_assistant.ask("How old is Ri Il Gyu?")
    assert not answer.refused
    assert "52" in answer.text
    assert answer.citations, answer.text
    assert any(Path(c.source).name == SPOKESMAN for c in answer.citations)
    cited = next(c for c in answer.citations if Path(c.source).name == SPOKESMAN)
    assert "52" in (cited.support or cited.snippet)
    assert answer.timings.first_token_ms and answer.timings.tokens_per_s


def test_unrelated_question_is_refused_with_no_sources(real_assistant: Assistant) -> None:
    answer = real_assistant.ask("What is a good recipe for banana bread?")
    assert answer.refused and answer.citations == []


def _rag(data: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "RAG_DATA_DIR": str(data), "RAG_MODELS_DIR": str(MODELS), "RAG_CHAT_MODEL": SMALL}
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=600)


@pytest.fixture(scope="module")
def cli_data(tmp_path_factory: pytest.TempPathFactory, seeds_copy: Path) -> Path:
    require_model(SMALL)
    data = tmp_path_factory.mktemp("cli-data")
    proc = _rag(data, "ingest", str(seeds_copy))
    assert proc.returncode == 0, proc.stderr
    assert "2 added" in proc.stdout
    return data


def test_ask_json_spans_point_at_the_cited_text_in_the_source_file(cli_data: Path) -> None:
    proc = _rag(cli_data, "ask", "--json", "How old is Ri Il Gyu?")
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert "52" in answer["text"] and not answer["refused"]
    assert answer["citations"]
    for cit in answer["citations"]:
        source = Path(cit["source"]).read_text(encoding="utf-8")
        assert source[cit["start"] : cit["end"]] == cit["snippet"]
        if cit["support_start"] is not None:
            assert source[cit["support_start"] : cit["support_end"]] == cit["support"]
    assert {"retrieval_ms", "first_token_ms", "total_ms", "tokens_per_s"} <= set(answer["timings"])
    assert len(answer["retrieved"]) == 4 and answer["retrieved"][0]["rank"] == 1


def test_ask_with_an_excerpt_budget_reads_less_and_keeps_true_spans(cli_data: Path) -> None:
    whole = json.loads(_rag(cli_data, "ask", "--json", "How old is Ri Il Gyu?").stdout)
    proc = _rag(cli_data, "ask", "--json", "--passage-tokens", "120", "How old is Ri Il Gyu?")
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert sum(len(p["chunk"]["text"]) for p in answer["passages"]) < sum(
        len(p["chunk"]["text"]) for p in whole["passages"]) / 2
    for p in answer["passages"]:
        source = Path(p["chunk"]["source"]).read_text(encoding="utf-8")
        assert source[p["chunk"]["start"] : p["chunk"]["end"]] == p["chunk"]["text"]
    assert any("52" in p["chunk"]["text"] for p in answer["passages"])
    assert "52" in answer["text"] and answer["citations"]
    assert answer["timings"]["excerpt_ms"] > 0


def test_ask_streams_text_then_sources(cli_data: Path) -> None:
    proc = _rag(cli_data, "ask", "How old is Ri Il Gyu?")
    assert proc.returncode == 0, proc.stderr
    text, _, sources = proc.stdout.partition("\nSources:\n")
    assert "52" in text
    assert "Senior North Korean diplomat based in Cuba defects to South Korea" in sources


def test_chat_follow_up_in_the_terminal(cli_data: Path) -> None:
    proc = _rag(cli_data, "chat", stdin="Who is Ri Il Gyu?\nHow old is he?\n/quit\n")
    assert proc.returncode == 0, proc.stderr
    replies = proc.stdout.split("assistant> ")
    assert len(replies) == 3
    assert "52" in replies[2]


def test_status_and_missing_model_message(cli_data: Path) -> None:
    proc = _rag(cli_data, "status")
    assert "documents   2" in proc.stdout
    proc = _rag(cli_data, "ask", "--model", "qwen2.5-coder-1.5b-instruct-q4_k_m", "Hi?")
    if not (MODELS / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf").exists():
        assert proc.returncode == 1
        assert "rag models pull qwen2.5-coder-1.5b-instruct-q4_k_m" in proc.stderr
    proc = _rag(cli_data, "ask", "--model", "no-such-model", "Hi?")
    assert proc.returncode == 1 and "known:" in proc.stderr


def test_models_list_shows_presence(cli_data: Path) -> None:
    require_model("all-minilm-l6-v2-int8")
    proc = _rag(cli_data, "models", "list")
    line = next(ln for ln in proc.stdout.splitlines() if SMALL in ln)
    assert line.startswith("present")


def test_chat_commands_and_a_question_from_stdin(cli_data: Path) -> None:
    proc = _rag(cli_data, "chat", stdin="/help\nHow old is Ri Il Gyu?\n/sources\n/new\n/sources\n/bogus\n/quit\n")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "/sources" in out and "/model" in out  # the help
    after_answer = out.split("you> ")[3]  # the /sources after the answer repeats its sources
    assert "Sources:" in after_answer and "Senior North Korean diplomat" in after_answer
    assert "(no answer yet)" in out.split("you> ")[5]  # /new forgot them
    assert "unknown command /bogus" in out
    piped = _rag(cli_data, "ask", "-", stdin="How old is Ri Il Gyu?\n")
    assert piped.returncode == 0 and "52" in piped.stdout, piped.stderr
    empty = _rag(cli_data, "ask", "-", stdin="  \n")
    assert empty.returncode == 2 and "standard input" in empty.stderr


def test_global_options_work_after_the_subcommand_and_piped_output_is_clean(cli_data: Path, tmp_path: Path) -> None:
    env = {**os.environ, "RAG_MODELS_DIR": str(MODELS), "RAG_CHAT_MODEL": SMALL}
    proc = subprocess.run([sys.executable, "-m", "rag.cli", "status", "--data-dir", str(cli_data)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0 and "documents   2" in proc.stdout, proc.stderr
    before = subprocess.run([sys.executable, "-m", "rag.cli", "--data-dir", str(cli_data), "status"],
                            capture_output=True, text=True, env=env, timeout=300)
    assert before.stdout == proc.stdout
    article = tmp_path / "quay.txt"
    article.write_text("Quay rebuilt\n\nThe quay was rebuilt in 1950.\n")
    ingest = _rag(tmp_path / "data", "ingest", str(article))
    assert ingest.returncode == 0 and "\r" not in ingest.stderr and "ingesting" not in ingest.stderr  # no bar


def test_a_broken_pdf_gets_one_line_that_says_why(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "quay.txt").write_text("Quay rebuilt\n\nThe quay was rebuilt in 1950.\n")
    (docs / "cut.pdf").write_bytes(b"%PDF-1.4 the rest of the file is missing")
    proc = _rag(tmp_path / "data", "ingest", str(docs))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 3 and "cut.pdf: the PDF could not be read" in out and "quay.txt" in out, out
    assert "pypdf" not in out and "WARNING" not in out, out  # no reader's warnings beside that line


def test_models_list_has_a_header_and_says_how_to_fetch(cli_data: Path, tmp_path: Path) -> None:
    import shutil

    models = tmp_path / "models"
    models.mkdir()
    shutil.copy(MODELS / "catalog.toml", models / "catalog.toml")
    env = {**os.environ, "RAG_MODELS_DIR": str(models)}
    proc = subprocess.run([sys.executable, "-m", "rag.cli", "models", "list"], capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:3] == ["status", "kind", "id"]
    assert any(ln.startswith("missing") for ln in lines)
    assert "rag models pull" in proc.stdout


def test_chat_in_a_terminal_has_line_history(cli_data: Path) -> None:
    # A real pseudo-terminal: the up arrow brings back the last line (readline); without it, the escape
    # sequence would arrive as an unknown command.
    import pty
    import select
    import time

    env = {**os.environ, "RAG_DATA_DIR": str(cli_data), "RAG_MODELS_DIR": str(MODELS), "RAG_CHAT_MODEL": SMALL,
           "TERM": "dumb"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: rag chat on the terminal
        os.execve(sys.executable, [sys.executable, "-m", "rag.cli", "chat"], env)
    seen = b""

    def wait_for(marker: bytes, times: int, timeout: float = 120) -> None:
        nonlocal seen
        deadline = time.time() + timeout
        while seen.count(marker) < times and time.time() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    break
        assert seen.count(marker) >= times, seen[-800:]

    try:
        wait_for(b"you> ", 1)
        os.write(fd, b"/help\r")
        wait_for(b"you> ", 2)
        os.write(fd, b"\x1b[A\r")  # up arrow, Enter: /help again
        wait_for(b"you> ", 3)
        os.write(fd, b"/quit\r")
    finally:
        os.waitpid(pid, 0)
        os.close(fd)
    assert seen.count(b"/model [ID]") == 2, seen[-800:]
    assert b"unknown command" not in seen
