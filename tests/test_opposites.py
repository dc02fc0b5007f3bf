"""A question about the opposite of what the passages say: which words count, and the gate's plain refusal."""

import pytest

from rag.gate import NEGATED, OPPOSITE, REFUSED, NegatedGate, OppositesGate
from rag.opposites import negated, opposites
from rag.prompting import Prompt
from rag.types import Chunk, ScoredChunk


@pytest.mark.parametrize(("question", "source", "found"), [
    ("How are the parcels delivered indirectly?", "The parcels are delivered directly to each house.",
     [("indirectly", "directly")]),
    ("Which is the least visited museum in Arlo?", "The most visited museum in Arlo is the Harbour Museum.",
     [("least", "most")]),
    ("Which office stays dependent of the ministry?", "The audit office stays independent of the ministry.",
     [("dependent", "independent")]),
    ("How is the non-binary encoding stored?", "The binary encoding is stored on tape.",
     [("non-binary", "binary")]),
    ("Why was the old bridge impossible to repair?", "The engineers found the old bridge possible to repair.",
     [("impossible", "possible")]),
    ("How did fares change with a decrease in passengers?", "Fares rose with an increase in passengers.",
     [("decrease", "increase")]),
    ("Which file holds the output of the sorting step?", "The input of the sorting step is a file of names.",
     [("output", "input")]),
    ("Which ferry carries more than 300 cars?", "The Arlo ferry carries less than 300 cars a day.",
     [("more", "less")]),  # compared with the same thing: the passage's comparison reversed
    # The word elsewhere in the passages, but not in this place: "at least", and "the most recent" defection.
    ("What was the least recent defection?", "At least 12 people left. It was the most recent defection.",
     [("least", "most")]),
])
def test_a_word_turned_into_its_opposite_in_the_same_place_is_found(question: str, source: str,
                                                                    found: list[tuple[str, str]]) -> None:
    assert [(o.asked, o.said) for o in opposites(question, [source])] == found


@pytest.mark.parametrize(("question", "source"), [
    ("What is unknown about the cause of the fire?", "It is not known what caused the fire."),  # said negated
    ("Was the indirect route longer?", "The indirect route and the direct route both cross the river."),
    ("What did the team discover?", "The team had to cover the costs itself."),  # no adjective: no prefix
    ("What information did the police release?", "The formation of the police unit took a year."),
    ("How many immigrants arrived in May?", "Migrants arrived by boat in May."),
    ("What is the least expensive ticket?", "The most popular show sold out in an hour."),  # another place
    ("Which is the most visited museum?", "The most visited museum is the Harbour Museum."),  # the same word
    ("When did the incredible rescue happen?", "A credible witness saw the rescue at noon."),  # no opposite
    ("Which is the worst case for the sort?", "The best case is a sorted list; the worst-case cost is n squared."),
])
def test_paraphrase_negation_and_look_alike_words_are_not_opposites(question: str, source: str) -> None:
    assert opposites(question, [source]) == []


def _prompt(text: str) -> Prompt:
    chunk = Chunk(id="d-00000", doc_id="d", title="Notes", source="d.txt", index=0, start=0, end=len(text), text=text)
    return Prompt([{"role": "user", "content": "q"}], [ScoredChunk(chunk, 0.9, 1)])


@pytest.mark.parametrize(("question", "source"), [
    # the converse of a comparison, a choice, a yes-or-no question, a sentence that ranks both ends: answerable
    ("Which country spent less on defence than Germany?", "Germany spent more on defence than France did."),
    ("Who earns less, nurses or doctors?", "Doctors earn more than nurses, the survey found."),
    ("Was the strike legal?", "A court ruled the strike illegal on Monday."),
    ("Did the ferry carry more than 300 cars?", "The ferry carried less than 300 cars a day."),
    ("Who had the worst record?", "United had the best record; Rovers had the worst."),
    ("Which team scored the fewest goals?", "Rovers scored the most goals, while City scored the fewest."),
    ("Which is the least populated region?", "The north is the most populated region; the islands have the fewest "
     "people."),
])
def test_real_news_phrasing_that_answers_the_reversed_question_is_no_opposite(question: str, source: str) -> None:
    assert opposites(question, [source]) == []


def test_a_yes_or_no_question_with_a_negation_is_not_found_negated() -> None:
    source = "The council approved the budget by 20 votes to 12."
    assert negated("Did the council not approve the budget by 20 votes?", [source]) is None
    assert negated("Which council did not approve the budget by 20 votes?", [source]) is not None


def test_the_gate_refuses_in_plain_words_and_passes_the_straight_question() -> None:
    gate = OppositesGate()
    prompt = _prompt("The letters are sorted directly by the night clerks.")
    [note, check] = gate.check("How are the letters sorted indirectly?", prompt)
    assert (note.kind, note.detail) == (OPPOSITE, "indirectly / directly")  # for the API's machine-readable checks
    assert check.kind == REFUSED
    assert check.detail == "The articles say \u201csorted directly\u201d, not \u201csorted indirectly\u201d."
    assert gate.check("How are the letters sorted directly?", prompt) == []


@pytest.mark.parametrize(("question", "source", "phrases"), [
    # A superlative or an adjective is quoted with the word it qualifies, not the word before it ("one least").
    ("What is one of the least important open questions?", "It is one of the most important open questions.",
     ("least important", "most important")),
    ("How is the non-binary encoding stored?", "The binary encoding is stored on tape.",
     ("non-binary encoding", "binary encoding")),
    ("How are the parcels delivered indirectly?", "The parcels are delivered directly to each house.",
     ("delivered indirectly", "delivered directly")),  # an adverb, with its verb
])
def test_the_refusal_quotes_the_word_with_what_it_qualifies(question: str, source: str,
                                                           phrases: tuple[str, str]) -> None:
    [found] = opposites(question, [source])
    assert found.phrases() == phrases


@pytest.mark.parametrize(("question", "source"), [
    ("What does not induce a proper hierarchy on the classes?",
     "The hierarchy theorems induce a proper hierarchy on the classes."),
    ("Which bridge cannot carry lorries over the Tarn?", "The new bridge can carry lorries over the Tarn."),
    ("Who doesn't hold the regional sprint record?", "Ada Lind holds the regional sprint record. She is 19."),
])
def test_a_question_that_adds_a_negation_to_a_sentence_is_found(question: str, source: str) -> None:
    found = negated(question, [source])
    assert found is not None and found.sentence in source


@pytest.mark.parametrize(("question", "source"), [
    ("What is not known about the cause of the fire?", "It is not known what caused the fire in the mill."),
    # the sentence says it negated too, elsewhere in the passages
    ("Which bridge cannot carry lorries over the Tarn?",
     "The new bridge can carry lorries over the Tarn. The old bridge cannot carry lorries over the Tarn."),
    # too few of the question's words in one sentence: the answer is stated another way
    ("Which councillor did not vote for the bus plan?", "Eleven councillors backed the plan; Ruth Abara abstained."),
    ("Which bus routes will the budget fund?", "The budget funds six bus routes."),  # no negation asked
    ("What is not a string?", "A string is a word over an alphabet."),  # too few words to compare
])
def test_a_negation_said_in_the_passages_or_a_loose_match_is_not_found(question: str, source: str) -> None:
    assert negated(question, [source]) is None


def test_the_negated_gate_quotes_the_sentence_in_plain_words() -> None:
    gate = NegatedGate()
    prompt = _prompt("Upper and lower bounds are usually stated using the big O notation.")
    [note, check] = gate.check("What is usually not stated using the big O notation?", prompt)
    assert note.kind == NEGATED and note.detail.startswith("1.00: Upper and lower bounds")
    assert check.kind == REFUSED
    assert check.detail == ("The articles only say it the other way round: \u201cUpper and lower bounds are usually "
                            "stated using the big O notation.\u201d")
    assert gate.check("What is usually stated using the big O notation?", prompt) == []


@pytest.mark.parametrize(("question", "source"), [
    ("What did the ferry crews not do for two days in August?",
     "The ferry crews stopped work for two days in August over rosters."),
    ("Why did the ferry crews not work for two days in August?",
     "The ferry crews stopped work for two days in August over rosters."),
    ("Which festival tickets were not honoured after the rain?",
     "Heavy rain cut short the festival, and organisers refunded the Sunday tickets after the rain."),
])
def test_a_negated_question_about_what_stopped_is_not_found(question: str, source: str) -> None:
    # the passage says it stopped, in other words: the question is answerable
    assert negated(question, [source]) is None


@pytest.mark.parametrize("source", [
    "Twelve countries signed the fishing agreement in Oslo; Norway declined.",
    "Twelve countries signed the fishing agreement in Oslo. Norway and Iceland refused, citing quotas.",
    "All countries except Norway signed the fishing agreement in Oslo.",
])
def test_a_negated_question_about_those_left_out_is_not_found(source: str) -> None:
    # the passages say who did not, in other words: the question is answerable
    assert negated("Which countries did not sign the fishing agreement in Oslo?", [source]) is None
    assert negated("Which countries did not sign the fishing agreement in Oslo?",
                   ["Twelve countries signed the fishing agreement in Oslo."]) is not None
