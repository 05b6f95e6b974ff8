"""A handful of slow clients cannot starve the site: the real server (gunicorn with the project's config) on
loopback, held by connections that send one header line every few seconds, still answers a search at once."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.helpers import free_port, start_real_server, wait_until_serving

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def _database_url() -> str:
    """The test database, as a URL the server process can use."""
    params = connection.get_connection_params()
    host = str(params.get("host") or "127.0.0.1")
    user = params.get("user") or ""
    password = params.get("password") or ""
    credentials = quote(user) + (":" + quote(password) if password else "")
    return f"postgres://{credentials}@{quote(host, safe='')}:{params.get('port') or 5432}/{params['dbname']}"


@pytest.fixture
def server():
    port = free_port()
    process = start_real_server(port, DATABASE_URL=_database_url(), ALLOWED_HOSTS="127.0.0.1")
    wait_until_serving(process, f"http://127.0.0.1:{port}/search/?q=water")
    yield port
    process.terminate()
    process.wait(timeout=15)


class SlowClients:
    """Connections that each send a request's first line and then one header line every ``pace`` seconds."""

    def __init__(self, port: int, count: int, pace: float = 3.0) -> None:
        self.sockets = []
        for _ in range(count):
            client = socket.create_connection(("127.0.0.1", port), timeout=5)
            client.sendall(b"GET /search/?q=water HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.sockets.append(client)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._drip, args=(pace,), daemon=True)
        self.thread.start()

    def _drip(self, pace: float) -> None:
        line = 0
        while not self.stopped.wait(pace):
            line += 1
            for client in self.sockets:
                try:
                    client.sendall(f"X-Slow-{line}: {line}\r\n".encode())
                except OSError:
                    pass

    def close(self) -> None:
        self.stopped.set()
        for client in self.sockets:
            client.close()


@pytest.mark.parametrize("count", [6, 50])
def test_slow_clients_do_not_starve_a_normal_search(server, count):
    slow = SlowClients(server, count)
    try:
        time.sleep(4)  # every slow client has begun its request
        for _ in range(3):
            started = time.monotonic()
            body = urllib.request.urlopen(f"http://127.0.0.1:{server}/search/?q=water", timeout=10).read()
            assert time.monotonic() - started < 2.0
            assert b"Vragenarchief" in body
    finally:
        slow.close()


@pytest.mark.django_db(transaction=True)
def test_the_csv_export_streams_through_the_real_server_in_chunks(server):
    import csv
    import http.client
    import io

    from tests.factories import make_question

    for index in range(1_100):  # more than two chunks of rows
        make_question(title=f"Vraag {index} over water", learn_words=False)

    conversation = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
    conversation.request("GET", "/search/export.csv?q=water")
    response = conversation.getresponse()
    body = response.read().decode("utf-8-sig")

    assert response.status == 200
    assert response.getheader("Transfer-Encoding") == "chunked"  # streamed, not read into memory and sent whole
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 1 + 1_100


@pytest.mark.django_db(transaction=True)
def test_an_export_cut_off_halfway_is_visibly_incomplete(server):
    """The database connection of a running export dies: the download ends without the chunked stream's end,
    so the client reports it incomplete rather than saving half the rows as if they were all."""
    import http.client

    from questions.models import Question
    from tests.factories import make_question

    question = make_question(title="Vraag over water", text="water " * 1_000, learn_words=False)
    copied = [field.column for field in Question._meta.concrete_fields
              if not field.generated and field.column not in ("id", "number", "source_id")]  # fmt: skip
    with connection.cursor() as cursor:  # 2,500 more copies of it, about 15 MB of CSV
        cursor.execute(
            f"""INSERT INTO questions_question (number, {", ".join(copied)})
                SELECT 100000 + n, {", ".join(copied)} FROM questions_question, generate_series(1, 2500) AS n
                WHERE id = %s""",
            [question.pk],
        )

    conversation = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
    conversation.request("GET", "/search/export.csv?q=water")
    response = conversation.getresponse()
    assert response.status == 200
    assert len(response.read(1_000_000)) == 1_000_000  # the export is under way
    # On two connections (questions/copy_export.py): the second reads the next thousand rows meanwhile.
    exporting = "FROM pg_stat_activity WHERE query LIKE 'COPY (%%' AND pid <> pg_backend_pid()"
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while True:
            cursor.execute(f"SELECT count(*) {exporting}")
            if cursor.fetchone()[0] == 2 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        cursor.execute(f"SELECT count(*), bool_and(pg_terminate_backend(pid)) {exporting}")
        assert cursor.fetchone() == (2, True)

    with pytest.raises(http.client.IncompleteRead):
        response.read()
