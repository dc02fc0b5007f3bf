from pathlib import Path

from rag.assistant import Assistant
from rag.prompting import REFUSAL
from rag.types import Done, Retrieved, Token, Turn
from tests.fakes import FakeGenerator


def _ingest(assistant: Assistant, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Harbour master news\n\nThe harbour master Ana Ruiz is 47 years old. She runs it.")
    (tmp_path / "b.txt").write_text("Railway station news\n\nThe new railway station opens in March with six tracks.")
    assert not assistant.ingest([tmp_path / "a.txt", tmp_path / "b.txt"]).failed


def test_stream_yields_passages_then_text_then_answer(
    fake_assistant: Assistant, fake_generator: FakeGenerator, tmp_path: Path
) -> None:
    _ingest(fake_assistant, tmp_path)
    fake_generator.script("Ana Ruiz is 47 years old [1]. Made up [9].")
    events = list(fake_assistant.ask_stream("How old is the harbour master Ana Ruiz?"))
    assert isinstance(events[0], Retrieved) and isinstance(events[-1], Done)
    streamed = "".join(e.text for e in events if isinstance(e, Token))
    assert "[9]" not in streamed
    answer = events[-1].answer
    assert answer.text == "Ana Ruiz is 47 years old [1]. Made up."
    assert answer.passages[0].chunk.title == "Harbour master news"
    [cit] = answer.citations
    assert cit.title == "Harbour master news" and "47 years old" in (cit.support or "")
    assert not answer.refused
    assert answer.timings.first_token_ms is not None and answer.timings.total_ms >= answer.timings.first_token_ms


def test_refusal_is_flagged_and_has_no_sources(
    fake_assistant: Assistant, fake_generator: FakeGenerator, tmp_path: Path
) -> None:
    _ingest(fake_assistant, tmp_path)
    fake_generator.script(f"{REFUSAL} But maybe [1].")
    answer = fake_assistant.ask("How many platforms does the harbour have?")
    assert answer.refused and answer.text == REFUSAL and answer.citations == []


def test_empty_library_refuses_without_calling_the_model(
    fake_assistant: Assistant, fake_generator: FakeGenerator
) -> None:
    gen = fake_generator.script("should not be used")
    answer = fake_assistant.ask("Anything?")
    assert answer.refused and gen.prompts == []


def test_follow_up_retrieves_with_the_previous_question(
    fake_assistant: Assistant, fake_generator: FakeGenerator, tmp_path: Path
) -> None:
    _ingest(fake_assistant, tmp_path)
    gen = fake_generator.script("She is 47 [1].")
    history = [Turn("Who is the harbour master?", "Ana Ruiz [1].")]
    answer = fake_assistant.ask("How old is she?", history=history)
    assert "harbour master" in answer.retrieval_query
    assert answer.passages[0].chunk.title == "Harbour master news"
    roles = [m["role"] for m in gen.prompts[0]]
    assert roles == ["system", "user", "assistant", "user"]


def test_bare_marker_answer_is_asked_again_in_prose_and_cited(
    fake_assistant: Assistant, fake_generator: FakeGenerator, tmp_path: Path
) -> None:
    _ingest(fake_assistant, tmp_path)
    gen = fake_generator.script(["[1]", "The harbour master Ana Ruiz is 47 years old."])
    events = list(fake_assistant.ask_stream("How old is the harbour master Ana Ruiz?"))
    shown = "".join(e.text for e in events if isinstance(e, Token))
    assert shown == "The harbour master Ana Ruiz is 47 years old."  # the bare "[1]" never reached the reader
    assert len(gen.prompts) == 2
    assert "square brackets" in gen.prompts[0][-1]["content"]
    assert "square brackets" not in gen.prompts[1][-1]["content"]
    assert gen.prompts[0][:-1] == gen.prompts[1][:-1]
    answer = events[-1].answer
    assert answer.text.endswith("[1].") and answer.citations[0].inferred


def test_an_echoed_passage_header_counts_as_no_answer(
    fake_assistant: Assistant, fake_generator: FakeGenerator, tmp_path: Path
) -> None:
    _ingest(fake_assistant, tmp_path)
    gen = fake_generator.script(['[1] (from "Harbour master news")', "Ana Ruiz is 47 years old."])
    answer = fake_assistant.ask("How old is the harbour master Ana Ruiz?")
    assert len(gen.prompts) == 2 and answer.text.startswith("Ana Ruiz is 47")


def test_no_words_after_asking_again_is_shown_as_no_answer(
    fake_assistant: Assistant, fake_generator: FakeGenerator, tmp_path: Path
) -> None:
    _ingest(fake_assistant, tmp_path)
    fake_generator.script(["[1]", "[2]"])
    answer = fake_assistant.ask("How old is the harbour master Ana Ruiz?")
    assert answer.refused and answer.text == REFUSAL and answer.citations == []


def test_an_article_without_a_headline_is_shown_by_its_first_sentence_and_headed_by_its_file_for_the_model(
    fake_assistant: Assistant, fake_generator: FakeGenerator, tmp_path: Path
) -> None:
    # A title made from the first sentence would repeat that sentence's claim over every passage of the article.
    (tmp_path / "0f3a9c.txt").write_text("The harbour master Ana Ruiz is 47 years old, the port said on Monday. "
                                         "She has run the port since 2015.")
    fake_assistant.ingest([tmp_path / "0f3a9c.txt"])
    fake_generator.script("Ana Ruiz is 47 years old [1].")
    answer = fake_assistant.ask("How old is the harbour master Ana Ruiz?")
    title = "The harbour master Ana Ruiz is 47 years old, the port said on Monday"
    assert fake_assistant.documents()[0].title == title
    assert answer.citations[0].title == title  # what people see
    prompt = "\n".join(m["content"] for m in fake_generator.prompts[-1])
    assert '(from "0f3a9c")' in prompt and '(from "The harbour master' not in prompt  # what the model sees
