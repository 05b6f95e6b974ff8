"""Related questions on a question's page: on the same subject, and found within a bounded amount of work."""

import datetime as dt

import pytest
from django.db import connection

from questions.search.related import _RELATED_SQL, related_ids
from tests.factories import make_question

pytestmark = pytest.mark.django_db


def analyse() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE questions_question")


def test_questions_sharing_the_rare_words_of_the_title_come_first_those_with_a_shared_theme_before_the_others():
    asked = make_question(title="Broedende slechtvalken op kerktorens in Gent", themes=("Natuur",))
    same_theme = make_question(title="Slechtvalken en kerktorens", themes=("Natuur",), date=dt.date(2020, 1, 1))
    other_theme = make_question(title="Restauratie van kerktorens", themes=("Erfgoed",))
    for index in range(40):  # common title words: they must not decide
        make_question(title=f"Vragen over Gent en broedende dieren {index}", themes=("Natuur",), minister="Ander")
    analyse()

    found = related_ids(asked.pk)

    assert found[:2] == [same_theme.pk, other_theme.pk]


def test_a_title_word_in_many_titles_does_not_crowd_out_a_rarer_ones_matches():
    asked = make_question(title="Slechtvalken in Gent", themes=("Natuur",))
    for index in range(40):  # written first: the first rows a scan of the table meets
        make_question(title=f"Gent {index}", themes=("Natuur",), minister="Ander")
    rare_match = make_question(title="Slechtvalken op de kerktoren", themes=("Erfgoed",), minister="Ander")
    analyse()

    # Each word brings at most five candidates: Gent's five do not keep the falcons' one out.
    assert related_ids(asked.pk, per_word=5)[0] == rare_match.pk


def test_without_title_matches_the_ministers_newest_questions_on_a_shared_theme_fill_the_list():
    asked = make_question(title="Zeldzaamwoord", themes=("Water",), minister="Zuhal Demir")
    newer = make_question(title="Iets anders", themes=("Water",), minister="Zuhal Demir", date=dt.date(2024, 5, 1))
    make_question(title="Nog iets", themes=("Werk",), minister="Zuhal Demir")  # no shared theme
    make_question(title="En nog iets", themes=("Water",), minister="Jo Brouns")  # another minister
    analyse()

    assert related_ids(asked.pk) == [newer.pk]


def test_the_candidates_come_from_the_title_index_not_the_whole_text():
    asked = make_question(title="Slechtvalken op kerktorens", themes=("Natuur",))
    for index in range(30):
        make_question(title=f"Kerktorens {index}", text="Slechtvalken " * 20)
    analyse()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # as on a large archive
        cursor.execute("EXPLAIN " + _RELATED_SQL, {"question": asked.pk, "limit": 5, "per_word": 300})
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "question_title_vector" in plan
    assert "search_vector" not in plan
