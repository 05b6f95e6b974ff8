"""The CSV export reads its rows a chunk at a time, on two connections in one snapshot (questions/copy_export.py).

These tests commit their questions (a second connection cannot see a test's uncommitted transaction) and make
the chunks three rows long, so that a dozen questions take both connections several turns.
"""

import datetime as dt

import psycopg
import pytest
from django.db import connection

from questions import copy_export
from questions.search.params import SearchParams
from tests.factories import make_question

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def questions(monkeypatch):
    monkeypatch.setattr(copy_export, "CHUNK_ROWS", 3)
    made = [
        make_question(title=f"Vraag {index} over fietspaden", text="=1+1 en fietspaden.", answer="Antwoord.",
                      date=dt.date(2024, 1, 1) + dt.timedelta(days=index % 5), themes=("Mobiliteit",))
        for index in range(13)
    ]  # fmt: skip
    make_question(title="Iets anders", text="Over treinen.")
    return made


@pytest.fixture
def reads(monkeypatch):
    """The ids of each chunk the second connection read."""
    read: list[list[int]] = []
    original = copy_export._SecondReader.read

    def spied(self, ids):
        read.append(list(ids))
        return original(self, ids)

    monkeypatch.setattr(copy_export._SecondReader, "read", spied)
    return read


def export(query: dict, separator: str = ";") -> bytes:
    return b"".join(copy_export.csv_blocks("http://testserver", SearchParams.from_query(query), separator, "default"))


def ids_of(csv_bytes: bytes) -> list[int]:
    return [int(line.split(b";", 1)[0]) for line in csv_bytes.splitlines() if line[:1].isdigit()]


def left_in_a_transaction() -> int:
    """Connections to the test database left inside a transaction (each would hold its snapshot)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND state LIKE 'idle in transaction%%'"
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize("query", [{"q": "fietspaden"}, {"q": "fietspaden", "sort": "oldest"}, {}])
def test_two_connections_write_the_same_csv_as_one(questions, reads, settings, query):
    settings.EXPORT_CONNECTIONS = 2
    together = export(query)
    assert reads, "the second connection read chunks"

    settings.EXPORT_CONNECTIONS = 1
    alone = export(query)

    assert together == alone
    expected = len(questions) + (1 if not query.get("q") else 0)
    assert len(ids_of(together)) == len(set(ids_of(together))) == expected
    # Chunks of three, every other one read by the second connection: the 2nd, 4th and so on.
    order = ids_of(together)
    assert reads == [order[start : start + 3] for start in range(3, len(order), 6)]
    assert left_in_a_transaction() == 0


def test_the_export_shows_the_archive_as_it_was_when_it_started(questions, reads, settings, monkeypatch):
    settings.EXPORT_CONNECTIONS = 2
    newest_first = sorted(questions, key=lambda question: (question.date_asked, question.pk), reverse=True)
    # In the 2nd and 4th chunks (the second connection's) and the 5th (the export's own connection's).
    unread = [newest_first[4], newest_first[9], newest_first[12]]
    opened = copy_export._SecondReader._open

    def after_another_client_wrote(self, snapshot):
        # Another client changes questions once the export has chosen its rows, before the second connection
        # starts reading them, and commits.
        with psycopg.connect(**_connection_kwargs(), autocommit=True) as other:
            other.execute("UPDATE questions_question SET title = 'Later gewijzigd' WHERE id = ANY(%s)",
                          [[question.pk for question in unread]])  # fmt: skip
        opened(self, snapshot)

    monkeypatch.setattr(copy_export._SecondReader, "_open", after_another_client_wrote)
    body = export({"q": "fietspaden"})

    assert b"Later gewijzigd" not in body
    assert all(question.title.encode() in body for question in unread)
    assert len(ids_of(body)) == len(questions)
    assert reads
    assert left_in_a_transaction() == 0


def test_when_the_second_connection_fails_the_export_reads_every_chunk_itself(questions, settings, monkeypatch, caplog):
    settings.EXPORT_CONNECTIONS = 1
    alone = export({"q": "fietspaden"})

    def refused(self, snapshot):
        raise psycopg.OperationalError("too many connections")

    settings.EXPORT_CONNECTIONS = 2
    monkeypatch.setattr(copy_export._SecondReader, "_open", refused)
    together = export({"q": "fietspaden"})

    assert together == alone
    assert "second connection failed" in caplog.text
    assert left_in_a_transaction() == 0


def test_an_export_abandoned_midway_leaves_no_connection_in_a_transaction(questions, reads, settings):
    settings.EXPORT_CONNECTIONS = 2
    blocks = copy_export.csv_blocks("http://testserver", SearchParams.from_query({"q": "fietspaden"}), ";", "default")
    next(blocks)
    blocks.close()  # the client went away

    assert reads
    assert left_in_a_transaction() == 0
    with connection.cursor() as cursor:  # and the export's own connection is usable again
        cursor.execute("SELECT count(*) FROM questions_question")
        assert cursor.fetchone()[0] == len(questions) + 1


def _connection_kwargs() -> dict:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    return params


def test_a_second_connection_is_taken_only_when_the_pool_has_one_to_spare():
    """Under load the export reads with one connection rather than keep a request waiting for the pool."""
    from psycopg_pool import ConnectionPool

    with ConnectionPool(kwargs=_connection_kwargs(), min_size=1, max_size=2, open=True) as pool:
        pool.wait()
        assert copy_export.spare_connection(pool)  # one idle
        with pool.connection():
            assert copy_export.spare_connection(pool)  # room for a second
            with pool.connection():
                assert not copy_export.spare_connection(pool)  # both in use
        assert copy_export.spare_connection(pool)
    assert copy_export.spare_connection(None)  # no pool: a connection of its own
