#!/usr/bin/env python3
"""How many requests a second one application server and one PostgreSQL serve, and at what latency.

Starts the real server (gunicorn with the project's config) on the benchmark archive (or DATABASE_URL, and
DATABASE_REPLICA_URLS when set: the same run then shows what the replicas add), and drives it with N clients
that each send their next request as soon as the last one is answered, for --seconds per level of N. The
requests are what readers open, in these shares: searches of every type in bench/search_speed.py (half the
JSON API, half the HTML page) 60 %, question pages 25 %, home, minister, member and theme pages 15 %.

Usage: .venv/bin/python bench/throughput.py [--documents 100000] [--clients 1 2 4 8] [--seconds 20]
       [--search-cache on|off]

The mix repeats its paths (2,000 drawn from about 600), as readers repeat searches and permalinks: with the
search cache on, as the project runs, most are answered from it after their first time; off, every request
is computed.

Prints, per number of clients: requests/s, p50 and p95 in ms, and failures; then the highest throughput
with p95 ≤ --p95-limit ms. docs/scaling.md keeps the figures.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402


def request_mix(terms: int, seed: int = 5) -> list[str]:
    """A shuffled list of paths in the shares the module's docstring gives."""
    from bench.search_speed import choose_pages, choose_queries

    rng = random.Random(seed)
    searches = [params for queries in choose_queries(terms).values() for params in queries]
    pages = choose_pages(terms)
    question_pages = pages.pop("question page")
    other_pages = [path for paths in pages.values() for path in paths]
    mix = []
    for _ in range(2_000):
        draw = rng.random()
        if draw < 0.6:
            params = rng.choice(searches)
            mix.append(("/api/questions/?" if rng.random() < 0.5 else "/search/?") + urlencode(params))
        elif draw < 0.85:
            mix.append(rng.choice(question_pages))
        else:
            mix.append(rng.choice(other_pages))
    return mix


def drive(server, paths: list[str], clients: int, seconds: float) -> dict:
    """``clients`` threads, each asking for the next path as soon as it has its answer, for ``seconds``."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(offset: int) -> None:
        index = offset
        while time.monotonic() < stop_at:
            path = paths[index % len(paths)]
            index += clients
            started = time.perf_counter()
            try:
                status, _body = server.get(path)
                ok = status == 200
            except OSError:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                failures[0] += 0 if ok else 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(offset * 97,)) for offset in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    ordered = sorted(latencies)
    return {
        "clients": clients, "requests": len(ordered), "per_second": len(ordered) / wall,
        "p50": ordered[len(ordered) // 2], "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
        "failures": failures[0],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--terms", type=int, default=40)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (the project's default: 4)")
    parser.add_argument("--p95-limit", type=float, default=150)
    parser.add_argument("--search-cache", choices=("on", "off"), default="on",
                        help="keep results until the archive changes, as the project runs (questions/search/cache.py); "
                             "off: compute every request")  # fmt: skip
    args = parser.parse_args()
    environment.setup(args.documents)
    from bench.search_speed import Server

    replicas = os.environ.get("DATABASE_REPLICA_URLS", "")
    print(environment.server_description())
    print(f"replicas: {replicas.count(',') + 1 if replicas else 'none'}; gunicorn workers: {args.workers}; "
          f"search cache: {args.search_cache}")
    paths = request_mix(args.terms)
    server = Server(workers=args.workers, search_cache=args.search_cache == "on")
    try:
        drive(server, paths, 2, min(10.0, args.seconds))  # warm-up: caches, connections, plans
        results = []
        for clients in args.clients:
            result = drive(server, paths, clients, args.seconds)
            results.append(result)
            print(f"{clients} clients: {result['per_second']:.1f} requests/s, p50 {result['p50']:.0f} ms, "
                  f"p95 {result['p95']:.0f} ms, {result['failures']} failed of {result['requests']}", flush=True)
        within = [result for result in results if result["p95"] <= args.p95_limit and not result["failures"]]
        if within:
            best = max(within, key=lambda result: result["per_second"])
            print(f"highest throughput with p95 ≤ {args.p95_limit:.0f} ms: {best['per_second']:.1f} requests/s "
                  f"({best['clients']} clients)")
        else:
            print(f"no level kept p95 ≤ {args.p95_limit:.0f} ms")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
