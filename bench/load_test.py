#!/usr/bin/env python3
"""A bounded load test: the real server (gunicorn with the project's config) on loopback, 8 clients for 60 s
while an import runs, then the embedded database stopped and killed under load.

Usage: .venv/bin/python bench/load_test.py [--clients 8] [--seconds 60] [--documents 2000]

Keeps its own embedded PostgreSQL under var/loadtest (the fault phases stop and kill it). Prints, per phase,
the requests, the failures (status or error) and the latency p50, p95 and max; for each fault, how many
requests failed and how, and how long until the site answered again. docs/operations.md keeps the figures.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "var" / "loadtest"
WORDS = ["water", "onderwijs", "mobiliteit", "armoede", "gemeente", "subsidies", "kinderopvang", "energie",
         "wegenwerken", "personeel", "klimaat", "zorg"]  # fmt: skip


def _env() -> dict[str, str]:
    return {**os.environ, "ARCHIVE_DATA_DIR": str(DATA_DIR), "DEBUG": "false",
            "SECRET_KEY": "load-test-only-secret-key-0123456789-abcdefghijklmnop", "RATE_LIMIT_SEARCH": "0",
            "RATE_LIMIT_API": "0", "RATE_LIMIT_CSV": "0", "RATE_LIMIT_FEEDS": "0"}  # fmt: skip


def _manage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=_env(), capture_output=True, text=True)


def _documents(count: int, seed: int) -> Path:
    sys.path.insert(0, str(ROOT))
    from bench.seed_documents import write_documents

    folder = Path(tempfile.mkdtemp(prefix="loadtest-"))
    write_documents(count, folder, seed=seed)
    return folder


class Load:
    """``clients`` threads, each asking the next request as soon as the last one answered."""

    def __init__(self, port: int, clients: int, question_ids: range) -> None:
        self.port, self.clients, self.question_ids = port, clients, question_ids
        self.results: list[tuple[float, float, str]] = []  # (started, seconds, outcome)
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def _path(self, rng: random.Random) -> str:
        kind = rng.random()
        if kind < 0.35:
            return "/search/?" + urlencode({"q": rng.choice(WORDS)})
        if kind < 0.6:
            return "/api/questions/?" + urlencode({"q": rng.choice(WORDS)})
        if kind < 0.85:
            return f"/questions/{rng.choice(self.question_ids)}/"
        if kind < 0.95:
            return "/feeds/questions.rss?" + urlencode({"q": rng.choice(WORDS)})
        return "/"

    def _client(self, seed: int) -> None:
        rng = random.Random(seed)
        while not self.stop.is_set():
            path = self._path(rng)
            started = time.monotonic()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                outcome = str(response.status)
                connection.close()
            except OSError as error:
                outcome = type(error).__name__
            with self.lock:
                self.results.append((started, time.monotonic() - started, outcome))

    def run(self, seconds: float, during: list[tuple[float, callable]] | None = None) -> list[tuple[float, float, str]]:  # type: ignore[valid-type]
        self.results, self.stop = [], threading.Event()
        threads = [threading.Thread(target=self._client, args=(seed,), daemon=True) for seed in range(self.clients)]
        begin = time.monotonic()
        for thread in threads:
            thread.start()
        for at, action in during or []:
            time.sleep(max(0.0, begin + at - time.monotonic()))
            action()
        time.sleep(max(0.0, begin + seconds - time.monotonic()))
        self.stop.set()
        for thread in threads:
            thread.join(timeout=35)
        return self.results


def summary(label: str, results: list[tuple[float, float, str]]) -> str:
    times = sorted(seconds * 1000 for _, seconds, outcome in results if outcome == "200")
    failures = Counter(outcome for _, _, outcome in results if outcome not in ("200", "404"))
    p95 = times[int(len(times) * 0.95)] if times else float("nan")
    return (f"{label}: {len(results)} requests, {sum(failures.values())} failed {dict(failures) or ''}; "
            f"answered: p50 {statistics.median(times) if times else float('nan'):.0f} ms, p95 {p95:.0f} ms, "
            f"max {max(times) if times else float('nan'):.0f} ms")  # fmt: skip


def recovery(results: list[tuple[float, float, str]], fault_at: float) -> str:
    """How many requests started after the fault failed, and when the first one succeeded again."""
    after = sorted((started, outcome) for started, _, outcome in results if started >= fault_at)
    failed = Counter(outcome for started, outcome in after if outcome != "200")
    back = next((started - fault_at for started, outcome in after
                 if outcome == "200" and all(o == "200" for s, o in after if s >= started)), None)  # fmt: skip
    return f"{sum(failed.values())} failed after the fault {dict(failed)}; answering again after " + (
        f"{back:.1f} s" if back is not None else "never (within the window)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--documents", type=int, default=2000)
    options = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)  # the fault phases stop the embedded server

    print("building the archive …", flush=True)
    assert _manage("migrate", "--no-input").returncode == 0
    assert _manage("collectstatic", "--no-input", "-v", "0").returncode == 0
    _manage("import_questions", "--quiet-unchanged", "--verbosity", "0", str(_documents(options.documents, 1)))

    port = 8000 + random.randint(1000, 9000)
    log = (DATA_DIR / "server.log").open("w")  # the server's errors, to read after a run
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "archive.asgi:application", "--config", "archive/gunicorn_conf.py",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=_env(), stdout=log, stderr=log,
    )  # fmt: skip
    time.sleep(5)
    load = Load(port, options.clients, range(1, options.documents + 1))
    try:
        importer = subprocess.Popen(
            [sys.executable, "manage.py", "import_questions", "--quiet-unchanged", "--verbosity", "0",
             str(_documents(options.documents, 2))], cwd=ROOT, env=_env(),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        label = f"{options.clients} clients, {options.seconds:.0f} s, an import running"
        print(summary(label, load.run(options.seconds)))
        print(f"  the import was {'still running' if importer.poll() is None else 'done'} at the end")
        importer.wait()

        sys.path.insert(0, str(ROOT))
        from archive.embedded_postgres import server_status, stop_server

        pgdata = DATA_DIR / "postgres"
        for fault, act in (("stopped (pg_ctl stop -m fast)", lambda: stop_server(pgdata)),
                           ("killed (SIGKILL to the postmaster)",
                            lambda: os.kill(server_status(pgdata).pid, signal.SIGKILL))):  # fmt: skip
            begin = time.monotonic()
            results = load.run(40, [(10, act)])
            print(summary(f"database {fault} at 10 s of 40", results))
            print("  " + recovery(results, begin + 10))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
