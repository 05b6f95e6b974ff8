"""Search results served again from the cache, and never after the archive changed (questions/search/cache.py).

These tests commit what they write (``transactional_db``), as the web processes see an editor's or an
import's work: a transaction that has written itself reads past the cache.
"""

from __future__ import annotations

import datetime as dt
import time

import psycopg
import pytest
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext, override_settings

from questions import deadlines
from questions.models import Answer, ArchiveWrite, Member, MemberAlias, Question, Synonym, Theme
from questions.search.cache import archive_state, fold_archive_writes
from questions.search.params import SearchParams
from questions.search.results import ResultPage
from tests.factories import make_question
from tests.helpers import run_search

pytestmark = pytest.mark.django_db(transaction=True)


def totals(page: ResultPage) -> tuple[int, list[int]]:
    return page.total, [question.number for question in page.questions]


def from_another_connection(sql: str, params: tuple = ()) -> None:
    """Write as another program would: its own connection, committed at once."""
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute(sql, params)


@pytest.fixture
def archive() -> dict[str, Question]:
    water = make_question(title="Wateroverlast in Leuven", text="De dijken aan de Dijle.", answer="Er komt een plan.",
                          member="Suzy Wouters", themes=("Water",), number=11)  # fmt: skip
    make_question(title="Wateroverlast in Gent", text="Het grondwater stijgt.", member="Jan Peeters", number=12)
    return {"water": water}


def test_a_repeated_search_is_answered_from_the_cache(archive):
    first = run_search("q=wateroverlast")
    with CaptureQueriesContext(connection) as queries:
        again = run_search("q=wateroverlast")
    assert first.total == 2
    assert totals(again) == totals(first)
    searched = [query["sql"] for query in queries.captured_queries if "questions_archivewrite" not in query["sql"]]
    # Only the look-ups of what was typed (names, synonyms) run again; no count, facet or snippet.
    assert not any("archive_snippet" in sql or "match_count" in sql for sql in searched)
    assert again.questions[0].snippet.html == first.questions[0].snippet.html
    assert again.facets == first.facets


def test_every_way_of_writing_is_seen_by_the_next_search(archive):
    water = archive["water"]
    assert run_search("q=wateroverlast").total == 2

    Question.objects.filter(pk=water.pk).update(title="Droogte in Leuven")  # QuerySet.update
    assert run_search("q=wateroverlast").total == 1
    assert run_search("q=droogte").total == 1

    from_another_connection("UPDATE questions_answer SET text = 'Een bufferbekken in Wijgmaal.' WHERE question_id = %s",
                            (water.pk,))  # fmt: skip
    page = run_search("q=bufferbekken")
    assert totals(page) == (1, [11])
    assert "<mark>" in page.questions[0].snippet.html

    Member.objects.filter(name="Suzy Wouters").update(name="Suzy Wouters-Peeters")  # a rename: the facet's label
    labels = [value.label for value in run_search("q=droogte").facets["member"]]
    assert labels == ["Suzy Wouters-Peeters"]

    climate = Theme.objects.get_or_create_by_name("Klimaat")
    Question.themes.through.objects.create(question_id=water.pk, theme=climate)
    assert climate.slug in [value.value for value in run_search("q=droogte").facets["theme"]]

    Answer.objects.filter(question=water).delete()
    assert run_search("q=bufferbekken").total == 0
    assert run_search("q=droogte&answered=yes").total == 0

    from_another_connection("DELETE FROM questions_question_themes")
    from_another_connection("DELETE FROM questions_question")
    assert run_search("q=droogte").total == 0
    assert run_search("").total == 0


def test_an_uncommitted_write_is_seen_by_its_own_transaction_and_never_cached(archive):
    assert run_search("q=wateroverlast").total == 2
    with transaction.atomic():
        Question.objects.filter(number=12).update(title="Droogte in Gent")
        assert run_search("q=wateroverlast").total == 1  # its own write, read past the cache
        transaction.set_rollback(True)
    assert run_search("q=wateroverlast").total == 2  # rolled back: the cache holds nothing of it
    assert run_search("q=droogte").total == 0


def test_an_emptied_table_of_writes_starts_a_state_never_seen_before(archive):
    assert run_search("q=wateroverlast").total == 2
    # Emptied by hand, then the same number of writes again: still a new state, and the new title is found.
    from_another_connection("TRUNCATE questions_archivewrite")
    Question.objects.filter(number=12).update(title="Droogte in Gent")
    assert run_search("q=wateroverlast").total == 1


def test_the_calendar_is_part_of_the_key(archive, monkeypatch):
    Question.objects.update(date_asked=dt.date.today() - dt.timedelta(days=10))
    statuses = {value.value: value.count for value in run_search("").facets["status"]}
    # Still waiting: asked ten days ago, the deadline has not passed.
    assert statuses.get("waiting") == 1
    later = deadlines.overdue_cutoff() + dt.timedelta(days=60)
    monkeypatch.setattr(deadlines, "overdue_cutoff", lambda *args, **kwargs: later)
    statuses = {value.value: value.count for value in run_search("").facets["status"]}
    assert statuses.get("overdue") == 1 and "waiting" not in statuses


@override_settings(SEARCH_CACHE_ENTRIES=0)
def test_the_cache_can_be_turned_off(archive):
    run_search("q=wateroverlast")
    with CaptureQueriesContext(connection) as queries:
        run_search("q=wateroverlast")
    sqls = [query["sql"] for query in queries.captured_queries]
    assert not any("questions_archivewrite" in sql for sql in sqls)
    assert any("archive_snippet" in sql for sql in sqls)


def test_a_question_page_is_kept_until_the_question_changes(archive, client):
    water = archive["water"]
    url = f"/questions/{water.pk}/"
    first = client.get(url)
    assert "Wateroverlast in Leuven" in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    # The same question and related questions (the page differs only in its per-response nonce).
    for shown in (first, again):
        assert "Wateroverlast in Leuven" in shown.content.decode() and "Wateroverlast in Gent" in shown.content.decode()
    assert not any("title_statistics" in query["sql"] for query in queries.captured_queries)  # related: kept

    from_another_connection("UPDATE questions_question SET title = 'Droogte in Leuven' WHERE id = %s", (water.pk,))
    changed = client.get(url).content.decode()
    assert "Droogte in Leuven" in changed and "Wateroverlast in Leuven" not in changed
    from_another_connection("DELETE FROM questions_answer WHERE question_id = %s", (water.pk,))
    assert "Er komt een plan." not in client.get(url).content.decode()
    assert client.get("/questions/999999/").status_code == 404


def test_the_home_page_and_the_indexes_show_a_new_question_at_once(archive, client):
    assert "Overstromingen in Aalst" not in client.get("/").content.decode()
    client.get("/members/")
    make_question(title="Overstromingen in Aalst", member="Nieuw Lid", date=dt.date(2024, 5, 1))
    assert "Overstromingen in Aalst" in client.get("/").content.decode()
    assert "Nieuw Lid" in client.get("/members/").content.decode()


def test_an_entity_page_shows_its_figures_as_they_are_now(archive, client):
    water = archive["water"]
    url = water.minister.get_absolute_url()
    before = client.get(url).context["card"]
    assert before.total == 2
    client.get(url)  # asked again: from the cache
    assert "Klimaat" not in client.get(url).content.decode()
    make_question(title="Overstromingen in Aalst", minister=water.minister.name, themes=("Klimaat",))
    response = client.get(url)
    after = response.context["card"]
    assert after.total == 3
    assert "Klimaat" in [bar.label for bar in after.top["theme"]]
    figures = response.content.decode().split('<div class="figures">')[1].split("</div>")[0]
    assert "Klimaat" in figures  # the charts were drawn again, not served as they were


def test_a_list_of_results_is_rendered_once_per_search_language_and_state(archive, client, monkeypatch):
    from questions.templatetags import archive as tags

    rendered = []
    render = tags.results_html
    monkeypatch.setattr(tags, "results_html", lambda results: rendered.append(results) or render(results))

    def results_rendered(response) -> bool:
        """Whether the request that gave ``response`` rendered its list of results."""
        was_rendered = bool(rendered)
        rendered.clear()
        return was_rendered

    first = client.get("/search/?q=wateroverlast")
    again = client.get("/search/?q=wateroverlast")
    assert results_rendered(first) and not results_rendered(again)
    assert again.content.decode().count('class="result"') == 2
    assert "Wateroverlast in Leuven" in again.content.decode() and "beantwoord" in again.content.decode()

    client.cookies["django_language"] = "en"
    english = client.get("/search/?q=wateroverlast")
    assert results_rendered(english)  # a list per language: the badges are translated
    assert "answered" in english.content.decode() and ">beantwoord<" not in english.content.decode()
    del client.cookies["django_language"]

    water = archive["water"]
    Question.objects.filter(pk=water.pk).update(title="Wateroverlast in Heverlee")
    changed = client.get("/search/?q=wateroverlast")
    assert results_rendered(changed)
    assert "Wateroverlast in Heverlee" in changed.content.decode()
    assert "Wateroverlast in Leuven" not in changed.content.decode()
    # The entity page's list is its own search.
    minister_page = client.get(water.minister.get_absolute_url()).content.decode()
    assert "Wateroverlast in Heverlee" in minister_page


def test_the_nightly_fold_leaves_one_row_and_a_state_never_seen_before(archive):
    Question.objects.filter(number=12).update(title="Droogte in Gent")
    assert ArchiveWrite.objects.count() >= 2  # a row per writing transaction
    assert run_search("q=droogte").total == 1
    before = archive_state(connection)

    assert fold_archive_writes() >= 2
    assert ArchiveWrite.objects.count() == 1
    assert archive_state(connection) != before
    with CaptureQueriesContext(connection) as queries:
        assert run_search("q=droogte").total == 1  # computed again, the same answer
    assert any("match_count" in query["sql"] for query in queries.captured_queries)

    Question.objects.filter(number=12).update(title="Hitte in Gent")  # a write after the fold is seen
    assert run_search("q=droogte").total == 0
    assert run_search("q=hitte").total == 1


def test_the_nightly_fold_keeps_the_table_every_request_reads_from_growing(archive):
    """Without autovacuum, the dead row versions that writes leave would make the table (read whole by every
    request) grow for ever; the fold vacuums it."""

    def pages() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_relation_size('questions_archivewrite') / current_setting('block_size')::int")
            return int(cursor.fetchone()[0])

    sizes = []
    for _night in range(4):
        for number in range(600):  # as many writing transactions in a day, each its own row
            Question.objects.filter(number=12).update(title=f"Droogte {number}")
        assert fold_archive_writes() >= 600
        sizes.append(pages())
    # The dead versions' space is used again (without the vacuum: 4, 7, 10, 14 pages).
    assert sizes == [sizes[0]] * 4
    assert run_search("q=droogte").total == 1  # the state after the fold still answers searches


def test_a_new_synonym_or_alias_changes_how_the_next_search_is_read(archive):
    assert run_search("q=dijkbreuk").total == 0
    Synonym.objects.create(term="dijkbreuk", expansion="wateroverlast")
    assert run_search("q=dijkbreuk").total == 2  # the same query string, parsed again

    # An alias merged into a member: the typed name is read as that member (whose questions lead the page).
    member = Member.objects.get(name="Suzy Wouters")
    assert SearchParams.from_query(QueryDict("q=Suus+Wouters")).text.member_ids == ()
    MemberAlias.objects.create(entity=member, name="Suus Wouters")
    assert SearchParams.from_query(QueryDict("q=Suus+Wouters")).text.member_ids == (member.pk,)


def test_the_fold_gives_way_to_a_long_writing_transaction(archive):
    with psycopg.connect(**connection.get_connection_params()) as importing:  # a transaction left open
        importing.execute("UPDATE questions_question SET title = 'Droogte' WHERE number = 12")
        started = time.monotonic()
        assert fold_archive_writes() is None  # waited at most its lock timeout, folded nothing
        assert time.monotonic() - started < 10
        importing.commit()
    assert fold_archive_writes() >= 1
    assert run_search("q=droogte").total == 1


def test_the_overdue_page_is_kept_until_the_archive_or_the_day_changes(archive, client, monkeypatch):
    late = make_question(title="Trage dijkwerken", date=deadlines.today() - dt.timedelta(days=90))
    assert "Trage dijkwerken" in client.get("/overdue/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/overdue/").content.decode()
    assert "Trage dijkwerken" in again
    assert not any("questions_question" in query["sql"] for query in queries.captured_queries)  # kept

    from_another_connection("UPDATE questions_question SET title = 'Trage wegenwerken' WHERE id = %s", (late.pk,))
    changed = client.get("/overdue/").content.decode()  # the archive changed
    assert "Trage wegenwerken" in changed and "Trage dijkwerken" not in changed

    later = make_question(title="Nog een trage vraag", date=deadlines.today() - dt.timedelta(days=90))
    shown = client.get("/overdue/").content.decode()
    days_now = str(later.days_overdue)
    monkeypatch.setattr(deadlines, "today", lambda: dt.date.today() + dt.timedelta(days=1))
    tomorrow = client.get("/overdue/").content.decode()
    assert days_now in shown and str(later.days_overdue) in tomorrow and later.days_overdue != int(days_now)
