"""Gold questions generated from any folder of articles (`rag eval --generate N --corpus DIR --out gold.jsonl`).

Answerable questions: every quantity, date, year and name a sentence of a passage states is a candidate answer;
the chat model, shown the passage, writes a question whose answer it is, and the question is kept only when it
names a name or number of the article (not "the article"), was not written already for another answer, and the
same model, given that passage alone, answers it with that answer (round-trip consistency, Alberti et al., 2019).

Unanswerable questions, as negative-rejection benchmarks build them: the same kind of question from documents
that are then held out of the library, so every passage holding the answer is gone and the other articles stay
as distractors. A held-out question whose answer some kept article also states is dropped, and so is one with no
number of its own that a kept look-alike answers (the same names, an answer of the same kind). The library the
gold file goes with (the corpus less the held-out documents) is written beside it as a folder of relative links;
fold 2 holds out the other half, so a small corpus gives two files. Questions are written as they pass, so a run
stopped early keeps what it made.

Each line has a split (by document: about 70% dev, 30% test), `category` "generated" or "generated-unanswerable",
and its provenance in `source` (file, sentence and character span). A person can edit the file and keep it.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.chunking import Chunker
from rag.documents import Document
from rag.evaluation.metrics import contains_alias
from rag.llm import Generator
from rag.specifics import names, numbers, years
from rag.text import sentence_spans

QUESTION_PROMPT = (
    "Here is a passage from a news article titled \"{title}\":\n\n{passage}\n\n"
    "Write one question that a reader could ask and that this sentence of the passage answers with \"{answer}\":"
    "\n\n{sentence}\n\nThe question must make sense to someone who has not read the article: name the people, "
    "places, events and the year it is about. Do not include the answer in the question. Reply with the question "
    "only."
)
ANSWER_PROMPT = (
    "Passage (from \"{title}\"):\n{passage}\n\nAnswer the question from the passage in a few words. If the "
    "passage does not say, reply: not stated.\n\nQuestion: {question}"
)
_QUESTION = re.compile(r"[^\n?]{12,200}\?")
_MIN_SENTENCE, _MAX_SENTENCE = 40, 400


@dataclass(frozen=True)
class Candidate:
    """A sentence of a document and the specific of it a question will ask for."""

    doc: Document
    passage: str
    sentence: str
    start: int  # the sentence's character span in the document
    end: int
    answer: str


def candidates(doc: Document, chunker: Chunker, rng: random.Random) -> list[Candidate]:
    """Per chunk, every answer its sentences offer (a sentence with a quantity and a name gives two), each a
    candidate, in random order, one chunk's first candidate before any chunk's second; sentences that are questions
    or quotes are skipped."""
    per_chunk: list[list[Candidate]] = []
    for chunk in chunker.split(doc):
        options: list[Candidate] = []
        for s, e in sentence_spans(chunk.text):
            sentence = chunk.text[s:e].strip()
            if not _MIN_SENTENCE <= len(sentence) <= _MAX_SENTENCE or sentence.endswith("?") or "\"" in sentence:
                continue
            for answer in answers(sentence, doc.text):
                options.append(Candidate(doc, chunk.text, sentence, chunk.start + s, chunk.start + e, answer))
        rng.shuffle(options)
        per_chunk.append(options)
    return _interleave(per_chunk)


def answers(sentence: str, document: str) -> list[str]:
    """What a question about a sentence can ask for, each once: its quantities, its dates and years, its names of
    two words or more, and its one-word names that the document writes capitalised after a lowercase word (a proper
    noun, not a capitalised first word)."""
    picks = _quantities(sentence) + _dates(sentence) + _name_runs(sentence)
    picks += [y for y in sorted(years(sentence)) if not any(y in p for p in picks)]
    covered = {w for p in picks for w in p.split()}
    picks += [w for w in names(sentence) if w not in covered and len(w) > 2 and w.lower() not in _CALENDAR
              and w not in _NOT_NAME_START and re.search(rf"\b[a-z][a-z]*\s+{re.escape(w)}\b", document)
              and not (_DEMONYM.search(w) and re.search(rf"\b{re.escape(w)}\s+[a-z]", sentence))]
    return list(dict.fromkeys(picks))


# "Serbian conductor", "Swedish rail operator": a word of a people or a country's adjective, before what it describes.
_DEMONYM = re.compile(r"(?:ian|ean|ish|ese|ic)$")
_CALENDAR = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
             "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_DATE = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)"
                   r"\s+\d{1,2}\b(?!,\d)")


def _dates(sentence: str) -> list[str]:
    """A month and a day as the sentence writes them ("June 2", "February 27")."""
    return _DATE.findall(sentence)


def _interleave(lists: list[list[Candidate]]) -> list[Candidate]:
    """The first of each list, then the second of each, and so on."""
    out: list[Candidate] = []
    for i in range(max((len(x) for x in lists), default=0)):
        out += [x[i] for x in lists if i < len(x)]
    return out


_QUANTITY = re.compile(r"(?<![\w.,])(\d[\d,.]*\d|\d)(?:\s+(?:million|billion|thousand|percent|per cent))?"
                       r"\s+(?!and\b|to\b|or\b|of\b|in\b|on\b|at\b|by\b)[a-z][a-z-]+")


def _quantities(sentence: str) -> list[str]:
    """A number with the word it counts, as the sentence writes it ("19 votes", "48 million pounds", "4.9 percent");
    years are left to the names and dates."""
    found = []
    dates = [m.span() for m in _DATE.finditer(sentence)]
    for m in _QUANTITY.finditer(sentence):
        if any(a <= m.start() < b for a, b in dates):
            continue  # the day of a date ("May 15 after")
        if re.search(r"\d[\d,.]*\s+[a-z]+\s+$", sentence[:m.start()]) or re.match(r"\s+\d", sentence[m.end():]):
            continue  # a part of a compound quantity ("2 hours 11 minutes 40 seconds"): not an answer alone
        number = m.group(1).rstrip(".,")
        if number.replace(",", "") in numbers(sentence) and not re.fullmatch(r"(?:1[5-9]|20)\d\d", number):
            found.append(m.group().rstrip(".,"))
    return found


def _name_runs(sentence: str) -> list[str]:
    """Runs of two or more capitalised words that hold one of the sentence's names ("Ri Il Gyu", "South Korea")."""
    known = set(names(sentence))
    out = []
    for m in re.finditer(r"[A-Z][\w'’-]+(?:\s+(?:(?:of|de|du|la|van|von)\s+)?[A-Z][\w'’-]+)+", sentence):
        run = re.sub(r"['’]s$", "", m.group()).split()
        if run[0] in _NOT_NAME_START:  # "The", a title ("Mayor Ruth Abara")
            run = run[1:]
        if run and any(w in known for w in run) and not " ".join(run).isupper():
            out.append(" ".join(run))
    return out


_NOT_NAME_START = {"The", "A", "An", "Mayor", "President", "Minister", "Councillor", "Council", "Leader", "Mr", "Mrs",
                   "Ms", "Dr", "Sir", "Captain", "Coach", "Judge", "Senator", "Governor", "King", "Queen", "Prince",
                   "Chief", "General", "Professor"}


def alias(answer: str) -> str:
    """What an answer must contain to count: a quantity's number ("48 million" of "48 million pounds"), or the
    name."""
    m = re.match(r"(\d[\d,.]*\d|\d)(\s+(?:million|billion|thousand))?", answer)
    return m.group() if m else answer


def _ask(generator: Generator, prompt: str, max_tokens: int) -> str:
    return "".join(generator.stream([{"role": "user", "content": prompt}], max_tokens=max_tokens, temperature=0.0))


def write_question(generator: Generator, cand: Candidate) -> str | None:
    """The model's question for a candidate, or None when it wrote none or gave the answer away."""
    reply = _ask(generator, QUESTION_PROMPT.format(title=cand.doc.title, passage=cand.passage,
                                                  sentence=cand.sentence, answer=cand.answer), 60)
    m = _QUESTION.search(reply.strip())
    if not m:
        return None
    question = " ".join(m.group().split()).lstrip("-*\"' ")
    if contains_alias(question, [alias(cand.answer)]) or not specific(question, cand.doc.text):
        return None
    return question


_VAGUE = re.compile(r"\b(?:the|this|that)\s+(?:news\s+)?(?:article|passage|text|sentence|story|report)\b", re.I)


def specific(question: str, document: str) -> bool:
    """Whether a question says what it is about without its article: it names a name or states a number of the
    article, and does not point at "the article" or "the passage"."""
    if _VAGUE.search(question):
        return False
    return bool(numbers(question) & numbers(document)) or any(
        re.search(rf"\b{re.escape(w)}\b", document) for w in names(question))


def round_trip(generator: Generator, cand: Candidate, question: str) -> bool:
    """Whether the model, given the candidate's passage alone, answers the question with the candidate's answer."""
    reply = _ask(generator, ANSWER_PROMPT.format(title=cand.doc.title, passage=cand.passage, question=question), 40)
    return contains_alias(reply, [alias(cand.answer)])


def _split(doc: Document) -> str:
    return "test" if int(hashlib.sha256(doc.id.encode()).hexdigest()[:8], 16) % 10 < 3 else "dev"


@dataclass
class GoldPlan:
    """Which documents stay in the library, and the candidates each kind of question is drawn from."""

    kept: list[Document]
    queues: dict[bool, list[Candidate]]  # answerable -> candidates, in the order they are tried
    quota: dict[bool, int]
    kept_text: str

    @property
    def total(self) -> int:
        return sum(len(q) for q in self.queues.values())


def plan_gold(documents: list[Document], chunker: Chunker, n: int, *, seed: int = 0, fold: int = 1) -> GoldPlan:
    """Hold out documents until their candidates could give half of `n` questions (every other document of a
    shuffle, at most: the first, third, ... in fold 1, the second, fourth, ... in fold 2); the rest are the
    library. Folds 3 and 4 do the same over another shuffle (5 and 6 another, and so on), so a small corpus gives
    more files, each holding out another half of it."""
    if fold < 1:
        raise ValueError("folds are numbered from 1")
    rng = random.Random(seed + (fold - 1) // 2)
    docs = sorted(documents, key=lambda d: d.id)
    rng.shuffle(docs)
    pool = {d.id: candidates(d, chunker, rng) for d in docs}
    held: list[Document] = []
    want = (n + 1) // 2
    for d in docs[(fold - 1) % 2 :: 2]:
        if sum(len(pool[h.id]) for h in held) >= 2 * want:
            break
        held.append(d)
    held_ids = {d.id for d in held}
    kept = [d for d in docs if d.id not in held_ids]
    return GoldPlan(kept, {True: _interleave([pool[d.id] for d in kept]),
                           False: _interleave([pool[d.id] for d in held])},
                    {True: n - want, False: want}, "\n".join(d.text for d in kept))


def generate_rows(
    plan: GoldPlan, generator: Generator, progress: Callable[[int, int], None] | None = None
) -> Iterator[dict[str, object]]:
    """The plan's questions one by one as they pass the round trip, the two kinds in turn (a run stopped early
    still has both). When one kind runs out of candidates, the other stops once it has as many (it may have one
    more already): half of the questions are unanswerable, as a refusal rate needs."""
    queues = {kind: iter(q) for kind, q in plan.queues.items()}
    kept = [d.text for d in plan.kept]
    made = {True: 0, False: 0}
    asked: set[str] = set()
    tried = 0
    while True:
        open_kinds = [k for k in (True, False) if made[k] < plan.quota[k] and k in queues
                      and ((not k) in queues or made[k] < made[not k])]
        if not open_kinds:
            return
        answerable = min(open_kinds, key=lambda k: made[k] / max(plan.quota[k], 1))
        cand = next(queues[answerable], None)
        if cand is None:
            del queues[answerable]
            continue
        tried += 1
        if progress:
            progress(tried, plan.total)
        if not answerable and _states_again(plan.kept_text, cand):
            continue  # a kept article may state it too: not surely unanswerable
        question = write_question(generator, cand)
        if question is None or question.lower() in asked \
                or (not answerable and _answered_alike(question, cand, kept)) \
                or not round_trip(generator, cand, question):
            continue  # none written, asked already (of another answer: ambiguous), a look-alike's, or no round trip
        asked.add(question.lower())
        made[answerable] += 1
        yield {
            "id": f"gen-{made[True] + made[False]:04d}",
            "question": question,
            "answers": [alias(cand.answer)] if answerable else [],
            "answerable": answerable,
            "gold_docs": [Path(cand.doc.source).name] if answerable else [],
            "evidence": [cand.sentence] if answerable else [],
            **({} if answerable else {"held_out_answer": cand.answer}),  # what the held-out article says
            "category": "generated" if answerable else "generated-unanswerable",
            "split": _split(cand.doc),
            "source": f"{Path(cand.doc.source).name} characters {cand.start}-{cand.end}: {cand.sentence}",
        }


def _states_again(text: str, cand: Candidate) -> bool:
    """Whether a sentence of `text` holds the candidate's answer together with another word of its sentence's names."""
    others = [w for w in names(cand.sentence) if w not in cand.answer]
    for s, e in sentence_spans(text):
        sentence = text[s:e]
        if alias(cand.answer) in sentence and (not others or any(w in sentence for w in others)):
            return True
    return False


def _kind(answer: str) -> str:
    """What kind of thing an answer is: a year, a date, a quantity (of any unit: the word after a number is not
    always what it counts, "1,500 invited runners"), or a name."""
    if re.fullmatch(r"(?:1[5-9]|20)\d\d", answer):
        return "year"
    if _DATE.fullmatch(answer):
        return "date"
    if answer[:1].isdigit():
        return "quantity"
    return "name"


def _answered_alike(question: str, cand: Candidate, documents: list[str]) -> bool:
    """Whether a question with no number of its own could be answered by a look-alike: a document that names
    everything the question names and states an answer of the same kind ("In which year did Ruth Abara win the
    election?" held out with the 2020 election, kept with the 2016 one; "How many runners took part in the Harlow
    Marathon?" held out with the 2020 race, kept with the 2019 one)."""
    if numbers(question):
        return False  # the question's year or number tells its event from the look-alikes
    asked = names(question)
    kind = _kind(cand.answer)
    for text in documents:
        if all(re.search(rf"\b{re.escape(w)}\b", text) for w in asked) and any(
                _kind(a) == kind for s, e in sentence_spans(text) for a in answers(text[s:e], text)):
            return True
    return False


def write_library(kept: list[Document], out: Path) -> Path:
    """Beside the gold file `out`, the library its questions go with: a folder of links to the kept documents."""
    out.parent.mkdir(parents=True, exist_ok=True)
    library = out.with_name(f"{out.stem}-library")
    library.mkdir(exist_ok=True)
    for old in library.iterdir():
        if old.is_symlink() or old.is_file():
            old.unlink()
    for d in kept:
        source = Path(d.source).resolve()
        link = library / source.name
        if not link.exists():  # relative: the gold file, its library and the corpus can move (or be committed) together
            link.symlink_to(os.path.relpath(source, library.resolve()))
    return library


def write_gold(rows: Iterable[dict[str, object]], kept: list[Document], out: Path) -> tuple[Path, dict[bool, int]]:
    """The library folder, then the gold file a line at a time as `rows` come (a run stopped early keeps every
    question it made); the library's path and how many questions of each kind (answerable or not) were written."""
    library = write_library(kept, out)
    counts = {True: 0, False: 0}
    with out.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            f.flush()
            counts[bool(row["answerable"])] += 1
    return library, counts
