#!/usr/bin/env python3
"""The searches journalists make after the first one, each kind timed: a facet clicked on the results of a word,
two or three words, a date range, the other order, a deep page, a short prefix, phrases of common words or with
a stop word, words ORed or excluded.

bench/search_speed.py times the kinds of first search the issue names; this script times what follows them,
where a request combines a word with filters the kept counts may or may not answer. Each kind is asked
``--rounds`` times with other words (drawn from the same buckets of document frequency), each query twice: the
second answer is timed. In this process: Django's test client, the JSON API with facets and snippets, the search
cache off (as the first time anyone asks).

Usage: .venv/bin/python bench/search_flows.py [--documents 100000] [--rounds 4]

Prints, per kind: the median and the slowest time in ms, and the slowest query with its number of results.
docs/benchmarks.md keeps the figures.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402


def flows(rounds: int, seed: int = 3) -> list[tuple[str, dict]]:
    """(kind, query parameters), ``rounds`` of each kind."""
    from bench.search_speed import choose_queries
    from questions.models import Member, Minister, Theme

    rng = random.Random(seed)
    words = {name: [params["q"] for params in items]
             for name, items in choose_queries(40).items() if name in ("rare", "medium", "common", "very_common")}
    themes = list(Theme.objects.values_list("slug", flat=True))
    ministers = list(Minister.objects.values_list("slug", flat=True))
    members = list(Member.objects.values_list("name", flat=True))
    made = []
    for _ in range(rounds):
        c1, c2, c3 = rng.sample(words["common"], 3)
        v1, v2 = rng.sample(words["very_common"], 2)
        m1, m2 = rng.sample(words["medium"], 2)
        made += [
            ("very common word + theme", {"q": v1, "theme": rng.choice(themes)}),
            ("common word + minister", {"q": c1, "minister": rng.choice(ministers)}),
            ("common word + two filters", {"q": c1, "theme": rng.choice(themes), "answered": "no"}),
            ("two common words", {"q": f"{c1} {c2}"}),
            ("three common words", {"q": f"{c1} {c2} {c3}"}),
            ("two very common words", {"q": f"{v1} {v2}"}),
            ("common word + date range", {"q": c1, "date_from": "2019-01-01"}),
            ("very common word, oldest first", {"q": v2, "sort": "oldest"}),
            ("very common word, page 200", {"q": v1, "page": "200"}),
            ("prefix of 3 letters", {"q": c1[:3] + "*"}),
            ("very common words ORed", {"q": f"{v1} or {v2}"}),
            ("common word without a very common one", {"q": f"{c1} -{v1}"}),
            ("exclusion alone", {"q": f"-{c1}"}),
            ("phrase of 3 common words", {"q": f'"{c1} {c2} {c3}"'}),
            ("phrase of 2 very common words", {"q": f'"{v1} {v2}"'}),
            ("phrase with a stop word", {"q": f'"de {c1}"'}),
            ("phrase or a word", {"q": f'"{m1} {m2}" or {c1}'}),
            ("member's name + word", {"q": f"{rng.choice(members)} {c1}"}),
        ]
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    os.environ["SEARCH_CACHE_ENTRIES"] = "0"
    os.environ["RATE_LIMIT_API"] = "0"
    environment.setup(args.documents)
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    print(environment.server_description())
    client = Client()
    timed: dict[str, list[tuple[float, str, int]]] = {}
    for kind, params in flows(args.rounds):
        path = "/api/questions/?" + urlencode(params)
        client.get(path)
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
        timed.setdefault(kind, []).append((elapsed, path, response.json()["count"]))
    print("| kind | median ms | slowest ms | slowest query (results) |\n| --- | ---: | ---: | --- |")
    for kind, times in timed.items():
        slowest = max(times)
        median = statistics.median(elapsed for elapsed, _, _ in times)
        print(f"| {kind} | {median:.0f} | {slowest[0]:.0f} | `{slowest[1][len('/api/questions/?'):]}` "
              f"({slowest[2]:,}) |")


if __name__ == "__main__":
    main()
