"""Library mode: the whole library as one fixed prompt prefix when it fits the budget."""

import json
from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.build import build_assistant
from rag.config import Settings, load_settings
from rag.llm import LlamaCppGenerator
from rag.prompting import QUESTION_LEAD, format_passage
from rag.types import Answer, Turn
from tests.conftest import DEFAULT, MODELS, TINY, require_model, write_other_year
from tests.fakes import FakeEmbedder, FakeGenerator


def _docs(folder: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    a = folder / "harbour.txt"
    a.write_text("Harbour master news\n\nThe harbour master Ana Ruiz is 47 years old. She runs the port of Vessby.")
    b = folder / "station.txt"
    b.write_text("Railway station news\n\nThe new Vessby railway station opens in March with six tracks.")
    return [a, b]


@pytest.fixture
def fake_assistant(settings: Settings, fake_generator: FakeGenerator) -> Assistant:
    """The fake assistant with library mode on (the tiny test model's catalogue entry leaves it off)."""
    return build_assistant(settings.model_copy(update={"library_tokens": 2048}), embedder=FakeEmbedder(),
                           generator=fake_generator)


def test_every_question_shares_the_whole_library_as_its_prefix(
    fake_assistant: Assistant, fake_generator: FakeGenerator, tmp_path: Path
) -> None:
    fake_assistant.ingest(_docs(tmp_path / "docs"))
    fake_generator.script("Ana Ruiz is 47 years old [1].")
    fake_assistant.ask("How old is the harbour master of Vessby?")
    fake_assistant.ask("When does the Vessby railway station open?")
    first, second = fake_generator.prompts
    assert first[0] == second[0]  # the system message holds the whole library, byte for byte
    assert "Ana Ruiz" in first[0]["content"] and "six tracks" in first[0]["content"]
    assert first[-1]["content"].endswith("How old is the harbour master of Vessby?")
    assert "Passages:" not in first[-1]["content"]  # the question alone comes after the cached prefix


def test_history_goes_after_the_library_and_citations_point_at_its_chunks(
    fake_assistant: Assistant, fake_generator: FakeGenerator, tmp_path: Path
) -> None:
    from rag.types import Turn

    fake_assistant.ingest(_docs(tmp_path / "docs"))
    numbered = fake_assistant.pipeline.library.get(fake_generator.count_tokens)  # type: ignore[union-attr]
    assert numbered is not None
    n = next(p.rank for p in numbered.passages if "Ana Ruiz" in p.chunk.text)
    fake_generator.script(f"She is 47 years old [{n}].")
    answer = fake_assistant.ask("How old is she?", history=[Turn("Who is the Vessby harbour master?", "Ana Ruiz.")])
    roles = [m["role"] for m in fake_generator.prompts[0]]
    assert roles == ["system", "user", "assistant", "user"]
    [cit] = answer.citations
    assert cit.title == "Harbour master news" and "47 years old" in (cit.support or "")


def test_a_question_waits_for_the_read_ahead_and_the_chats_start_one(
    fake_assistant: Assistant, fake_generator: FakeGenerator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chat reads ahead on a thread of its own while the reader reads; a question asked meanwhile starts after
    it (the two would take turns on the model between a question's steps), and switching the setting off stops it."""
    import threading
    import time

    from app.web import WebApp

    fake_assistant.ingest(_docs(tmp_path / "docs"))
    order: list[str] = []

    def slow_read_ahead(history: list[Turn]) -> int:
        order.append(f"ahead:{len(history)}:{threading.current_thread().name}")
        time.sleep(0.3)
        order.append("ahead done")
        return 1

    monkeypatch.setattr(fake_assistant.pipeline, "read_ahead", slow_read_ahead)
    fake_generator.script(["Ana Ruiz runs the port [1].", "She is 47 [1]."])
    chat = WebApp(fake_assistant)
    *_, last = chat._respond("Who runs the port?", [], [], 4, False, None, 1)
    turns = last[2]
    assert [t.question for t in turns] == ["Who runs the port?"]
    fake_assistant.ask("How old is she?", turns)
    order.append("asked")
    assert order == ["ahead:1:read-ahead", "ahead done", "asked"]
    fake_assistant.settings.read_ahead = False
    assert fake_assistant.read_ahead_later(turns) is None and fake_assistant.read_ahead(turns) == 0


def test_a_change_to_the_library_reaches_the_next_answer(
    fake_assistant: Assistant, fake_generator: FakeGenerator, tmp_path: Path
) -> None:
    docs = _docs(tmp_path / "docs")
    fake_assistant.ingest(docs)
    fake_generator.script("Something [1].")
    fake_assistant.ask("When does the Vessby railway station open?")
    assert "six tracks" in fake_generator.prompts[-1][0]["content"]
    fake_assistant.remove("station.txt")
    fake_assistant.ask("When does the Vessby railway station open?")
    assert "six tracks" not in fake_generator.prompts[-1][0]["content"]
    (tmp_path / "docs" / "ferry.txt").write_text("Ferry news\n\nThe Vessby ferry now sails at nine o'clock.")
    fake_assistant.ingest([tmp_path / "docs" / "ferry.txt"])
    fake_assistant.ask("When does the Vessby ferry sail?")
    assert "nine o'clock" in fake_generator.prompts[-1][0]["content"]


def test_a_library_over_the_budget_falls_back_to_retrieved_passages(settings: Settings, tmp_path: Path) -> None:
    gen = FakeGenerator("Ana Ruiz is 47 years old [1].")
    small = build_assistant(settings.model_copy(update={"library_tokens": 20, "top_k": 1}), embedder=FakeEmbedder(),
                            generator=gen)
    small.ingest(_docs(tmp_path / "docs"))
    small.ask("How old is the harbour master of Vessby?")
    system, *_, last = gen.prompts[0]
    assert "Ana Ruiz" not in system["content"] and last["content"].startswith("Passages:")
    assert last["content"].count('(from "') == 1 and "six tracks" not in last["content"]
    # Laid out as in library mode when the model's layout says so, still holding only the retrieved passage.
    small.settings.prompt_layout = "library"
    library_layout = build_assistant(small.settings, embedder=FakeEmbedder(), generator=gen)
    library_layout.ask("How old is the harbour master of Vessby?")
    system, *_, last = gen.prompts[-1]
    assert system["content"].count('(from "') == 1 and "Ana Ruiz" in system["content"]
    assert "six tracks" not in system["content"] and "Ana Ruiz" not in last["content"]


@pytest.mark.slow
def test_a_follow_up_reads_only_the_new_tokens(tmp_path: Path) -> None:
    require_model("all-minilm-l6-v2-int8")
    require_model(DEFAULT)
    assistant = build_assistant(load_settings(env={}, data_dir=tmp_path / "data", models_dir=MODELS,
                                              chat_model=DEFAULT, library_tokens=2048))
    docs = _docs(tmp_path / "docs")
    for i, town in enumerate(["Arlo", "Brenn", "Corvik", "Dalby", "Eskil", "Frosta"]):
        (tmp_path / "docs" / f"town{i}.txt").write_text(
            f"{town} council notes\n\nThe {town} council met on Tuesday to discuss road repairs, the library's "
            f"opening hours and a new bus shelter near the school. The meeting lasted two hours."
        )
    assistant.ingest([*docs, tmp_path / "docs"])
    gen = assistant.generator
    assert isinstance(gen, LlamaCppGenerator)
    assert assistant.warm() == "computed"  # the whole library is read once, before any question
    library = assistant.pipeline.library.get(gen.count_tokens)  # type: ignore[union-attr]
    assert library is not None and library.tokens > 400
    first = assistant.ask("How old is the harbour master Ana Ruiz?")
    assert "47" in first.text and first.timings.prompt_tokens is not None and first.timings.prompt_tokens < 120
    assert assistant.warm() == "warm"
    second = assistant.ask("When does the Vessby railway station open?")
    assert not second.refused and "March" in second.text
    # The library prefix came from the KV cache: only the question and its instruction were read.
    assert gen.last_prompt_eval < 120


@pytest.mark.slow
def test_a_follow_up_after_reading_ahead_reads_only_its_own_words(tmp_path: Path) -> None:
    """While the reader reads, the chat reads the conversation ahead (`read_ahead`): the follow-up then reads
    what a first question reads (its words and the yes/no request), where without it it reads its conversation
    and the instruction too; the answer is the same."""
    require_model("all-minilm-l6-v2-int8")
    require_model(DEFAULT)
    # No prompt heads kept in memory: the KV cache holds what was read last, so each count below is that step's.
    assistant = build_assistant(load_settings(env={}, data_dir=tmp_path / "data", models_dir=MODELS,
                                              chat_model=DEFAULT, library_tokens=2048, prefix_memory_mb=0))
    assistant.ingest(_docs(tmp_path / "docs"))
    gen = assistant.generator
    assert isinstance(gen, LlamaCppGenerator)
    assistant.warm()
    asked, follow = "How old is the harbour master Ana Ruiz?", "Which port does she run?"
    before = gen.tokens_read
    first = assistant.ask(asked)
    first_own = gen.tokens_read - before - gen.count_tokens(asked)  # beside its words: the request, the markers
    assert "47" in first.text
    history = [first.turn()]
    before = gen.tokens_read
    plain = assistant.ask(follow, history)
    plain_read = gen.tokens_read - before
    assistant.ask(asked)  # the cache holds a first question again, as when the reader starts reading
    ahead = assistant.read_ahead(history)
    before = gen.tokens_read
    again = assistant.ask(follow, history)
    read = gen.tokens_read - before
    assert ahead > gen.count_tokens(first.text)  # the conversation (and the instruction) were read ahead
    assert read - gen.count_tokens(follow) <= first_own + 2  # the follow-up read its own words, as a first question
    assert plain_read >= read + gen.count_tokens(first.text)  # which it does not without reading ahead
    assert "Vessby" in again.text and again.text == plain.text
    assert assistant.read_ahead(history) == 0  # read already: nothing more


@pytest.mark.slow
def test_a_saved_library_prefix_is_restored_by_a_new_process(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    require_model("all-minilm-l6-v2-int8")
    require_model(DEFAULT)
    docs = tmp_path / "docs"
    _docs(docs)
    for i, town in enumerate(["Arlo", "Brenn", "Corvik", "Dalby", "Eskil", "Frosta"]):
        (docs / f"town{i}.txt").write_text(
            f"{town} council notes\n\nThe {town} council met on Tuesday to discuss road repairs, the library's "
            f"opening hours and a new bus shelter near the school. The meeting lasted two hours."
        )
    env = {**os.environ, "RAG_DATA_DIR": str(tmp_path / "data"), "RAG_MODELS_DIR": str(MODELS),
           "RAG_CHAT_MODEL": DEFAULT, "RAG_LIBRARY_TOKENS": "2048"}

    def rag(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "rag.cli", *args], capture_output=True, text=True, env=env,
                              timeout=600)

    assert rag("ingest", str(docs)).returncode == 0
    status = rag("status", "--library").stdout
    assert "library mode on" in status and "MiB" in status
    first = json.loads(rag("ask", "--json", "How old is the harbour master Ana Ruiz?").stdout)
    saved = list((tmp_path / "data" / "prompt-cache").glob("*.kvcache"))
    assert len(saved) == 1 and "47" in first["text"]
    # A new process restores the saved prefix: llama.cpp reads only the question's own tokens.
    second = rag("-v", "ask", "--json", "When does the Vessby railway station open?")
    assert ": restored" in second.stderr
    answer = json.loads(second.stdout)
    assert "March" in answer["text"] and answer["timings"]["prompt_tokens"] < 120
    # Without the saved file a new process reads the whole library again (so the check above can fail).
    saved[0].unlink()
    third = rag("-v", "ask", "--json", "When does the Vessby railway station open?")
    assert ": computed" in third.stderr and len(list(saved[0].parent.glob("*.kvcache"))) == 1
    # An ingest changes the library: the next answer sees the new article (a new prefix is read and saved).
    (docs / "ferry.txt").write_text("Ferry news\n\nThe Vessby ferry now sails at nine o'clock every morning.")
    assert rag("ingest", str(docs / "ferry.txt")).returncode == 0
    ferry = json.loads(rag("ask", "--json", "When does the Vessby ferry sail?").stdout)
    assert "nine" in ferry["text"] or "9" in ferry["text"]
    assert len(list((tmp_path / "data" / "prompt-cache").glob("*.kvcache"))) == 2


def test_the_search_can_name_its_best_passages_next_to_the_question(
    settings: Settings, fake_generator: FakeGenerator, tmp_path: Path
) -> None:
    fake_assistant = build_assistant(settings.model_copy(update={"library_tokens": 2048, "library_hints": 3}),
                                     embedder=FakeEmbedder(), generator=fake_generator)
    fake_assistant.ingest(_docs(tmp_path / "docs"))
    library = fake_assistant.pipeline.library.get(fake_generator.count_tokens)  # type: ignore[union-attr]
    assert library is not None
    n = next(p.rank for p in library.passages if "six tracks" in p.chunk.text)
    fake_generator.script("In March [1].")
    fake_assistant.ask("When does the Vessby railway station open?")
    last = fake_generator.prompts[0][-1]["content"]
    assert f"The passages most related to the question are [{n}]" in last
    assert last.index("most related") < last.index("Question:")


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["question", "library"])
@pytest.mark.parametrize("memory_mb", [64, 0])
def test_passages_read_for_an_earlier_question_are_not_read_again(tmp_path: Path, memory_mb: int, layout: str) -> None:
    """A library over the budget: each question reads the passages it retrieved, but going back to an article
    asked about before finds them among the kept prefixes (and, with none kept, reads them again). Pre-read
    passages are off here (tests/test_preread.py has them)."""
    require_model("all-minilm-l6-v2-int8")
    require_model(TINY)
    assistant = build_assistant(load_settings(env={}, data_dir=tmp_path / "data", models_dir=MODELS,
                                              chat_model=TINY, library_tokens=0, top_k=1, passage_states_mb=0,
                                              prefix_memory_mb=memory_mb, prompt_layout=layout))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "harbour.txt").write_text(
        "Harbour master news\n\nThe harbour master Ana Ruiz is 47 years old. She runs the port of Vessby, where "
        "ferries, fishing boats and freight ships berth along three quays. The harbour dredged its channel in "
        "spring, and a new crane lifts containers from the eastern quay. Fishermen sell their catch at the market "
        "hall each morning, and the harbour office issues mooring permits for visiting sailing yachts.")
    (docs / "station.txt").write_text(
        "Railway station news\n\nThe new Vessby railway station opens in March with six tracks. Trains to the "
        "capital leave every hour on weekdays, and a covered bridge links the platforms with the bus terminal. "
        "The ticket hall has machines and a staffed counter, the bicycle park holds four hundred bicycles, and "
        "the old station building becomes a cafe and a small museum of the town's railway history.")
    assistant.ingest([docs])
    first = assistant.ask("How old is the harbour master Ana Ruiz?")
    other = assistant.ask("When does the Vessby railway station open?")
    again = assistant.ask("Which port does the harbour master Ana Ruiz run?")
    assert [a.passages[0].chunk.title for a in (first, other, again)] == [
        "Harbour master news", "Railway station news", "Harbour master news"]
    read = [a.timings.prompt_tokens or 0 for a in (first, other, again)]
    passage = assistant.generator.count_tokens(first.passages[0].chunk.text)
    assert passage > 80 and all(n > 0 for n in read), (passage, read)
    if memory_mb:
        # Only the new question's tokens: the system message with the harbour passage was recalled from memory.
        assert read[2] < passage, (passage, read)
    else:
        assert read[2] > passage, (passage, read)


@pytest.mark.slow
def test_a_follow_up_keeps_its_conversations_passages_and_reads_only_what_is_new(tmp_path: Path) -> None:
    """A library over the budget, the "library" layout: the follow-up's prompt starts with the passages its
    conversation was answered from, in their order, then its own new one, so llama.cpp reads only that passage
    and the new words."""
    require_model("all-minilm-l6-v2-int8")
    require_model(TINY)
    assistant = build_assistant(load_settings(env={}, data_dir=tmp_path / "data", models_dir=MODELS,
                                              chat_model=TINY, library_tokens=0, top_k=2, prefix_memory_mb=0,
                                              prompt_layout="library", follow_up_passages=1))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "harbour.txt").write_text(
        "Harbour master news\n\nThe harbour master Ana Ruiz is 47 years old. She runs the port of Vessby, where "
        "ferries, fishing boats and freight ships berth along three quays. The harbour dredged its channel in "
        "spring, and a new crane lifts containers from the eastern quay.")
    (docs / "station.txt").write_text(
        "Railway station news\n\nThe new Vessby railway station opens in March with six tracks. Trains to the "
        "capital leave every hour on weekdays, and a covered bridge links the platforms with the bus terminal.")
    (docs / "school.txt").write_text(
        "School choir news\n\nThe Vessby school choir won the regional contest in May with forty singers. Its "
        "conductor Lars Holm has led the choir for twelve years, and the school hall will be rebuilt next summer.")
    (docs / "ferry.txt").write_text(
        "Ferry news\n\nThe Vessby ferry to the islands carries 300 passengers and sails four times a day. Its "
        "captain Oskar Lund said the harbour crane and the new quay help the ferry unload cars faster.")
    assistant.ingest([docs])
    first = assistant.ask("Who is Ana Ruiz of Vessby?")
    again = "How many passengers does the ferry carry?"
    follow = assistant.ask(again, history=[first.turn()])
    alone = assistant.ask(again, history=[Turn(first.question, first.text)])  # no passages: searches afresh
    ids = [[p.chunk.id for p in a.passages] for a in (first, follow, alone)]
    new = [i for i in ids[2] if i not in ids[0]]
    assert new, ids  # the follow-up's own search found a passage the first answer did not have
    assert ids[1] == [*ids[0], new[0]], ids  # the conversation's passages first, in their order, then one new
    count = assistant.generator.count_tokens
    added = count(format_passage(len(follow.passages), follow.passages[-1]))
    read = follow.timings.prompt_tokens or 0
    carried = sum(count(p.chunk.text) for p in first.passages)
    # What follows the carried passages: the new passage, the conversation, the instruction, the question (and a
    # few template tokens; the new passage's number twice when it is pre-read: once as its state is made, once in
    # place); the carried passages themselves were not read again.
    after = added + count(first.question) + count(first.text) + count(QUESTION_LEAD) + count(again) + 40
    assert added <= read <= after < added + carried + after, (added, carried, read, after)


def test_a_follow_up_carries_only_what_the_store_still_holds_and_stops_growing(
    settings: Settings, fake_generator: FakeGenerator, tmp_path: Path
) -> None:
    """The rules through the real store: one new passage per follow-up, after the conversation's; past
    `conversation_passages` the follow-up searches afresh; a removed article's passage is not carried."""
    assistant = build_assistant(settings.model_copy(update={"library_tokens": 0, "prompt_layout": "library",
                                                            "top_k": 2, "conversation_passages": 3}),
                                embedder=FakeEmbedder(), generator=fake_generator)
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in (("harbour", "The harbour master Ana Ruiz runs the port and its quay."),
                       ("station", "The railway station opens in March with six tracks."),
                       ("school", "The school choir has forty singers and a conductor."),
                       ("ferry", "The ferry carries 300 passengers to the islands.")):
        (docs / f"{name}.txt").write_text(f"{name.title()} news report\n\n{text}")
    assistant.ingest([docs])

    def files(answer: Answer) -> list[str]:
        return [Path(p.chunk.source).stem for p in answer.passages]

    fake_generator.script("Ana Ruiz runs the port [1].")
    first = assistant.ask("Who runs the harbour port and its quay?")
    assert sorted(files(first)) == ["ferry", "harbour"]
    follow = assistant.ask("How many singers does the school choir and its conductor have?", history=[first.turn()])
    assert files(follow) == [*files(first), "school"]  # the conversation's passages first, then one new
    # A third turn would hold four passages: over `conversation_passages`, so it searches afresh.
    third = assistant.ask("When does the railway station with six tracks open?",
                          history=[first.turn(), follow.turn()])
    assert len(third.passages) == 2 and "station" in files(third)
    # An article removed since is not carried: its passage is gone from the next prompt.
    assistant.remove(next(p.chunk.doc_id for p in first.passages if Path(p.chunk.source).stem == "harbour"))
    again = assistant.ask("How many singers does the school choir and its conductor have?", history=[first.turn()])
    assert files(again) == ["ferry", "school"]


def _budgets(folder: Path) -> list[Path]:
    """Two Tarrow budgets (2022, 2024) and four council notes: more passages than a search returns."""
    folder.mkdir(exist_ok=True)
    texts = {
        "b2022": "Tarrow budget approved\n\nTarrow approved a budget of 48 million pounds for 2022.",
        "b2024": "Tarrow budget cut\n\nThe 2024 Tarrow budget is 41 million pounds, with routes 7 and 12 cut.",
        **{f"town{i}": f"{town} council notes\n\nThe {town} council met on Tuesday about a new bus shelter."
           for i, town in enumerate(["Arlo", "Brenn", "Corvik", "Dalby"])},
    }
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text)
    return [folder / f"{name}.txt" for name in texts]


BUDGET_2024 = "What was the total of the Tarrow budget for 2024?"


def _numbers(assistant: Assistant, generator: FakeGenerator, folder: Path) -> tuple[int, int]:
    """The budgets ingested; the 2022 article's number in the library prompt (the look-alike the model takes) and the
    2024 one's among the retrieved passages (what a second look cites)."""
    assistant.ingest(_budgets(folder))
    library = assistant.pipeline.library.get(generator.count_tokens)  # type: ignore[union-attr]
    assert library is not None
    wrong = next(p.rank for p in library.passages if "2022" in p.chunk.text)
    retrieved = assistant.pipeline.prepare(BUDGET_2024, whole_library=False).prompt
    assert not retrieved.library
    return wrong, next(p.rank for p in retrieved.passages if "2024" in p.chunk.text)


def test_an_answer_from_another_years_article_is_asked_again_over_the_retrieved_passages(
    fake_assistant: Assistant, fake_generator: FakeGenerator, tmp_path: Path
) -> None:
    from rag.types import Done, Retrieved, Retry, Token

    wrong, right = _numbers(fake_assistant, fake_generator, tmp_path / "docs")
    question = BUDGET_2024
    library = fake_assistant.pipeline.library.get(fake_generator.count_tokens)  # type: ignore[union-attr]
    assert library is not None
    fake_generator.script([f"The budget was 48 million pounds [{wrong}].", f"It is 41 million pounds [{right}]."])
    events = list(fake_assistant.ask_stream(question))
    kinds = [type(e) for e in events]
    # The library answer is streamed, withdrawn, and the retrieved passages' answer follows.
    assert Retry in kinds and kinds.index(Token) < kinds.index(Retry) < len(kinds) - 1 - kinds[::-1].index(Retrieved)
    retry = next(e for e in events if isinstance(e, Retry))
    assert "2024" in retry.reason
    answer = next(e for e in events if isinstance(e, Done)).answer
    assert not answer.refused and "41 million" in answer.text and answer.citations[0].doc_id != library.passages[
        wrong - 1].chunk.doc_id
    assert answer.checks[0].kind == "retried" and "48 million" in answer.checks[0].text
    assert len(fake_generator.prompts) == 2 and fake_generator.prompts[0][0] != fake_generator.prompts[1][0]
    streamed = "".join(e.text for e in events[kinds.index(Retry):] if isinstance(e, Token))
    assert "48 million" not in streamed  # after the withdrawal only the new answer is shown


def test_an_answer_asked_again_is_not_asked_a_third_time_and_the_retry_can_be_switched_off(
    settings: Settings, fake_generator: FakeGenerator, tmp_path: Path
) -> None:
    docs = _budgets(tmp_path / "docs")
    question = "What was the total of the Tarrow budget for 2024?"
    on = build_assistant(settings.model_copy(update={"library_tokens": 2048}), embedder=FakeEmbedder(),
                         generator=fake_generator)
    on.ingest(docs)
    library = on.pipeline.library.get(fake_generator.count_tokens)  # type: ignore[union-attr]
    assert library is not None
    wrong = next(p.rank for p in library.passages if "2022" in p.chunk.text)
    again = next(p.rank for p in on.pipeline.prepare(question, whole_library=False).prompt.passages
                 if "2022" in p.chunk.text)
    fake_generator.script([f"The budget was 48 million pounds [{wrong}].", f"It was 48 million pounds [{again}]."])
    answer = on.ask(question)
    assert answer.refused and len(fake_generator.prompts) == 2  # the second refusal stands
    off = build_assistant(settings.model_copy(update={"library_tokens": 2048, "library_retry": False}),
                          embedder=FakeEmbedder(), generator=fake_generator)
    fake_generator.script(f"The budget was 48 million pounds [{wrong}].")
    answer = off.ask(question)
    assert answer.refused and len(fake_generator.prompts) == 1 and answer.checks[0].kind != "retried"


def test_the_terminal_and_the_api_show_the_withdrawn_answer_replaced(
    settings: Settings, fake_generator: FakeGenerator, tmp_path: Path
) -> None:
    import io

    from fastapi.testclient import TestClient

    from app.server import build_app
    from rag.cli import _stream_answer

    assistant = build_assistant(settings.model_copy(update={"library_tokens": 2048}), embedder=FakeEmbedder(),
                                generator=fake_generator)
    wrong, right = _numbers(assistant, fake_generator, tmp_path / "docs")
    question = BUDGET_2024
    replies = [f"The budget was 48 million pounds [{wrong}].", f"It is 41 million pounds [{right}]."]
    out = io.StringIO()
    fake_generator.script(replies)
    answer = _stream_answer(assistant, question, [], out)
    printed = out.getvalue()
    assert "48 million" in printed.split("[Withdrawn:")[0] and "2024" in printed.split("[Withdrawn:")[1]
    assert printed.rstrip().endswith(answer.text) and "41 million" in answer.text
    fake_generator.script(replies)
    with TestClient(build_app(assistant)).stream("POST", "/v1/chat/completions", json={
        "stream": True, "messages": [{"role": "user", "content": question}]}) as r:
        r.read()
    chunks = [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: {")]
    sent = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert sent.index("48 million") < sent.index("[Withdrawn:") < sent.index("41 million")  # said, in the stream
    last = chunks[-1]
    assert "41 million" in last["content"] and "48 million" not in last["content"]
    assert last["checks"][0]["kind"] == "retried"


@pytest.mark.parametrize("bias, stands", [(-3.0, False), (3.0, True)])
def test_an_answer_asked_again_stands_only_when_more_likely_right_than_wrong(
    fake_assistant: Assistant, fake_generator: FakeGenerator, tmp_path: Path, bias: float, stands: bool
) -> None:
    from rag.judgement import Calibration, Fit

    wrong, right = _numbers(fake_assistant, fake_generator, tmp_path / "docs")
    question = BUDGET_2024
    # P(correct) is sigmoid(bias) whatever the scores: about 0.05 or 0.95.
    fit = Fit(("answerable",), (0.0,), bias, (0.0,), (1.0,), threshold=0.0)
    fake_assistant.pipeline.calibration = Calibration("fake", after=fit)
    fake_generator.script([f"The budget was 48 million pounds [{wrong}].", f"It is 41 million pounds [{right}]."])
    answer = fake_assistant.ask(question)
    assert answer.checks[0].kind == "retried" and len(fake_generator.prompts) == 2
    assert answer.refused is not stands
    assert ("41 million" in answer.text) is stands
    if not stands:
        assert "either" in answer.text  # says plainly that the closest passages don't state it


@pytest.mark.slow
def test_the_real_model_asks_again_over_the_retrieved_passages_and_counts_both_readings(tmp_path: Path) -> None:
    """Library mode with the real model: an answer taken from another year's article is withdrawn (the cited
    article lacks the question's year) and asked again over the retrieved passages, which llama.cpp reads afresh;
    the answer's prompt tokens count both readings."""
    require_model("all-minilm-l6-v2-int8")
    require_model(DEFAULT)
    # No P(yes) gate before answering, so the model writes over the whole library and the cited-article check acts.
    assistant = build_assistant(load_settings(env={}, data_dir=tmp_path / "data", models_dir=MODELS,
                                              chat_model=DEFAULT, library_tokens=2048, answerability_threshold=0))
    folder = write_other_year(tmp_path / "docs")
    assistant.ingest([folder])
    gen = assistant.generator
    assert isinstance(gen, LlamaCppGenerator)
    assistant.warm()
    from rag.types import Done, Retry

    before = gen.tokens_read
    events = list(assistant.ask_stream("What was the Tarrow council's budget for 2024?"))
    read = gen.tokens_read - before
    retry = [e for e in events if isinstance(e, Retry)]
    answer = next(e for e in events if isinstance(e, Done)).answer
    assert retry and "2024" in retry[0].reason
    assert answer.checks[0].kind == "retried" and "48 million" in answer.checks[0].text
    # The retrieved passages were read afresh (no library prefix holds them in this layout), and counted.
    passages = sum(gen.count_tokens(p.chunk.text) for p in answer.passages)
    assert read >= passages and answer.timings.prompt_tokens is not None and answer.timings.prompt_tokens >= passages


def test_no_second_look_when_the_search_finds_the_whole_library(
    fake_assistant: Assistant, fake_generator: FakeGenerator, tmp_path: Path
) -> None:
    fake_assistant.ingest(_budgets(tmp_path / "docs")[:2])  # two passages: the search returns them both
    library = fake_assistant.pipeline.library.get(fake_generator.count_tokens)  # type: ignore[union-attr]
    assert library is not None and len(library.passages) == 2
    wrong = next(p.rank for p in library.passages if "2022" in p.chunk.text)
    fake_generator.script(f"The budget was 48 million pounds [{wrong}].")
    answer = fake_assistant.ask("What was the total of the Tarrow budget for 2024?")
    assert answer.refused and len(fake_generator.prompts) == 1 and answer.checks[0].kind != "retried"
