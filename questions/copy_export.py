"""The CSV export's rows, written by PostgreSQL itself (``COPY (SELECT …) TO STDOUT``).

Building a row per question in Python (model instances, the API's record, the csv module) made about 1,200
rows a second; the server writes the same CSV tens of times faster, and Python only passes its blocks on.
So everything a row shows is computed in SQL: links from the site's address, the themes' names, yes/no and
the status in the reader's language, the deadline (from a calendar that questions/deadlines.py computes: one
array of the days to each day's deadline, handed over as text that each process formats once), and the
defusing of cells a spreadsheet would run as formulas. tests/test_csv_export.py checks these rows against the
API's records.

The matches are selected first, on their own (a materialised CTE), and only their ids sorted: joined in one
query with the rest, PostgreSQL walked the date index to sort them (or to join a calendar), reading the vector
of every question on the way to test it (1.4 s instead of 0.55 for a common word at 100,000 documents). Their
rows are then written CHUNK_ROWS at a time, each chunk's questions found by id, in one transaction's snapshot.
A chunk's questions and answers are looked up in the order of their ids, then sorted back into the export's:
in the order of the dates, each look-up went to another part of the index and the table (at 100,000 documents,
the two statements in turn in one process: a very common word 3.6 → 3.0 s warm, a common word read from disk
2.2 → 1.9 s; docs/benchmarks-history.md, session 49).
Writing an export's rows (reading the texts from TOAST, decompressing them, quoting them as CSV) keeps one
PostgreSQL process busy at about the rate the client takes them, so a second connection, in the same snapshot
(``pg_export_snapshot``), reads every other chunk while this one's rows stream (EXPORT_CONNECTIONS).

The long texts are read once, after a chunk's rows are sorted: the sort carries only their TOAST pointers, then
``|| ''`` in a subquery that is not merged into the main one (``OFFSET 0``) detoasts each into memory, and the
formula check and the output read that copy; referenced directly, each reference would fetch the text from
TOAST again (7.7 → 7.2 s for 56,000 rows, bench/export_speed.py). Read before the sort, the texts went through
it: with the matches estimated few, PostgreSQL sorted 14,159 rows of full texts on disk (114 MB) for a common
word at 100,000 documents. The sorted subquery is the outer side of the lateral join that reads the texts,
so its order is the output's (a nested loop keeps the order of its outer side; the subquery's ``OFFSET 0``
keeps it whole, in one process).
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Max, Min
from django.urls import reverse
from django.utils.translation import gettext as _
from psycopg.pq import TransactionStatus

from questions import deadlines
from questions.models import Question
from questions.search import limits, query, text
from questions.search.filters import status_label
from questions.search.params import SearchParams

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

logger = logging.getLogger(__name__)

BLOCK_BYTES = 2 * 1024 * 1024
# Rows a connection reads at once: about 8 MB of CSV for the benchmark's questions (6 KB of text each).
CHUNK_ROWS = 1_000
ChunkStatement = Callable[[list[int]], tuple[str, list[Any]]]
# A spreadsheet treats a cell starting with one of these as a formula (CSV injection); export.safe_cell too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SQL_ESCAPES = str.maketrans({"\\": "\\\\", "'": "\\'", "\t": "\\t", "\r": "\\r"})


def _defused(column: str) -> str:
    """The column, with a ``'`` before a value a spreadsheet would run as a formula (what
    ``export.safe_cell`` does in Python)."""
    starts = ", ".join(f"E'{character.translate(_SQL_ESCAPES)}'" for character in FORMULA_STARTS)
    return f"CASE WHEN left({column}, 1) IN ({starts}) THEN '''' || {column} ELSE {column} END"


def _link_parts(name: str) -> tuple[str, str]:
    """A question's link around its id: ``/questions/`` and ``/``."""
    marker = 987654321
    before, after = reverse(name, kwargs={"pk": marker}).split(str(marker))
    return before, after


# The matches in the export's order, selected on their own first (see the module's docstring).
_IDS_SQL = """
WITH matched AS MATERIALIZED ({matching})
SELECT id FROM matched ORDER BY date_asked {direction}, id {direction}
"""

# The rows of one chunk of those matches, given by id in the export's order, looked up in the order of their ids
# (neighbouring index entries and table pages in turn, not in the order of the dates), then sorted back.
_ROWS_SQL = """
SELECT sorted.id, sorted.question_link, sorted.api_link, sorted.number, sorted.session, sorted.asked,
       sorted.title, sorted.member, sorted.minister, sorted.minister_title, sorted.themes, sorted.answered,
       sorted.status, sorted.due, sorted.answered_on,
       {question_text}, {answer_text},
       sorted.pdf_url, sorted.source_url
FROM (
    SELECT q.id,
           %s || q.id || %s AS question_link,
           %s || q.id || %s AS api_link,
           q.number, q.session, to_char(q.date_asked, 'YYYY-MM-DD') AS asked,
           {title} AS title, {member} AS member, {minister} AS minister, {minister_title} AS minister_title,
           {themes} AS themes,
           CASE WHEN q.has_answer THEN %s ELSE %s END AS answered,
           CASE WHEN q.has_answer THEN %s WHEN q.date_asked <= %s THEN %s ELSE %s END AS status,
           to_char(q.date_asked + (%s::integer[])[q.date_asked - %s::date + 1], 'YYYY-MM-DD') AS due,
           to_char(a.answer_date, 'YYYY-MM-DD') AS answered_on,
           q.question_text, a.text AS answer_text,
           NULLIF(q.pdf_url, '') AS pdf_url, NULLIF(q.source_url, '') AS source_url
    FROM (SELECT * FROM unnest(%s::bigint[]) WITH ORDINALITY AS given (id, place) ORDER BY given.id) AS chunk
    JOIN questions_question AS q ON q.id = chunk.id
    JOIN questions_member AS member ON member.id = q.member_id
    JOIN questions_minister AS minister ON minister.id = q.minister_id
    LEFT JOIN questions_answer AS a ON a.question_id = q.id
    -- The themes found by their ids in the table's index: unnested and joined, a hash table was built for each
    -- row, a fifth of the statement's time.
    LEFT JOIN LATERAL (SELECT string_agg(t.name, '; ' ORDER BY t.name) AS names
                       FROM questions_theme AS t WHERE t.id = ANY(q.theme_ids)) AS themes ON true
    ORDER BY chunk.place
    OFFSET 0
) AS sorted
CROSS JOIN LATERAL (SELECT sorted.question_text || '' AS question, sorted.answer_text || '' AS answer
                    OFFSET 0) AS texts
"""


# For the chunks' statements on either connection: each chunk's questions by id, never a scan, and no JIT
# compiling (a plan costed with scans disabled looks expensive enough to compile: see text.index_scans_only).
_CHUNK_SETTINGS = "SET LOCAL enable_seqscan = off; SET LOCAL jit = off"

ROWS_SQL = _ROWS_SQL.format(
    title=_defused("q.title"), member=_defused("member.name"), minister=_defused("minister.name"),
    minister_title=_defused("q.minister_title"), themes=_defused("themes.names"),
    question_text=_defused("texts.question"), answer_text=_defused("texts.answer"),
)  # fmt: skip


def _calendar(alias: str) -> tuple[str, dt.date | None]:
    """The days from each day to its deadline, as a PostgreSQL array literal, for every day of the years from the
    archive's first question to its last, and the first of those days (the array's first element is its)."""
    bounds = Question.objects.using(alias).aggregate(first=Min("date_asked"), last=Max("date_asked"))
    first, last = bounds["first"], bounds["last"]
    if first is None or last is None:
        return "{}", None
    years = range(first.year, last.year + 1)
    return "{" + ",".join(days_to_deadline_text(year) for year in years) + "}", dt.date(first.year, 1, 1)


@lru_cache(maxsize=256)
def days_to_deadline_text(year: int) -> str:
    """The days from each day of ``year`` to its deadline, comma-separated: formatted once a process and year,
    so an import that adds a day to the archive costs the next export nothing, and a server process can
    prepare them before its first request (archive/warm_up.py). Handed over as a list, the days of thirty years
    (twice, as dates) cost psycopg 29 ms to convert at every export; as this text 7 ms, most of it PostgreSQL's
    parsing. Computed, thirty years took 30 ms of Python (holidays known), the first time 0.3 s (the holidays
    package's countries imported)."""
    return ",".join(map(str, deadlines.days_to_deadlines(dt.date(year, 1, 1), dt.date(year, 12, 31))))


def csv_blocks(site: str, params: SearchParams, separator: str, alias: str) -> Iterator[bytes]:
    """Every match, in the search's date order, as CSV (no header) in blocks of about BLOCK_BYTES, read from
    the database ``alias`` (chosen by the request, archive/replicas.py, before the response streams).

    The matches' ids come first, in order; then their rows, CHUNK_ROWS at a time. With EXPORT_CONNECTIONS = 2
    a second connection reads every other chunk while this one's rows stream, both in one snapshot of the
    archive: PostgreSQL writes an export's rows on one core, at about the rate the client takes them."""
    if params.impossible:
        return
    direction = "ASC" if params.sort == "oldest" else "DESC"
    matching = query.matching(params).order_by().values("id", "date_asked")
    matching_sql, matching_params = matching.query.get_compiler(using=alias).as_sql()
    days_to_deadline, first_day = _calendar(alias)
    question_link, api_link = _link_parts("questions:detail"), _link_parts("questions:api_detail")
    row_params = [
        site + question_link[0], question_link[1], site + api_link[0], api_link[1],
        _("ja"), _("nee"),
        status_label("answered"), deadlines.overdue_cutoff(), status_label("overdue"), status_label("waiting"),
        days_to_deadline, first_day,
    ]  # fmt: skip
    copy_sql = f"COPY ({ROWS_SQL}) TO STDOUT (FORMAT csv, DELIMITER %s)"

    def chunk_statement(ids: list[int]) -> tuple[str, list[Any]]:
        return copy_sql, [*row_params, ids, separator]

    connection = connections[alias]
    # The export's own transaction, unless it runs inside one already (then its writes, not yet committed,
    # would be invisible to a second connection, which reads with one connection only).
    own_transaction = not connection.in_atomic_block
    with text.index_scans_only(alias) if params.tsquery is not None else nullcontext(), limits.export_memory(alias):
        # One snapshot for the ids and every chunk's rows, whichever connection reads them.
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            if own_transaction:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # The ids wait in a cursor on the server, fetched a chunk at a time: the memory an export takes
            # does not grow with its rows (a million ids in a Python list: about 40 MB).
            with connection.chunked_cursor() as ids_cursor:
                ids_cursor.execute(_IDS_SQL.format(matching=matching_sql, direction=direction), matching_params)
                chunks = iter(lambda: [row[0] for row in ids_cursor.fetchmany(CHUNK_ROWS)], [])
                cursor.execute(_CHUNK_SETTINGS)
                first, following = next(chunks, None), next(chunks, None)
                if first is None:
                    return
                shared = own_transaction and following is not None
                second = _second_reader(alias, cursor, chunk_statement) if shared else None
                listed = [first] if following is None else [first, following]
                try:
                    yield from _blocks_in_order(cursor, itertools.chain(listed, chunks), chunk_statement, second)
                finally:
                    if second is not None:
                        second.close()


def _blocks_in_order(
    cursor: Any, chunks: Iterator[list[int]], chunk_statement: ChunkStatement, second: _SecondReader | None
) -> Iterator[bytes]:
    """The chunks' CSV in their order: this connection streams one, while the second reader (when there is one)
    reads the next; a chunk the second reader cannot read is read here."""
    for own in chunks:
        theirs = next(chunks, None)
        ahead = second.read(theirs) if second is not None and theirs is not None else None
        yield from _streamed(cursor, *chunk_statement(own))
        if theirs is None:
            return
        if ahead is not None:
            try:
                yield ahead.result()
                continue
            except Exception:
                logger.exception("the export's second connection failed; the export goes on with one")
                assert second is not None
                second.close()
                second = None
        yield from _streamed(cursor, *chunk_statement(theirs))


def _streamed(cursor: Any, sql: str, statement_params: list[Any]) -> Iterator[bytes]:
    pending: list[bytes] = []
    size = 0
    with cursor.cursor.copy(sql, statement_params) as copy:
        for block in copy:
            pending.append(bytes(block))
            size += len(block)
            if size >= BLOCK_BYTES:
                yield b"".join(pending)
                pending, size = [], 0
    if pending:
        yield b"".join(pending)


def _second_reader(alias: str, cursor: Any, chunk_statement: ChunkStatement) -> _SecondReader | None:
    """A second connection in this transaction's snapshot (PostgreSQL shares it with ``pg_export_snapshot``, on a
    primary or a standby), or None when EXPORT_CONNECTIONS is 1 or the process's pool has none to spare."""
    if settings.EXPORT_CONNECTIONS < 2 or not spare_connection(getattr(connections[alias], "pool", None)):
        return None
    cursor.execute("SELECT pg_export_snapshot()")
    (snapshot,) = cursor.fetchone()
    return _SecondReader(alias, snapshot, chunk_statement)


def spare_connection(pool: ConnectionPool | None) -> bool:
    """Whether a second connection keeps no one waiting: without a pool (a connection per request), or with an
    idle connection in it or room for another, and no request waiting for one."""
    if pool is None:
        return True
    stats = pool.get_stats()
    room = stats.get("pool_available", 0) > 0 or stats.get("pool_size", 0) < stats.get("pool_max", 0)
    return room and stats.get("requests_waiting", 0) == 0


class _SecondReader:
    """Another connection to the same database, in its own thread, that reads whole chunks ahead in the
    snapshot of the export's transaction. Its thread keeps its connection (Django's connections are per
    thread) and gives it back when the reader is closed."""

    def __init__(self, alias: str, snapshot: str, chunk_statement: ChunkStatement) -> None:
        self._alias = alias
        self._chunk_statement = chunk_statement
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-reader")
        self._closed = False
        self._opened = self._thread.submit(self._open, snapshot)

    def read(self, ids: list[int]) -> Future[bytes]:
        return self._thread.submit(self._read, ids)

    def close(self) -> None:
        """Give the connection back, once the chunk being read (if any) is read; closing twice is harmless."""
        if not self._closed:
            self._closed = True
            self._thread.submit(self._close)
            self._thread.shutdown(wait=True)

    def _open(self, snapshot: str) -> None:
        connection = connections[self._alias]
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
            cursor.execute(_CHUNK_SETTINGS)

    def _read(self, ids: list[int]) -> bytes:
        self._opened.result()  # an error opening the connection is each chunk's error
        sql, statement_params = self._chunk_statement(ids)
        with connections[self._alias].connection.cursor() as cursor, cursor.copy(sql, statement_params) as copy:
            return b"".join(bytes(block) for block in copy)

    def _close(self) -> None:
        connection = connections[self._alias]
        try:
            raw = connection.connection
            if raw is not None and not raw.closed and raw.info.transaction_status != TransactionStatus.IDLE:
                raw.execute("ROLLBACK")  # read only: nothing to keep
        finally:
            connection.close()
