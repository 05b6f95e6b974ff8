"""The embedded PostgreSQL: shared by concurrent commands, stopped cleanly, and its data kept."""

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys, time, django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SELECT pg_postmaster_start_time()::text, current_database()")
    started, database = cursor.fetchone()
    cursor.execute(sys.argv[1])
    rows = cursor.fetchall() if cursor.description else []
time.sleep(float(sys.argv[2]))
print(started, database, rows)
"""

pytestmark = pytest.mark.slow


def run_probe(data_dir: Path, sql: str, hold: float = 0.0) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(ARCHIVE_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="archive.settings_test")
    return subprocess.Popen(
        [sys.executable, "-c", PROBE, sql, str(hold)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def servers_on(pgdata: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if process.info["name"] == "postgres" and str(pgdata) in cmdline:
            found.append(process)
    return found


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_two_commands_at_once_share_one_server_which_stops_cleanly_and_keeps_its_data(tmp_path):
    data_dir = tmp_path / "var"
    pgdata = (data_dir / "postgres").resolve()

    first = run_probe(data_dir, "CREATE TABLE kept (word text); INSERT INTO kept VALUES ('bewaard')", hold=2)
    second = run_probe(data_dir, "SELECT 1", hold=2)
    outputs = [process.communicate(timeout=120) for process in (first, second)]

    for process, (_, err) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, err
    first_start, second_start = (out.split(" archive ")[0] for out, _ in outputs)
    assert first_start == second_start, "both commands must use the same server"
    assert wait_for(lambda: not servers_on(pgdata)), "the server must stop when the last command exits"
    assert "database system is shut down" in (pgdata / "log").read_text()

    third = run_probe(data_dir, "SELECT word FROM kept")
    out, err = third.communicate(timeout=120)
    assert third.returncode == 0, err
    assert "[('bewaard',)]" in out
    assert wait_for(lambda: not servers_on(pgdata))


def test_a_process_can_stop_the_server_and_use_it_again(tmp_path):
    from archive.embedded_postgres import ensure_server, server_status, stop_server

    pgdata = tmp_path / "postgres"
    first = ensure_server(pgdata, "archive")
    assert stop_server(pgdata)
    assert server_status(pgdata) is None

    second = ensure_server(pgdata, "archive")

    assert second.pid != first.pid
    assert server_status(pgdata).pid == second.pid
    stop_server(pgdata)


RESTARTER = """
import sys, time
from pathlib import Path
from archive.embedded_postgres import ensure_server, stop_server
import psycopg
pgdata = Path(sys.argv[1])
ensure_server(pgdata, "archive")
stop_server(pgdata)  # as the benchmarks do to apply new server settings
server = ensure_server(pgdata, "archive")
print("restarted", flush=True)
sys.stdin.readline()  # wait until another process has come and gone
with psycopg.connect(host=server.socket_dir, port=server.port, user="postgres", dbname="archive") as connection:
    print(connection.execute("SELECT 'still served'").fetchone()[0], flush=True)
"""


def test_a_process_that_restarted_the_server_keeps_it_when_another_process_exits(tmp_path):
    data_dir = tmp_path / "var"
    pgdata = (data_dir / "postgres").resolve()
    restarter = subprocess.Popen([sys.executable, "-c", RESTARTER, str(pgdata)], cwd=ROOT, stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert restarter.stdout.readline().strip() == "restarted"

    visitor = run_probe(data_dir, "SELECT 1")
    _, err = visitor.communicate(timeout=120)
    assert visitor.returncode == 0, err

    out, err = restarter.communicate("go\n", timeout=120)
    assert restarter.returncode == 0, err
    assert "still served" in out
    assert wait_for(lambda: not servers_on(pgdata)), "the server must stop when the last process exits"


def test_a_process_stopped_by_a_signal_does_not_keep_the_server_running(tmp_path):
    data_dir = tmp_path / "var"
    pgdata = (data_dir / "postgres").resolve()
    stopped = run_probe(data_dir, "SELECT 1", hold=60)
    assert wait_for(lambda: servers_on(pgdata) and (pgdata / ".handle_pids.json").exists(), timeout=60)
    assert wait_for(lambda: str(stopped.pid) in (pgdata / ".handle_pids.json").read_text(), timeout=60)
    stopped.terminate()  # SIGTERM: Python's exit handlers do not run, so it never unregisters itself
    stopped.wait(timeout=30)
    assert servers_on(pgdata), "the server outlives the stopped process while nobody has exited since"

    later = run_probe(data_dir, "SELECT 1")
    _, err = later.communicate(timeout=120)

    assert later.returncode == 0, err
    assert wait_for(lambda: not servers_on(pgdata)), "the last live user must stop the server when it exits"


def test_the_library_internals_this_project_uses_are_where_it_expects_them():
    """archive/embedded_postgres.py reaches into embedded-postgres (pinned exactly in pyproject.toml): its
    server handles' list of user processes, its postmaster.pid reader and its pg_ctl wrapper. An upgrade that
    moves any of them fails here, not in a stuck or orphaned server."""
    import importlib.metadata
    import inspect

    from archive.embedded_postgres import _library

    library = _library()
    assert importlib.metadata.version("embedded-postgres") == "18.6.3"
    assert list(inspect.signature(library.get_server).parameters) == ["pgdata", "cleanup_mode"]
    assert list(inspect.signature(library.pg_ctl).parameters)[:2] == ["args", "pgdata"]
    server_class = library.postgres_server.PostgresServer
    for method in ("ensure_postgres_running", "get_postmaster_info"):
        assert callable(getattr(server_class, method)), method
    assert "self.global_process_id_list = DiskList(" in inspect.getsource(server_class.__init__)
    disk_list = library.postgres_server.DiskList
    for method in ("get", "put", "get_and_add"):
        assert callable(getattr(disk_list, method)), method
    info_class = library.utils.PostmasterInfo
    assert callable(info_class.read_from_pgdata) and callable(info_class.is_running)
    for attribute in ("self.pid", "self.port", "self.socket_dir"):
        assert attribute in inspect.getsource(info_class.__init__), attribute


def test_the_server_runs_with_the_archives_settings_and_their_overrides(tmp_path):
    """A fresh server is restarted at once for the settings that need it (shared_buffers)."""
    data_dir = tmp_path / "var"
    env_before = os.environ.get("ARCHIVE_PG_SETTINGS")
    os.environ["ARCHIVE_PG_SETTINGS"] = "shared_buffers=160MB,work_mem=48MB"
    try:
        probe = run_probe(data_dir, "SELECT name, setting, unit FROM pg_settings"
                                    " WHERE name IN ('shared_buffers', 'work_mem', 'jit', 'random_page_cost')"
                                    " ORDER BY name")  # fmt: skip
        out, err = probe.communicate(timeout=120)
    finally:
        if env_before is None:
            os.environ.pop("ARCHIVE_PG_SETTINGS")
        else:
            os.environ["ARCHIVE_PG_SETTINGS"] = env_before
    assert probe.returncode == 0, err
    assert "('jit', 'off', None)" in out
    assert "('random_page_cost', '1.1', None)" in out
    assert "('shared_buffers', '20480', '8kB')" in out  # 160 MB
    assert "('work_mem', '49152', 'kB')" in out
    assert wait_for(lambda: not servers_on((data_dir / "postgres").resolve()))


POOLED = """
import django
django.setup()
from pathlib import Path
from django.conf import settings
from django.db import connection
from archive.embedded_postgres import stop_server

def ask():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), pg_postmaster_start_time()::text")
        row = cursor.fetchone()
    connection.close()  # as at the end of every request: back to the pool
    return row

first = ask()
backends = {ask()[0] for _ in range(10)}
print("backends reused" if len(backends) <= 2 else f"{len(backends)} backends for 10 requests")
stop_server(Path(settings.DATABASES["default"]["EMBEDDED_PGDATA"]))  # as the benchmarks do to apply settings
third = ask()
print("served again" if third[1] != first[1] else f"same server start: {first} {third}")
"""


def test_requests_share_pooled_connections_and_a_stopped_server_is_started_again(tmp_path):
    # A connection per request costs a new server process, which loads the text search dictionaries again.
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(ARCHIVE_DATA_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="archive.settings_test")
    done = subprocess.run([sys.executable, "-c", POOLED], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["backends reused", "served again"], done.stdout
    assert wait_for(lambda: not servers_on((tmp_path / "var" / "postgres").resolve()))
