"""A text's specifics (numbers, years, amounts and capitalised names) and whether other texts state them.

Used twice: before answering, a question whose specifics no passage mentions is refused ("the articles mention
the U.S. Open, not in 2021"); after answering, a sentence whose specifics its cited passages don't hold is
withheld. Deterministic and cheap, and it explains itself.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from difflib import get_close_matches
from itertools import pairwise

from rag.text import IRREGULAR, STOPWORDS, sentence_spans, unmarked

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000, "dozen": 12,
}
# "1,000", "3.5", "52" (also inside "52-year-old"); a comma between digit groups is a thousands separator.
# Not the number of a team's name ("the 49ers", "the 76ers": `_TEAM`).
_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.,])\d+(?:\.\d+)?(?!\d|\.\d|ers\b)")
# A team named by a number ("the 49ers"): a name, checked as written, not a number to find.
_TEAM = re.compile(r"(?<![\w.,])\d+ers\b", re.IGNORECASE)
# A word; an initialism written with dots ("U.S.", "D.C.") is one word, not one-letter names.
_WORD = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_][\w’'-]*")
# Capitalised words that are not names of anything in particular.
_COMMON_CAPS = frozenset(
    """i i'm i've i'd a an the this that these those there here it its he she they we you his her their our
    my your in on at of for from by with to and but or if when while after before since during about as yes no
    according however also although because following meanwhile mr mrs ms dr sir
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow""".split()
)


# A month as news agencies shorten it ("Jan. 5", "Sept. 30"), read as the month's name.
_MONTHS = {"jan": "january", "feb": "february", "mar": "march", "apr": "april", "jun": "june", "jul": "july",
           "aug": "august", "sep": "september", "sept": "september", "oct": "october", "nov": "november",
           "dec": "december"}


def _norm_word(word: str) -> str:
    capital = word[:1].isupper()
    word = word.lower().replace("’", "'")
    if word.endswith(".") and "." in word[:-1]:
        return word.replace(".", "")  # "U.S." -> "us", as "US" is written
    if capital and word in _MONTHS:
        return _MONTHS[word]
    return re.sub(r"'s$|'$", "", word)


# Endings that turn one word into another form of it: a plural, a people or language, an adjective, a tense.
_ENDINGS = ("s", "es", "ns", "n", "an", "ans", "ian", "ians", "ese", "ic", "ics", "ed", "d", "ing", "ish", "y", "i",
            "is")


# A people or its language named otherwise than its country ("French" and "France", "Dutch" and "Netherlands").
_DEMONYMS = {
    "french": "france", "dutch": "netherlands", "swiss": "switzerland", "spanish": "spain", "spaniard": "spain",
    "danish": "denmark", "dane": "denmark", "irish": "ireland", "welsh": "wales", "greek": "greece", "thai":
    "thailand", "filipino": "philippines", "british": "britain", "briton": "britain", "finnish": "finland", "finn":
    "finland", "scottish": "scotland", "scot": "scotland", "swedish": "sweden", "swede": "sweden", "polish":
    "poland", "pole": "poland", "turkish": "turkey", "turk": "turkey", "norwegian": "norway", "peruvian": "peru",
    "moroccan": "morocco", "mexican": "mexico", "argentine": "argentina", "argentinian": "argentina", "afghan":
    "afghanistan", "uzbek": "uzbekistan", "kazakh": "kazakhstan", "english": "england", "cypriot": "cyprus",
    "portuguese": "portugal", "lebanese": "lebanon", "belgian": "belgium", "ukrainian": "ukraine", "czech":
    "czechia", "slovak": "slovakia", "croat": "croatia", "serb": "serbia", "chilean": "chile", "haitian": "haiti",
    "emirati": "emirates", "chinese": "china", "maltese": "malta", "congolese": "congo", "bahraini": "bahrain",
    "saudi": "arabia",  # "Saudi Arabia" named by its first word ("the Saudi government")
}


def _stems(word: str) -> set[str]:
    out = {word} | {word[: -len(e)] for e in _ENDINGS if word.endswith(e) and len(word) - len(e) >= 4}
    plural = word[:-1] if word.endswith("s") else word  # "Danes", "Poles", "Turks"
    if word in _DEMONYMS or plural in _DEMONYMS:
        out.add(_DEMONYMS.get(word) or _DEMONYMS[plural])
    return out


def _alike(a: str, b: str) -> bool:
    """One name in another form: the same stem under one of a few endings ("Democrats" and "Democratic",
    "Olympic" and "Olympics", "Korea" and "Koreans", "Japan" and "Japanese", "Italy" and "Italian"). Names that
    differ otherwise ("Harris" and "Harrison", "Brandt" and "Brandon") stay apart."""
    return a == b or bool(_stems(a) & _stems(b))


# Letters written without their marks ("Erdoğan" and "Erdogan"), and those no mark decomposes.
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_UNMARKED = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i", "œ": "oe", "þ": "th"})
# British spellings as American writing gives them ("Organisation", "Labour", "Centre", "Defence").
_AMERICAN = ((re.compile(r"is(e|ed|es|ing|ation|ations)$"), r"iz\1"), (re.compile(r"our(s?)$"), r"or\1"),
             (re.compile(r"tre(s?)$"), r"ter\1"), (re.compile(r"([fc])ence$"), r"\1ense"))


# Words news abbreviates in names and titles ("Mt. Everest", "Ft. Worth", "Gov. Newsom"), and what they stand for.
_SHORT_FOR = {
    "mt": "mount", "mtn": "mountain", "ft": "fort", "pt": "point", "st": "saint street", "ave": "avenue",
    "rd": "road", "blvd": "boulevard", "hwy": "highway", "gov": "governor", "sen": "senator",
    "rep": "representative", "gen": "general", "dr": "doctor", "prof": "professor", "univ": "university",
    "dept": "department", "intl": "international", "natl": "national", "assn": "association", "bros": "brothers",
    "jr": "junior", "sr": "senior", "corp": "corporation", "co": "company", "pres": "president",
    "gov't": "government", "govt": "government",
}


# A verb's irregular forms, for questions written in capitals ("What Did The Mayor Say?", a passage's "said"); forms
# that are also given names ("Rose", "Sung", "Hung") are left out.
_VERB_FORMS = {form: base for form, base in IRREGULAR.items() if form not in ("rose", "sung", "hung")}
_VERBS = {base: {base, *(f for f, b in _VERB_FORMS.items() if b == base)} for base in set(_VERB_FORMS.values())}


def _verb_stated(name: str, text: str, spelled: set[str]) -> bool:
    """Whether a capitalised word of `text` is a verb a source writes in another of its forms ("Say" and "said"), not
    an initialism ("SAT" is no "sat"), unless the whole question is written in capitals."""
    letters = [w for w in _WORD.findall(text) if len(w) > 1]
    if name.isupper() and sum(w.isupper() for w in letters) * 2 <= len(letters):
        return False
    w = _norm_word(name)
    forms = _VERBS.get(_VERB_FORMS.get(w, w), set())
    return any(f in spelled or any(f + e in spelled for e in _INFLECTIONS) for f in forms)


@functools.lru_cache(maxsize=16384)
def _spellings(word: str) -> frozenset[str]:
    """A normalised word in the spellings real writing gives it: without accents ("erdogan"), with a German
    umlaut written out or dropped ("müller", "mueller", "muller" are one), British as American ("organisation"
    and "organization", "labour" and "labor"), and an abbreviation as the word it stands for ("mt": "mount")."""
    plain = unmarked(word.translate(_UNMARKED))
    out = {word, plain, *_SHORT_FOR.get(plain, "").split()}
    if any(c in word for c in "äöü"):
        out.add(word.translate(_UMLAUTS))
    if re.search(r"[bcdfghjklmnpqrstvwxz](?:ae|oe|ue)", plain):
        out.add(re.sub(r"(?<=[bcdfghjklmnpqrstvwxz])([aou])e", r"\1", plain))
    if len(plain) > 5:
        for pattern, american in _AMERICAN:
            out.add(pattern.sub(american, plain))
    return frozenset(out)


_INFLECTIONS = ("s", "es", "d", "ed", "ing")


def _stated_alike(word: str, names_: set[str], have: set[str]) -> bool:
    """Whether a source states `word` in another form: a name of the sources sharing its stem ("Koreans" for
    "Korea"), or a word of theirs that only inflects it ("ruled" for a question's capitalised "Rule"; but not
    "turned" for "Turning", a misspelled "Turing")."""
    if word in have or any(_alike(word, h) for h in names_):
        return True
    stem = word[:-1] if word.endswith("e") else word
    return any(word + e in have for e in _INFLECTIONS) or stem + "ing" in have


def _capitalised(text: str) -> set[str]:
    """The words a text writes with a capital, normalised."""
    return {_norm_word(w) for w in _WORD.findall(text) if w[0].isupper()}


_GLUE = frozenset({"of", "and", "for", "the", "&"})


def _spelled_out(name: str, sources: list[str]) -> bool:
    """Whether an initialism of the question ("NHS", "GDP", "DfE") is written out in a source: words of two letters
    or more with those initials in a row, "of", "and", "for" or "the" between them allowed ("National Health
    Service", "gross domestic product"; a small letter is such a word: "Department for Education")."""
    mixed = re.fullmatch(r"(?=[A-Za-z]{3,6}$)[A-Z][a-z]?[A-Z][a-z]?[A-Z]?", name) is not None  # "DfE", "MoD"
    if re.fullmatch(r"[A-Z]{2,6}s", name):
        name = name[:-1]  # a plural: "MPs", "members of parliament"
    if not (re.fullmatch(r"[A-Z]{2,6}", name) or mixed):
        return False
    if re.fullmatch(r"C[A-Z]O", name) and _spelled_out(name[:-1], [s.replace("chief ", "Chief ") for s in sources
                                                                   if re.search(r"\b[Cc]hief\b", s)]):
        return True  # "CEO": a "chief executive", as news writes the title without "officer"
    letters = name.lower()
    for source in sources:
        found = [w.lower() for w in _WORD.findall(source)]
        for i in range(len(found)):
            at, j = 0, i
            while j < len(found) and at < len(letters):
                if mixed and name[at].islower():  # a small letter is the small word's: "f" of "for" in "DfE"
                    if found[j] not in _GLUE or found[j][0] != letters[at]:
                        break
                    at, j = at + 1, j + 1
                    continue
                if found[j] in _GLUE and at > 0:
                    j += 1
                    continue
                if len(found[j]) < 2 or found[j][0] != letters[at]:
                    break
                at, j = at + 1, j + 1
            if at == len(letters):
                return True
    return False


# Ordinals as words ("the second round", "the twenty-first century"): what a source says of "the 2nd round".
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
    "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90,
    "hundredth": 100,
}
# A capitalised word inside a sentence, before another: where an ordinal starts a name ("the Eighth Circuit").
_NAMED_ORDINAL = re.compile(r"(?<=[\w,] )([A-Z][a-z]+(?:-[a-z]+)?)(?=\s+[A-Z])")
_ROMAN = re.compile(r"(?=[IVXL])(L?X{0,3})(IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}


def _ordinals(text: str) -> set[str]:
    """The ordinals a text writes as words, as numbers: "the second round" -> "2", "twenty-first" -> "21"."""
    found = set()
    for word in _WORD.findall(text.lower()):
        parts = word.split("-")
        if parts[-1] not in _ORDINAL_WORDS:
            continue
        tens = _NUMBER_WORDS.get(parts[-2], 0) if len(parts) >= 2 else 0
        found.add(str(_ORDINAL_WORDS[parts[-1]] + (tens if tens in range(20, 100, 10) else 0)))
    return found


def _roman(word: str) -> str | None:
    """The number of a Roman numeral of two letters or more ("II" -> "2", "XIV" -> "14"), or None."""
    if len(word) < 2 or not _ROMAN.fullmatch(word):
        return None
    values = [_ROMAN_VALUES[c] for c in word]
    return str(sum(-v if v < w else v for v, w in zip(values, [*values[1:], 0], strict=True)))


def numbers(text: str) -> set[str]:
    """The numbers of a text, normalised: "10,000" -> "10000", "two" -> "2", "52-year-old" -> "52"."""
    found = {m.group().replace(",", "") for m in _NUMBER.finditer(text)}
    for word in _WORD.findall(text.lower()):
        split = word.split("-")
        if len(split) == 2 and _NUMBER_WORDS.get(split[0], 0) in range(20, 100, 10) and split[1] in _ORDINAL_WORDS:
            found.add(str(_NUMBER_WORDS[split[0]] + _ORDINAL_WORDS[split[1]]))  # "twenty-first" is 21, not 20
            continue
        parts = [_NUMBER_WORDS[p] for p in word.split("-") if p in _NUMBER_WORDS]
        if len(parts) == 2 and parts[0] in range(20, 100, 10) and parts[1] < 10:
            found.add(str(parts[0] + parts[1]))  # "fifty-two"
        else:
            found.update(str(n) for n in parts)
    # An ordinal in words that starts a name inside a sentence ("the Eighth Circuit", "Fifth Avenue") is its number.
    found.update(_ordinals(" ".join(m[1] for m in _NAMED_ORDINAL.finditer(text))))
    return {n[:-2] if n.endswith(".0") else n for n in found}


# A year as written: four digits from 1500 to 2099 with no thousands comma ("2016", not "1,800" or "1800.5").
_YEAR = re.compile(r"(?<![\w.,])(?:1[5-9]|20)\d\d(?!\d|[.,]\d)")


def years(text: str) -> set[str]:
    """The numbers of a text written as years ("until 2016" -> "2016"; "1,800 runners" has none). `_quantities`
    keeps its own looser rule (any normalised 1000-2999) for what a label counts."""
    return set(_YEAR.findall(text))


def words(text: str) -> set[str]:
    """Lowercased words of a text, possessives stripped, hyphenated words also split into their parts."""
    out: set[str] = set()
    for word in _WORD.findall(text):
        w = _norm_word(word)
        out.add(w)
        out.update(p for p in w.split("-") if p)
    return out


def names(text: str) -> list[str]:
    """Capitalised words that are not the first word of their sentence: "North", "Korea", "FIFA", "Ri"."""
    found: list[str] = []
    for s, e in sentence_spans(text) or [(0, len(text))]:
        sentence = text[s:e]
        for i, m in enumerate(_WORD.finditer(sentence)):
            word = m.group()
            # the first word of a sentence, a lowercase one, an initialism (passages spell them otherwise), a unit
            # glued to a number ("5K", "10M")
            if i == 0 or not word[0].isupper() or word.endswith(".") or sentence[m.start() - 1 : m.start()].isdigit():
                continue
            w = _norm_word(word)
            if _not_a_name(w):
                continue
            shown = re.sub(r"['’]s?$", "", word)
            if all(_norm_word(f) != w for f in found):
                found.append(shown)
    return found


def new_names(text: str, known: str) -> list[str]:
    """Capitalised words of `text`, its first word included, that are not common words and that `known` does
    not hold: the names an answer adds to its question."""
    have = words(known)
    out = []
    for word in _WORD.findall(text):
        w = _norm_word(word)
        if word[0].isupper() and w not in have and not _not_a_name(w):
            out.append(word)
    return out


# The small words of surnames ("Leonardo da Vinci", "Ursula von der Leyen", "Abdel Fattah el-Sisi").
_PARTICLES = frozenset("da de di del della van von der den ter ten la le du dos das al el bin ibn".split())


def _capital_runs(text: str, glued: bool = False, particles: bool = False) -> Iterator[list[str]]:
    """Runs of capitalised words with only spaces between them: "The Chosun Ilbo", "Ri Il Gyu". `glued`: a run
    goes on over "of", "and", "for" or "the" before a capitalised word ("Democratic Republic of the Congo"), which
    ends no run in it; `particles`: over a surname's small words ("Ursula von der Leyen")."""
    glue_words = (_GLUE if glued else frozenset()) | (_PARTICLES if particles else frozenset())
    run: list[str] = []
    glue: list[str] = []
    end = -1
    for m in _WORD.finditer(text):
        word = m.group()
        joined = text[end : m.start()].isspace()
        if word[0].isupper() and run and joined:
            run.extend(glue)
            run.append(word)
            glue = []
        elif run and joined and word.lower() in glue_words:
            glue.append(word)
        else:
            if run:
                yield run
            run = [word] if word[0].isupper() else []
            glue = []
        end = m.end()
    if run:
        yield run


def new_name_runs(text: str, known: str) -> list[str]:
    """The names `text` adds to the names of `known`, read as runs of capitalised words: a run holding one of the
    names of `known` names what `known` names ("Ri Il Gyu" for a question about "Ri"; but "the Unification Ministry"
    is new to a question about "a ministry"), and a run of common words ("The", "In") names nothing."""
    have = {w for name in names(known) for w in words(name)}
    return [" ".join(run) for run in _capital_runs(text)
            if not any(w in have for word in run for w in words(word))
            and not all(_not_a_name(_norm_word(word)) for word in run)]


def new_specifics(text: str, known: str) -> set[str]:
    """The numbers and names of `text` that `known` does not hold, normalised ("52", "ri", "spokesman-review")."""
    return (numbers(text) - numbers(known)) | {_norm_word(n) for n in new_names(text, known)}


def stated(text: str) -> set[str]:
    """Everything of a text that `new_specifics` can return: its normalised numbers and words."""
    return numbers(text) | words(text)


def _not_a_name(word: str) -> bool:
    """Whether a normalised capitalised word names nothing in particular ("The", "Monday", "Two"), or is the number
    of a name ("the Eighth Circuit": `numbers` reads it)."""
    return word in _COMMON_CAPS or word in STOPWORDS or word in _NUMBER_WORDS or word in _ORDINAL_WORDS


def specifics(text: str, *, asked: bool = False) -> list[str]:
    """Numbers first, then names, as they would be shown to a user (`asked`: of a question, see `asked_numbers`)."""
    return sorted(asked_numbers(text) if asked else numbers(text), key=lambda n: (len(n), n)) + names(text)


# "one" as a pronoun or a determiner ("How does one measure ...?", "What is one way ...?"), not a count: in a question
# it asks for no "1" that the passages must state. Hyphened ("one-year-old") it stays a number.
_ONE = re.compile(r"(?i)(?<![\w-])one(?![\w-])")


def asked_numbers(question: str) -> set[str]:
    """The numbers a question asks the passages to state: its numbers, without the word "one" (measured on squad2's
    dev split: "What is one way in which graphs can be encoded?" was refused for a "1" no passage writes)."""
    return numbers(_ONE.sub(" ", question))


# A number, digits or a word ("8,200", "4.9", "eight"), with any words hyphened to it ("480-metre", "52-year-old").
_QUANTITY = re.compile(
    r"(?<![\w.,-])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|(?i:" + "|".join(_NUMBER_WORDS) + r"))"
    r"((?:-[^\W\d_]+)*)(?!\w)"
)
_LABEL = re.compile(r"[ \t]+([^\W\d_][\w’'-]*)")
LABEL_WINDOW = 3


def _quantities(text: str) -> Iterator[tuple[str, str, list[str]]]:
    """Each number of a text that is not a year, with its label (the word hyphened to it, or the word right after
    it unless that is a stopword: "metre" in "480-metre", "runners" in "8,200 runners"; "" when none) and the
    words after it ("480-metre bridge was built" -> metre, bridge, was, built)."""
    for m in _QUANTITY.finditer(text):
        value = next(iter(numbers(m.group(1))), "")
        if not value or re.fullmatch(r"1\d{3}|2\d{3}", value):
            continue  # a year is a date, not a count of something
        joined = [w for w in m.group(2).split("-") if w]
        after = _WORD.findall(text[m.end() : m.end() + 80])[:LABEL_WINDOW]
        nxt = _LABEL.match(text, m.end())
        label = joined[0] if joined else nxt.group(1) if nxt and _norm_word(nxt.group(1)) not in STOPWORDS else ""
        yield value, label, joined + after


# An amount of money: a number with a currency sign or code before it ("$5 million", "EUR 40") or a currency's name
# after it, up to a scale word between ("140 million euros", "a 60 million euro renovation", "12-euro tickets").
CURRENCY_NAMES = (r"(?:euros?|dollars?|pounds?|sterling|yen|yuan|renminbi|francs?|kron(?:a|or|e|er)|rupees?|won|"
                  r"r[ou]bles?|pesos?|reais|real|rand|lira|lire|dinars?|dirhams?|riyals?|shekels?|zloty|forints?|"
                  r"cents?|pence)")
_SCALE = r"(?:[ \t-]*(?:thousand|million|billion|trillion|m|bn|k)\b)?"
_AMOUNT = (r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|(?i:" + "|".join(_NUMBER_WORDS) + r"))")
# Or a number right after a word only money is counted in, two words between at most ("cost 3.2 million", "paid
# a record 22 million", "a fee of 40"): an article may name its currency once and then leave it out.
# The words only money is counted in: here before an amount, in `rag.grounding` in a question that asks for one.
MONEY_WORDS = r"costs?|costing|prices?|priced|fees?|fares?|tolls?|worth|salary|wages?"
_PAID = (r"\b(?i:" + MONEY_WORDS + r"|paid|pays?|spent|spend|charged?|earned|earns?)\s+(?:[^\W\d]+\s+){0,2}")
# What a number after such a word counts when it is no money: a measure or a count of things ("cost 90 metres of
# steel", "cost 12 jobs", "paid 3 visits", "spent 5 years").
_NOT_MONEY = (r"(?![ \t-]*(?i:(?:kilo|centi|milli)?met(?:re|er)s?|km|miles?|feet|foot|ft|yards?|inches|(?:kilo)?grams?|"
              r"kg|tonnes?|tons?|pounds? of|litres?|liters?|gallons?|percent|per cent|jobs?|lives|people|persons?|"
              r"workers?|staff|visits?|trips?|points?|seats?|votes?|goals?|minutes?|hours?|days?|weeks?|months?|"
              r"years?|seasons?|games?|matches|times)\b|[ \t]*%)")
_MONEY = re.compile(
    r"(?:[$€£¥₩₹]|\b(?:US\$|USD|EUR|GBP|JPY|CHF|CNY)\s?)\s*" + _AMOUNT + _SCALE
    + r"|(?<![\w.,-])" + _AMOUNT + _SCALE + r"[ \t-]+(?i:" + CURRENCY_NAMES + r")\b"
    + r"|" + _PAID + r"(?<![\w.,-])" + _AMOUNT + r"(?![\w-])" + _NOT_MONEY
)


def money_numbers(text: str) -> set[str]:
    """The numbers a text states as amounts of money ("22 million euros", "$50,000", "a 60 million euro
    renovation", "the lighthouse cost 3.2 million"), normalised as `numbers` does them."""
    return {n for m in _MONEY.finditer(text) for n in numbers(m.group())}


def same_start(a: str, b: str, letters: int) -> bool:
    """Loosely one word: the same first `letters` letters ("year" and "years", "metre" and "meters" at three;
    "builder" and "built" at four). A word shorter than that must be the other word."""
    a, b = a.lower(), b.lower()
    return a[:letters] == b[:letters] and (len(a) >= letters or a == b)


def relabelled(text: str, sources: Iterable[str]) -> list[str]:
    """The numbers of `text` given with a label ("480 workers") where `sources` state that number only with other
    labels ("the 480-metre bridge"): a number of the passage put to another use. A source that states the number
    with no label, or with the text's label among the words after it, supports it; labels of fewer than three
    letters ("m", "km") and years are not judged, and a label ending in -ed or -ing ("600 flooded homes") gives
    way to the word after it."""
    stated_as: dict[str, list[tuple[str, list[str]]]] = {}
    for source in sources:
        for value, label, after in _quantities(source):
            stated_as.setdefault(value, []).append((label, after))
    out = []
    for value, label, after in _quantities(text):
        if re.search(r"(?:ed|ing)$", label) and len(after) > 1:
            label = after[1]
        uses = stated_as.get(value, [])
        if len(label) < 3 or _norm_word(label) in STOPWORDS or not uses or any(not u for u, _ in uses):
            continue
        if not any(same_start(label, word, 3) for _, words_after in uses for word in words_after):
            out.append(f"{value} {label}")
    return out


# A number with its scale: "1.5 million", "2.5bn", "1.2k", "$5m" (a short scale only joined to the number: "a 5 m
# wall" is metres).
_SCALED = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:[ \t-]*(thousand|million|billion|trillion)\b"
    r"|(k|m|bn|tn)\b)", re.IGNORECASE)
_SCALES = {"thousand": 10**3, "k": 10**3, "million": 10**6, "m": 10**6, "billion": 10**9, "bn": 10**9,
           "trillion": 10**12, "tn": 10**12}


def _scaled(text: str) -> dict[str, str]:
    """Each number said with a scale, and its value written out: "1.5 million" -> {"1.5": "1500000"}."""
    out = {}
    for m in _SCALED.finditer(text):
        raw = m.group(1).replace(",", "")
        value = float(raw) * _SCALES[(m.group(2) or m.group(3)).lower()]
        out[raw[:-2] if raw.endswith(".0") else raw] = str(round(value))
    return out


# An initialism with a small word's letter in lower case ("MoD", "DfE", "DoJ").
_MIXED_INITIALISM = re.compile(r"\b[A-Z][a-z]?[A-Z][a-z]?[A-Z]?\b(?<=[A-Z])")


def _initialisms(text: str) -> set[str]:
    """The initialisms a text writes in capitals, dots dropped: "U.S." and "US" -> "us", "EU" -> "eu"."""
    found = {w.replace(".", "").lower() for w in re.findall(r"\b(?:[A-Z]\.){2,}|\b[A-Z]{2,6}\b", text)}
    # with a small word's letter in lower case ("MoD", "DfE", "DoJ"): the capitals are the initials
    found.update("".join(c for c in w if c.isupper()).lower() for w in _MIXED_INITIALISM.findall(text))
    return found



def _abbreviated(text: str, have: set[str]) -> set[str]:
    """The capitalised words of `text` in runs whose initials the sources write as an initialism: "United" and
    "States" where a source says "U.S.", "European" and "Union" where it says "EU"."""
    out: set[str] = set()
    for run in _capital_runs(text, glued=True):
        words_ = [w for w in run if w.lower() not in _GLUE]
        # The run's last words may be the initialism's ("the UK's Competition and Markets Authority", "CMA"), three
        # at least then (two capitals are common letters in technical writing: "PP" is no "Prize Problems").
        for start in range(max(0, len(words_) - 1)):
            if (start == 0 or len(words_) - start >= 3) and "".join(w[0] for w in words_[start:]).lower() in have:
                out.update(_norm_word(w) for w in words_[start:])
                break
    return out


_TITLES = frozenset("""president prime minister senator sen rep governor gov mayor chancellor king queen prince
    princess lord lady judge justice general gen captain capt coach chief director professor prof secretary
    chairman chairwoman pope father sister saint st""".split())


# A title before a person's name ("Prime Minister Boris Johnson", "Secretary of State Mike Pompeo", "Gov. Andrew
# Cuomo"): news names the person without it after the first mention, so the title is not a specific of its own.
_TITLE_WORDS = _TITLES | frozenset("""minister deputy vice attorney ambassador commissioner speaker representative
    congressman congresswoman sheriff inspector sergeant sgt detective bishop archbishop cardinal rabbi rev reverend
    dr sir dame lieutenant lt colonel col major admiral commander foreign finance health defence defense home
    interior state acting exchequer team""".split())
_TITLE_CORE = _TITLE_WORDS - frozenset("prime deputy vice foreign finance health defence defense home interior state "
                                       "acting general exchequer".split())
# A company's or party's form after its name ("Apple Inc", "the Labour Party", "Chelsea FC"), and a generation ("Jr.").
_NAME_SUFFIXES = frozenset(
    "party inc corp corporation ltd plc co llc fc group holdings ag sa gmbh company jr sr jnr snr".split())
# A company's legal form, after any word ("Amazon.com Inc."), and the words of a legal name news drops before it
# ("Ford Motor Co." is "Ford").
_LEGAL_FORMS = frozenset("inc corp ltd plc llc gmbh co company corporation".split())
_LEGAL_WORDS = frozenset("motor motors holdings industries international group enterprises technologies company "
                         "corporation".split())


def _joined(text: str, a: re.Match[str], b: re.Match[str]) -> bool:
    """Whether two words stand one after the other, a space (or an abbreviation's dot and a space) between."""
    return re.fullmatch(r"\.?\s+", text[a.end() : b.start()]) is not None


def _is_name(word: str) -> bool:
    return word[0].isupper() and not _not_a_name(_norm_word(word))


def _forms_of_address(text: str) -> set[str]:
    """The words of `text` that are a title before a name or a company's form after one, normalised: "prime" and
    "minister" of "Prime Minister Boris Johnson", "party" of "the Labour Party". The name itself is still checked."""
    out: set[str] = set()
    tokens = list(_WORD.finditer(text))
    for before, m in pairwise(tokens):
        form = _norm_word(m.group())
        if form in _NAME_SUFFIXES and m.group()[0].isupper() and _joined(text, before, m) \
                and (_is_name(before.group()) or form in _LEGAL_FORMS):
            out.add(form)
            if form in _LEGAL_FORMS and _norm_word(before.group()) in _LEGAL_WORDS:
                out.add(_norm_word(before.group()))
    i = 0
    while i < len(tokens):
        title: list[str] = []
        j = i
        while j < len(tokens) and (j == i or _joined(text, tokens[j - 1], tokens[j])):
            word, norm = tokens[j].group(), _norm_word(tokens[j].group())
            if word[0].isupper() and norm in _TITLE_WORDS:
                title.append(norm)  # "Secretary", "State"
            elif not (title and norm in ("of", "the") and j + 1 < len(tokens) and tokens[j + 1].group()[0].isupper()):
                break
            j += 1
        if any(t in _TITLE_CORE for t in title) and j < len(tokens) and _is_name(tokens[j].group()) \
                and _joined(text, tokens[j - 1], tokens[j]):
            out.update(title)
        i = max(j, i + 1)
    return out


# "the Pope", "the Prime Minister", "the Mayor": an office named alone, as a question names its holder; what news
# writes for it is the holder's name ("Francis said"), which no form of writing links to the title.
_LONE_TITLE = re.compile(r"\bthe\s+((?:[A-Z][a-z]+\s+){0,2}[A-Z][a-z]+)\b(?!['’]?s?\s+[A-Z])(?!\s+of\s+[A-Z])")


def _lone_titles(text: str) -> set[str]:
    """The words of the offices `text` names alone ("the Pope", "the Prime Minister"; not "the Prime Minister of
    Japan" nor "Prime Minister Kishida", whose title is `_forms_of_address`'s), normalised."""
    out: set[str] = set()
    for m in _LONE_TITLE.finditer(text):
        run = [_norm_word(w) for w in m[1].split()]
        if all(w in _TITLE_WORDS for w in run) and any(w in _TITLE_CORE for w in run):
            out.update(run)
    return out


# A number an answer or a question gives as an approximation ("nearly 30,000", "about 1,500"): stated by a number of
# the sources within a tenth of it, when it is round (a count rounded in the telling, not a figure read off).
_APPROXIMATE = re.compile(r"(?i)\b(?:nearly|almost|about|around|roughly|approximately|some|close\s+to|just\s+(?:over|"
                          r"under)|more\s+than|over|under|fewer\s+than|less\s+than|up\s+to)\s+"
                          r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\d.,]\d)")


def _approximate(text: str) -> set[str]:
    """The numbers `text` gives as approximations, normalised ("nearly 30,000" -> "30000", "almost 84 million" ->
    "84")."""
    return {m[1].replace(",", "") for m in _APPROXIMATE.finditer(text)}


def _close_to(number: str, have: set[str]) -> bool:
    """Whether `number` (with its scale) is round, and a number of `have` within a tenth of it."""
    value = float(number)
    if value < 20 or value % 10:
        return False
    return any(abs(float(h) - value) <= 0.1 * value for h in have)


def _surname_use(surname: str, sources: list[str]) -> str:
    """How the sources write a surname, in one pass over them: "common" (lowercase somewhere: "the marathon"),
    "other" (after another name: "Tom Johnson"), "alone" ("Mr Johnson", "Johnson said") or "absent"."""
    use = "absent"
    for source in sources:
        tokens = list(_WORD.finditer(source))
        for i, m in enumerate(tokens):
            if _norm_word(m.group()) != surname:
                continue
            if m.group()[0].islower():
                return "common"
            start = i
            while start > 0 and tokens[start - 1].group().lower() in _PARTICLES:
                start -= 1  # "da Vinci", "Von der Leyen": the word before the surname's particles
            previous = tokens[start - 1] if start > 0 else None
            if previous is not None and _is_name(previous.group()) and _norm_word(previous.group()) not in _TITLES \
                    and source[previous.end() : tokens[start].start()].isspace():
                use = "other"
            elif use == "absent":
                use = "alone"
    return use


def _given_name(name: str, text: str, sources: list[str]) -> bool:
    """Whether `name` is a given name of `text` ("Boris" in "Boris Johnson") whose surname the sources use alone
    ("Mr Johnson said", "Johnson said"), as news does after the first mention, and never after another name
    ("Tom Johnson", "the Harlow Marathon" for a question about "the Kelvaar Marathon"), nor as a common word
    ("the marathon")."""
    for run in _capital_runs(text, particles=True):
        normed = [_norm_word(w) for w in run]
        if _norm_word(name) not in normed[:-1] or _norm_word(name) in _PARTICLES:
            continue
        after = normed[normed.index(_norm_word(name)) + 1 :]
        use = _surname_use(next((w for w in after if w not in _PARTICLES), after[-1]), sources)
        if use == "other":
            return False  # someone else of that name
        if use == "alone":
            return True
    return False


_TITLED = "|".join(sorted(t.title() for t in _TITLE_WORDS))  # the title words, as written before a name


def _surname_first(name: str, text: str, sources: list[str]) -> bool:
    """Whether `name` is the given name after a surname written first ("Jinping" of "Xi Jinping", "Jong Un" of "Kim
    Jong Un") that a source uses alone after a title, as news writes such names ("President Xi said", "Mr Kim")."""
    for run in _capital_runs(text):
        if len(run) < 2 or _norm_word(name) not in [_norm_word(w) for w in run[1:]]:
            continue
        after_title = re.compile(rf"(?<![\w-])(?:{_TITLED})\.?\s+{re.escape(run[0])}(?![\w'’-])(?!\s+[A-Z])")
        if any(after_title.search(s) for s in sources):
            return True
    return False


_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december")
# A date as data writes it ("2021-03-05") and a fiscal year as business news does ("FY2021", "FY 21").
_ISO_DATE = re.compile(r"(?<![\w-])((?:1[5-9]|20)\d\d)-(0?[1-9]|1[0-2])-(0?[1-9]|[12]\d|3[01])(?![\w-])")
_FISCAL = re.compile(r"\bFY\s?(\d{4}|\d{2})\b")
# Years written short: a season or span ("the 2018-19 season", "2018/19"), a year after an apostrophe ("in '18"),
# a decade ("the '90s", "the 1990s", "the 90s").
_YEAR_SPAN = re.compile(r"(?<![\w.,])((?:1[5-9]|20)\d)(\d)\s?[-–/]\s?(\d\d)(?![\d.,]|[-–/]\d)")
_SHORT_YEAR = re.compile(r"(?<![\w'’])['’](\d\d)(s?)(?![\w'’])")
_DECADE = re.compile(r"(?<![\w.,])(?:1[5-9]|20)(\d0)s\b")


_QUARTER = re.compile(r"\b(?:Q([1-4])|([1-4])Q)\b")
_FINAL_QUARTER = re.compile(r"(?i)\bfinal quarter\b")
# A decade in words ("the nineties", "the nineteen-eighties"), as a decade in figures ("the '90s", "the 1980s").
_DECADES = {"twenties": "20", "thirties": "30", "forties": "40", "fifties": "50", "sixties": "60",
            "seventies": "70", "eighties": "80", "nineties": "90"}
_DECADE_WORDS = re.compile(r"(?i)\bthe\s+(nineteen[\s-])?(" + "|".join(_DECADES) + r")\b")
_HALF_A = re.compile(r"(?i)\bhalf an? (million|billion|trillion)\b")
# Thousands grouped by a space, as French, SI and some agencies write them ("10 000", "1 500 000").
_SPACED = re.compile(r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\w.,]?\d)")
# A time of day on the 24-hour clock ("15:00", "09:30").
_CLOCK = re.compile(r"(?<![\w:.])([01]?\d|2[0-3]):([0-5]\d)(?![\w:])")
_ORDINAL_OF = {"1": "1st", "2": "2nd", "3": "3rd", "4": "4th"}


def _clock(m: re.Match[str]) -> str:
    """A 24-hour time as a 12-hour one: "15:00" -> "3 p.m.", "09:30" -> "9:30 a.m."."""
    hour, minutes = int(m[1]), m[2]
    twelve = hour - 12 if hour > 12 else hour or 12
    return f"{twelve}{'' if minutes == '00' else ':' + minutes} {'p.m.' if hour >= 12 else 'a.m.'}"


_SMALL_WORDS = "|".join(w for w, n in _NUMBER_WORDS.items() if 0 < n < 100)
# A count in words with its scale ("two hundred", "twenty-five thousand", "a million", "two and a half million").
_WORDS_SCALED = re.compile(
    r"(?i)\b(a|" + _SMALL_WORDS + r")(?:-(" + _SMALL_WORDS + r"))?( and a half)?"
    r"\s+(hundred|thousand|million|billion)\b")


def _scaled_words(m: re.Match[str]) -> str:
    """"two hundred" -> "200", "twenty-five thousand" -> "25000", "two and a half million" -> "2.5 million"."""
    value = 1.0 if m[1].lower() == "a" else float(_NUMBER_WORDS[m[1].lower()])
    value += _NUMBER_WORDS[m[2].lower()] if m[2] else 0
    value += 0.5 if m[3] else 0
    scale = m[4].lower()
    if scale in ("million", "billion"):
        return f"{value:g} {scale}"
    return f"{value * (100 if scale == 'hundred' else 1000):g}"


# "the Group of Seven", "G-20": the groups of nations news names by their count, as "G7" names them (a name, not a
# number the question asks for).
_GROUP_OF = re.compile(r"\bG-(\d{1,2})\b|\bGroup of (\d{1,2}|" + "|".join(w.title() for w in _NUMBER_WORDS) + r")\b")
# Holidays on a fixed date, and days news names by their date ("9/11"), as their date: "on Christmas Day" is "on 25
# December".
_HOLIDAYS = {"christmas eve": "24 December", "christmas day": "25 December", "boxing day": "26 December",
             "new year's eve": "31 December", "new year's day": "1 January", "valentine's day": "14 February",
             "st. patrick's day": "17 March", "st patrick's day": "17 March", "saint patrick's day": "17 March",
             "fourth of july": "4 July", "july fourth": "4 July", "bastille day": "14 July", "halloween": "31 October",
             "armistice day": "11 November", "9/11": "11 September"}
_HOLIDAY = re.compile(r"(?i)\b(?:" + "|".join(re.escape(h).replace("'", "['’]") for h in _HOLIDAYS) + r")(?![\w'’])")
# A stretch of weeks in days ("two weeks", "a 2-week strike", "a fortnight"), as a "14-day strike" gives it.
_WEEKS = re.compile(r"(?i)\b(\d{1,2}|" + _SMALL_WORDS + r")([ -])weeks?\b|\ba fortnight\b")
# Whole days in hours ("a 48-hour strike" is "a 2-day strike", "72 hours" is "3 days").
_HOURS = re.compile(r"(?i)(?<![\w.,])(24|48|72|96)([ -])hours?\b")
# Anniversaries and ages news names in words ("the centenary" is the 100th anniversary, "a centenarian" is 100).
_CENTURIES = re.compile(r"(?i)\b(?:(bi)?centen(?:ary|nial)|(sesqui)centennial|(centenarian))\b")
# A number and a half in words ("four and a half percent" is 4.5).
_AND_A_HALF = re.compile(r"(?i)\b(\d+|" + _SMALL_WORDS + r") and a half\b")
# A temperature's unit: "40C", "40 °C", "104F", "40 degrees C" are "40 degrees Celsius" (or Fahrenheit).
_DEGREES = re.compile(r"(?<![\w.])(-?\d+(?:\.\d+)?)(?:\s?°\s?|\s?degrees\s)?([CF])(?![\w'’])|°([CF])\b")
# Thousands grouped by full stops, as continental writing gives them ("10.000", "1.500.000"); one group only when it
# is "000", since "2.125" is more often a decimal.
_DOTTED = re.compile(r"(?<![\w.,])[1-9]\d{0,2}(?:(?:\.\d{3}){2,}|\.000)(?![\w.,]?\d)")
# The world wars by their number, however written: "the Second World War", "World War Two", "WWII", "WW2" are
# "World War 2" (so that "World War I" asks for a 1 that a passage about the second does not state).
_WORLD_WAR = re.compile(r"(?i)\b(?:(first|second)\s+world\s+war|world\s+war\s+(one|two|i{1,2}|[12])|ww\s?(i{1,2}|[12])"
                        r"|the\s+(great)\s+war)\b")
_WAR_NUMBER = {"first": 1, "second": 2, "one": 1, "two": 2, "i": 1, "ii": 2, "1": 1, "2": 2, "great": 1}
# Formula One as motor-racing news shortens it ("F1").
_FORMULA_ONE = re.compile(r"\bF1\b|\b[Ff]ormula[ -](?:[Oo]ne|1)\b")
# A US state as news agencies shorten it with a full stop ("Calif.", "Fla."); "Miss.", "Mass.", "La." and "Ind."
# are left alone (a title, a church service, a word, a party).
_STATES = {"Ala": "Alabama", "Ariz": "Arizona", "Ark": "Arkansas", "Calif": "California", "Colo": "Colorado",
           "Conn": "Connecticut", "Del": "Delaware", "Fla": "Florida", "Ga": "Georgia", "Ill": "Illinois",
           "Kan": "Kansas", "Ky": "Kentucky", "Md": "Maryland", "Mich": "Michigan", "Minn": "Minnesota",
           "Mo": "Missouri", "Mont": "Montana", "Neb": "Nebraska", "Nev": "Nevada", "Okla": "Oklahoma",
           "Ore": "Oregon", "Pa": "Pennsylvania", "Tenn": "Tennessee", "Tex": "Texas", "Vt": "Vermont",
           "Va": "Virginia", "Wash": "Washington", "Wis": "Wisconsin", "Wyo": "Wyoming"}
_STATE = re.compile(r"(?<![\w.])(" + "|".join(_STATES) + r")\.(?=[\s,;)?!]|$)")
# A share in words, as a percentage ("a quarter of voters" is "25 percent of voters"; not "a quarter of an hour");
# two thirds are left alone (written 66 and 67 percent).
_SHARE = re.compile(r"(?i)\b(?:(?:a|one)[ -](quarter|third|fifth|tenth)|three[ -](quarters))\s+of\b(?!\s+an?\b)")
_SHARES = {"quarter": 25, "third": 33, "quarters": 75, "fifth": 20, "tenth": 10}
# A fraction of a point, as rates and indices move ("a quarter of a percentage point", "a quarter-point", "half a
# point" are "0.25 percentage point", "0.25 point", "0.5 point").
_POINT_SHARE = re.compile(r"(?i)\b(?:(?:a|one)[ -](quarter)|three[ -](quarters)|(half))(?:\s+of\s+an?|\s+an?)?[ -]"
                          r"(?=(?:percentage[ -])?points?\b)")
_POINT_SHARES = {"quarter": "0.25", "quarters": "0.75", "half": "0.5"}
# A date in figures whose day is over 12, so that its order is plain ("20/03/2024", "03/20/2024").
_SLASH_DATE = re.compile(r"(?<![\w/])(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)(?![\w/])")
# An initialism and its number, however joined ("GPT-4", "COP 28", "F-16"): one name, as "GPT4" writes it; and
# Covid-19 as Covid.
_NUMBERED = re.compile(r"\b([A-Z]{2,5})[- ](\d{1,3})\b(?![.,]\d)")
_COVID = re.compile(r"(?i)\bcovid[- ]?19\b")
# Initials joined by "&" ("M&S", "AT&T"): one initialism.
_AMPERSAND = re.compile(r"\b([A-Z]{1,2})&([A-Z]{1,2})\b")


def _slash_date(m: re.Match[str]) -> str:
    first, second = int(m[1]), int(m[2])
    if 31 >= first > 12 >= second >= 1:
        return f"{first} {_MONTH_NAMES[second - 1].title()} {m[3]}"
    if 31 >= second > 12 >= first >= 1:
        return f"{second} {_MONTH_NAMES[first - 1].title()} {m[3]}"
    return m[0]


def _in_days(m: re.Match[str]) -> str:
    if m[1] is None:
        return "14 days"
    count = int(m[1]) if m[1].isdigit() else _NUMBER_WORDS[m[1].lower()]
    return f"{count * 7}{m[2]}day{'s' if m[2] == ' ' else ''}"


def _degrees(m: re.Match[str]) -> str:
    unit = "Celsius" if (m[2] or m[3]).upper() == "C" else "Fahrenheit"
    return f"{m[1]} degrees {unit}" if m[1] else f"degrees {unit}"


@functools.lru_cache(maxsize=1024)
def in_prose(text: str) -> str:
    """`text` with the forms data and business writing give dates and numbers in the words of prose, so that each
    form states, and asks for, the same numbers and month: "2021-03-05" -> "5 March 2021", "FY2021" -> "fiscal
    year 2021", "Q2" -> "2nd quarter", "half a million" -> "0.5 million", "two hundred" -> "200", "10 000" ->
    "10000", "15:00" -> "3 p.m.", "10.000" -> "10000", "the Group of Seven" -> "G7", "Christmas Day" -> "25 December",
    "two weeks" -> "14 days", "40C" -> "40 degrees Celsius", "WWII" -> "World War 2", "F1" -> "Formula 1",
    "Calif." -> "California", "a quarter of" -> "25 percent of", "20/03/2024" -> "20 March 2024", "M&S" -> "MS",
    "GPT-4" -> "GPT4", "Covid-19" -> "Covid"."""
    text = _ISO_DATE.sub(lambda m: f"{int(m[3])} {_MONTH_NAMES[int(m[2]) - 1].title()} {m[1]}", text)
    text = _FISCAL.sub(lambda m: f"fiscal year {m[1] if len(m[1]) == 4 else '20' + m[1]}", text)
    text = _QUARTER.sub(lambda m: f"{_ORDINAL_OF[m[1] or m[2]]} quarter", text)
    text = _FINAL_QUARTER.sub("4th quarter", text)
    text = _DECADE_WORDS.sub(lambda m: "the " + ("19" if m[1] else "'") + _DECADES[m[2].lower()] + "s", text)
    text = _HALF_A.sub(lambda m: f"0.5 {m[1]}", text)
    text = _WORDS_SCALED.sub(_scaled_words, text)
    text = _SPACED.sub(lambda m: re.sub(r"\D", "", m[0]), text)
    text = _DOTTED.sub(lambda m: m[0].replace(".", ""), text)
    text = _GROUP_OF.sub(lambda m: f"G{m[1] or _NUMBER_WORDS.get(m[2].lower(), m[2])}", text)
    text = _HOLIDAY.sub(lambda m: _HOLIDAYS[m[0].lower().replace("’", "'")], text)
    text = _WEEKS.sub(_in_days, text)
    text = _HOURS.sub(lambda m: f"{int(m[1]) // 24}{m[2]}day{'s' if m[2] == ' ' else ''}", text)
    text = _CENTURIES.sub(lambda m: "100-year-old" if m[3] else f"{200 if m[1] else 150 if m[2] else 100}th "
                          "anniversary", text)
    text = _AND_A_HALF.sub(lambda m: f"{int(m[1]) if m[1].isdigit() else _NUMBER_WORDS[m[1].lower()]}.5", text)
    text = _DEGREES.sub(_degrees, text)
    text = _WORLD_WAR.sub(lambda m: f"World War {_WAR_NUMBER[next(g for g in m.groups() if g).lower()]}", text)
    text = _FORMULA_ONE.sub("Formula 1", text)
    text = _STATE.sub(lambda m: _STATES[m[1]], text)
    text = _POINT_SHARE.sub(lambda m: f"{_POINT_SHARES[(m[1] or m[2] or m[3]).lower()]} ", text)
    text = _SHARE.sub(lambda m: f"{_SHARES[(m[1] or m[2]).lower()]} percent of", text)
    text = _SLASH_DATE.sub(_slash_date, text)
    text = _AMPERSAND.sub(r"\1\2", text)
    text = _NUMBERED.sub(r"\1\2", text)
    text = _COVID.sub("Covid", text)
    return _CLOCK.sub(_clock, text)


# A decade a question asks about ("the 2010s", "the mid-2010s"): any year of it states it.
_DECADE_ASKED = re.compile(r"(?<![\w.,])((?:1[5-9]|20)\d0)s\b")


def _short_years(text: str) -> set[str]:
    """The years a text writes short, in full: "2018-19" -> "2019", "'18" -> "1918" and "2018", "the '90s" ->
    "1990" and "2090", and "the 1990s" -> "90" (a question's "90s")."""
    found: set[str] = set()
    for m in _YEAR_SPAN.finditer(text):
        first = int(m[1] + m[2])
        second = first - first % 100 + int(m[3])
        if 0 < second - first < 10 or second + 100 - first < 10:  # the next years of one span: "1999-00" -> 2000
            found.add(str(second if second > first else second + 100))
    for m in _SHORT_YEAR.finditer(text):
        found.update({"19" + m[1], "20" + m[1]})
    found.update(m[1] for m in _DECADE.finditer(text))
    return found


# One place or body that news names in several ways: a government by its capital ("Pyongyang said" for North Korea),
# a renamed city, a common short name. Each group: its city names, "::", its other names. A question's name is stated
# by a source that writes another name of its group; a city the question names as a place ("in Berlin") only by
# another name of the city (a rally in Berlin is not stated by one in Munich, Germany).
_ALIASES: tuple[tuple[frozenset[str], frozenset[str]], ...] = tuple(
    (frozenset(c for c in cities.split("|") if c), frozenset(o for o in others.split("|") if o))
    for cities, others in (line.split("::") for line in """
washington::united states|us|usa|united states of america|america|white house
beijing|peking::china
moscow::russia|kremlin
kyiv|kiev::ukraine
london::britain|united kingdom|uk|downing street
paris::france|elysee
berlin::germany
tokyo::japan
seoul::south korea
pyongyang::north korea
tehran::iran
jerusalem::israel
ankara::turkey|turkiye
new delhi|delhi::india
islamabad::pakistan
kabul::afghanistan
baghdad::iraq
damascus::syria
riyadh::saudi arabia
cairo::egypt
brussels::european union|eu|european commission|european parliament|european council|european court of justice|ecj
rome::italy
madrid::spain
ottawa::canada
canberra::australia
brasilia::brazil
havana::cuba
caracas::venezuela
taipei::taiwan
hanoi::vietnam
manila::philippines
jakarta::indonesia
warsaw::poland
budapest::hungary
minsk::belarus
athens::greece
stockholm::sweden
oslo::norway
copenhagen::denmark
helsinki::finland
dublin::ireland
lisbon::portugal
vienna::austria
bern::switzerland
the hague::netherlands|holland
nairobi::kenya
pretoria::south africa
abuja::nigeria
addis ababa::ethiopia
doha::qatar
abu dhabi::united arab emirates|uae
beirut::lebanon
amman::jordan
::myanmar|burma
mumbai|bombay::
kharkiv|kharkov::
odesa|odessa::
lviv|lvov::
mykolaiv|nikolaev::
zaporizhzhia|zaporizhia|zaporozhye::
luhansk|lugansk::
dnipro|dnepr|dnipropetrovsk::
chennai|madras::
kolkata|calcutta::
::fed|federal reserve
::tories|tory|conservatives|conservative|conservative party
::oscars|academy awards|academy award
::mideast|middle east
new york city|new york|nyc::
::manchester united|man utd
::euro|euros|european championship|european championships
::covid|covid-19|coronavirus
::olympics|olympic games|games
::soviet union|ussr|soviets
::republicans|republican party|gop
::democrats|democratic party|dems
::liberal democrats|liberal democrat|lib dems|lib dem
::premier league|premiership
::dow jones|dow
::tube|london underground
::vw|volkswagen
::co2|carbon dioxide
::pentagon|department of defense|defense department
""".strip().splitlines()))
# Words before a city named as a place.
_LOCATIVE = re.compile(r"\b(?:in|at|near|outside|around|across|into|from|through|to)\s+$")


@functools.lru_cache(maxsize=256)
def _phrased(text: str) -> str:
    """The text's words, lower case, accents dropped, one space before and after each (to find phrases in); the
    pronoun "us" (lower case) is left out, so that only "US" or "U.S." names the country."""
    return " " + " ".join(_norm_word(w) for w in _WORD.findall(unmarked(text)) if w != "us") + " "


def _aliased(text: str, sources: list[str]) -> set[str]:
    """The words of `text`'s names that a source states by another name of one place or body ("Pyongyang" asked,
    "North Korea" written; "Kiev" and "Kyiv"; "the Fed" and "the Federal Reserve")."""
    asked = _phrased(text)
    named = [(cities, others, phrase, asked.find(f" {phrase} ")) for cities, others in _ALIASES
             for phrase in cities | others if f" {phrase} " in asked]
    if not named:
        return set()  # most questions name none: the sources are not read
    said = "".join(_phrased(s) for s in sources)
    out: set[str] = set()
    for cities, others, phrase, at in named:
        place = phrase in cities and _LOCATIVE.search(asked[: at + 1]) is not None
        if any(f" {p} " in said for p in (cities if place else cities | others) - {phrase}):
            out.update(phrase.split())
    return out


def missing_specifics(text: str, sources: Iterable[str], *, asked: bool = False) -> list[str]:
    """The specifics of `text` that none of `sources` states. `asked`: `text` is a question (`asked_numbers`)."""
    return list(_missing(in_prose(text), tuple(in_prose(s) for s in sources), asked))


@functools.lru_cache(maxsize=64)
def _missing(text: str, sources: tuple[str, ...], asked: bool) -> tuple[str, ...]:
    """`missing_specifics`, kept for the last few calls: a question is checked against the same passages by the
    gate, the scores and the refusal's words."""
    pool = list(sources)
    have_numbers: set[str] = set().union(*(numbers(s) for s in pool)) if pool else set()
    have_numbers |= {v for s in pool for v in _scaled(s).values()}
    have_numbers |= {y for s in pool for y in _short_years(s)}  # "2019" is stated by "the 2018-19 season"
    have_words: set[str] = set().union(*(words(s) for s in pool)) if pool else set()
    scaled = _scaled(text)  # "1.5 million" is stated by "1,500,000", and "1,200" by "1.2k"
    missing = [n for n in sorted(asked_numbers(text) if asked else numbers(text), key=lambda n: (len(n), n))
               if n not in have_numbers and scaled.get(n) not in have_numbers]
    # A year asked short is stated by its full year ("the '08 crash" by "2008"), a decade by a year of it ("the
    # 2010s", "the mid-2010s" by "in 2015"); the sources' years are read once, only when either is missing.
    shorts = {m[1] for m in _SHORT_YEAR.finditer(text)} & set(missing)
    decades = {m[1] for m in _DECADE_ASKED.finditer(text)} & set(missing)
    if shorts or decades:
        have_years = {y for s in pool for y in years(s)}
        missing = [n for n in missing if not (n in shorts and any(y[2:] == n for y in have_years))
                   and not (n in decades and any(y[:3] == n[:3] for y in have_years))]
    # A team named by a number ("the 49ers"), stated only as written.
    missing += [t for t in dict.fromkeys(m[0] for m in _TEAM.finditer(text))
                if not any(re.search(rf"(?<![\w.,]){t}\b", s, re.IGNORECASE) for s in pool)]
    spanned = [n for n in missing if re.fullmatch(_A_YEAR, n)]
    if spanned:  # "in 2015" is stated by "from 2014 to 2016", "2014-2016", "between 2014 and 2016"
        within = _within_spans(pool)
        missing = [n for n in missing if not (n in spanned and any(a < int(n) < b for a, b in within))]
    approx = _approximate(text) & set(missing)
    if approx:  # "nearly 30,000" is stated by "29,437", "almost 84 million" by "83.9 million"
        missing = [n for n in missing if not (n in approx and _close_to(scaled.get(n, n), have_numbers))]
    found = names(text)
    if missing or any(_roman(n) for n in found):  # the sources' ordinals ("second"), read only when they may count
        have_numbers |= {n for s in pool for n in _ordinals(s)}
        missing = [n for n in missing if n not in have_numbers]
    have_names: set[str] | None = None  # read from the sources only when a name is not found as written
    spelled: set[str] = set()
    abbreviated: set[str] = set()
    addressed: set[str] = set()
    for name in found:
        w = _COMPOUND.sub("", _norm_word(name))  # "York-based", "COVID-era": the name before the common word
        parts = [p for p in w.split("-") if p]
        if w in have_words or all(p in have_words for p in parts):
            continue
        if not spelled:  # the sources' words in every spelling, read only when a name is not found as written
            spelled = {v for h in have_words for v in _spellings(h)}
        if _spellings(w) & spelled or (parts and all(_spellings(p) & spelled for p in parts)):
            continue
        if have_names is None:
            have_names = {v for s in pool for c in _capitalised(s) for v in _spellings(c)}
            abbreviated = _abbreviated(text, set().union(*(_initialisms(s) for s in pool))) if pool else set()
            addressed = _forms_of_address(text) | _aliased(text, pool)
            if not have_words & _TITLE_CORE:  # sources that name offices must name the one asked about
                addressed |= _lone_titles(text)
        # Real writing names one thing in several forms: a plural, an adjective, a verb capitalised in the
        # question, an initialism written out or used for the words, a surname alone, a title or a company's form
        # beside a name, a Roman numeral as a number ("World War II", "the Second World War"), another spelling
        # (`_spellings`), another name of one place or body (`_aliased`: "Pyongyang" for "North Korea").
        if w in abbreviated or w in addressed or _norm_word(unmarked(name)) in addressed \
                or _roman(name) in have_numbers \
                or any(_stated_alike(v, have_names, spelled) for v in _spellings(w)) \
                or (parts and all(any(_stated_alike(v, have_names, spelled) for v in _spellings(p)) for p in parts)) \
                or _spelled_out(name, pool) or _given_name(name, text, pool) or _surname_first(name, text, pool) \
                or _clipped(name, text, pool) \
                or _place_head(name, text, pool) or _run_together(name, text, pool) \
                or _regnal(name, text, pool) or _numbered_initials(name, pool) or _number_left_out(w, have_words) \
                or _verb_stated(name, text, spelled):
            continue
        missing.append(name)
    return tuple(missing)


# The kind of place after a place's name, which news drops once the place is known ("Heathrow Airport" is
# "Heathrow", "the Gaza Strip" is "Gaza").
_PLACE_HEADS = frozenset("airport station stadium arena strip island islands lake bay bridge cathedral palace museum "
                         "festival".split())


def _place_head(name: str, text: str, sources: list[str]) -> bool:
    """Whether `name` is the kind of place after a name in `text` ("Airport" of "Heathrow Airport") that a source
    writes alone, not before another capitalised word ("Heathrow said"; not "Victoria Park" for "Victoria
    Station")."""
    if name.lower() not in _PLACE_HEADS:
        return False
    m = re.search(rf"(?<![\w-])([A-Z][\w'’-]*)\s+{re.escape(name)}(?![\w-])", text)
    if m is None or _not_a_name(_norm_word(m[1])):
        return False
    alone = re.compile(rf"(?<![\w-]){re.escape(m[1])}(?:['’]s)?(?![\w'’-])(?!\s+[A-Z])")
    return any(alone.search(s) for s in sources)


def _regnal(name: str, text: str, sources: list[str]) -> bool:
    """Whether `name` is a Roman numeral after a name ("III" of "King Charles III") that a source writes without one
    ("King Charles said"; not "Charles II")."""
    if _roman(name) is None:
        return False
    m = re.search(rf"([A-Z][a-z]+)\s+{re.escape(name)}(?![\w-])", text)
    if m is None:
        return False
    bare = re.compile(rf"(?<![\w-]){re.escape(m[1])}(?![\w'’-])(?!\s+[IVXL]+\b)")
    return any(bare.search(s) for s in sources)


# A common word hyphened after a name makes an adjective of it ("a New York-based firm", "COVID-era rules", "a
# Kremlin-backed group"): the name is what a source must state.
_COMPOUND = re.compile(r"-(?:based|born|bred|era|led|backed|owned|run|made|style|funded|linked|bound|related|focused|"
                       r"centric|wide|area|registered|listed|headquartered|controlled|affiliated|allied|aligned|"
                       r"friendly|inspired|themed|educated|trained)$")
# A span of years a source states ("from 2014 to 2016", "2014-2016", "between 2014 and 2016", "2014 to 2016").
_A_YEAR = r"(1[5-9]\d\d|2\d\d\d)"
_SPAN_OF_YEARS = re.compile(rf"(?<![\w.,])(?:between\s+{_A_YEAR}\s+and\s+{_A_YEAR}"
                            rf"|{_A_YEAR}\s*(?:[-–]|to|until|till|through)\s*{_A_YEAR})(?!\d|[.,]\d)")


def _within_spans(sources: list[str]) -> list[tuple[int, int]]:
    """The spans of years the sources state (at most 50 years long), as (first, last)."""
    spans = [(int(m[1] or m[3]), int(m[2] or m[4])) for s in sources for m in _SPAN_OF_YEARS.finditer(s)]
    return [(a, b) for a, b in spans if 0 < b - a <= 50]


def _number_left_out(word: str, have_words: set[str]) -> bool:
    """Whether a source writes initials asked alone with a number after them ("the FTSE" as "FTSE 100", which reads
    as "FTSE100"; not "MH17" as "MH370": a name asked with its number keeps it)."""
    return word.isalpha() and len(word) >= 2 and any(h.startswith(word) and h[len(word):].isdigit()
                                                     for h in have_words)


def _numbered_initials(name: str, sources: list[str]) -> bool:
    """Whether a source writes out an initialism with its number ("HS2" as "High Speed 2"; not "High Speed 3")."""
    m = re.fullmatch(r"([A-Z]{2,4})(\d{1,3})", name)
    if m is None:
        return False
    words = r"\s+".join(rf"{letter}[a-z]+" for letter in m[1])
    spelled = re.compile(rf"(?<![\w-]){words}[\s-]+{m[2]}(?![\d.,]?\d)")
    return any(spelled.search(s) for s in sources)


def _run_together(name: str, text: str, sources: list[str]) -> bool:
    """Whether a source writes a name's words run together where `text` spaces them, or the other way round:
    "OpenAI" and "Open AI", "JPMorgan" and "JP Morgan"."""
    if re.fullmatch(r"[A-Z]+[a-z]+[A-Z]\w*|[A-Z]{2,}[A-Z][a-z]\w*", name):  # "OpenAI", "JPMorgan": spaced inside
        parts = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name).split()
        spaced = re.compile(r"(?<![\w-])" + r"\s+".join(map(re.escape, parts)) + r"(?![\w-])")
        return any(spaced.search(s) for s in sources)
    m = re.search(rf"(?<![\w-])(?:([A-Z][\w'’-]*)\s+)?{re.escape(name)}(?:\s+([A-Z][\w'’-]*))?(?![\w-])", text)
    if m is None:
        return False
    joined = [w for w in (m[1] and m[1] + name, m[2] and name + m[2]) if w]
    return any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", s, re.IGNORECASE) for w in joined for s in sources)


def _clipped(name: str, text: str, sources: list[str]) -> bool:
    """Whether a source writes a name's word whole where `text` clips it, or clips it where `text` writes it whole,
    before the same next word: "Met Police" and "Metropolitan Police", "Man United" and "Manchester United" (three
    letters at least; "Man City" is not "Manchester United")."""
    m = re.search(rf"(?<![\w-]){re.escape(name)}\.?\s+([A-Z][\w'’-]*)", text)
    if m is None or len(name) < 3:
        return False
    after = re.compile(rf"(?<![\w-])([A-Z][a-z]+)\.?\s+{re.escape(m[1])}(?![\w-])")
    return any(word != name and (word.startswith(name) or name.startswith(word)) and len(word) >= 3
               for s in sources for word in after.findall(s))


def _quoted(items: list[str], last: str = "or") -> str:
    shown = [f"“{i}”" for i in items]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" {last} {shown[-1]}"


_CAPITALISED = re.compile(r"\b[A-Z][a-z][\w'’-]*")
# difflib's ratio at least: "Hatmanis" / "Hartmanis" 0.94, "Vesby" / "Vessby" 0.91, not "Edward" / "Edmonds" 0.62
NEAR_SPELLING = 0.8


def spelled_alike(missing: list[str], sources: Iterable[str]) -> list[str]:
    """For each missing name, a capitalised word of the sources spelled almost like it ("Hartmanis" for
    "Hatmanis"), where there is one. Only for the refusal's words: a near spelling may be another name, so it is
    offered, never assumed."""
    names = [m for m in missing if m.isalpha()]
    if not names:
        return []
    words = sorted({w for s in sources for w in _CAPITALISED.findall(s)})  # read once for every missing name
    close = (get_close_matches(name, [w for w in words if w != name], n=1, cutoff=NEAR_SPELLING) for name in names)
    return [c[0] for c in close if c]


def missing_reason(question: str, missing: list[str], where: str = "The articles", sources: Iterable[str] = ()
                   ) -> str:
    """A refusal's reason in plain words: what the articles do mention of the question, and what they don't
    ("The articles mention “Open”, but not “2021”."), and a name of `sources` spelled almost like a missing one
    ("Did you mean “Hartmanis”?")."""
    have = [s for s in specifics(question, asked=True) if s not in missing]
    if have:
        reason = f"{where} mention {_quoted(have, 'and')}, but not {_quoted(missing)}."
    else:
        reason = f"{where} don't mention {_quoted(missing)}."
    alike = spelled_alike(missing, sources)
    return f"{reason} Did you mean {_quoted(alike)}?" if alike else reason
