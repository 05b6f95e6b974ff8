"""A realistic, deterministic corpus of written questions for benchmarks.

Vocabulary and word frequencies come from the ``wordfreq`` package's Dutch list (Zipf-distributed, as real text
is); every theme has its own topic words and recurring phrases, so some terms are rare and some very common,
and themes cluster; question and answer lengths follow a log-normal distribution fitted to the real samples
(about 6-7 KB a document, with a long tail). 60 themes, 150 ministers over 6 legislatures, 400 members,
dates 1995-2026, 10 % unanswered. The same seed gives the same corpus.

Two outputs: documents in the scraper's seed layout (for the importer), or rows loaded straight into the
database with COPY (to build 1,000,000 documents in reasonable time).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

THEMES = [
    "Werk", "Onderwijs", "Mobiliteit", "Energie", "Welzijn", "Cultuur", "Landbouw", "Water", "Wonen",
    "Binnenlands bestuur", "Economie", "Toerisme", "Justitie", "Sport", "Media", "Gezondheid", "Gezin",
    "Armoede", "Integratie", "Inburgering", "Klimaat", "Natuur", "Milieu", "Ruimtelijke ordening", "Erfgoed",
    "Jeugd", "Ouderen", "Personen met een handicap", "Digitalisering", "Innovatie", "Wetenschap", "Begroting",
    "Fiscaliteit", "Financiën", "Buitenlands beleid", "Europa", "Ontwikkelingssamenwerking", "Brussel",
    "Vlaamse Rand", "Dierenwelzijn", "Visserij", "Havens", "Openbare werken", "Verkeersveiligheid",
    "Openbaar vervoer", "Fietsbeleid", "Kinderopvang", "Hoger onderwijs", "Volwassenenonderwijs", "Taalbeleid",
    "Gelijke kansen", "Sociale economie", "Overheidspersoneel", "Veiligheid", "Handhaving", "Omgeving",
    "Staatshervorming", "Lokale besturen", "Zorg", "Preventie",
]  # fmt: skip
LEGISLATURES = [(1995, 1999), (1999, 2004), (2004, 2009), (2009, 2014), (2014, 2019), (2019, 2027)]
MINISTERS_PER_LEGISLATURE = 25
MEMBERS = 400
UNANSWERED_SHARE = 0.10
TOPIC_SHARE = 0.18  # share of a document's words drawn from its themes' topic words
PHRASE_RATE = 0.25  # chance that a sentence carries one of the theme's recurring phrases
FIRST_NAMES = ["Karl", "Suzy", "Jos", "Liesbeth", "Annick", "Els", "Maaike", "Wouter", "Jan", "Hilde", "Bart",
               "Sofie", "Pieter", "Nadia", "Tom", "An", "Kris", "Lies", "Koen", "Griet", "Joris", "Inge", "Dirk",
               "Katrien", "Bert", "Veerle", "Stijn", "Freya", "Jo", "Zuhal", "Ben", "Lydia", "Matthias", "Bjorn",
               "Gwendolyn", "Benjamin", "Wilfried", "Sven", "Elke", "Vera"]  # fmt: skip
LAST_NAMES = ["Vanlouwe", "Wouters", "D'Haese", "Van den Berghe", "De Ridder", "Peeters", "Janssens", "Maes",
              "Claes", "Goossens", "Vermeulen", "De Smet", "Van Hoof", "Dewinter", "Schiltz", "Vande Lanotte",
              "Jacobs", "Mertens", "Willems", "Dubois", "Lambrechts", "De Clercq", "Desmet", "Hermans",
              "Van Damme", "Michiels", "Coppens", "Verstraete", "Segers", "Van de Velde", "Aerts", "Smets",
              "Bogaert", "Dierickx", "Van Aken", "Thys", "Cools", "Leemans", "Stevens", "Verhoeven"]  # fmt: skip
PORTFOLIO_WORDS = ["Economie", "Innovatie", "Werk", "Onderwijs", "Welzijn", "Mobiliteit", "Omgeving", "Energie",
                   "Cultuur", "Landbouw", "Justitie", "Sport", "Toerisme", "Wonen", "Financiën", "Begroting",
                   "Binnenlands Bestuur", "Media", "Jeugd", "Brussel"]  # fmt: skip
MONTHS = "januari februari maart april mei juni juli augustus september oktober november december".split()


@dataclass
class Document:
    id: int
    number: int
    date_asked: dt.date
    session: str
    title: str
    question_text: str
    answer_text: str | None
    member: int
    minister: int
    themes: list[int]


class Corpus:
    def __init__(self, seed: int = 2024, vocabulary_size: int = 40_000) -> None:
        import wordfreq

        self.seed = seed
        words = [w for w in wordfreq.top_n_list("nl", vocabulary_size * 2) if w.isalpha() and len(w) > 1]
        words = words[:vocabulary_size]
        self.words = words
        frequencies = np.array([wordfreq.word_frequency(w, "nl") for w in words], dtype=np.float64)
        self.cdf = np.cumsum(frequencies / frequencies.sum())
        rng = np.random.default_rng(seed)
        # Topic words: from the middle of the frequency list, where the words that make a subject live.
        middle = np.arange(1_500, min(25_000, len(words)))
        self.topic_words = [rng.choice(middle, size=120, replace=False) for _ in THEMES]
        self.phrases = [
            [" ".join(words[i] for i in rng.choice(topic, size=rng.integers(2, 4), replace=False)) for _ in range(8)]
            for topic in self.topic_words
        ]
        self.members = self._people(rng, MEMBERS)
        self.ministers: list[tuple[str, str, tuple[int, int]]] = []
        names = iter(self._people(rng, MINISTERS_PER_LEGISLATURE * len(LEGISLATURES)))
        for legislature in LEGISLATURES:
            for _ in range(MINISTERS_PER_LEGISLATURE):
                portfolio = ", ".join(rng.choice(PORTFOLIO_WORDS, size=rng.integers(2, 5), replace=False))
                self.ministers.append((next(names), f"Vlaams minister van {portfolio}", legislature))

    def vocabulary_texts(self) -> list[str]:
        """Texts holding every word the documents' titles, questions, answers and themes can hold: what the
        importer's vocabulary learns from them (questions/search/vocabulary.py), without reading every document."""
        return [" ".join(self.words), " ".join(THEMES)]

    @staticmethod
    def _people(rng, count: int) -> list[str]:
        names: list[str] = []
        seen: set[str] = set()
        while len(names) < count:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            if name in seen:
                name = f"{name} {len(names)}"
            seen.add(name)
            names.append(name)
        return names

    def _words(self, rng, count: int, themes: list[int]) -> list[str]:
        indices = np.searchsorted(self.cdf, rng.random(count))
        topical = rng.random(count) < TOPIC_SHARE
        topics = np.concatenate([self.topic_words[t] for t in themes])
        indices[topical] = rng.choice(topics, size=int(topical.sum()))
        words = self.words
        return [words[min(i, len(words) - 1)] for i in indices.tolist()]

    def _sentences(self, rng, count: int, themes: list[int], *, questions: bool = False) -> list[str]:
        words = self._words(rng, count, themes)
        sentences, position = [], 0
        while position < len(words):
            length = int(rng.integers(7, 26))
            chunk = words[position : position + length]
            position += length
            if rng.random() < PHRASE_RATE:
                phrases = self.phrases[themes[int(rng.integers(len(themes)))]]
                chunk.insert(int(rng.integers(len(chunk) + 1)), phrases[int(rng.integers(len(phrases)))])
            sentence = " ".join(chunk)
            end = "?" if questions and rng.random() < 0.6 else "."
            sentences.append(sentence[:1].upper() + sentence[1:] + end)
        return sentences

    def documents(self, count: int, *, start: int = 1) -> Iterator[Document]:
        """``count`` documents with ids from ``start``; document i is the same whatever ``count`` is."""
        from questions.sessions import session_for

        numbers: dict[tuple[str, int], int] = {}
        first_day, last_day = dt.date(1995, 6, 1).toordinal(), dt.date(2026, 11, 1).toordinal()
        for doc_id in range(start, start + count):
            rng = np.random.default_rng((self.seed, doc_id))
            date = dt.date.fromordinal(int(rng.integers(first_day, last_day)))
            session = session_for(date)
            legislature = next(i for i, (a, b) in enumerate(LEGISLATURES) if a <= date.year < b)
            minister = legislature * MINISTERS_PER_LEGISLATURE + int(rng.integers(MINISTERS_PER_LEGISLATURE))
            member = int(min(MEMBERS - 1, rng.pareto(1.2) * 25))  # a few members ask most questions
            themes = sorted({int(t) for t in rng.choice(len(THEMES), size=int(rng.choice([1, 1, 2, 3])))})
            key = (session, minister)
            numbers[key] = numbers.get(key, 0) + int(rng.integers(1, 4))
            question_words = int(min(3_000, rng.lognormal(math.log(380), 0.45)))
            answer_words = int(min(6_000, rng.lognormal(math.log(600), 0.6)))
            title = " ".join(self._words(rng, int(rng.integers(5, 14)), themes)).capitalize()
            intro = self._sentences(rng, int(question_words * 0.6), themes)
            asks = self._sentences(rng, question_words - int(question_words * 0.6), themes, questions=True)
            question_text = " ".join(intro) + "\n" + "\n".join(f"{n}. {s}" for n, s in enumerate(asks[:6], 1))
            answered = rng.random() >= UNANSWERED_SHARE
            answer_text = "\n".join(self._sentences(rng, answer_words, themes)) if answered else None
            # Documents added to an existing archive (start > 1) must not reuse its numbers: they count from
            # 500,000, far above what any minister's counter reaches in a year (and within the 6 digits parsed).
            number = numbers[key] if start == 1 else 500_000 + doc_id - start
            yield Document(doc_id, number, date, session, title, question_text, answer_text, member,
                           minister, themes)  # fmt: skip

    def seed_layout(self, document: Document) -> str:
        """The document in the scraper's layout, for the importer."""
        minister, portfolio, _ = self.ministers[document.minister]
        member = self.members[document.member]
        date_text = f"{document.date_asked.day} {MONTHS[document.date_asked.month - 1]} {document.date_asked.year}"
        lines = [
            f"title: {document.title}",
            "thema: " + "\n".join(THEMES[t] for t in document.themes),
            f"pdf link: https://docs.vlaamsparlement.be/pfile?id={document.id}",
            f"thema link: https://www.vlaamsparlement.be/parlementaire-documenten/schriftelijke-vragen/{document.id}",
            "SCHRIFTELIJKE VRAAG",
            f"nr. {document.number}",
            f"van {member.upper()}",
            f"datum: {date_text}",
            f"aan {minister.upper()}",
            portfolio.upper(),
            document.title,
            document.question_text,
        ]
        if document.answer_text is not None:
            reference = f"op vraag nr. {document.number} van {date_text}"
            lines += [minister.upper(), portfolio.upper(), "ANTWOORD", reference, f"van {member.upper()}",
                      document.answer_text]  # fmt: skip
        return "\n".join(lines) + "\n"

    def write_seed_files(self, folder: Path, count: int, *, start: int = 1) -> int:
        folder.mkdir(parents=True, exist_ok=True)
        total = 0
        for document in self.documents(count, start=start):
            data = self.seed_layout(document).encode("utf-8")
            (folder / f"{document.id:08d}.txt").write_bytes(data)
            total += len(data)
        return total


def content_hash(document: Document) -> str:
    return hashlib.sha256(f"{document.id}:{document.title}".encode()).hexdigest()
