"""Searches for one common word read its kept counts (questions/search/word_counts.py), and count exactly
what is committed, whoever wrote it; the fold moves what was written into the counts without losing a write.

Every write path against a recount: tests/test_derived_values.py. These tests commit what they write
(``transactional_db``), as imports and other programs do.
"""

from __future__ import annotations

import datetime as dt
import time

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext, override_settings

from questions import tasks
from questions.models import Question, WordCount, WordCountChange
from questions.search import query, word_counts
from questions.search.params import SearchParams
from tests.conftest import SEED_DOCUMENT
from tests.factories import make_question
from tests.helpers import run_import

pytestmark = pytest.mark.django_db(transaction=True)


def from_another_connection(sql: str, params: tuple | dict = ()) -> None:
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute(sql, params)


def search(word: str, *, live: bool = False) -> query.SearchResult:
    return query.run(SearchParams.from_query({"q": word, "facet_limit": "0"}), 0, 5, count_live=live)


def is_counted(word: str) -> bool:
    tsquery = SearchParams.from_query({"q": word}).tsquery
    assert tsquery is not None
    return word_counts.counted_word(tsquery) is not None


@pytest.fixture
def archive() -> list[Question]:
    made = [
        make_question(title=f"Wateroverlast in gemeente {index}", text="Het water stond hoog.",
                      answer="Er komt een plan." if index % 2 else None, member=member, minister=minister,
                      themes=themes, date=dt.date(2020 + index % 4, 3, 1 + index))  # fmt: skip
        for index, (member, minister, themes) in enumerate(
            [("Suzy Wouters", "Zuhal Demir", ("Water",)), ("Jan Peeters", "Jo Brouns", ("Water", "Werk")),
             ("Karl Vanlouwe", "Zuhal Demir", ()), ("Suzy Wouters", "Ben Weyts", ("Onderwijs",))] * 3
        )
    ]  # fmt: skip
    made.append(make_question(title="Fietspaden", text="Hoeveel kilometer fietspad?", member="Jan Peeters"))
    assert word_counts.build(min_share=0.5, min_questions=2) >= 1
    return made


def test_a_search_for_a_common_word_reads_its_counts_and_finds_what_counting_live_finds(archive):
    assert is_counted("wateroverlast")
    assert not is_counted("fietspaden")  # in one question of thirteen: counted live
    assert not is_counted("wateroverlast fietspaden")  # two words: counted live

    with CaptureQueriesContext(connection) as queries:
        counted = search("wateroverlast")
    assert any("questions_wordcount" in q["sql"] for q in queries.captured_queries)
    assert counted == search("wateroverlast", live=True)
    assert counted.total == 12
    assert {item.label: item.count for item in counted.facets["minister"]} == {"Zuhal Demir": 6, "Jo Brouns": 3,
                                                                               "Ben Weyts": 3}  # fmt: skip


@pytest.mark.parametrize("chosen", ["theme=water", "minister=zuhal-demir", "member=suzy-wouters", "year=2021-2022",
                                    "theme=water&theme=onderwijs"])
def test_a_common_word_with_one_facet_chosen_reads_that_facets_counts_and_finds_what_counting_live_finds(
        archive, chosen):  # fmt: skip
    def beside(live: bool = False) -> query.SearchResult:
        params = SearchParams.from_query(QueryDict(f"q=wateroverlast&{chosen}&facet_limit=0"))
        return query.run(params, 0, 5, count_live=live)

    with CaptureQueriesContext(connection) as queries:
        counted = beside()
    assert any("questions_wordcount" in q["sql"] for q in queries.captured_queries)
    assert counted == beside(live=True)
    assert 0 < counted.total < 12
    # The chosen facet shows every value's count as without its own filter: as the word alone has them.
    facet = chosen.split("=")[0]
    alone = search("wateroverlast").facets[facet]
    assert [(item.value, item.count) for item in counted.facets[facet]] == [(i.value, i.count) for i in alone]

    # A question written since the fold counts at once, in the chosen facet and in the others.
    make_question(title="Wateroverlast in Gent", member="Suzy Wouters", minister="Zuhal Demir", themes=("Water",),
                  date=dt.date(2021, 10, 1))  # fmt: skip
    assert beside() == beside(live=True)
    assert beside().total == counted.total + 1


def test_a_common_word_with_two_facets_chosen_or_the_answered_state_is_counted_live(archive):
    for chosen in ("theme=water&minister=zuhal-demir", "answered=yes"):
        params = SearchParams.from_query(QueryDict(f"q=wateroverlast&{chosen}"))
        with CaptureQueriesContext(connection) as queries:
            result = query.run(params, 0, 5)
        assert not any("questions_wordcount" in q["sql"] for q in queries.captured_queries)
        assert result == query.run(params, 0, 5, count_live=True)


def test_a_write_by_another_program_is_counted_by_the_next_search_and_kept_by_the_fold(archive):
    doomed, moved = archive[0], archive[1]
    from_another_connection(
        """WITH links AS (DELETE FROM questions_question_themes WHERE question_id = %(id)s)
                               DELETE FROM questions_question WHERE id = %(id)s""",
        {"id": doomed.pk},
    )
    from_another_connection("UPDATE questions_question SET title = 'Droogte' WHERE id = %s", (moved.pk,))
    make_question(title="Wateroverlast in Gent", member="Jan Peeters", themes=("Werk",))

    assert WordCountChange.objects.count() == 3
    assert is_counted("wateroverlast")
    after = search("wateroverlast")
    assert after.total == 12 - 2 + 1
    assert after == search("wateroverlast", live=True)

    assert word_counts.fold() == 3
    assert not WordCountChange.objects.exists()
    assert WordCount.objects.get(lexeme="wateroverlast", facet="", facet_value="").count == 11
    assert search("wateroverlast") == search("wateroverlast", live=True)


def test_a_prefix_search_reads_the_counts_of_its_commonest_word_and_counts_the_rest_live(archive):
    word_counts.build(min_share=0.5, min_questions=2, prefix_min_share=1.0)  # no prefix counted as a whole
    pumps = make_question(title="Vermogen van de pompen", text="Hoeveel watt verbruiken de pompen?",
                          member="Karl Vanlouwe", minister="Ben Weyts", themes=("Werk",))  # fmt: skip
    counted = word_counts.counted_word(SearchParams.from_query({"q": "wat*"}).tsquery or "")
    assert counted is not None and not counted.whole  # "water" (12 of 14) is counted, "watt" is not
    assert counted.lexeme in {"water", "wateroverlast"}
    assert search("wat*") == search("wat*", live=True)
    assert search("wat*").total == 13
    assert word_counts.counted_word(SearchParams.from_query({"q": "fiets*"}).tsquery or "") is None  # none counted

    # Written by another program since the fold: a question holding "water" leaves, the one holding only
    # "watt" no longer does, another comes to.
    from_another_connection(
        """WITH links AS (DELETE FROM questions_question_themes WHERE question_id = %(id)s)
           DELETE FROM questions_question WHERE id = %(id)s""",
        {"id": archive[0].pk},
    )
    from_another_connection("UPDATE questions_question SET question_text = 'Hoeveel verbruiken de pompen?' "
                            "WHERE id = %s", (pumps.pk,))  # fmt: skip
    from_another_connection("UPDATE questions_question SET question_text = 'Een lamp van 60 watt.' WHERE id = %s",
                            (archive[-1].pk,))  # fmt: skip
    assert search("wat*") == search("wat*", live=True)
    assert search("wat*").total == 12
    word_counts.fold()
    assert search("wat*") == search("wat*", live=True)


def test_a_prefix_whose_other_words_hold_many_questions_is_counted_as_a_whole(archive):
    """`wat*` takes in "water" and "wateroverlast", each in most questions: counted as the query a search for it
    runs, it reads its own counts and counts nothing live, and stays exact through writes and folds."""
    pumps = make_question(title="Vermogen van de pompen", text="Hoeveel watt verbruiken de pompen?",
                          member="Karl Vanlouwe", minister="Ben Weyts", themes=("Werk",))  # fmt: skip
    counted = word_counts.counted_word(SearchParams.from_query({"q": "wat*"}).tsquery or "")
    assert counted is not None and counted.whole
    assert counted.lexeme.startswith(word_counts.PREFIX_MARK)
    with CaptureQueriesContext(connection) as queries:
        found = search("wat*")
    assert not any("remainder" in q["sql"] for q in queries.captured_queries)  # nothing counted live
    assert found == search("wat*", live=True)
    assert found.total == 13  # "watt" too: written after the build, listed as written since

    from_another_connection(
        """WITH links AS (DELETE FROM questions_question_themes WHERE question_id = %(id)s)
           DELETE FROM questions_question WHERE id = %(id)s""",
        {"id": archive[0].pk},
    )
    from_another_connection("UPDATE questions_question SET question_text = 'Hoeveel verbruiken de pompen?' "
                            "WHERE id = %s", (pumps.pk,))  # fmt: skip
    from_another_connection("UPDATE questions_question SET question_text = 'Een lamp van 60 watt.', "
                            "member_id = %s WHERE id = %s", (archive[1].member_id, archive[-1].pk))  # fmt: skip
    assert search("wat*") == search("wat*", live=True)
    assert search("wat*").total == 12
    assert word_counts.fold() == 3
    assert search("wat*") == search("wat*", live=True)
    assert search("wat*").total == 12


def test_a_prefix_that_is_a_word_is_chosen_by_every_word_its_search_takes_in():
    """`volle*` searches "volle" as a prefix and as its stem 'voll', which does not start with it: the search
    subtracts the counts of its commonest word ("voll") and counts the rest live. Here the rest is "volledig",
    in half the questions: the prefix is counted as a whole, though it starts only one word of the counts."""
    for index in range(12):
        make_question(title=f"Vraag {index}", text="Volle zalen." if index % 2 else "Een volledige lijst.",
                      date=dt.date(2020, 3, 1 + index))  # fmt: skip
    assert word_counts.build(min_share=0.3, min_questions=2, prefix_min_share=0.3) >= 2
    tsquery = SearchParams.from_query({"q": "volle*"}).tsquery or ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT archive_tsquery(%s)::text", [tsquery])
        assert cursor.fetchone()[0] == "'volle':* | 'voll'"

    counted = word_counts.counted_word(tsquery)
    assert counted is not None and counted.whole
    assert search("volle*") == search("volle*", live=True)
    assert search("volle*").total == 12


def test_a_prefix_none_of_whose_words_is_counted_is_counted_as_a_whole_when_they_hold_many_questions():
    """`doorz*`: "doorzicht" and "doorzoeken" each in a quarter of the questions, below the share a word needs
    to be counted: a search would count all their questions live, so the prefix is counted, though its words
    besides the commonest hold only a quarter."""
    for index in range(12):
        text = ("Meer doorzicht." if index % 4 == 0 else "Wij doorzoeken alles." if index % 4 == 1
                else "Niets hier.")  # fmt: skip
        make_question(title=f"Vraag {index}", text=text, date=dt.date(2020, 3, 1 + index))
    assert word_counts.build(min_share=0.3, min_questions=2, prefix_min_share=0.4) >= 1
    assert not is_counted("doorzicht") and not is_counted("doorzoeken")

    counted = word_counts.counted_word(SearchParams.from_query({"q": "doorz*"}).tsquery or "")
    assert counted is not None and counted.whole
    assert search("doorz*") == search("doorz*", live=True)
    assert search("doorz*").total == 6


def test_words_ored_read_the_counts_of_the_commonest_and_count_the_rest_live(archive):
    # "wateren*" is archive_tsquery's "wateren:* | water": the letters as typed, or the stem of them ("water").
    make_question(title="Waterende planten", text="Hoe waterende planten groeien.")
    for typed in ("wateren*", "wateroverlast or droogte"):
        counted = word_counts.counted_word(SearchParams.from_query({"q": typed}).tsquery or "")
        assert counted is not None and not counted.whole, typed
        assert search(typed) == search(typed, live=True), typed
    assert word_counts.counted_word(SearchParams.from_query({"q": "wateroverlast -droogte"}).tsquery or "") is None


def test_a_long_list_of_writes_is_counted_live_until_it_is_folded(archive, monkeypatch):
    monkeypatch.setattr(word_counts, "MAX_CHANGES", 2)
    for index in range(3):
        make_question(title=f"Wateroverlast {index}", member="Jan Peeters")

    assert not is_counted("wateroverlast")  # three written since the fold: counting live is as quick
    assert search("wateroverlast").total == 15
    assert word_counts.fold() == 3
    assert is_counted("wateroverlast")
    assert search("wateroverlast") == search("wateroverlast", live=True)


def test_the_fold_gives_way_to_a_long_writing_transaction(archive, monkeypatch):
    monkeypatch.setattr(word_counts, "FOLD_LOCK_TIMEOUT", "300ms")
    with psycopg.connect(**connection.get_connection_params()) as importing:  # a transaction left open
        importing.execute("UPDATE questions_question SET title = 'Droogte' WHERE id = %s", (archive[2].pk,))
        started = time.monotonic()
        assert word_counts.fold() is None  # waited at most its lock timeout, folded nothing
        assert time.monotonic() - started < 5
        importing.commit()
    assert word_counts.fold() == 1
    assert search("wateroverlast") == search("wateroverlast", live=True)


def test_the_worker_counts_a_large_enough_archive_then_folds(archive):
    WordCount.objects.all().delete()
    with override_settings(WORD_COUNTS_MIN_QUESTIONS=100):
        assert word_counts.refresh().startswith("no words counted")
    with override_settings(WORD_COUNTS_MIN_QUESTIONS=2, WORD_COUNTS_MIN_SHARE=0.5):
        assert word_counts.refresh().startswith("words counted afresh")
        assert is_counted("wateroverlast")
        make_question(title="Wateroverlast in Gent", member="Jan Peeters")
        assert word_counts.refresh() == "word counts: 1 written questions folded"
    assert search("wateroverlast") == search("wateroverlast", live=True)


def test_the_worker_counts_afresh_when_most_questions_were_written_since_the_fold(archive):
    from_another_connection("UPDATE questions_question SET question_text = question_text || ' Opnieuw.' "
                            "WHERE id = ANY(%s)", ([question.pk for question in archive[:7]],))  # fmt: skip
    assert WordCountChange.objects.count() == 7  # of 13: past REBUILD_SHARE
    assert word_counts.refresh().startswith("words counted afresh after 7 written questions")
    assert not WordCountChange.objects.exists()
    assert search("wateroverlast") == search("wateroverlast", live=True)
    assert search("wat*") == search("wat*", live=True)


def test_the_command_folds_and_rebuilds(archive, capsys):
    call_command("count_words", "--rebuild", "--min-share", "0.95", "--min-questions", "2")
    assert not is_counted("wateroverlast")  # in 12 of 13 questions: below 95 %
    call_command("count_words", "--rebuild", "--min-share", "0.5", "--min-questions", "2")
    assert is_counted("wateroverlast")
    call_command("count_words")
    assert "folded" in capsys.readouterr().out


def test_an_import_asks_the_worker_to_fold_what_it_wrote(archive):
    assert run_import(SEED_DOCUMENT)[0] == 0
    assert WordCountChange.objects.count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_jobs WHERE task_name LIKE %s AND status = 'todo'",
                       ["%refresh_word_counts"])  # fmt: skip
        assert cursor.fetchone()[0] == 1

    tasks.refresh_word_counts()  # what the worker runs

    assert not WordCountChange.objects.exists()
    assert search("wateroverlast") == search("wateroverlast", live=True)


@pytest.fixture
def years_of_questions() -> list[Question]:
    """Forty questions about flooding over five parliamentary years, ten others; the word counted."""
    made = [make_question(title=f"Overstroming {index}", text="Het water stond hoog.",
                          date=dt.date(2019 + index % 5, 1 + index % 12, 1 + index % 27))  # fmt: skip
            for index in range(40)]  # fmt: skip
    made += [make_question(title=f"Fietspad {index}", text="Over fietsen.", date=dt.date(2023, 6, 1 + index))
             for index in range(10)]  # fmt: skip
    assert word_counts.build(min_share=0.5, min_questions=2) >= 1
    return made


def pages(word: str, sort: str, monkeypatch, *, live: bool) -> list[list[int]]:
    """Every page of five of ``word``'s matches in ``sort`` order, the tail of the relevance order included
    (few matches ranked exactly, few title matches ranked first)."""
    monkeypatch.setattr("questions.search.paging.EXACT_RANKING_LIMIT", 3)
    monkeypatch.setattr("questions.search.paging.RANKING_CANDIDATES", 4)
    params = SearchParams.from_query({"q": word, "sort": sort, "facet_limit": "0"})
    return [query.run(params, offset, 5, count_live=live).page_ids for offset in range(0, 45, 5)]


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_a_deep_page_of_a_counted_word_reads_its_last_years_and_is_the_page_counting_live_gives(
        years_of_questions, sort, monkeypatch):  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        counted = pages("overstroming", sort, monkeypatch, live=False)
    assert counted == pages("overstroming", sort, monkeypatch, live=True)
    assert sorted(pk for page in counted for pk in page) == sorted(q.pk for q in years_of_questions[:40])
    # Pages past the first read the matches from a date on, not all forty.
    bounded = [q["sql"] for q in queries.captured_queries if "m.date_asked >=" in q["sql"] or
               "m.date_asked <=" in q["sql"]]  # fmt: skip
    assert bounded


def test_the_date_bound_leaves_enough_matches_after_it_whatever_was_written_since_the_fold(years_of_questions):
    tsquery = SearchParams.from_query({"q": "overstroming"}).tsquery or ""
    counted = word_counts.counted_word(tsquery)
    assert counted is not None
    newest = word_counts.date_bound(counted, 10, oldest_first=False)
    # The latest first date of a parliamentary year from which on the years hold ten matches or more.
    first_dates = {session: min(q.date_asked for q in Question.objects.filter(session=session))
                   for session in Question.objects.values_list("session", flat=True).distinct()}  # fmt: skip
    matches = {session: Question.objects.filter(session=session, title__startswith="Overstroming").count()
               for session in first_dates}  # fmt: skip
    assert newest == max(first for first in first_dates.values()
                         if sum(matches[s] for s, d in first_dates.items() if d >= first) >= 10)  # fmt: skip
    assert Question.objects.filter(title__startswith="Overstroming", date_asked__gte=newest).count() >= 10
    oldest = word_counts.date_bound(counted, 10, oldest_first=True)
    assert oldest is not None
    assert Question.objects.filter(title__startswith="Overstroming", date_asked__lte=oldest).count() >= 10
    assert word_counts.date_bound(counted, 41, oldest_first=False) is None  # more than there are

    # Another program deletes the newest matches: the stored counts still hold them until the fold, and the
    # bound moves back by as many questions as were written.
    newest_ids = list(Question.objects.filter(title__startswith="Overstroming").order_by("-date_asked")
                      .values_list("id", flat=True)[:6])  # fmt: skip
    from_another_connection("DELETE FROM questions_question_themes WHERE question_id = ANY(%(ids)s); "
                            "DELETE FROM questions_question WHERE id = ANY(%(ids)s)", {"ids": newest_ids})  # fmt: skip
    counted = word_counts.counted_word(tsquery)
    assert counted is not None and counted.changes == 6
    moved = word_counts.date_bound(counted, 10, oldest_first=False)
    assert moved is not None and moved < newest
    assert Question.objects.filter(title__startswith="Overstroming", date_asked__gte=moved).count() >= 10


def test_a_builds_passes_are_planned_for_parallel_workers(archive):
    """A build counts every question, tens of millions of (word, question) pairs at 100,000 documents: each pass
    must leave PostgreSQL free to share it among parallel workers. A CTE, a temporary table or an INSERT in the
    query would keep it to one process (a build took 354 s instead of 204 at 100,000 documents)."""
    versions = """SELECT 1 AS sign, q.search_vector, q.theme_ids, q.minister_id, q.member_id, q.session, q.has_answer
                  FROM questions_question AS q"""
    with transaction.atomic(), connection.cursor() as cursor:
        # The settings the counting function runs with (its SET clauses).
        cursor.execute("""SELECT set_config(split_part(c, '=', 1), split_part(c, '=', 2), true)
                          FROM pg_proc AS p CROSS JOIN unnest(p.proconfig) AS c
                          WHERE p.proname = 'questions_add_word_counts'""")
        assert len(cursor.fetchall()) >= 3
        cursor.execute("SELECT count(*) FROM questions_wordcount WHERE facet = '' AND starts_with(lexeme, ':')")
        assert cursor.fetchone()[0] >= 2  # so that the prefixes make groups
        plans = {}
        for name in ("words", "prefixes by index"):
            if name == "prefixes by index":  # as the build does, for this pass only
                cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SELECT questions_word_count_pass(%s, %s)", [versions, name])
            (sql,) = cursor.fetchone()
            cursor.execute("EXPLAIN CREATE TEMPORARY TABLE planned AS " + sql)
            plans[name] = "\n".join(row[0] for row in cursor.fetchall())
    assert "Gather" in plans["words"] and "Partial" in plans["words"], plans["words"]
    assert "Parallel Append" in plans["prefixes by index"], plans["prefixes by index"]
    assert "Bitmap Index Scan" in plans["prefixes by index"], plans["prefixes by index"]
