from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from django.core.management import call_command
from django.http import QueryDict

from questions.importing.runner import Document
from questions.search.params import SearchParams
from questions.search.results import ResultPage, search


def run_import(*paths: str | Path, **options) -> tuple[int, str]:
    """Run ``import_questions`` and return (exit status, output)."""
    out = io.StringIO()
    try:
        call_command("import_questions", *map(str, paths), stdout=out, stderr=io.StringIO(), **options)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue()
    return 0, out.getvalue()


def numbered_seed_documents(count: int) -> list[Document]:
    """``count`` copies of the seed document as questions of their own (nr. 1 to ``count``), for the importer."""
    from tests.conftest import SEED_DOCUMENT

    text = SEED_DOCUMENT.read_text()
    return [
        Document(f"doc{number}.txt", lambda number=number: text.replace("nr. 292", f"nr. {number}")
                 .replace("/1806581", f"/{number}").encode())
        for number in range(1, count + 1)
    ]  # fmt: skip


def plan_nodes(node: dict) -> Iterator[dict]:
    """Every node of a plan that ``EXPLAIN (FORMAT JSON)`` printed, ``node`` first."""
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def summary_line(output: str) -> str:
    return output.strip().splitlines()[-1]


def run_search(query: QueryDict | str | dict) -> ResultPage:
    """A page of results, as /search/ computes it for this query string."""
    if isinstance(query, str):
        query = QueryDict(query)
    return search(SearchParams.from_query(query))


def found_numbers(text: str) -> list[int]:
    """The question numbers a text search finds, in the order of the results page (relevance)."""
    return [question.number for question in run_search({"q": text}).questions]


def run_jobs() -> None:
    """Run the background worker until the queue is empty, as ``manage.py procrastinate worker`` does (tests
    that use it need ``transactional_db``: the worker reads what the request committed)."""
    from procrastinate.contrib.django import app

    # As the management command does: the worker talks to PostgreSQL through its own connection.
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_real_server(port: int, **environment: str):
    """gunicorn with the project's configuration on 127.0.0.1:``port`` (a subprocess; the caller stops it),
    with a throw-away secret key and DEBUG off, plus ``environment``."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
           **environment}  # fmt: skip
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "archive.asgi:application",
         "--config", "archive/gunicorn_conf.py", "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"],
        cwd=Path(__file__).resolve().parent.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wait_until_serving(process, url: str, timeout: float = 30) -> None:
    """Wait until the server ``process`` answers ``url``; fail if it exits or takes longer than ``timeout``."""
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=10).read()
            return
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None, "the server did not start"
            time.sleep(0.3)
