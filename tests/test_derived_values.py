"""Every write path leaves the derived values exactly right: has_answer, theme_ids, the search vector, the
name vector and the facet counts equal a recomputation from the source rows, and a search for a counted word
(questions/search/word_counts.py) finds the same total, facets and page as one counting its matches live,
before and after the questions written are folded into the counts.

The recomputation here is written apart from the triggers (questions/triggers/): it reads the rows through
the ORM, builds each question's text in Python and counts the facets in Python, and adds the parts of the
compounds it finds in the vocabulary (questions_word, read through the ORM). Only PostgreSQL's own functions
(``to_tsvector``, ``setweight``, ``array_to_tsvector``) are shared.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from itertools import combinations

import pytest
from django.contrib.auth.models import User
from django.db import connection

from questions.editing import merge_entities, revert_to_import
from questions.models import Answer, FacetCount, Member, Minister, Question, Theme, Word, WordCount, WordCountChange
from questions.search import query, word_counts
from questions.search.params import SearchParams
from questions.search.text import SEARCH_CONFIG
from tests.conftest import SEED_DOCUMENT, SV235_EXTRACTIONS
from tests.factories import corpus, make_question
from tests.helpers import run_import, summary_line

pytestmark = pytest.mark.django_db

FACET_ORDER = ("theme", "minister", "member", "year", "answered")


def _vector_text(title: str, question_text: str, answer_text: str, names: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (setweight(to_tsvector(%(config)s::regconfig, %(title)s), 'A')"
            " || setweight(to_tsvector(%(config)s::regconfig, %(question)s), 'B')"
            " || setweight(to_tsvector(%(config)s::regconfig, %(answer)s), 'C')"
            " || setweight(to_tsvector(%(config)s::regconfig, %(names)s), 'D'))::text",
            {"config": SEARCH_CONFIG, "title": title.replace("/", " "), "question": question_text.replace("/", " "),
             "answer": answer_text.replace("/", " "), "names": names},
        )  # fmt: skip
        return cursor.fetchone()[0]


def _name_vector_text(*texts: str) -> str:
    """The capitalised words as written, found in Python, as PostgreSQL's unaccented unstemmed configuration
    keeps them."""
    words = [word for text in texts for word in re.findall(r"[^\W\d_]+", text) if word[0].isupper()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT strip(to_tsvector('archive_names'::regconfig, %s))::text", [" ".join(words)])
        return cursor.fetchone()[0]


def _stems(text: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(to_tsvector(%s::regconfig, %s))", [SEARCH_CONFIG, text])
        return cursor.fetchone()[0]


def _compound_stems() -> dict[str, set[str]]:
    """The vocabulary's compounds, read through the ORM: the compound's stem -> its parts' stems."""
    found: dict[str, set[str]] = {}
    for word in Word.objects.exclude(parts=[]):
        stems = _stems(word.word)
        if stems:
            found.setdefault(stems[0], set()).update(_stems(" ".join(word.parts)))
    return found


def _with_compound_parts(vector: str, compounds: dict[str, set[str]]) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(%s::tsvector)", [vector])
        parts = sorted({part for lexeme in cursor.fetchone()[0] for part in compounds.get(lexeme, ())})
        if not parts:
            return vector
        cursor.execute("SELECT (%s::tsvector || array_to_tsvector(%s::text[]))::text", [vector, parts])
        return cursor.fetchone()[0]


def expected_state() -> tuple[dict[int, tuple], Counter]:
    """Per question (has_answer, the answering minister when another, theme_ids, vector, name vector, its
    answer's listing date), and the facet counters, from the source rows."""
    answers = {answer.question_id: answer for answer in Answer.objects.select_related("minister")}
    links: dict[int, list[Theme]] = {}
    for link in Question.themes.through.objects.select_related("theme"):
        links.setdefault(link.question_id, []).append(link.theme)
    questions: dict[int, tuple] = {}
    counters: Counter = Counter()
    compounds = _compound_stems()
    for question in Question.objects.select_related("member", "minister").order_by("pk"):
        answer = answers.get(question.pk)
        themes = sorted(links.get(question.pk, []), key=lambda theme: theme.name)
        names = [question.member.name, question.minister.name]
        if answer is not None:
            names.append(answer.minister.name)
        if themes:
            names.append(" ".join(theme.name for theme in themes))
        vector = _vector_text(question.title, question.question_text, answer.text if answer else "", " ".join(names))
        vector = _with_compound_parts(vector, compounds)
        theme_ids = sorted(theme.pk for theme in themes)
        names = _name_vector_text(question.title, question.question_text, answer.text if answer else "")
        dated = (answer.answer_date or question.date_asked) if answer is not None else None
        other = answer.minister_id if answer is not None and answer.minister_id != question.minister_id else None
        questions[question.pk] = (answer is not None, other, theme_ids, vector, names, dated)

        values = [("theme", str(pk)) for pk in theme_ids]
        values += [("minister", str(question.minister_id)), ("member", str(question.member_id)),
                   ("year", question.session), ("answered", "yes" if answer is not None else "no")]  # fmt: skip
        for facet, value in values:
            counters[("", "", facet, value)] += 1
        for (facet_a, value_a), (facet_b, value_b) in combinations(values, 2):
            if FACET_ORDER.index(facet_a) < FACET_ORDER.index(facet_b):
                counters[(facet_a, value_a, facet_b, value_b)] += 1
            elif FACET_ORDER.index(facet_b) < FACET_ORDER.index(facet_a):
                counters[(facet_b, value_b, facet_a, value_a)] += 1
    return questions, counters


def stored_state() -> tuple[dict[int, tuple], Counter]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT q.id, q.has_answer, q.answered_by_other_id, q.theme_ids, q.search_vector::text,"
                       " q.name_vector::text, a.dated"
                       " FROM questions_question AS q LEFT JOIN questions_answer AS a ON a.question_id = q.id"
                       " ORDER BY q.id")  # fmt: skip
        questions = {pk: (has_answer, other, list(theme_ids), vector, names, dated)
                     for pk, has_answer, other, theme_ids, vector, names, dated in cursor}  # fmt: skip
    counters = Counter({
        (row.dimension, row.value, row.facet, row.facet_value): row.count
        for row in FacetCount.objects.exclude(count=0)
    })  # fmt: skip
    return questions, counters


def assert_derived_values_exact() -> None:
    expected_questions, expected_counts = expected_state()
    stored_questions, stored_counts = stored_state()
    assert stored_questions == expected_questions
    assert stored_counts == expected_counts
    assert_word_counts_exact()


# Words of the corpus (factories.corpus), counted by the fixture below. The tests' writes take some of them
# from questions whose facets stay the same: a title (toegankelijkheid, demerbekken), a name (karl, werk).
COUNTED_WORDS = (
    "lokale",
    "besturen",
    "wateroverlast",
    "uitwisseling",
    "data",
    "draaiboek",
    "minister",
    "toegankelijkheid",
    "demerbekken",
    "karl",
    "werk",
)


# Prefixes of those words: counted as a whole where their other words hold many questions, else the counts
# of the commonest counted word each takes in are read and the questions holding only its other words counted
# live (tests/test_word_counts.py has both).
COUNTED_PREFIXES = ("toegankelijk*", "wat*", "uitwis*", "bestu*", "lok*", "dat*")


def assert_word_counts_exact() -> None:
    """A search for each counted word answers as one counting live: with the questions written since the
    last fold added up, and again after folding them into the counts."""
    if not WordCount.objects.exists():
        return
    for fold in (False, True):
        if fold:
            assert word_counts.fold() is not None
            assert not WordCountChange.objects.exists()
        for word in COUNTED_WORDS:
            params = SearchParams.from_query({"q": word, "facet_limit": "0"})
            assert params.tsquery is not None
            assert word_counts.counted_word(params.tsquery) is not None, word
            assert query.run(params, 0, 3) == query.run(params, 0, 3, count_live=True), word
        for prefix in COUNTED_PREFIXES:
            params = SearchParams.from_query({"q": prefix, "facet_limit": "0"})
            counted = word_counts.counted_word(params.tsquery or "")
            assert counted is not None, prefix
            assert query.run(params, 0, 3) == query.run(params, 0, 3, count_live=True), prefix


def searchable(word: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM questions_question WHERE search_vector @@ to_tsquery(%s::regconfig, %s)",
            [SEARCH_CONFIG, word],
        )
        return {row[0] for row in cursor}


@pytest.fixture
def questions():
    made = corpus()
    assert word_counts.build(min_share=0.0, min_questions=1) > 0
    # Some of the prefixes are counted as a whole: their counts go through every write path below too.
    wholes = [word_counts.counted_word(SearchParams.from_query({"q": prefix}).tsquery or "")
              for prefix in COUNTED_PREFIXES]  # fmt: skip
    assert any(counted is not None and counted.whole for counted in wholes)
    assert_derived_values_exact()
    return made


# --- the admin ----------------------------------------------------------------------------------------------


def test_the_admin_change_form(client, editor, questions):
    from tests.test_admin import change_form_data

    question = questions["water"]
    data = change_form_data(question, title="Droogte in de Kempen", themes=[Theme.objects.get(name="Werk").pk])
    data["answer-0-text"] = "Een nieuw antwoord over irrigatie."
    response = client.post(f"/admin/questions/question/{question.pk}/change/", data)

    assert response.status_code == 302
    assert searchable("irrigatie") == searchable("droogte") == {question.pk}
    assert_derived_values_exact()


def test_the_admin_bulk_delete_of_answers(client, editor, questions):
    answered = [questions["water"], questions["data"]]
    answer_ids = [question.answer.pk for question in answered]

    response = client.post("/admin/questions/answer/", {"action": "delete_selected", "_selected_action": answer_ids,
                                                       "post": "yes"})  # fmt: skip

    assert response.status_code == 302
    assert not Answer.objects.filter(pk__in=answer_ids).exists()
    assert searchable("draaiboek") == set()  # the deleted answer's words are gone
    assert not Question.objects.filter(pk__in=[q.pk for q in answered], has_answer=True).exists()
    assert_derived_values_exact()


def test_the_admin_deletes_a_theme(client, questions):
    client.force_login(User.objects.create_superuser("baas", password="a-long-enough-password-1"))
    theme = Theme.objects.get(name="Water")

    client.post(f"/admin/questions/theme/{theme.pk}/delete/", {"post": "yes"})

    assert not Theme.objects.filter(pk=theme.pk).exists()
    assert_derived_values_exact()


# --- merges -------------------------------------------------------------------------------------------------


def test_merging_themes_where_a_question_has_two_of_them(questions):
    # "water" has both Water and Binnenlands bestuur; both are merged into a third theme.
    keep = Theme.objects.get(name="Werk")

    merge_entities(keep, [Theme.objects.get(name="Water"), Theme.objects.get(name="Binnenlands bestuur")])

    assert list(questions["water"].themes.values_list("name", flat=True)) == ["Werk"]
    assert_derived_values_exact()


def test_merging_ministers_and_members(questions):
    merge_entities(Minister.objects.get(name="Jo Brouns"), [Minister.objects.get(name="Zuhal Demir")])
    merge_entities(Member.objects.get(name="Karl Vanlouwe"), [Member.objects.get(name="Suzy Wouters")])

    assert searchable("demir") == set()
    assert_derived_values_exact()


# --- the ORM and raw SQL ------------------------------------------------------------------------------------


def test_queryset_update(questions):
    Question.objects.filter(pk=questions["school"].pk).update(title="Asbest in schoolgebouwen")
    Question.objects.filter(member__name="Suzy Wouters").update(member=Member.objects.get(name="Jos D'Haese"))
    Answer.objects.filter(question=questions["work"]).update(text="Geen cijfers over zonnepanelen.")
    # Answered by another minister than the one it was put to, then by that one again.
    Answer.objects.filter(question=questions["work"]).update(minister=Minister.objects.get(name="Zuhal Demir"))
    Answer.objects.filter(question=questions["data"]).update(minister=Minister.objects.get(name="Ben Weyts"))
    Question.objects.filter(pk=questions["data"].pk).update(minister=Minister.objects.get(name="Ben Weyts"))
    Member.objects.filter(name="Karl Vanlouwe").update(name="Karel Vanlouwe")
    Theme.objects.filter(name="Werk").update(name="Arbeidsmarkt")
    # The date an answer is listed by follows its question's date, unless it has its own.
    Question.objects.filter(pk=questions["work"].pk).update(date_asked=dt.date(2024, 3, 4))
    Answer.objects.filter(question=questions["data"]).update(answer_date=dt.date(2024, 3, 20))
    Answer.objects.filter(question=questions["data"]).update(answer_date=None)

    assert searchable("asbest") == {questions["school"].pk}
    assert searchable("zonnepanel") == {questions["work"].pk}
    assert searchable("arbeidsmarkt") == {questions["data"].pk, questions["work"].pk}
    assert_derived_values_exact()


def test_bulk_create(questions):
    member = Member.objects.get(name="Suzy Wouters")
    minister = Minister.objects.get(name="Zuhal Demir")
    created = Question.objects.bulk_create(
        Question(number=900 + index, session="2024-2025", date_asked=dt.date(2025, 1, index + 1),
                 title=f"Fietspaden deel {index}", question_text="Hoeveel kilometer?", member=member,
                 minister=minister, minister_title="minister", has_answer=True)  # a wrong value is not kept
        for index in range(3)
    )  # fmt: skip
    Answer.objects.bulk_create([Answer(question=created[0], text="Tweehonderd.", minister=minister,
                                       minister_title="minister")])  # fmt: skip
    Question.themes.through.objects.bulk_create(
        [Question.themes.through(question_id=created[1].pk, theme_id=Theme.objects.get(name="Water").pk)]
    )

    assert Question.objects.filter(pk__in=[q.pk for q in created], has_answer=True).count() == 1
    assert searchable("fietspad") == {question.pk for question in created}
    assert_derived_values_exact()


def test_queryset_delete(questions):
    Answer.objects.filter(question=questions["old"]).delete()
    Question.themes.through.objects.filter(question=questions["water"]).delete()
    Question.objects.filter(pk=questions["xss"].pk).delete()
    Theme.objects.filter(name="Economie").delete()

    assert searchable("gouverneur") == set()
    assert_derived_values_exact()


def test_raw_sql(questions):
    water, school = questions["water"], questions["school"]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE questions_question SET title = 'Hittegolven' WHERE id = %s", [water.pk])
        cursor.execute(
            "INSERT INTO questions_answer (question_id, text, minister_id, minister_title, recorded_at)"
            " VALUES (%s, 'Alle scholen zijn toegankelijk.', %s, 'minister', now())",
            [school.pk, school.minister_id],
        )
        cursor.execute("DELETE FROM questions_question_themes WHERE question_id = %s", [questions["work"].pk])
        cursor.execute("UPDATE questions_minister SET name = 'Benjamin Weyts' WHERE name = 'Ben Weyts'")
        # Derived columns written by hand are put right at once.
        cursor.execute("UPDATE questions_question SET search_vector = 'onzin', has_answer = NOT has_answer,"
                       " theme_ids = '{1,2,3}', answered_by_other_id = minister_id WHERE id = %s",
                       [questions["data"].pk])  # fmt: skip
        cursor.execute("UPDATE questions_question SET answered_by_other_id = minister_id WHERE id = %s",
                       [questions["work"].pk])  # written alone, the other derived values left as they are

    assert searchable("hittegolven") == {water.pk}
    assert searchable("benjamin") == {school.pk, questions["xss"].pk}
    assert_derived_values_exact()


def test_raw_truncate_of_answers(questions):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction has foreign keys to check
        cursor.execute("TRUNCATE questions_answer")

    assert not Question.objects.filter(has_answer=True).exists()
    assert_derived_values_exact()


def test_model_methods(questions):
    question = questions["school"]
    question.title = "Lift in de school"
    question.save()
    question.themes.add(Theme.objects.get(name="Water"))
    Theme.objects.get(name="Water").questions.remove(questions["old"])
    questions["water"].answer.delete()
    Answer.objects.create(question=question, text="Ja.", minister=question.minister, minister_title="minister")
    renamed = Theme.objects.get(name="Onderwijs")
    renamed.name = "Leerplicht"
    renamed.save()

    assert searchable("leerplicht") == {question.pk}
    assert_derived_values_exact()


# --- imports ------------------------------------------------------------------------------------------------


def test_import_reimport_and_revert(tmp_path, client, editor):
    from tests.test_admin import change_form_data

    status, output = run_import(SEED_DOCUMENT, SV235_EXTRACTIONS["pdf"])
    assert status == 0
    assert_derived_values_exact()

    changed = tmp_path / "changed.txt"
    changed.write_text(SEED_DOCUMENT.read_text().replace("Daar wil ik", "Zo wil ik").replace(
        "\nWerk\n", "\nWerk\nWonen\n"))  # fmt: skip
    assert "updated 1" in summary_line(run_import(changed)[1])
    question = Question.objects.get(number=292)
    assert "Wonen" in question.themes.values_list("name", flat=True)
    assert_derived_values_exact()

    client.post(f"/admin/questions/question/{question.pk}/change/",
                change_form_data(question, title="Gecorrigeerd", themes=[]))  # fmt: skip
    assert searchable("gecorrigeerd") == {question.pk}
    assert_derived_values_exact()

    revert_to_import(Question.objects.get(pk=question.pk))
    assert searchable("gecorrigeerd") == set()
    assert_derived_values_exact()


def test_a_batch_import_writes_each_new_question_once(tmp_path):
    """New questions get their final values in their INSERT: no UPDATE of a question follows in the batch."""
    text = SEED_DOCUMENT.read_text()
    for number in range(1, 7):
        (tmp_path / f"doc{number}.txt").write_text(text.replace("nr. 292", f"nr. {number}").replace(
            "/1806581", f"/{number}"))  # fmt: skip

    def writes() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT n_tup_ins, n_tup_upd FROM pg_stat_xact_user_tables"
                           " WHERE relname = 'questions_question'")  # fmt: skip
            return cursor.fetchone()

    inserts_before, updates_before = writes()
    status, output = run_import(tmp_path)
    inserts_after, updates_after = writes()

    assert "imported 6" in summary_line(output)
    assert (inserts_after - inserts_before, updates_after - updates_before) == (6, 0)
    assert Question.objects.filter(has_answer=True).count() == 6
    assert_derived_values_exact()


def test_make_question_factory_rows_are_exact():
    make_question(title="Een", themes=("A", "B"), answer="Ja.")
    make_question(title="Twee", themes=("B",))
    assert_derived_values_exact()
