"""After generation, one stage: from the model's raw text to the checked answer with its citations.

Every change is recorded as a `Check`, so the CLI, the JSON answer and the UI can show what was removed, moved
or withheld, and why.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rag.citations import (
    MARKER,
    MIN_SUPPORT,
    attribute,
    cite_only,
    cited_numbers,
    clean_markers,
    drop_markers,
    repoint,
    resolve,
)
from rag.injection import repeats_kept_out
from rag.prompting import REFUSAL
from rag.specifics import (
    CURRENCY_NAMES,
    MONEY_WORDS,
    in_prose,
    missing_reason,
    missing_specifics,
    money_numbers,
    new_name_runs,
    new_specifics,
    numbers,
    relabelled,
    same_start,
    stated,
    years,
)
from rag.text import STOPWORDS, base_words, sentence_spans, stems
from rag.types import Check, Chunk, Citation, ScoredChunk, stated_by

_REFUSAL_KEY = re.sub(r"\W+", " ", REFUSAL.lower()).strip()
NOT_STATED = "not stated in the cited passage"
# The share of the question's words that the passage must state around the answer's new names or numbers, and how
# many sentences either side count as around. Chosen on the dev splits: wrong answers scored 0-0.17 on the seeds,
# right ones 0.50 and up on both corpora. (Without the question's names and numbers, a variant caught more on the
# seeds' dev split but left no margin on the distractors' and refused paraphrased answers on their test split.)
NEAR_SHARE = 1 / 3
NEAR_WINDOW = 1


@dataclass(frozen=True)
class Grounded:
    """The final text, its citations (each with a support verdict), whether it is a refusal, and the checks."""

    text: str
    citations: list[Citation]
    refused: bool
    checks: list[Check] = field(default_factory=list)
    # The whole-answer checks that object (name -> their reason); with `veto`, the first of them refused.
    objections: dict[str, str] = field(default_factory=dict)


class Grounder(Protocol):
    """Turns a model's raw reply into a checked answer."""

    def ground(self, question: str, raw_text: str, passages: Sequence[ScoredChunk], about: str = "",
               forgiven: Sequence[str] = ()) -> Grounded:
        """The checked answer for a raw reply over these numbered passages; `about` is what the question is about
        when its own words don't say (a follow-up's search text, with the question before it); `forgiven`: names
        of the question no passage writes that the model read all the same (`rag.gate.SpecificsGate`)."""
        ...


def is_refusal(text: str, citations: Sequence[Citation]) -> bool:
    """The model said the articles lack the answer: it led with the fixed sentence (markers before it count for
    nothing), or said it and cited nothing."""
    flat = re.sub(r"\W+", " ", MARKER.sub(" ", text).lower()).strip()
    if flat.startswith(_REFUSAL_KEY):
        return True
    return _REFUSAL_KEY in flat and not citations


def _marker_changes(before: str, after: str, kind: str, detail: str) -> list[Check]:
    return [Check(kind, detail)] if cited_numbers(before) != cited_numbers(after) else []


class CitationGrounder:
    """Markers cleaned, moved and added by lexical support; sentences with unsupported specifics withheld."""

    def __init__(self, refusal: str = REFUSAL, min_support: float = MIN_SUPPORT, check_claims: bool = True,
                 check_cited: bool = True, check_asked: bool = True, check_near: bool = True,
                 veto: bool = True) -> None:
        self.refusal = refusal
        self.veto = veto  # False: the checks' objections are returned for the judgement stage to weigh
        self.min_support = min_support
        self.check_claims = check_claims
        self.check_cited = check_cited
        self.check_asked = check_asked
        self.check_near = check_near

    def ground(self, question: str, raw_text: str, passages: Sequence[ScoredChunk], about: str = "",
               forgiven: Sequence[str] = ()) -> Grounded:
        """Clean, decide refusal, repoint, attribute, check claims, check the answer against the question,
        resolve: in that order."""
        checks: list[Check] = []
        raw = raw_text.strip()
        model_text = clean_markers(raw, len(passages))
        if MARKER.sub("", model_text) != MARKER.sub("", raw) or len(MARKER.findall(model_text)) < len(
            MARKER.findall(raw)
        ):
            checks.append(Check("marker-removed", "a citation pointed at no passage and was removed"))
        if not raw or is_refusal(model_text, resolve(model_text, passages)):
            return Grounded(self.refusal, [], True, checks)
        echoed = repeats_kept_out(MARKER.sub(" ", model_text), [p.chunk.text for p in passages], question)
        if echoed:  # the articles' orders to an assistant were kept out of the prompt; the answer says them anyway
            return Grounded(self.refusal, [], True, [*checks, Check(
                "refused", "The answer repeats text an article addresses to AI assistants, which I don't follow.",
                echoed)])
        text = repoint(model_text, passages, self.min_support)
        checks += _marker_changes(model_text, text, "marker-moved",
                                  "a citation was moved to the passage that holds its sentence")
        attributed = attribute(text, passages, self.min_support)
        checks += _marker_changes(text, attributed, "marker-added", "an uncited sentence was given its passage")
        text = attributed
        supported: dict[int, bool] = {}
        if self.check_claims:
            text, withheld, supported = withhold_unsupported(question, text, passages)
            checks += withheld
            if not re.search(r"\w", MARKER.sub("", text)):
                return Grounded(self.refusal, [], True, checks)
        # The checks that refuse a whole answer, in order; with `veto`, the first that objects decides.
        objections = self.objections(question, about, text, passages, forgiven)
        if objections and self.veto:
            return Grounded(self.refusal, [], True, [*checks, next(iter(objections.values()))],
                            {k: c.detail for k, c in objections.items()})
        if self.check_claims:
            kept = drop_idle_citations(about or question, text, passages)
            checks += _marker_changes(text, kept, "marker-dropped",
                                      "a citation of a passage that states nothing of its sentence was dropped")
            text = kept
        citations = [
            Citation(**{**c.__dict__, "supported": supported.get(c.marker, True if self.check_claims else None)})
            for c in resolve(text, passages, model_text)
        ]
        return Grounded(text, citations, False, checks, {k: c.detail for k, c in objections.items()})

    def objections(self, question: str, about: str, text: str, passages: Sequence[ScoredChunk],
                   forgiven: Sequence[str] = ()) -> dict[str, Check]:
        """Every whole-answer check that objects, in order, by name (`rag.judgement.OBJECTIONS`)."""
        found: dict[str, Check | None] = {
            "off_question": off_question(question, text, passages, forgiven) if self.check_cited else None,
            "not_given": not_given(question, text, passages) if self.check_asked else None,
            "apart": apart_from_question(about or question, text, passages) if self.check_near else None,
            "role": role_elsewhere(question, text, passages) if self.check_near else None,
        }
        return {name: check for name, check in found.items() if check is not None}


def off_question(question: str, text: str, passages: Sequence[ScoredChunk], forgiven: Sequence[str] = ()
                 ) -> Check | None:
    """A refusal when the answer is about another event than the question, however well each passage supports its
    own sentence: the articles it cites don't mention a specific of the question (its year, number or name; "the
    2023 budget" for a question on 2024), or no cited article holds both the question's specifics and the answer's
    (a 2024 question answered with a number from the 2022 article, the 2024 article cited beside it). Articles
    are read as far as the prompt holds them; `forgiven` names count as stated. Measured on the dev splits:
    distractor refusals 0.25 -> 0.75 and seeds 0.67 -> 0.71, answer accuracy and false refusals unchanged."""
    cited = {passages[n - 1].chunk.doc_id for n in cited_numbers(text) if 1 <= n <= len(passages)}
    if not cited:
        return None
    sources = stated_by([p.chunk for p in passages if p.chunk.doc_id in cited])
    missing = [m for m in missing_specifics(question, sources, asked=True) if m not in forgiven]
    if missing:
        return Check("refused", missing_reason(question, missing, "The only articles with an answer", sources), text)
    if not _anchored(question, text, passages, forgiven):
        return Check("refused", "The only articles with an answer are not about what you asked.", text)
    return None


# Questions that ask for a quantity, and those that ask for a name in so many words.
_ASKS_NUMBER = re.compile(r"\b(how (many|much|old|long|far|tall|high|big|large)|what (percentage|proportion|"
                          r"share|age|year|number)|which year)\b", re.IGNORECASE)
# Questions that ask for an amount of money: "how much" with a word only money is counted in, or "what was the cost".
# Not "how much did X raise council tax" or "how much did the budget grow": a share can answer those.
_ASKS_MONEY = re.compile(
    r"\bhow much\b.*\b(money|pa(?:y|ys|id)|" + MONEY_WORDS + r"|spen[dt]|spending|salaries|earn(?:s|ed)?|charge[sd]?)\b"
    r"|\bwhat (?:is|was|were|are|will be) the (?:\w+ )?(cost|price|fee|fare|toll|salary|prize money)\b",
    re.IGNORECASE)
# A question about a change ("By how much does the deal raise wages?", "How much did fares rise?"), which a share
# answers as well as an amount of money ("by 7 percent").
_ASKS_CHANGE = re.compile(r"\bby how much\b|\bhow much\b.*\b(?:rais|rise|rose|increas|grow|grew|fall|fell|cut|drop|"
                          r"climb|jump|decreas|reduc|lower|shr[iu]nk)", re.IGNORECASE)
_PERCENT = re.compile(r"([\w.,-]+)\s*(?:%|percent\b|per cent\b|percentage points?\b)", re.IGNORECASE)
# A question that asks for a year or a duration: in an answer to any other number question a year says when, not
# how many ("52 years old ... until 2016").
_ASKS_YEAR = re.compile(r"\b(what|which|in what|since what) year\b|\bwhen\b|\bhow long\b", re.IGNORECASE)
_ASKS_NAME = re.compile(r"\b(what|which) (is|was|were|are) the names? of\b|\bwhat(?:'s| is) (?:his|her|their|its) "
                        r"name\b", re.IGNORECASE)
# A question that asks something open ("who", "which city", "how"), not one answered by yes, no or one of its own
# words ("Did he ...?", "Was it Cuba or Panama?").
_ASKS_OPEN = re.compile(r"^(?!.*\bor\b).*\b(who|whom|whose|what|which|where|when|why|how)\b", re.IGNORECASE)
# A hyphened word ("NP-hard", "co-NP"): made of the question's words, it still names something the question does not
# ("A problem that is hard for NP can be stated how?" - "as NP-hard", squad2's dev split).
_COMPOUND = re.compile(r"[^\W\d_][\w’']*(?:-[\w’']+)+")


def adds_nothing(question: str, text: str) -> bool:
    """Whether an answer to an open question only repeats it: every content word and number of the answer is in the
    question ("In which South Korean city does Ri now live?" - "Ri now lives in South Korea [2]"). Such an answer
    names no city, no person, no reason: it is a refusal in the words of an answer. A hyphened word the question
    does not write is something new ("NP-hard" for "hard for NP")."""
    if not _ASKS_OPEN.search(question):
        return False
    claim = MARKER.sub("", text)
    asked = base_words(question)
    compounds = {c.lower() for c in _COMPOUND.findall(claim)} - {c.lower() for c in _COMPOUND.findall(question)}
    return not compounds and not numbers(claim) - numbers(question) and all(
        any(_one_word(w, q) for q in asked) for w in base_words(claim) if not w.isdigit())


# What may be left of two forms of one word after the letters they share ("lived" and "lives": "d" and "s").
_ENDINGS = frozenset(("", "s", "es", "d", "ed", "ing", "n", "ns", "e", "er", "ers", "y", "ies", "ied", "'s", "’s"))


def _one_word(a: str, b: str) -> bool:
    """Whether two words are one in other inflections ("live" and "lived", "Korea" and "Korean", "study" and
    "studies"): what is left of each after the letters they share is an ending. Not a noun made of a verb or an
    adjective ("analysis" and "analyzes", "isomorphism" and "isomorphic"): SQuAD's answers are often named so with
    the question's own stems ("What field analyzes algorithms?" - "analysis of algorithms")."""
    shared = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return a == b or (shared >= 3 and a[shared:] in _ENDINGS and b[shared:] in _ENDINGS)


def _cited_text(text: str, passages: Sequence[ScoredChunk]) -> str:
    """The texts of the passages an answer cites, one after another."""
    return " ".join(passages[n - 1].chunk.text for n in cited_numbers(text) if 1 <= n <= len(passages))


# A count in words that is no numeral: none ("nobody was hurt"), a few ("twice", "both", "a single car") or an
# estimate as news gives one when it has no figure ("hundreds of people were evacuated", "several died").
_COUNT_WORDS = re.compile(r"\b(?:once|twice|thrice|single|both|none|nobody|no one|zero|dozens|hundreds|thousands|"
                          r"millions|billions|several|a few|a handful|scores|a couple)\b", re.IGNORECASE)


def _counted_as_cited(question: str, claim: str, text: str, passages: Sequence[ScoredChunk]) -> bool:
    """Whether an answer gives a count in words that the question does not, as its cited passages say it: an
    answer to "How many people were evacuated?" when the article has no figure ("Hundreds of people were evacuated
    [1]")."""
    said = {m.lower() for m in _COUNT_WORDS.findall(claim)} - {m.lower() for m in _COUNT_WORDS.findall(question)}
    cited = _cited_text(text, passages).lower()
    return bool(said) and all(re.search(rf"\b{re.escape(w)}\b", cited) for w in said)


# What an answer calls something: a name news writes in lower case or in quotes ("the drug is called fentanyl",
# "dubbed “clean sweep”").
_CALLED = re.compile(r"\b(?:called|named|dubbed|known as|nicknamed)\s+(?:the\s+|an?\s+)?[\"“‘']?"
                     r"([\w’'-]+(?:\s+[\w’'-]+){0,3})")


def _named(claim: str, question: str) -> bool:
    """Whether an answer gives a name the question doesn't hold, in the words "called", "named", "dubbed" or "known
    as", lower case allowed: "What is the name of the drug?" - "The drug is called fentanyl"."""
    asked = {w.lower() for w in re.findall(r"\w+", question)}
    for m in _CALLED.finditer(claim):
        said = [w.lower() for w in re.findall(r"\w+", m.group(1))]
        if said[0] not in STOPWORDS and set(said) - asked - STOPWORDS:  # not "named in the article"
            return True
    return False


# A question that asks for a share, and one that asks for a count: each answered by the other's kind of number is not
# answered ("What percentage of the defectors are women?" - "around ten people"; "How many votes did she get?" -
# "52 percent of the vote").
_ASKS_SHARE = re.compile(r"(?i)\bwhat (?:percentage|percent|proportion|share|fraction)\b|\bhow many "
                         r"(?:percent|per cent|percentage points?)\b")
_HOW_MANY = re.compile(r"(?i)\bhow many\b")
_HOW_MANY_MONEY = re.compile(r"(?i)\bhow many\s+(?:[\w-]+\s+)?" + CURRENCY_NAMES + r"\b")


def _share_for_count(question: str, claim: str, new: set[str]) -> bool:
    """Whether a question about a share is answered only with counts, or one about a count only with shares or
    amounts of money ("How many vehicles will use the bridge?" - "The bridge cost 212 million pounds")."""
    if not new:
        return False
    shares = _shares(claim)
    if _ASKS_SHARE.search(question):
        return not new & shares
    return bool(_HOW_MANY.search(question)) and not _HOW_MANY_MONEY.search(question) \
        and new <= shares | money_numbers(claim)


# A change given as a multiple, which answers "how much" without a figure ("Rents doubled").
_MULTIPLIED = re.compile(r"(?i)\b(?:doubled|tripled|trebled|quadrupled|halved)\b")


def _share_of_change(question: str, claim: str, new: set[str]) -> bool:
    """Whether a question about a change in money is answered by a share it does not hold ("by 7 percent")."""
    return bool(_ASKS_CHANGE.search(question)) and bool(new & _shares(claim))


def _shares(text: str) -> set[str]:
    """The numbers a text gives as percentages, a share in words among them ("a third of" is 33 percent)."""
    return {n for m in _PERCENT.finditer(in_prose(text)) for n in numbers(m.group(1))}


def not_given(question: str, text: str, passages: Sequence[ScoredChunk] = ()) -> Check | None:
    """A refusal when the answer doesn't give what its question asks for: a question about a quantity answered
    without a number the question doesn't hold already ("How many family members defected?" - "His family
    defected with him."), a question about an amount of money answered with a number that is no amount of money
    in the answer nor where its cited passages state it ("How much prize money did he give?" - "He gave it to
    students in three countries [2]"), or one asking a name answered with no name beyond the question's own ("What
    is the name of the Chosun Ilbo reporter who interviewed Ri?" - "The Chosun Ilbo reported on the interview with
    Ri Il Gyu": a run of capitalised words holding one of the question's names names what the question names), or
    an open question answered with nothing but its own words (`adds_nothing`)."""
    claim = MARKER.sub("", text)
    new = numbers(in_prose(claim)) - numbers(in_prose(question))  # "half a million" gives a number
    if _ASKS_NUMBER.search(question) and not new and not _MULTIPLIED.search(claim) \
            and not _counted_as_cited(question, claim, text, passages):
        return Check("refused", "I found nothing that gives the number you asked for.", text)
    if _share_for_count(question, claim, new):
        return Check("refused", "I found nothing that gives the number you asked for.", text)
    if _ASKS_MONEY.search(question) and not _share_of_change(question, claim, new):
        cited = _cited_text(text, passages)
        if not new & (money_numbers(claim) | money_numbers(cited)):
            return Check("refused", "I found nothing that gives the amount of money you asked for.", text)
    if _ASKS_NAME.search(question) and not new_name_runs(claim, question) and not _named(claim, question):
        return Check("refused", "I found nothing that gives the name you asked for.", text)
    if adds_nothing(question, text):
        return Check("refused", "I found nothing that says more than the question itself.", text)
    return None


def _around_new_facts(question: str, text: str, passages: Sequence[ScoredChunk], window: int,
                      numbers_only: bool = False) -> list[list[str]]:
    """For each answer sentence that adds names or numbers to the question, the passage text around every sentence
    of its cited passages stating one of them (that sentence and `window` either side). Only what the cited
    passages state is looked up (the rest is claim grounding's, and a capitalised first word such as "Based" is no
    name). With `numbers_only`, a sentence that adds a number is looked up by its numbers alone, and by those that are
    no year when it has any and the question asks no year or duration."""
    out: list[list[str]] = []
    years_count = not numbers_only or bool(_ASKS_YEAR.search(question))
    for sentence in _sentences(text):
        bodies = [passages[n - 1].chunk.text for n in cited_numbers(sentence) if 1 <= n <= len(passages)]
        claim = MARKER.sub("", sentence)
        new = new_specifics(claim, question) & stated(" ".join(bodies))
        said = numbers(claim) if numbers_only else set()
        if new & said:
            new &= said
            if not years_count:
                said_when = years(claim)
                if new - said_when:
                    new -= said_when
        if not new:
            continue
        found = []
        for body in bodies:
            spans = [body[s:e] for s, e in sentence_spans(body)]
            found += [" ".join(spans[max(0, i - window) : i + window + 1])
                      for i, line in enumerate(spans) if new & stated(line)]
        out.append(found)
    return out


def nearness(question: str, text: str, passages: Sequence[ScoredChunk], window: int = NEAR_WINDOW) -> float | None:
    """The largest share of the question's words (stemmed) that the cited passages state around one of the answer's
    new names or numbers (the sentence stating it and `window` either side); None when the answer adds nothing its
    cited passages state. `apart_from_question` refuses below NEAR_SHARE; the judgement weighs the share itself."""
    asked = stems(question)
    around = _around_new_facts(question, text, passages, window,
                               numbers_only=bool(_ASKS_NUMBER.search(question))) if asked else []
    shares = [len(asked & stems(a)) / len(asked) for found in around for a in found]
    return max(shares) if shares else None


def apart_from_question(question: str, text: str, passages: Sequence[ScoredChunk], share: float = NEAR_SHARE,
                        window: int = NEAR_WINDOW) -> Check | None:
    """A refusal when the answer's new facts come from elsewhere in the passages than what the question is about.

    For each answer sentence that adds names or numbers to the question, its cited passages are searched for a
    sentence stating one of them; that sentence and `window` sentences either side must hold `share` of the
    question's words (stemmed: "opened" is "open"). When no answer sentence passes, the answer is refused. It
    catches the small model's habit of answering with a real name or year from the wrong sentence ("The institute
    was founded in 2023" when 2023 is the year of a migration count). When the question asks for a number, a
    sentence that adds one is judged by where its numbers are stated, not by the names around it ("Thae Yong-ho
    was 52 when he fled to South Korea" passed on "South Korea", stated beside Thae, while 52 is Ri's age), and a
    year beside it counts only for a question about a year or a duration ("Thae Yong-ho was 52 years old when he
    served ... until 2016" passed on 2016, stated beside Thae).
    Measured on the dev splits (see docs/evaluation.md).
    """
    asked = stems(question)
    around = _around_new_facts(question, text, passages, window,
                               numbers_only=bool(_ASKS_NUMBER.search(question))) if asked else []
    if not around or any(len(asked & stems(a)) >= share * len(asked) for found in around for a in found):
        return None
    return Check("refused", "The passages I found give a possible answer only about something other than what you "
                            "asked.", text)


# "Who is the director of ...", "Who was Cuba's president when ...", "What is the name of X's ambassador to ...":
# the words before "of", "to", "at" ... or the question mark, whose last common word is the role asked about.
_ROLE = re.compile(r"\b(?:who (?:is|was|are|were|served as|became)|(?:what|which) (?:is|was) the name of)\s+"
                   r"((?:[\w'’.-]+\s+){0,6}?[\w'’.-]+)(?=\s+(?:of|to|at|for|in|until|when|who|that|on)\b|\s*[?,])",
                   re.IGNORECASE)


def asked_role(question: str) -> str:
    """The role a "who is the ..." question asks about ("director", "president", "ambassador"), or ""."""
    m = _ROLE.search(question)
    if not m:
        return ""
    # "the cargo ship detained in" asks about the ship; "responsible for" and "most commonly used" name no role (an
    # adjective, an adverb; squad2's dev split: two answerable questions refused for a "responsible" no passage
    # names), nor does a relative clause after the role ("the alphabet is most used").
    phrase = re.split(r"\s+(?:is|was|are|were)\s+", m.group(1), maxsplit=1)[0]
    common = [w for w in phrase.split() if not w[0].isupper() and w.lower() not in STOPWORDS
              and not re.search(r"(?:ed|ing|[ai]ble|.{3}ly)$", w, re.IGNORECASE)]
    return common[-1] if common else ""


_WORDS = re.compile(r"\w+")


def role_elsewhere(question: str, text: str, passages: Sequence[ScoredChunk], window: int = NEAR_WINDOW
                   ) -> Check | None:
    """A refusal when a question about a role ("Who is the director of the intelligence service?") is answered with
    names that the cited passages state only away from that role: no sentence stating them, nor the one either side,
    has a word starting as the role's does ("director"; "built" for a builder, chosen on the dev split). It catches
    the small model's habit of putting the article's main person into the role asked about ("Ri Il Kyu" as the
    director, or as Cuba's president)."""
    role = asked_role(question)
    if not role:
        return None
    around = _around_new_facts(question, text, passages, window)
    if not around or any(same_start(role, word, 4) for found in around for a in found for word in _WORDS.findall(a)):
        return None
    return Check("refused", f"No passage I found names the “{role}” you asked about.", text)


def _sentence_bounds(text: str) -> Iterator[tuple[int, int]]:
    """Where the answer's sentences are, each with the markers that follow its full stop ("... in 2013. [2]")."""
    last = 0
    for s, e in sentence_spans(text):
        tail = re.match(r"(?:\s*\[[\d\s,;]+\])+", text[e:])
        end = e + (tail.end() if tail else 0)
        if end <= last:
            continue
        yield max(s, last), end
        last = end


def _sentences(text: str) -> Iterator[str]:
    """The answer's sentences, each with the markers that follow its full stop ("... in 2013. [2]" is one)."""
    for start, end in _sentence_bounds(text):
        yield text[start:end]


def drop_idle_citations(question: str, text: str, passages: Sequence[ScoredChunk]) -> str:
    """The answer with the citations that hold nothing of their sentence dropped: where a sentence cites several
    passages and some state its new names or numbers, the markers of those that state none of them go ("eight
    concerts [3][2]" when only passage 3 says "eight"). A sentence with nothing new, or whose cited passages all
    state something of it (or none does: claim grounding's to judge), keeps its markers."""
    out: list[str] = []
    last = 0
    for start, end in _sentence_bounds(text):
        sentence = text[start:end]
        cited = [n for n in dict.fromkeys(cited_numbers(sentence)) if 1 <= n <= len(passages)]
        new = new_specifics(MARKER.sub("", sentence), question)
        idle = {n for n in cited if not new & stated(passages[n - 1].chunk.text)}
        if new and idle and len(idle) < len(cited):
            sentence = drop_markers(sentence, idle).rstrip()
        out.append(text[last:start] + sentence)
        last = end
    return "".join(out) + text[last:]


def _anchored(question: str, text: str, passages: Sequence[ScoredChunk], forgiven: Sequence[str] = ()) -> bool:
    """Whether some answer sentence has one cited article that holds both the question's specifics and its own, and
    no sentence that adds a name or number cites only articles without the question's specifics ("The Ossory
    footbridge won the design prize [3]. The prize carried 50,000 dollars [1]", [1] about another prize)."""
    chunks: dict[str, list[Chunk]] = {}
    for p in passages:
        chunks.setdefault(p.chunk.doc_id, []).append(p.chunk)
    docs = {doc: stated_by(cs) for doc, cs in chunks.items()}
    # once per article
    holds_question = {doc: not [m for m in missing_specifics(question, texts, asked=True) if m not in forgiven]
                      for doc, texts in docs.items()}
    anchored = False
    for sentence in _sentences(text):
        cited = {passages[n - 1].chunk.doc_id for n in cited_numbers(sentence) if 1 <= n <= len(passages)}
        claim = MARKER.sub("", sentence)
        if cited and not any(holds_question[doc] for doc in cited) and new_specifics(claim, question):
            return False
        anchored = anchored or any(holds_question[doc] and not missing_specifics(claim, [*docs[doc], question])
                                   for doc in cited)
    return anchored or not any(cited_numbers(text))


def _the_one_stating(claim: str, question: str, passages: Sequence[ScoredChunk]) -> int:
    """The number of the only passage that states every specific of the claim and of the question, each number for
    what the claim says it counts; 0 when none or several do."""
    whole = [i for i, p in enumerate(passages, start=1)
             if not missing_specifics(f"{claim} {question}", stated_by([p.chunk]))
             and not relabelled(claim, [p.chunk.text, question])]
    return whole[0] if len(whole) == 1 else 0


def withhold_unsupported(
    question: str, text: str, passages: Sequence[ScoredChunk]
) -> tuple[str, list[Check], dict[int, bool]]:
    """Remove answer sentences whose specifics (numbers, dates, names) neither their passages nor the question hold.

    A number counts as stated only where the passages state it for what the sentence says it counts: "480 workers"
    is withheld when the passage has only "the 480-metre bridge" (`relabelled`). A cited sentence is checked
    against its cited passages; an uncited one against all passages. A cited sentence its passages don't hold is
    cited instead to the one passage that states every specific of the sentence and of the question, when exactly
    one does: the small model states a fact right and cites its neighbour ("Brennmoor's budget in 2023 was 51
    million pounds [2][3]" over the 2022 and 2024 budgets, where [4] is 2023's). The checks after it judge the moved
    citation as any other. (Moving it to any passage that states the sentence's specifics let invented answers
    that combine real names and numbers through: dev refusals 0.43 -> 0.24.)
    Returns the kept text, one `Check` per withheld or re-cited sentence, and a verdict per cited passage number.
    """
    kept: list[str] = []
    checks: list[Check] = []
    verdicts: dict[int, bool] = {}
    for sentence in _sentences(text):
        claim = MARKER.sub("", sentence)
        numbers = [n for n in cited_numbers(sentence) if 1 <= n <= len(passages)]
        sources = stated_by([passages[n - 1].chunk for n in numbers] or [p.chunk for p in passages])
        missing = missing_specifics(claim, [*sources, question]) + relabelled(claim, [*sources, question])
        if missing and numbers:
            whole = _the_one_stating(claim, question, passages)
            if whole:
                sentence = cite_only(sentence, whole)
                numbers, missing = [whole], []
                checks.append(Check("marker-moved", "a citation was moved to the one passage that states its sentence"))
        for n in numbers:
            verdicts[n] = verdicts.get(n, True) and not missing
        if missing:
            checks.append(Check("withheld", f"{NOT_STATED}: {', '.join(missing)}", sentence.strip()))
        else:
            kept.append(sentence)
    if not checks:
        return text, checks, verdicts
    return " ".join(k.strip() for k in kept), checks, verdicts
