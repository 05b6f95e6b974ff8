"""gunicorn settings for `make demo` and the Docker image. Command-line flags override these."""

import multiprocessing
import os

from archive.env import env_int

workers = env_int("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2), minimum=1, maximum=64)
# gunicorn's asyncio worker serving archive/asgi.py: the event loop reads requests, so slow clients hold
# sockets, not workers (tests/test_slow_clients.py: 50 of them, and a search still answers at once).
worker_class = "asgi"
timeout = 30
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server) -> None:
    """Hold the embedded PostgreSQL open in the master process for the server's whole life.

    Workers come and go; without this, the database would stop when the last worker that used it exits.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "archive.embedded_backend":
        from pathlib import Path

        from archive.embedded_postgres import ensure_server

        ensure_server(Path(database["EMBEDDED_PGDATA"]), database["EMBEDDED_DATABASE"])


def post_worker_init(worker) -> None:
    """Each worker, its application loaded: what its first requests would build is built now
    (archive/warm_up.py), then what it keeps for its whole life leaves Python's full garbage collections
    (archive/long_lived.py)."""
    from archive.long_lived import freeze_long_lived_objects
    from archive.warm_up import warm_up

    warm_up()
    freeze_long_lived_objects()
