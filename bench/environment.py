"""Django set-up for benchmark scripts: each corpus size gets its own embedded PostgreSQL under var/bench-N,
kept between runs (building 1,000,000 documents takes a while), tuned for a 24 GiB machine."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What the benchmarks run with; written with ALTER SYSTEM, applied by a restart.
SERVER_SETTINGS = {
    "shared_buffers": "6GB",
    "effective_cache_size": "16GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "2GB",
    "max_parallel_workers_per_gather": "2",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "jit": "off",
}


def setup(size: int) -> Path:
    """Point Django at the benchmark archive of ``size`` documents (or at DATABASE_URL) and set it up."""
    sys.path.insert(0, str(ROOT))
    data_dir = ROOT / "var" / f"bench-{size}"
    data_dir.mkdir(parents=True, exist_ok=True)  # the SQLite peer lives here whichever server holds the archive
    if "DATABASE_URL" not in os.environ:
        os.environ["ARCHIVE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdef")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    import django

    django.setup()
    return data_dir


def embedded() -> bool:
    """Whether the benchmark runs on its own embedded server (not on one that DATABASE_URL names)."""
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "archive.embedded_backend"


def server_description() -> str:
    """Which PostgreSQL answered, with the settings that matter for speed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0].split()[0]
        values = {}
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "jit", "autovacuum"):
            cursor.execute(f"SHOW {name}")
            values[name] = cursor.fetchone()[0]
    kind = "the embedded benchmark server, tuned (bench/environment.py)" if embedded() else (
        "the server DATABASE_URL names, with its own settings")  # fmt: skip
    settings = ", ".join(f"{name} {value}" for name, value in values.items())
    return f"PostgreSQL {version}: {kind}; {settings}"


def tune_server() -> bool:
    """Apply SERVER_SETTINGS; returns whether the server must restart for them to take effect."""
    from django.db import connection

    restart = False
    with connection.cursor() as cursor:
        for name, value in SERVER_SETTINGS.items():
            cursor.execute("SELECT setting, unit, context FROM pg_settings WHERE name = %s", [name])
            cursor.execute(f"ALTER SYSTEM SET {name} = %s", [value])
            cursor.execute("SELECT pending_restart FROM pg_settings WHERE name = %s", [name])
        cursor.execute("SELECT pg_reload_conf()")
        cursor.execute("SELECT count(*) FROM pg_settings WHERE pending_restart")
        restart = cursor.fetchone()[0] > 0
    return restart


def restart_embedded_server() -> None:
    from django.conf import settings
    from django.db import connections

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "archive.embedded_backend":
        return
    from archive.embedded_postgres import stop_server

    connections.close_all()
    stop_server(Path(database["EMBEDDED_PGDATA"]))
