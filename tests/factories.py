"""Small builders for questions in the real database. PostgreSQL derives their vectors (questions/triggers/);
the words are learnt into the vocabulary as the importer and the admin do, so compounds are found by their parts."""

from __future__ import annotations

import datetime as dt
import itertools

from questions.models import Answer, Member, Minister, Question, Theme
from questions.search import vocabulary
from questions.sessions import session_for

_numbers = itertools.count(1)


def make_question(
    *,
    title: str = "Een vraag",
    text: str = "De tekst van de vraag.",
    answer: str | None = None,
    member: str = "Karl Vanlouwe",
    minister: str = "Jo Brouns",
    themes: tuple[str, ...] = (),
    date: dt.date = dt.date(2024, 2, 27),
    number: int | None = None,
    learn_words: bool = True,
) -> Question:
    minister_obj = Minister.objects.get_or_create_by_name(minister)
    question = Question(
        number=number or next(_numbers),
        session=session_for(date),
        date_asked=date,
        title=title,
        question_text=text,
        member=Member.objects.get_or_create_by_name(member),
        minister=minister_obj,
        minister_title=f"Vlaams minister van {minister}",
    )
    question.save()
    if themes:
        question.themes.set([Theme.objects.get_or_create_by_name(name) for name in themes])
    if answer is not None:
        Answer.objects.create(question=question, text=answer, minister=minister_obj, minister_title="minister")
    if learn_words:
        vocabulary.learn_questions([question.pk])
    if answer is not None or learn_words:
        question.refresh_from_db()
    return question


def corpus() -> dict[str, Question]:
    """Six questions that between them exercise every search feature and facet."""
    return {
        "water": make_question(
            title="Wateroverlast in het Demerbekken",
            text="Hoe pakt de minister de zware wateroverlast aan? De coördinatie met lokale besturen loopt stroef.",
            answer="Er komt een draaiboek voor lokale besturen.",
            member="Suzy Wouters",
            minister="Zuhal Demir",
            themes=("Water", "Binnenlands bestuur"),
            date=dt.date(2024, 1, 11),
        ),
        "data": make_question(
            title="Uitwisseling van arbeidsmarktgegevens",
            text="Welke protocollen regelen de gegevensuitwisseling met de federale overheid?",
            answer="De uitwisseling van data verloopt te traag; de toegankelijkheid van data moet beter.",
            member="Karl Vanlouwe",
            minister="Jo Brouns",
            themes=("Werk",),
            date=dt.date(2024, 2, 27),
        ),
        "school": make_question(
            title="Toegankelijkheid van schoolgebouwen",
            text="Hoeveel scholen zijn toegankelijk voor rolstoelgebruikers?",
            answer=None,
            member="Annick De Ridder",
            minister="Ben Weyts",
            themes=("Onderwijs",),
            date=dt.date(2023, 10, 5),
        ),
        "old": make_question(
            title="Lokale besturen en wateroverlast in 2021",
            text="Wat leerden de lokale besturen uit de overstromingen van juli 2021?",
            answer="De gouverneurs evalueerden de crisis; de lokale besturen kregen een checklist.",
            member="Suzy Wouters",
            minister="Zuhal Demir",
            themes=("Water",),
            date=dt.date(2022, 3, 1),
        ),
        "work": make_question(
            title="Tijdelijke werkloosheid",
            text="Hoeveel werknemers waren tijdelijk werkloos? Graag cijfers per provincie.",
            answer="In 2023 waren het er 12.000.",
            member="Jos D'Haese",
            minister="Jo Brouns",
            themes=("Werk", "Economie"),
            date=dt.date(2023, 6, 14),
        ),
        "xss": make_question(
            title='Beveiliging <script>alert("titel")</script>',
            text="Een tekst met <img src=x onerror=alert(1)> en het woord beveiliging.",
            answer='Antwoord met <b>vet</b> en =HYPERLINK("http://evil") en beveiliging.',
            member="Karl Vanlouwe",
            minister="Ben Weyts",
            themes=("Digitalisering",),
            date=dt.date(2024, 3, 1),
        ),
    }
