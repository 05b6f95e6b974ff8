"""A search that takes too long is stopped by PostgreSQL and explained to the visitor (questions/search/time_limit.py).

A statement waiting for a lock counts against PostgreSQL's statement_timeout like one that computes: another
connection holding the questions' table makes any search take as long as the test wants, without a slow query.
"""

from __future__ import annotations

import json
import time

import psycopg
import pytest
from django.db import connection

from tests.factories import make_question

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
