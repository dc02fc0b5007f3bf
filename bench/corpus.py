"""A deterministic, seeded corpus of news-like articles where every chunk is distinct."""

from __future__ import annotations

import random
from pathlib import Path

PLACES = ["Varnholm", "Qelvik", "Ostara", "Brenmouth", "Kallis", "Tiverton", "Lindqvist", "Marrow Bay", "Esker",
          "Haldane", "Porthlow", "Drummond", "Isenfjord", "Caldera", "Wexley", "Norrby"]
PEOPLE = ["Ana Ruiz", "Tilda Brask", "Omar Haddad", "Mei Lin", "Jonas Berg", "Priya Nair", "Kofi Mensah",
          "Lena Vogel", "Rafael Costa", "Yuki Sato", "Eamon Walsh", "Sara Idris", "Piotr Nowak", "Ines Duarte"]
ROLES = ["mayor", "harbour master", "chief engineer", "council leader", "police spokesperson", "head teacher",
         "hospital director", "union representative", "transport minister", "river warden"]
TOPICS = [("a new bridge", "the bridge"), ("the flood defences", "the defences"), ("a rail line", "the line"),
          ("the fishing quota", "the quota"), ("a wind farm", "the turbines"), ("the school budget", "the budget"),
          ("a hospital wing", "the wing"), ("the ferry service", "the ferry"), ("a housing plan", "the homes")]
VERBS = ["approved", "delayed", "criticised", "funded", "inspected", "announced", "cancelled", "expanded"]


def _sentence(rng: random.Random, i: int) -> str:
    who, role, place = rng.choice(PEOPLE), rng.choice(ROLES), rng.choice(PLACES)
    topic, short = rng.choice(TOPICS)
    n = rng.randint(2, 9_000)
    templates = [
        f"{who}, the {role} of {place}, said on day {i} that {short} would cost {n} thousand crowns.",
        f"In {place}, officials {rng.choice(VERBS)} {topic} after {n} residents signed a petition.",
        f"The {role} {who} told reporters that {short} had been {rng.choice(VERBS)} for the {n}th time.",
        f"Records show {n} complaints about {short} in {place} since the spring of {1990 + n % 35}.",
        f"According to {who}, {topic} in {place} will be reviewed by {rng.choice(ROLES)}s in week {n % 52 + 1}.",
    ]
    return rng.choice(templates)


def article(rng: random.Random, index: int, paragraphs: int = 6) -> str:
    """One article: a headline and paragraphs of 3-5 sentences."""
    place, (topic, _) = rng.choice(PLACES), rng.choice(TOPICS)
    headline = f"{place} {rng.choice(VERBS)} {topic} in report number {index}"
    body = []
    for p in range(paragraphs):
        body.append(" ".join(_sentence(rng, index * 100 + p * 10 + s) for s in range(rng.randint(3, 5))))
    return headline + "\n\n" + "\n\n".join(body) + "\n"


def write_corpus(folder: Path, articles: int, seed: int = 7) -> list[Path]:
    """Write `articles` distinct articles (about 3-4 chunks of 200 tokens each) into a folder."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(articles):
        path = folder / f"article_{i:06d}.txt"
        path.write_text(article(rng, i), encoding="utf-8")
        paths.append(path)
    return paths


def passages(n: int, words: int, seed: int = 11) -> list[str]:
    """n distinct passages of roughly `words` words."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text: list[str] = []
        while len(" ".join(text).split()) < words:
            text.append(_sentence(rng, i))
        out.append(" ".join(" ".join(text).split()[:words]))
    return out


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.corpus OUT --articles N [--with FOLDER]`: a library of generated articles (about 3.5 chunks
    each), with the text files of FOLDER copied in beside them (the distractor briefs among 800 passages of other
    news, for `rag eval` over a large library)."""
    import argparse
    import shutil

    parser = argparse.ArgumentParser(prog="python -m bench.corpus")
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=232)
    parser.add_argument("--with", dest="beside", type=Path, default=None)
    args = parser.parse_args(argv)
    write_corpus(args.out, args.articles)
    if args.beside is not None:
        for path in sorted(args.beside.glob("*.txt")):
            shutil.copy(path, args.out / path.name)
    print(f"wrote {args.articles} articles to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
