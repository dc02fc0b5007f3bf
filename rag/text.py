"""Text helpers shared by the stages: sentence spans and content words."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[0-9a-z]+(?:['’][a-z]+)?")
STOPWORDS = frozenset(
    """a an the and or but of to in on at for from by with as is are was were be been being it its this that
    these those he she they them his her their who whom which what when where why how do does did has have
    had not no yes i you we our your my me us there here than then so such into about after before over
    under also according said says""".split()
)
# A sentence ends at . ! ? or … (with any closing quotes or brackets) before white space, or at a line break.
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+|\s*\n\s*")
# Words whose trailing full stop does not end a sentence ("Mr. Kim", "U.S. officials", "Jan. 5").
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Mt|Ft|Ave|Rd|Blvd|Jr|Sr|Gen|Lt|Col|Capt|Sgt|Sen|Rep|Gov|Rev|No|Vol|vs|etc|Inc|Corp|Ltd|Co|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z]|(?:\b[A-Za-z]\.)+[A-Za-z])\.$"
)


def unmarked(text: str) -> str:
    """The text without accents ("Erdoğan" -> "Erdogan"), so that a word typed without them is the same word."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed == text:
        return text  # curly quotes and dashes, no accent: nothing to drop (most news text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def content_words(text: str) -> set[str]:
    """Lowercased words of a text without stopwords, accents dropped."""
    return {w for w in _WORD.findall(unmarked(text).lower()) if w not in STOPWORDS}


# The past forms of irregular verbs that news writes most, and their present: Snowball stems "met" as "met" and
# "meet" as "meet", so "Who did Erdogan meet?" shared no word with "Erdogan met Putin".
IRREGULAR = {past: base for base, forms in {
    "say": "said says", "get": "got", "beat": "beaten", "swear": "swore sworn", "withdraw": "withdrew withdrawn",
    "have": "had",
    "meet": "met", "win": "won", "lead": "led", "run": "ran", "tell": "told", "make": "made", "take": "took taken",
    "go": "went gone", "come": "came", "give": "gave given", "hold": "held", "pay": "paid", "sell": "sold",
    "buy": "bought", "bring": "brought", "fight": "fought", "build": "built", "spend": "spent", "send": "sent",
    "lose": "lost", "keep": "kept", "begin": "began begun", "break": "broke broken", "choose": "chose chosen",
    "draw": "drew drawn", "fall": "fell fallen", "fly": "flew flown", "grow": "grew grown", "know": "knew known",
    "rise": "rose risen", "see": "saw seen", "sink": "sank sunk", "shoot": "shot", "speak": "spoke spoken",
    "steal": "stole stolen", "strike": "struck", "throw": "threw thrown", "write": "wrote written",
    "think": "thought", "seek": "sought", "teach": "taught", "catch": "caught", "feel": "felt", "leave": "left",
    "mean": "meant", "hear": "heard", "stand": "stood", "understand": "understood", "drive": "drove driven",
    "eat": "ate eaten", "forget": "forgot forgotten", "freeze": "froze frozen", "hide": "hid hidden",
    "ride": "rode ridden", "sing": "sang sung", "swim": "swam swum", "tear": "tore torn", "wear": "wore worn",
    "wake": "woke woken", "shake": "shook shaken", "become": "became", "find": "found", "do": "done",
    "flee": "fled", "bear": "bore borne", "sleep": "slept", "sit": "sat",
}.items() for past in forms.split()}


# Who does a thing, named for it, as news writes a role ("Labour leader Keir Starmer" for "Starmer leads Labour"):
# each such noun and its verb. Snowball leaves "leader" and "lead" apart.
_AGENTS = {noun: verb for verb, nouns in {
    "lead": "leader leaders", "found": "founder founders co-founder", "own": "owner owners", "win": "winner winners",
    "run": "runner runners", "rule": "ruler rulers", "manage": "manager managers", "play": "player players",
    "organise": "organiser organisers", "organize": "organizer organizers", "direct": "director directors",
    "employ": "employer employers", "invest": "investor investors", "buy": "buyer buyers", "sell": "seller sellers",
    "write": "writer writers", "speak": "speaker speakers", "produce": "producer producers",
    "publish": "publisher publishers", "teach": "teacher teachers", "build": "builder builders",
    "design": "designer designers", "develop": "developer developers", "operate": "operator operators",
    "support": "supporter supporters", "vote": "voter voters", "report": "reporter reporters",
    "hold": "holder holders", "govern": "governor governors", "coach": "coach", "chair": "chairman chairwoman",
    "edit": "editor editors", "compete": "competitor competitors", "negotiate": "negotiator negotiators",
    "advise": "adviser advisers advisor advisors", "command": "commander commanders", "kill": "killer killers",
    "rob": "robber robbers", "murder": "murderer murderers", "attack": "attacker attackers",
    "protest": "protester protesters protestor protestors", "campaign": "campaigner campaigners",
    "lend": "lender lenders", "borrow": "borrower borrowers", "supply": "supplier suppliers",
    "manufacture": "manufacturer manufacturers", "drive": "driver drivers", "host": "host hosts",
    "visit": "visitor visitors", "travel": "traveller travellers traveler travelers", "shop": "shopper shoppers",
}.items() for noun in nouns.split()}


# "How hot ...?" asks for a temperature, "How tall ...?" for a height: each measure's adjectives (and their
# comparatives) with its noun, so a question's adjective and a passage's noun ("Temperatures hit 40C") are one word.
_MEASURES = {adjective: noun for noun, adjectives in {
    "temperature": "hot hotter hottest cold colder coldest warm warmer warmest",
    "height": "tall taller tallest", "weight": "heavy heavier heaviest", "depth": "deep deeper deepest",
    "width": "wide wider widest", "length": "long longer longest", "speed": "fast faster fastest",
}.items() for adjective in adjectives.split()}
_WORDS_OF = {**_MEASURES, **_AGENTS, **IRREGULAR}


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def stems(text: str) -> set[str]:
    """The Snowball stems of a text's content words: "opened" and "open" are one, "defection" and "defected", an
    irregular past and its verb ("met" and "meet"), a role and its verb ("leader" and "leads"), and a measure's
    adjective and its noun ("hot" and "temperature")."""
    return set(_stemmer().stemWords(sorted(base_words(text))))


def base_words(text: str) -> set[str]:
    """A text's content words, unstemmed, an irregular form as its base word ("met" as "meet", "leader" as "lead",
    "hot" as "temperature")."""
    return {_WORDS_OF.get(w, w) for w in content_words(text)}


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a text, not cut after common abbreviations or initials."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        piece = text[start : m.start()]
        if "\n" not in m.group() and _ABBREVIATION.search(piece):
            continue  # "Mr." or "U.S." - the sentence goes on
        if piece.strip():
            spans.append((start, m.start() + len(m.group()) - len(m.group().lstrip("\"”’)]"))))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(s, e) for s, e in spans if e > s]
