#!/usr/bin/env python3
"""The first request a server process answers, against the same request answered again: what a reader waits
after every deploy or restart, with the project's gunicorn config (its worker built what its first requests
would build: archive/warm_up.py) and, as the baseline in the same run, with the same config without that.

Usage: .venv/bin/python bench/first_requests.py [--documents 100000] [--rounds 3]
       DATABASE_URL=postgres://... .venv/bin/python bench/first_requests.py

For each kind of request and each config, a fresh gunicorn with one worker, left until the worker is booted and
idle; its first request of that kind timed, then the same request five times more (the median of those is
"again"). Prints the median over --rounds of each, in milliseconds. This process holds the database open
between the servers, so its pages stay in memory: the difference is the server process's own first use.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402
from bench.search_speed import choose_pages, choose_queries, free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
AGAIN = 5
# The project's config without its warm-up: each worker only freezes what it holds, as before archive/warm_up.py.
WITHOUT_WARM_UP = """
from archive.gunicorn_conf import *  # noqa: F403


def post_worker_init(worker):
    from archive.long_lived import freeze_long_lived_objects

    freeze_long_lived_objects()
"""


def requests_to_time(terms: int = 20) -> dict[str, str]:
    """One request of each kind: the first word, question and minister bench/search_speed.py's --terms 20 times."""
    queries, pages = choose_queries(terms), choose_pages(terms)
    rare, common = queries["rare"][0], queries["common"][0]
    return {
        "search API (rare word)": "/api/questions/?" + urlencode(rare),
        "search page (rare word)": "/search/?" + urlencode(rare),
        "question page": pages["question page"][0],
        "home page": pages["home page"][0],
        "minister page": pages["minister page"][0],
        "CSV export (common word)": "/search/export.csv?" + urlencode({**common, "sep": ","}),
    }


class OneWorker:
    """gunicorn with one worker, started with ``config``; ready once the worker has booted and gone idle."""

    def __init__(self, config: Path) -> None:
        import psutil

        self.port = free_port()
        env = {**os.environ, "WEB_CONCURRENCY": "1", "RATE_LIMIT_SEARCH": "0", "RATE_LIMIT_API": "0",
               "RATE_LIMIT_CSV": "0", "SEARCH_CACHE_ENTRIES": "0"}  # fmt: skip
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "archive.asgi:application", "--config", str(config),
             "--bind", f"127.0.0.1:{self.port}", "--access-logfile", "/dev/null", "--timeout", "120"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        master = psutil.Process(self.process.pid)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            workers = master.children()
            if workers and _idle(workers[0]):
                return
            time.sleep(0.2)
        raise RuntimeError("gunicorn's worker did not start")

    def get(self, path: str) -> float:
        """Milliseconds until the response's last byte."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                raise RuntimeError(f"{path} answered {response.status}")
            return elapsed
        finally:
            connection.close()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def _idle(worker) -> bool:
    """Whether the worker used no CPU for half a second (booted, its warm-up done, waiting for requests)."""
    before = sum(worker.cpu_times()[:2])
    time.sleep(0.5)
    return sum(worker.cpu_times()[:2]) == before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    environment.setup(args.documents)
    from django.db import connection

    connection.ensure_connection()  # holds the embedded server open between the servers started below
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, check=True)
    paths = requests_to_time()
    for label, path in paths.items():
        print(f"{label}: {path}", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        baseline = Path(scratch) / "without_warm_up.py"
        baseline.write_text(WITHOUT_WARM_UP, encoding="utf-8")
        configs = {"warmed up": ROOT / "archive/gunicorn_conf.py", "not warmed up": baseline}
        figures: dict[tuple[str, str], dict[str, list[float]]] = {}
        for _round in range(args.rounds):
            for label, path in paths.items():
                for config_name, config in configs.items():
                    server = OneWorker(config)
                    try:
                        first = server.get(path)
                        again = statistics.median(server.get(path) for _ in range(AGAIN))
                    finally:
                        server.stop()
                    cell = figures.setdefault((label, config_name), {"first": [], "again": []})
                    cell["first"].append(first)
                    cell["again"].append(again)
                    print(f"  {label}, {config_name}: first {first:.0f} ms, again {again:.0f} ms", flush=True)
    print()
    print(f"First request of a server process, {args.documents:,} documents, {environment.server_description()}")
    print(f"Milliseconds, median of {args.rounds} fresh servers; again: the median of the {AGAIN} requests after it.")
    print()
    print("| request | first, warmed up | again | first, not warmed up | again |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label in paths:
        cells = []
        for config_name in configs:
            cell = figures[(label, config_name)]
            cells += [f"{statistics.median(cell['first']):.0f}", f"{statistics.median(cell['again']):.0f}"]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
