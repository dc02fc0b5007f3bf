"""Reading a question's passages while it is typed (`read_while_typing`): the engine's thread, the pipeline's
prompt head, the assistant and the browser's handler (fakes); the real model is in test_library.py."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.build import build_assistant
from rag.config import Settings
from rag.pipeline import TypedHead
from rag.prompting import QUESTION
from rag.typeahead import TypeAhead, complete_words, type_out
from rag.types import Turn
from tests.conftest import write_vessby
from tests.fakes import FakeEmbedder, FakeGenerator


@pytest.mark.parametrize(("text", "words"), [
    ("How old is the harb", "How old is the"),
    ("How old is the harbour ", "How old is the harbour"),
    ("How old is she?", "How old is she?"),
    ("  Who", ""),
    ("", ""),
])
def test_only_whole_words_are_searched(text: str, words: str) -> None:
    assert complete_words(text) == words


class Steps:
    """A planner and a reader that reads `size` steps of 10 ms, asking `stop` before each, and records both."""

    def __init__(self, size: int = 30, heads: Callable[[str], str | None] | None = None) -> None:
        self.size = size
        self.heads = heads or (lambda text: text.split()[0] if text else None)
        self.planned: list[str] = []
        self.read: list[tuple[str, int, bool]] = []  # head, steps read, stopped
        self.threads: set[str] = set()

    def plan(self, text: str, history: list[Turn]) -> str | None:
        self.planned.append(text)
        return self.heads(text)

    def reader(self, head: str, stop: Callable[[], bool]) -> int:
        self.threads.add(threading.current_thread().name)
        for step in range(self.size):
            if stop():
                self.read.append((head, step, True))
                return step
            time.sleep(0.01)
        self.read.append((head, self.size, False))
        return self.size


def test_typed_text_is_read_on_a_thread_of_its_own_from_its_whole_words() -> None:
    steps = Steps(size=3)
    ahead = TypeAhead(steps.plan, steps.reader, pause_s=0.01)
    assert not ahead.typed("Who")  # too short to search
    assert ahead.typed("Harbour master Ana Ru")
    assert ahead.wait_idle(5)
    assert steps.planned == ["Harbour master Ana"] and steps.read == [("Harbour", 3, False)]
    assert steps.threads == {"read-while-typed"} and ahead.tokens == 3
    assert not ahead.typed("Harbour master Ana Ru")  # the same words: read already
    ahead.close()


def test_newer_text_with_the_same_passages_reads_on_and_with_others_reads_those() -> None:
    steps = Steps(size=40, heads=lambda text: text.split()[-1] if "ferry" in text else "port")
    ahead = TypeAhead(steps.plan, steps.reader, pause_s=0.01)
    ahead.typed("Who runs the port ")
    time.sleep(0.1)
    ahead.typed("Who runs the port of ")  # the same head: the reading goes on
    time.sleep(0.1)
    ahead.typed("Who runs the port of Vessby's ferry ")  # another head: the reading stops, that one is read
    assert ahead.wait_idle(5)
    assert [h for h, *_ in steps.read] == ["port", "ferry"]
    assert steps.read[0][2] and not steps.read[1][2]  # the first stopped, the second read to its end
    assert steps.read[0][1] > 10  # it had read on past the same-head text (10 ms a step)
    ahead.close()


def test_a_question_being_answered_stops_the_reading_and_nothing_typed_meanwhile_is_read() -> None:
    steps = Steps(size=500)
    ahead = TypeAhead(steps.plan, steps.reader, pause_s=0.01)
    ahead.typed("Who runs the port ")
    time.sleep(0.1)
    started = time.monotonic()
    with ahead.held():
        assert time.monotonic() - started < 1.0  # within a step or two, not the 5 s the reading would take
        assert steps.read and steps.read[-1][2]
        assert not ahead.typed("Who runs the ferry ")
        time.sleep(0.05)
        assert len(steps.read) == 1
    assert ahead.typed("Who runs the port ")  # after the answer the same text is read again (the cache changed)
    ahead.close()
    assert not ahead.typed("Who runs the ferry now ")


def test_typing_out_a_question_hands_over_each_prefix_at_the_typing_speed() -> None:
    seen: list[str] = []

    class Box:
        def typed(self, text: str, history: list[Turn] | None = None) -> bool:
            seen.append(text)
            return True

    took = type_out(Box(), "Who won?", chars_per_s=200)  # type: ignore[arg-type]
    assert seen == ["W", "Wh", "Who", "Who ", "Who w", "Who wo", "Who won", "Who won?"]
    assert took >= 8 / 200


class HeadReadingGenerator(FakeGenerator):
    """A scripted generator that keeps prompt heads, as llama.cpp does (it records what it was asked to read)."""

    tokens_read = 0

    def __init__(self, reply: str = "", key: str = "model|kv f16") -> None:
        super().__init__(reply)
        self.heads: list[tuple[list[dict[str, str]], str]] = []
        self.files: list[Path | None] = []  # where each head was to be saved
        self.key = key

    def ensure_prefix(self, messages: list[dict[str, str]], cache_file: Path | None = None, lead: str = "",
                      read: bool = True, stop: Callable[[], bool] | None = None) -> str:
        self.heads.append((messages, lead))
        self.files.append(cache_file)
        self.tokens_read += sum(len(m["content"].split()) for m in messages)
        return "computed"

    def model_key(self) -> str:
        return self.key


def _briefs(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "port.txt").write_text("Port news\n\nAna Ruiz, 47, is the harbour master of Vessby.")
    (folder / "rail.txt").write_text("Rail news\n\nThe Vessby railway station opens in March with six tracks.")
    return [folder]


def _retrieved(settings: Settings, gen: FakeGenerator, **update: object) -> Assistant:
    s = settings.model_copy(update={"library_tokens": 0, "top_k": 1, "prompt_layout": "library", **update})
    return build_assistant(s, embedder=FakeEmbedder(), generator=gen)


def test_the_pipeline_reads_the_head_of_the_typed_questions_prompt(settings: Settings, tmp_path: Path) -> None:
    """The head read while typing is the one the question then gets: everything before its own words."""
    gen = HeadReadingGenerator("Ana Ruiz is 47 [1].")
    assistant = _retrieved(settings, gen)
    assistant.ingest(_briefs(tmp_path / "docs"))
    head = assistant.pipeline.typed_head("How old is the harbour master")
    assert isinstance(head, TypedHead) and head.lead.endswith(QUESTION) and len(head.passages) == 1
    assert "Ana Ruiz" in head.messages[0]["content"] and "six tracks" not in head.messages[0]["content"]
    assert assistant.pipeline.read_typed(head) > 0 and gen.heads == [(head.messages, head.lead)]
    assistant.ask("How old is the harbour master of Vessby?")
    asked = gen.prompts[-1]
    assert asked[:-1] == head.messages and asked[-1]["content"].startswith(head.lead)
    # Library mode reads its head already: nothing to read while typing.
    whole = build_assistant(settings.model_copy(update={"library_tokens": 4096}), embedder=FakeEmbedder(),
                            generator=HeadReadingGenerator())
    whole.ingest([tmp_path / "docs"])
    assert whole.pipeline.typed_head("How old is the harbour master") is None


def test_the_browser_hands_typed_text_to_the_assistant_and_the_setting_stops_it(
        settings: Settings, tmp_path: Path) -> None:
    from app.web import WebApp

    gen = HeadReadingGenerator("Ana Ruiz is 47 [1].")
    assistant = _retrieved(settings, gen)
    assistant.ingest(_briefs(tmp_path / "docs"))
    assistant.ask("Warm the model?")  # a half-typed question never loads the model: it is loaded here
    assistant.typing.pause_s = 0.01
    heads = len(gen.heads)
    WebApp(assistant).typed("How old is the harbour master ", [])
    assert assistant.typing.wait_idle(10)
    assert len(gen.heads) == heads + 1 and "Ana Ruiz" in gen.heads[-1][0][0]["content"]
    assistant.settings.read_while_typing = False
    assert not assistant.typed("When does the railway station open ")
    assistant.close()


def _vessby(tmp_path: Path) -> Path:
    return write_vessby(tmp_path / "docs")


@pytest.mark.slow
def test_a_question_typed_before_it_is_sent_reads_only_its_own_words(tmp_path: Path) -> None:
    """Through the real 1.5B and Chroma on disk: while the question is typed its passage is found and read; once
    sent, llama.cpp reads the question's own words and the yes/no request, where without typing it reads the
    passage too; the answer is the same."""
    from rag.config import load_settings
    from rag.llm import LlamaCppGenerator
    from tests.conftest import DEFAULT, MODELS, require_model

    require_model("all-minilm-l6-v2-int8")
    require_model(DEFAULT)
    docs = _vessby(tmp_path)
    # Retrieved passages (no library mode), one per question; no prompt heads kept: each count below is that step's.
    assistant = build_assistant(load_settings(env={}, data_dir=tmp_path / "data", models_dir=MODELS,
                                              chat_model=DEFAULT, library_tokens=0, top_k=1, prefix_memory_mb=0))
    assistant.ingest([docs])
    gen = assistant.generator
    assert isinstance(gen, LlamaCppGenerator)
    asked, other = "How old is the harbour master Ana Ruiz?", "When does the Vessby railway station open?"
    assistant.ask(other)  # the model loaded; the cache holds another passage
    before = gen.tokens_read
    plain = assistant.ask(asked)
    plain_read = gen.tokens_read - before
    assistant.ask(other)
    assistant.typing.pause_s = 0.01
    assert assistant.typed("How old is the harbour master Ana R")  # what is typed when the reader has got so far
    assert assistant.typing.wait_idle(120)
    assert assistant.typing.tokens > 0
    before = gen.tokens_read
    typed = assistant.ask(asked)
    read = gen.tokens_read - before
    own = read - gen.count_tokens(asked)  # beside its words: the request, the turn markers
    assert own <= 40
    assert plain_read >= read + gen.count_tokens("The harbour master Ana Ruiz is 47 years old. She runs the port")
    assert "47" in typed.text and typed.text == plain.text
    assistant.close()


def test_eval_refuses_a_negative_typing_speed_with_the_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rag.cli import main

    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "q1", "question": "Who?", "answer": "Ana", "split": "test"}\n')
    code = main(["eval", "--gold", str(gold), "--typed", "-2", "--out", str(tmp_path / "out")])
    assert code != 0 and "characters a second" in capsys.readouterr().err


@pytest.mark.slow
def test_with_pre_read_passages_a_typed_questions_passage_is_read_and_kept(tmp_path: Path) -> None:
    """Through the real 1.5B with pre-read passages on: the passage a typed question finds is read in place while
    it is typed and kept as its state; the question, once sent, reads only its own words."""
    from rag.config import load_settings
    from rag.llm import LlamaCppGenerator
    from tests.conftest import DEFAULT, MODELS, require_model

    require_model("all-minilm-l6-v2-int8")
    require_model(DEFAULT)
    docs = _vessby(tmp_path)
    data = tmp_path / "data"
    assistant = build_assistant(load_settings(env={}, data_dir=data, models_dir=MODELS, chat_model=DEFAULT,
                                              library_tokens=0, top_k=1, prefix_memory_mb=0,
                                              prompt_layout="library", passage_states_mb=2048))
    assistant.ingest([docs])
    gen = assistant.generator
    assert isinstance(gen, LlamaCppGenerator)
    asked = "How old is the harbour master Ana Ruiz?"
    assistant.ask("When does the Vessby railway station open?")  # the model loaded; the cache holds another passage
    kept = len(list((data / "passage-states").rglob("*.kv")))
    assistant.typing.pause_s = 0.01
    assert assistant.typed("How old is the harbour master Ana R")
    assert assistant.typing.wait_idle(120)
    passage = gen.count_tokens("The harbour master Ana Ruiz is 47 years old. She runs the port")
    assert assistant.typing.tokens >= passage
    assert len(list((data / "passage-states").rglob("*.kv"))) == kept + 1  # the harbour passage, kept
    before = gen.tokens_read
    typed = assistant.ask(asked)
    assert gen.tokens_read - before - gen.count_tokens(asked) <= 40
    assert typed.timings.passages_read == 0 and "47" in typed.text
    assistant.close()


def test_a_saved_library_prefix_is_named_by_the_model_file_and_kv_type(settings: Settings, tmp_path: Path) -> None:
    """A library's saved prompt prefix belongs to one model file and KV type: another has a file of its own, so a
    state from one is never restored into the other."""
    files = []
    for key in ("model-a|kv f16", "model-a|kv q8_0", "model-a|kv f16"):
        gen = HeadReadingGenerator("Ana Ruiz is 47 [1].", key=key)
        s = settings.model_copy(update={"library_tokens": 2048, "data_dir": tmp_path / "data"})
        assistant = build_assistant(s, embedder=FakeEmbedder(), generator=gen)
        assistant.ingest(_briefs(tmp_path / "docs"))
        assistant.ask("How old is the harbour master?")
        files.append(next(f for f in gen.files if f is not None))
    assert files[0] == files[2] != files[1]
