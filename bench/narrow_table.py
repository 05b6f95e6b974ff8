#!/usr/bin/env python3
"""Whether a narrow search table would pay: the search vector kept inline, in a table of its own, against the
question table's own vector, for the work that reads the vector of every candidate.

The question table keeps its vector out of line, uncompressed (``STORAGE EXTERNAL``, migration 0045): a vector of
7 KB is four TOAST chunks, found through the TOAST table's index. The narrow copy (``bench_narrow_vectors``: the
id and the vector, ``STORAGE MAIN`` with ``toast_tuple_target`` 8160, its own GIN index) keeps every vector that
fits in a page inside the heap row, so a candidate costs one heap page. Timed on both layouts, the same way:

- a phrase: its words' candidates from the GIN index, each vector read once, checked and ranked
  (what questions/search/paging.py ``checked_in_scan`` does);
- a medium word: every match's vector read to rank it (the exact ranking, at most 2,000 matches).

Each query is timed warm (asked just before) and cold: after reading other questions' vectors, one and a half
times the server's shared_buffers, which pushes its pages out of them (to the operating system's cache) when
they are smaller than the archive's vectors, as PostgreSQL's default 128 MB is. A server whose shared_buffers
hold every vector (the tuned benchmark server) is timed warm only.

Usage: DATABASE_URL=postgres://... .venv/bin/python bench/narrow_table.py [--documents 100000] [--terms 20]

Prints medians and p95s per layout; the scratch table is dropped at the end. docs/benchmarks.md keeps the
figures (session 42).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402

NARROW = "bench_narrow_vectors"

_BUILD = [
    f"DROP TABLE IF EXISTS {NARROW}",
    f"CREATE TABLE {NARROW} (id bigint PRIMARY KEY, search_vector tsvector) WITH (toast_tuple_target = 8160)",
    f"ALTER TABLE {NARROW} ALTER COLUMN search_vector SET STORAGE MAIN",
    f"INSERT INTO {NARROW} SELECT id, search_vector FROM questions_question",
    f"CREATE INDEX {NARROW}_search ON {NARROW} USING gin (search_vector)",
    f"ANALYZE {NARROW}",
]

# {table}: questions_question or the narrow copy. %(check)s: the query to match; %(candidates)s: what the GIN
# index selects (a phrase loosened to its words, text.phrase_candidates). The vector is read once into memory
# (text.VectorRead) and both the check and the rank use that copy, as the application does.
_READ_EVERY_CANDIDATE = """
SELECT count(*), sum(ts_rank(scanned.vector, archive_tsquery(%(check)s)))
FROM (SELECT setweight(t.search_vector, 'A', '{{}}') AS vector FROM {table} AS t
      WHERE t.search_vector @@ archive_tsquery(%(candidates)s) OFFSET 0) AS scanned
WHERE scanned.vector @@ archive_tsquery(%(check)s)
"""


def _queries(count: int) -> dict[str, list[str]]:
    """The benchmark's phrases and medium words (bench/search_speed.py), as to_tsquery text."""
    from django.http import QueryDict

    from bench.search_speed import choose_queries
    from questions.search.params import SearchParams

    chosen = choose_queries(count)
    found: dict[str, list[str]] = {}
    for kind in ("phrase", "medium"):
        tsqueries = (SearchParams.from_query(QueryDict(f"q={query['q']}")).tsquery for query in chosen[kind])
        found[kind] = [tsquery for tsquery in tsqueries if tsquery]
    return found


def _bytes(cursor, sql: str) -> int:
    cursor.execute(sql)
    return int(cursor.fetchone()[0])


def _evict(cursor, evict_bytes: int, average_vector: int, total: int, turn: int) -> None:
    """Read other questions' vectors (a different slice of the archive of ``total`` questions each turn)
    through shared_buffers."""
    wanted = min(total // 2, evict_bytes // max(average_vector, 1))
    step = max(1, total // max(wanted, 1))
    cursor.execute("""SELECT sum(length(search_vector)) FROM questions_question
                      WHERE id %% %(step)s = %(turn)s""", {"step": step, "turn": turn % step})  # fmt: skip


def _time(cursor, table: str, check: str, candidates: str) -> tuple[float, int]:
    started = time.perf_counter()
    cursor.execute(_READ_EVERY_CANDIDATE.format(table=table), {"check": check, "candidates": candidates})
    matches = cursor.fetchone()[0]
    return (time.perf_counter() - started) * 1000, matches


def _summary(samples: list[float]) -> str:
    from bench.search_speed import percentiles

    figures = percentiles(samples)
    return f"median {figures['p50']:6.1f} ms, p95 {figures['p95']:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=100_000, help="the embedded archive, without DATABASE_URL")
    parser.add_argument("--terms", type=int, default=20, help="phrases and medium words timed")
    args = parser.parse_args()
    environment.setup(args.documents)
    from django.db import connection

    from questions.search import text

    print(environment.server_description())
    queries = _queries(args.terms)
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for statement in _BUILD:
            cursor.execute(statement)
        print(f"narrow copy built in {time.perf_counter() - started:.0f} s")
        try:
            shared_buffers = _bytes(cursor, "SELECT pg_size_bytes(current_setting('shared_buffers'))")
            vectors = _bytes(cursor, "SELECT pg_total_relation_size(reltoastrelid) FROM pg_class "
                                     "WHERE relname = 'questions_question'")  # fmt: skip
            average = _bytes(cursor, "SELECT avg(pg_column_size(search_vector))::bigint FROM questions_question")
            total = _bytes(cursor, "SELECT count(*) FROM questions_question")
            heap = _bytes(cursor, "SELECT pg_relation_size('questions_question')")
            narrow_heap = _bytes(cursor, f"SELECT pg_relation_size('{NARROW}')")
            narrow_total = _bytes(cursor, f"SELECT pg_total_relation_size('{NARROW}')")
            print(f"question table: heap {heap / 2**20:,.0f} MB, its TOAST (the vectors, the texts) "
                  f"{vectors / 2**20:,.0f} MB; narrow copy: heap {narrow_heap / 2**20:,.0f} MB, with its TOAST "
                  f"and indexes {narrow_total / 2**20:,.0f} MB; a vector {average:,} bytes on average; "
                  f"shared_buffers {shared_buffers / 2**20:,.0f} MB")  # fmt: skip
            states = ["warm"] + (["cold"] if shared_buffers < vectors else [])
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("SET jit = off")
            for kind, tsqueries in queries.items():
                for state in states:
                    samples: dict[str, list[float]] = {"question table": [], "narrow copy": []}
                    for turn, tsquery in enumerate(tsqueries):
                        candidates = text.phrase_candidates(tsquery) or tsquery
                        found = set()
                        for label, table in (("question table", "questions_question"), ("narrow copy", NARROW)):
                            if state == "cold":
                                _evict(cursor, int(1.5 * shared_buffers), average, total, turn)
                            else:
                                _time(cursor, table, tsquery, candidates)
                            milliseconds, matches = _time(cursor, table, tsquery, candidates)
                            samples[label].append(milliseconds)
                            found.add(matches)
                        assert len(found) == 1, f"the layouts disagree on {tsquery}: {found}"
                    question_table, narrow = samples["question table"], samples["narrow copy"]
                    ratio = statistics.median(narrow) / statistics.median(question_table)
                    print(f"{kind}, {state} (n = {len(tsqueries)}): question table {_summary(question_table)}; "
                          f"narrow copy {_summary(narrow)}; narrow ÷ question table (median) {ratio:.2f}",
                          flush=True)  # fmt: skip
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET jit")
            cursor.execute(f"DROP TABLE IF EXISTS {NARROW}")


if __name__ == "__main__":
    main()
