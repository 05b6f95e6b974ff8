"""Generate written questions in the scraper's seed layout, with realistic sizes (about 6-7 KB each).

Sentences come from the real Flemish fragments shipped with the tests, so the vocabulary, sentence lengths and
quirks (numbered sub-questions, Dutch dates) are those of real documents. Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

FRAGMENTS = Path(__file__).resolve().parent.parent / "tests/fixtures/vlaams-parlement/fragments-flempar-2024.txt"
MONTHS = "januari februari maart april mei juni juli augustus september oktober november december".split()
FIRST = "Karl Suzy Jos Liesbeth Annick Els Maaike Wouter Jan Hilde Bart Sofie Pieter Nadia Tom An Kris Lies".split()
LAST = ["Vanlouwe", "Wouters", "D'Haese", "Van den Berghe", "De Ridder", "Peeters", "Janssens", "Maes", "Claes",
        "Goossens", "Vermeulen", "De Smet", "Van Hoof", "Dewinter", "Schiltz", "Vande Lanotte"]  # fmt: skip
MINISTERS = [
    ("JO BROUNS", "VLAAMS MINISTER VAN ECONOMIE, INNOVATIE, WERK, SOCIALE ECONOMIE EN LANDBOUW"),
    ("ZUHAL DEMIR", "VLAAMS MINISTER VAN JUSTITIE EN HANDHAVING, OMGEVING, ENERGIE EN TOERISME"),
    ("BEN WEYTS", "VLAAMS MINISTER VAN ONDERWIJS, SPORT, DIERENWELZIJN EN VLAAMSE RAND"),
    ("HILDE CREVITS", "VLAAMS MINISTER VAN WELZIJN, VOLKSGEZONDHEID EN GEZIN"),
    ("LYDIA PEETERS", "VLAAMS MINISTER VAN MOBILITEIT EN OPENBARE WERKEN"),
    ("JAN JAMBON", "MINISTER-PRESIDENT VAN DE VLAAMSE REGERING, VLAAMS MINISTER VAN BUITENLANDSE ZAKEN, "
                   "CULTUUR, DIGITALISERING EN FACILITAIR MANAGEMENT"),
]  # fmt: skip
THEMES = ["Werk", "Onderwijs", "Mobiliteit", "Energie", "Welzijn", "Cultuur", "Landbouw", "Water", "Wonen",
          "Binnenlands bestuur", "Economie", "Toerisme", "Justitie", "Sport", "Staatshervorming en Verhoudingen "
          "binnen de Belgische federale staat"]  # fmt: skip


def _sentences() -> list[str]:
    text = FRAGMENTS.read_text(encoding="utf-8")
    chunks = [chunk.strip() for chunk in text.split("=====") if chunk.strip()]
    sentences = []
    for chunk in chunks:
        for sentence in re.split(r"(?<=[.?!])\s+(?=[A-Z])", chunk):
            sentence = sentence.strip()
            lower = sum(char.islower() for char in sentence)
            if len(sentence) > 30 and lower > 0.6 * len(sentence) and not re.search(r"\d+\.\s*$", sentence):
                sentences.append(sentence)
    return sentences


def _wrap(text: str, width: int = 88) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line + " ")  # pypdf leaves a space at the end of a wrapped line
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)


def generate_document(index: int, rng: random.Random, sentences: list[str]) -> str:
    date = dt.date(2019, 9, 23) + dt.timedelta(days=rng.randrange(0, 5 * 365))
    number = index + 1
    member = f"{rng.choice(FIRST)} {rng.choice(LAST)}".upper()
    minister, portfolio = MINISTERS[index % len(MINISTERS)]
    themes = rng.sample(THEMES, k=rng.choice([1, 1, 2, 3]))
    title = rng.choice(sentences)[:110].rstrip(" .,;") + f" ({index})"
    intro = " ".join(rng.sample(sentences, k=rng.randint(8, 15)))
    questions = [f"{n}. {rng.choice(sentences)}" for n in range(1, rng.randint(3, 6))]
    answer_parts = [" ".join(rng.sample(sentences, k=rng.randint(6, 10))) for _ in questions]
    answered = rng.random() > 0.1
    date_text = f"{date.day} {MONTHS[date.month - 1]} {date.year}"
    body = [
        f"title: {title}",
        "thema: " + "\n".join(themes),
        f"pdf link: https://docs.vlaamsparlement.be/pfile?id={3000000 + index}",
        f"thema link: https://www.vlaamsparlement.be/parlementaire-documenten/schriftelijke-vragen/{2000000 + index}",
        "SCHRIFTELIJKE VRAAG",
        f"nr. {number}",
        f"van {member}",
        f"datum: {date_text}",
        f"aan {minister}",
        portfolio,
        _wrap(title),
        _wrap(intro),
        *(_wrap(question) for question in questions),
    ]
    if answered:
        body += [minister, portfolio, "ANTWOORD ", f"op vraag nr. {number} van {date_text}", f"van {member}"]
        body += [_wrap(f"{n}. {part}") for n, part in enumerate(answer_parts, start=1)]
    return "\n".join(body) + "\n"


def write_documents(count: int, folder: Path, seed: int = 2024) -> int:
    """Write ``count`` documents into ``folder``; returns the total size in bytes."""
    rng = random.Random(seed)
    sentences = _sentences()
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for index in range(count):
        data = generate_document(index, rng, sentences).encode("utf-8")
        (folder / f"{index:07d}.txt").write_bytes(data)
        total += len(data)
    return total
