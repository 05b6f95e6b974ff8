#!/usr/bin/env python3
"""Every benchmark in one run: import speed, then per archive size the search and the archive's size.

Usage: .venv/bin/python bench/run.py [--sizes 100000 1000000] [--terms 40] [--write-docs]

Runs, one after the other (each in its own process, so each measures a quiet machine):
  bench/import_speed.py --documents 3000
  bench/load_corpus.py --documents N              (builds var/bench-N once; a million takes about an hour)
  bench/search_speed.py --documents N --terms T   (JSON API, HTML, concurrency 4, bare SQL, SQLite FTS5)
  bench/full_archive.py --documents N             (size against the raw text, import into the full archive)
With --write-docs each script puts its table in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def step(script: str, *arguments: str) -> None:
    command = [sys.executable, str(BENCH / script), *arguments]
    print(f"\n$ {' '.join(command[1:])}", flush=True)
    started = time.perf_counter()
    subprocess.run(command, check=True)
    print(f"({script}: {time.perf_counter() - started:.0f} s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--terms", type=int, default=40)
    parser.add_argument("--import-documents", type=int, default=3_000)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    docs = ["--write-docs"] if args.write_docs else []

    step("import_speed.py", "--documents", str(args.import_documents), *docs)
    for size in args.sizes:
        step("load_corpus.py", "--documents", str(size))
        step("search_speed.py", "--documents", str(size), "--terms", str(args.terms), *docs)
        step("full_archive.py", "--documents", str(size), *docs)


if __name__ == "__main__":
    main()
