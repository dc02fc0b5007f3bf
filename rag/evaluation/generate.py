"""Gold questions generated from any folder of articles (`rag eval --generate N --corpus DIR --out gold.jsonl`).

Answerable questions: a sentence of a passage that states a number or a name is picked, the chat model writes a
question whose answer is that number or name, and the question is kept only when the same model, given that
passage alone, answers it with that number or name (round-trip consistency, Alberti et al., 2019).

Unanswerable questions, as negative-rejection benchmarks build them: the same kind of question from documents
that are then held out of the library, so every passage holding the answer is gone and the other articles stay
as distractors. A held-out question whose answer some kept article also states is dropped. The library the gold
file goes with (the corpus less the held-out documents) is written beside it as a folder of links.

Each line has a split (by document: about 70% dev, 30% test), `category` "generated" or "generated-unanswerable",
and its provenance in `source` (file, sentence and character span). A person can edit the file and keep it.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rag.chunking import Chunker
from rag.documents import Document
from rag.evaluation.metrics import contains_alias
from rag.llm import Generator
from rag.specifics import names, numbers
from rag.text import sentence_spans

QUESTION_PROMPT = (
    "Here is a sentence from a news article titled \"{title}\":\n\n{sentence}\n\n"
    "Write one question that a reader could ask and that this sentence answers with \"{answer}\". The question "
    "must make sense without the article: name the people, places or events it is about. Do not include the "
    "answer in the question. Reply with the question only."
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
    """Per chunk, its sentences stating a quantity ("48 million pounds") or a name of two words or more ("Hanna
    Petrov", "South Korea"), each with one of those as the answer, in random order, one chunk's first sentence
    before any chunk's second; sentences that are questions or quotes are skipped."""
    per_chunk: list[list[Candidate]] = []
    for chunk in chunker.split(doc):
        options: list[Candidate] = []
        for s, e in sentence_spans(chunk.text):
            sentence = chunk.text[s:e].strip()
            if not _MIN_SENTENCE <= len(sentence) <= _MAX_SENTENCE or sentence.endswith("?") or "\"" in sentence:
                continue
            picks = _quantities(sentence) + _name_runs(sentence)
            if picks:
                options.append(Candidate(doc, chunk.text, sentence, chunk.start + s, chunk.start + e,
                                         rng.choice(picks)))
        rng.shuffle(options)
        per_chunk.append(options)
    return _interleave(per_chunk)


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
    for m in _QUANTITY.finditer(sentence):
        number = m.group(1).rstrip(".,")
        if number.replace(",", "") in numbers(sentence) and not re.fullmatch(r"(?:1[5-9]|20)\d\d", number):
            found.append(m.group().rstrip(".,"))
    return found


def _name_runs(sentence: str) -> list[str]:
    """Runs of two or more capitalised words that hold one of the sentence's names ("Ri Il Gyu", "South Korea")."""
    known = set(names(sentence))
    runs = re.findall(r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)+", sentence)
    return [r for r in runs if any(w in known for w in r.split()) and not r.isupper()]


def alias(answer: str) -> str:
    """What an answer must contain to count: a quantity's number ("48 million" of "48 million pounds"), or the
    name."""
    m = re.match(r"(\d[\d,.]*\d|\d)(\s+(?:million|billion|thousand))?", answer)
    return m.group() if m else answer


def _ask(generator: Generator, prompt: str, max_tokens: int) -> str:
    return "".join(generator.stream([{"role": "user", "content": prompt}], max_tokens=max_tokens, temperature=0.0))


def write_question(generator: Generator, cand: Candidate) -> str | None:
    """The model's question for a candidate, or None when it wrote none or gave the answer away."""
    reply = _ask(generator, QUESTION_PROMPT.format(title=cand.doc.title, sentence=cand.sentence,
                                                  answer=cand.answer), 60)
    m = _QUESTION.search(reply.strip())
    if not m:
        return None
    question = " ".join(m.group().split()).lstrip("-*\"' ")
    if contains_alias(question, [alias(cand.answer)]):
        return None
    return question


def round_trip(generator: Generator, cand: Candidate, question: str) -> bool:
    """Whether the model, given the candidate's passage alone, answers the question with the candidate's answer."""
    reply = _ask(generator, ANSWER_PROMPT.format(title=cand.doc.title, passage=cand.passage, question=question), 40)
    return contains_alias(reply, [alias(cand.answer)])


def _split(doc: Document) -> str:
    return "test" if int(hashlib.sha256(doc.id.encode()).hexdigest()[:8], 16) % 10 < 3 else "dev"


def generate_gold(
    documents: list[Document],
    generator: Generator,
    chunker: Chunker,
    n: int,
    *,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[dict[str, object]], list[Document]]:
    """About `n` gold questions, half unanswerable; and the documents of the library they go with."""
    rng = random.Random(seed)
    docs = sorted(documents, key=lambda d: d.id)
    rng.shuffle(docs)
    # Hold out documents until their candidates could give half the questions (every other document, at most).
    pool = {d.id: candidates(d, chunker, rng) for d in docs}
    held: list[Document] = []
    want = (n + 1) // 2
    for d in docs[::2]:
        if sum(len(pool[h.id]) for h in held) >= 2 * want:
            break
        held.append(d)
    held_ids = {d.id for d in held}
    kept = [d for d in docs if d.id not in held_ids]
    kept_text = "\n".join(d.text for d in kept)
    rows: list[dict[str, object]] = []
    quota = {True: n - want, False: want}
    queues = {True: _interleave([pool[d.id] for d in kept]), False: _interleave([pool[d.id] for d in held])}
    tried = 0
    total = sum(len(q) for q in queues.values())
    for answerable in (True, False):
        made = 0
        for cand in queues[answerable]:
            if made >= quota[answerable]:
                break
            tried += 1
            if progress:
                progress(tried, total)
            if not answerable and _states_again(kept_text, cand):
                continue  # a kept article may state it too: not surely unanswerable
            question = write_question(generator, cand)
            if question is None or not round_trip(generator, cand, question):
                continue
            made += 1
            rows.append({
                "id": f"gen-{len(rows) + 1:04d}",
                "question": question,
                "answers": [alias(cand.answer)] if answerable else [],
                "answerable": answerable,
                "gold_docs": [Path(cand.doc.source).name] if answerable else [],
                "evidence": [cand.sentence] if answerable else [],
                "category": "generated" if answerable else "generated-unanswerable",
                "split": _split(cand.doc),
                "source": f"{Path(cand.doc.source).name} characters {cand.start}-{cand.end}: {cand.sentence}",
            })
    return rows, kept


def _states_again(text: str, cand: Candidate) -> bool:
    """Whether a sentence of `text` holds the candidate's answer together with another word of its sentence's names."""
    others = [w for w in names(cand.sentence) if w not in cand.answer]
    for s, e in sentence_spans(text):
        sentence = text[s:e]
        if alias(cand.answer) in sentence and (not others or any(w in sentence for w in others)):
            return True
    return False


def write_gold(rows: list[dict[str, object]], kept: list[Document], out: Path) -> Path:
    """The gold file, and beside it the library it goes with (links to the kept documents); the library folder."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    library = out.with_name(f"{out.stem}-library")
    library.mkdir(exist_ok=True)
    for old in library.iterdir():
        if old.is_symlink() or old.is_file():
            old.unlink()
    for d in kept:
        source = Path(d.source).resolve()
        link = library / source.name
        if not link.exists():
            link.symlink_to(source)
    return library
