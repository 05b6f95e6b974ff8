"""The questions a page shows, read by id in one fixed statement (questions/search/rows.py): the same questions,
fields, names and snippets as the ORM's for_display() gives."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from questions.models import DISPLAY_DEFERRED, Answer, Question
from questions.search.results import page_questions
from questions.search.rows import display_rows
from questions.search.text import to_tsquery_text
from tests.factories import make_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions() -> list[Question]:
    answered = make_question(title="Fietspaden <b>in</b> Gent", text="Hoeveel fietspaden & <b>paden</b> zijn er?",
                             answer="Er zijn veel fietspaden.", themes=("Mobiliteit", "Gent & Co"),
                             member="Jos D'Haese", minister="Lydia Peeters", date=dt.date(2023, 5, 2))  # fmt: skip
    Answer.objects.filter(question=answered).update(answer_date=dt.date(2023, 6, 1))
    waiting = make_question(title="Wachtlijsten", text="Hoe lang wacht men op een fietsherstelling?",
                            date=dt.date(2026, 11, 30))  # fmt: skip
    themeless = make_question(title="Zonder thema", text="Een vraag zonder thema.", date=dt.date(1999, 1, 4))
    return [answered, waiting, themeless]


def shown(question: Question) -> dict:
    """Everything a page, the API or a feed reads of a question from for_display()."""
    loaded = {field.attname: getattr(question, field.attname) for field in Question._meta.concrete_fields
              if field.attname not in question.get_deferred_fields()}  # fmt: skip
    return {
        **loaded,
        "deferred": question.get_deferred_fields(),
        "theme_names": question.theme_names,
        "answered_on": question.answered_on,
        "member": (question.member.pk, question.member.name, question.member.slug, question.member.key),
        "minister": (question.minister.pk, question.minister.name, question.minister.slug, question.minister.key),
        "status": question.status,
        "url": question.get_absolute_url(),
    }


def test_each_question_is_what_the_orm_gives_field_by_field(questions):
    ids = [question.pk for question in questions]
    by_orm = Question.objects.for_display().in_bulk(ids)

    found = display_rows([*ids, 999_999_999])  # an id that is gone is left out

    assert set(found) == set(ids)
    for pk in ids:
        assert shown(found[pk]) == shown(by_orm[pk])
    assert found[questions[0].pk].theme_names == ["Gent & Co", "Mobiliteit"]
    assert found[questions[0].pk].answered_on == dt.date(2023, 6, 1)
    assert found[questions[2].pk].theme_names == []
    assert found[questions[0].pk].get_deferred_fields() == DISPLAY_DEFERRED


def test_the_names_come_along_without_a_query_each(questions):
    ids = [question.pk for question in questions]
    with CaptureQueriesContext(connection) as queries:
        found = display_rows(ids)
        names = [(question.member.name, question.minister.name) for question in found.values()]

    assert len(queries) == 1
    assert ("Jos D'Haese", "Lydia Peeters") in names


def test_a_page_keeps_the_order_of_its_ids_with_each_snippet_marked_and_escaped(questions):
    answered, waiting, themeless = questions
    tsquery = to_tsquery_text("fietspaden")

    page = page_questions([waiting.pk, themeless.pk, answered.pk], tsquery)

    assert [question.pk for question in page] == [waiting.pk, themeless.pk, answered.pk]
    assert page[2].snippet.source == "question"
    assert "<mark>fietspaden</mark> &amp; &lt;b&gt;paden&lt;/b&gt;" in page[2].snippet.html
    assert page[1].snippet.html.startswith("Een vraag zonder thema")  # no match in its text: the opening words


def test_without_a_query_a_page_shows_each_questions_opening_words(questions):
    page = page_questions([question.pk for question in questions], None)

    assert [question.snippet.html for question in page][1] == "Hoe lang wacht men op een fietsherstelling?"


def test_no_ids_ask_nothing():
    with CaptureQueriesContext(connection) as queries:
        assert display_rows([]) == {}
    assert len(queries) == 0
