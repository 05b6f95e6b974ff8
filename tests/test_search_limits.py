"""A search that takes too long is stopped by PostgreSQL and explained to the visitor; a search has the memory its
bitmaps need whatever the server's default (questions/search/limits.py).

A statement waiting for a lock counts against PostgreSQL's statement_timeout like one that computes: another
connection holding the questions' table makes any search take as long as the test wants, without a slow query.
"""

from __future__ import annotations

import json
import time

import psycopg
import pytest
from django.db import connection, transaction

from tests.factories import make_question
from tests.helpers import plan_nodes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def archive(settings):
    settings.SEARCH_TIME_LIMIT = 0.5
    make_question(title="Wateroverlast in Leuven", text="De dijken aan de Dijle.", number=11)
    make_question(title="Wateroverlast in Gent", text="Het grondwater stijgt.", number=12)


def statement_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@pytest.mark.parametrize("path", ["/search/?q=wateroverlast", "/api/questions/?q=wateroverlast",
                                  "/feeds/questions.rss?q=wateroverlast", "/search/?q=%22de+dijken%22"])
def test_a_search_past_the_time_limit_is_stopped_with_a_page_that_says_what_to_do(archive, client, path):
    with psycopg.connect(**connection.get_connection_params()) as holding:  # a transaction left open
        holding.execute("LOCK TABLE questions_question IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        response = client.get(path)
        waited = time.monotonic() - started
        holding.rollback()

    assert response.status_code == 503
    assert 0.5 <= waited < 5  # stopped at the limit, not when the lock went
    body = response.content.decode()
    if path.startswith("/api/"):
        assert "te veel werk" in json.loads(body)["error"]
    else:
        assert "te veel werk" in body and "nauwkeuriger" in body
        assert "Zoekopdracht te zwaar" in body
        assert 'name="q" maxlength="500" value="' in body  # what was typed, in the box to narrow it
        assert "niet bereikbaar" not in body  # not mistaken for a database that is down
    # The limit was the search's own: the connection, kept for the next request, has none.
    assert statement_timeout() == "0"
    again = client.get(path)
    assert again.status_code == 200
    assert "Wateroverlast" in again.content.decode() or "dijken" in again.content.decode()


def test_a_search_within_the_limit_leaves_no_limit_behind(archive, client):
    response = client.get("/api/questions/?q=wateroverlast")

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert statement_timeout() == "0"


def test_the_limit_can_be_switched_off(archive, client, settings):
    settings.SEARCH_TIME_LIMIT = 0
    with psycopg.connect(**connection.get_connection_params()) as holding:
        holding.execute("LOCK TABLE questions_question IN ACCESS EXCLUSIVE MODE")

        def release_soon() -> None:
            time.sleep(1.0)
            holding.rollback()

        import threading

        releaser = threading.Thread(target=release_soon)
        releaser.start()
        response = client.get("/api/questions/?q=wateroverlast")  # waits for the lock, then answers
        releaser.join()

    assert response.status_code == 200
    assert response.json()["count"] == 2


def work_mem() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        return cursor.fetchone()[0]


@pytest.mark.parametrize("server, asked, during", [("64kB", 16, "16MB"), ("64MB", 16, "64MB"), ("64kB", 0, "64kB")])
def test_a_search_has_at_least_its_own_work_mem_and_leaves_the_servers_behind(settings, server, asked, during):
    from questions.search import limits

    settings.SEARCH_WORK_MEM_MB = asked
    with connection.cursor() as cursor:
        cursor.execute(f"SET work_mem = '{server}'")  # as the server's own setting

    with limits.limited():
        assert work_mem() == during  # raised, never lowered
    assert work_mem() == server


def test_a_common_words_bitmap_stays_exact_on_a_server_with_little_work_mem():
    """With the server's work_mem below what the bitmap of a word on every page needs, PostgreSQL keeps pages
    instead of rows and tests every row on them again ("lossy" heap blocks: each row's vector read); the search's
    own work_mem keeps it exact. (A table of one row a page stands for a large archive.)"""
    from questions.search import limits

    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE pages (vector tsvector, padding text) WITH (fillfactor = 10)")
        cursor.execute("INSERT INTO pages SELECT to_tsvector('archive_dutch', 'de begroting'), repeat('x', 600) "
                       "FROM generate_series(1, 3000)")  # fmt: skip
        cursor.execute("CREATE INDEX ON pages USING gin (vector)")
        cursor.execute("ANALYZE pages")

    def bitmap_heap_scan() -> dict:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM pages "
                           "WHERE vector @@ archive_tsquery('begroting')")  # fmt: skip
            (plan,) = cursor.fetchone()[0]
        return next(node for node in plan_nodes(plan["Plan"]) if node["Node Type"] == "Bitmap Heap Scan")

    with connection.cursor() as cursor:
        cursor.execute("SET work_mem = '64kB'")
    with transaction.atomic():
        assert bitmap_heap_scan().get("Lossy Heap Blocks", 0) > 0  # the server's own
    with limits.limited():
        scan = bitmap_heap_scan()
    assert scan.get("Lossy Heap Blocks", 0) == 0 and scan["Exact Heap Blocks"] == 3000


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_an_export_selects_with_the_searchs_work_mem_and_leaves_the_servers_behind(archive, settings, export):
    """An export selects every match as a search does (a large archive's bitmap outgrows a small work_mem), but
    streams past any time limit: the memory is raised while it reads, and set back after."""
    from questions import copy_export
    from questions import export as exports
    from questions.search.params import SearchParams

    settings.SEARCH_WORK_MEM_MB = 16
    with connection.cursor() as cursor:
        cursor.execute("SET work_mem = '64kB'")  # as the server's own setting
    params = SearchParams.from_query({"q": "wateroverlast"})
    if export == "csv":
        rows = copy_export.csv_blocks("http://testserver", params, ";", "default")
    else:
        rows = exports._records("http://testserver", params)
    first = next(rows)  # the export is reading: its statement has run, its rows stream

    assert work_mem() == "16MB"
    assert statement_timeout() == "0"  # no search's time limit on an export
    rest = list(rows)
    assert work_mem() == "64kB"
    assert len([first, *rest]) >= (1 if export == "csv" else 2)  # both questions exported
