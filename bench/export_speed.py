#!/usr/bin/env python3
"""How fast the CSV export streams: the application through the real server (gunicorn with the project's
config), against the floor (bare ``COPY`` of the same questions' id, title and texts, no links, names or
defusing) and against building each row in Python (the export before copy_export.py, still what the .xlsx
export does), all in one run on one archive.

Usage: .venv/bin/python bench/export_speed.py [--documents 100000] [--repeat 3] [--connections 1 2]
       DATABASE_URL=postgres://... .venv/bin/python bench/export_speed.py   # the server users run

Prints rows/s and MB/s per export (the median of --repeat runs) for a common word, a very common word and
the whole archive; with ``--connections 1 2``, for the export on one connection and on two
(EXPORT_CONNECTIONS, questions/copy_export.py), each against the bare COPY measured right after it.
docs/benchmarks.md keeps the figures.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402

EXPORTS = {"common word": {"q": "aantal"}, "very common word": {"q": "alle"}, "whole archive": {}}


def _median_seconds(run, repeat: int) -> tuple[float, int, int]:
    """``run`` returns the seconds it took, the rows and the bytes."""
    timings, rows, size = [], 0, 0
    for _ in range(repeat):
        seconds, rows, size = run()
        timings.append(seconds)
    return statistics.median(timings), rows, size


def _timed(run):
    def timed() -> tuple[float, int, int]:
        started = time.perf_counter()
        rows, size = run()
        return time.perf_counter() - started, rows, size

    return timed


def through_the_server(server, query: dict) -> tuple[float, int, int]:
    """The download, timed until its last byte, its rows counted as they arrive (a million rows of CSV do not
    fit in this process's memory twice over)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    try:
        started = time.perf_counter()
        connection.request("GET", "/search/export.csv?" + urlencode({**query, "sep": ","}))
        response = connection.getresponse()
        assert response.status == 200, response.status
        lines = size = 0
        quoted = False  # inside a quoted field: its line breaks are not the ends of rows
        while block := response.read(1 << 20):
            size += len(block)
            for index, part in enumerate(block.split(b'"')):
                if index:
                    quoted = not quoted
                if not quoted:
                    lines += part.count(b"\n")
        seconds = time.perf_counter() - started
    finally:
        connection.close()
    return seconds, lines - 1, size  # the header is a line too


def bare_copy(query: dict) -> tuple[int, int]:
    """The same questions' id, title, question and answer, copied by PostgreSQL with nothing else."""
    from django.db import connection
    from django.http import QueryDict

    from questions.search import query as search_query
    from questions.search import text
    from questions.search.params import SearchParams

    params = SearchParams.from_query(QueryDict(urlencode(query)))
    matching_sql, matching_params = search_query.matching(params).order_by().values("pk").query.sql_with_params()
    sql = f"""COPY (SELECT q.id, q.title, q.question_text, a.text FROM questions_question AS q
                    LEFT JOIN questions_answer AS a ON a.question_id = q.id WHERE q.id IN ({matching_sql})
                    ORDER BY q.date_asked DESC, q.id DESC) TO STDOUT (FORMAT csv)"""
    rows = size = 0
    with text.index_scans_only(), connection.cursor() as cursor:
        with cursor.cursor.copy(sql, matching_params) as copy:
            for block in copy:
                rows += 1
                size += len(block)
    return rows, size


def row_by_row(query: dict) -> tuple[int, int]:
    """Each row built in Python from model instances (the .xlsx export's way, and the CSV's before)."""
    from django.http import QueryDict
    from django.utils import translation

    from questions.export import _records, safe_cell
    from questions.search.params import SearchParams

    params = SearchParams.from_query(QueryDict(urlencode(query)))
    output = io.StringIO()
    writer = csv.writer(output)
    rows = 0
    with translation.override("nl"):
        for cells in _records("http://127.0.0.1", params):
            writer.writerow([safe_cell(cell) for cell in cells])
            rows += 1
    return rows, len(output.getvalue().encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-row-by-row", action="store_true", help="the slow Python baseline takes minutes")
    parser.add_argument("--connections", type=int, nargs="+", default=[2], choices=[1, 2],
                        help="EXPORT_CONNECTIONS for the server, one server after another (default: 2)")  # fmt: skip
    args = parser.parse_args()
    environment.setup(args.documents)
    from bench.search_speed import Server

    print(environment.server_description())
    for name, query in EXPORTS.items():
        for connections in args.connections:
            os.environ["EXPORT_CONNECTIONS"] = str(connections)
            server = Server(workers=2)
            try:
                app_seconds, rows, size = _median_seconds(
                    lambda q=query, s=server: through_the_server(s, q), args.repeat
                )
            finally:
                server.stop()
            bare_seconds, bare_rows, _bare_size = _median_seconds(_timed(lambda q=query: bare_copy(q)), args.repeat)
            assert bare_rows == rows, (bare_rows, rows)
            line = (f"{name}: {rows:,} rows, {size / 1e6:,.0f} MB; app on {connections} connection(s) "
                    f"{rows / app_seconds:,.0f} rows/s ({size / 1e6 / app_seconds:,.0f} MB/s, {app_seconds:.1f} s); "
                    f"bare COPY {rows / bare_seconds:,.0f} rows/s ({bare_seconds:.1f} s); "
                    f"app ÷ bare {app_seconds / bare_seconds:.2f}")  # fmt: skip
            if not args.skip_row_by_row and connections == args.connections[0]:
                python_seconds, python_rows, _ = _median_seconds(_timed(lambda q=query: row_by_row(q)), 1)
                assert python_rows == rows
                line += f"; row by row in Python {rows / python_seconds:,.0f} rows/s ({python_seconds:.1f} s)"
            print(line, flush=True)


if __name__ == "__main__":
    main()
