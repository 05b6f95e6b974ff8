#!/usr/bin/env python3
"""This checkout's code against an earlier commit's, on the same archive, asked in turn: what a change gives.

Two processes serve the benchmark's paths in-process (Django's test client, no HTTP): one imports the
application from a checkout of ``--baseline`` (a git worktree under ``var/compare/``), the other from this
checkout. For each round and type, both are asked the type's paths, in alternating order, so that the machine's
changes of speed (seen here from minute to minute) fall on both sides alike. The paths are the benchmark's
(bench/search_speed.py: its search types through the JSON API, and the question, home, minister, member and
theme pages), chosen once by this checkout's code; the search cache is off, as the first time anyone asks.

Usage: [DATABASE_URL=postgres://...] .venv/bin/python bench/compare_code.py --baseline REV [--documents 100000]
       [--rounds 2] [--terms 40] [--types rare phrase "theme page" ...]

Prints, per type, the median and p95 of each side and their ratio. The worktree is kept for the next run;
`git worktree remove var/compare/<commit>` removes it. docs/benchmarks.md keeps the figures
(session 43).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402

# The environment of both sides: the rate limits and the search cache off, as bench/search_speed.py's server.
MEASURED = {"RATE_LIMIT_SEARCH": "0", "RATE_LIMIT_API": "0", "RATE_LIMIT_CSV": "0", "RATE_LIMIT_FEEDS": "0",
            "SEARCH_CACHE_ENTRIES": "0"}  # fmt: skip


def checkout(revision: str) -> Path:
    """A worktree of ``revision`` under var/compare/, made once."""
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{revision}^{{commit}}"], cwd=environment.ROOT,
                            check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip
    path = environment.ROOT / "var" / "compare" / commit[:12]
    if not path.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(path), commit], cwd=environment.ROOT, check=True,
                       capture_output=True)  # fmt: skip
    return path


def choose_paths(terms: int) -> dict[str, list[str]]:
    from bench.search_speed import choose_pages, choose_queries

    paths = {name: [f"/api/questions/?{urlencode(params)}" for params in queries]
             for name, queries in choose_queries(terms).items()}  # fmt: skip
    paths.update(choose_pages(terms))
    return paths


class Side:
    """A process serving the paths from the application in ``root``."""

    def __init__(self, label: str, root: Path, paths_file: Path) -> None:
        self.label = label
        env = {**os.environ, **MEASURED}
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=root, env=env,
                       check=True)  # fmt: skip
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", str(root), str(paths_file)],
            cwd=root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        if self.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the {label} side did not start")

    def time(self, kind: str) -> list[float]:
        self.stdin.write(kind + "\n")
        self.stdin.flush()
        return json.loads(self.stdout.readline())

    def stop(self) -> None:
        self.stdin.close()
        self.process.wait(timeout=60)


def serve(root: Path, paths_file: Path) -> None:
    """The worker: the application of ``root``, warmed up on every path, then timing one type per line read."""
    sys.path.insert(0, str(root))
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    paths: dict[str, list[str]] = json.loads(paths_file.read_text())
    for kind_paths in paths.values():
        for path in kind_paths:
            status = client.get(path).status_code
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
    print("ready", flush=True)
    for line in sys.stdin:
        samples = []
        for path in paths[line.strip()]:
            started = time.perf_counter()
            client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
        print(json.dumps(samples), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", help="the commit to compare this checkout with")
    parser.add_argument("--documents", type=int, default=100_000, help="the embedded archive, without DATABASE_URL")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--terms", type=int, default=40, help="paths per type")
    parser.add_argument("--types", nargs="*", help="the types to time (default: all)")
    parser.add_argument("--worker", nargs=2, metavar=("ROOT", "PATHS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        serve(Path(args.worker[0]), Path(args.worker[1]))
        return
    if not args.baseline:
        parser.error("--baseline is required")
    environment.setup(args.documents)  # sets the environment both sides inherit
    print(environment.server_description())
    paths = choose_paths(args.terms)
    kinds = args.types or list(paths)
    unknown = set(kinds) - set(paths)
    if unknown:
        parser.error(f"unknown types: {', '.join(sorted(unknown))}; known: {', '.join(paths)}")
    with tempfile.TemporaryDirectory() as scratch:
        paths_file = Path(scratch) / "paths.json"
        paths_file.write_text(json.dumps(paths))
        sides = [Side("baseline", checkout(args.baseline), paths_file), Side("this", environment.ROOT, paths_file)]
        samples: dict[str, dict[str, list[float]]] = {kind: {side.label: [] for side in sides} for kind in kinds}
        try:
            for round_number in range(args.rounds):
                for kind in kinds:
                    for side in sides if round_number % 2 == 0 else sides[::-1]:
                        samples[kind][side.label] += side.time(kind)
        finally:
            for side in sides:
                side.stop()
    from bench.search_speed import percentiles

    print(f"\n{args.baseline} against this checkout, {args.rounds} rounds, ms (in-process, search cache off):\n")
    print("| type | baseline p50 | this p50 | this ÷ baseline | baseline p95 | this p95 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for kind in kinds:
        before, after = percentiles(samples[kind]["baseline"]), percentiles(samples[kind]["this"])
        print(f"| {kind} | {before['p50']:.1f} | {after['p50']:.1f} | {after['p50'] / before['p50']:.2f} | "
              f"{before['p95']:.1f} | {after['p95']:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
