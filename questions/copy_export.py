"""The CSV export's rows, written by PostgreSQL itself (``COPY (SELECT …) TO STDOUT``).

Building a row per question in Python (model instances, the API's record, the csv module) made about 1,200
rows a second; the server writes the same CSV tens of times faster, and Python only passes its blocks on.
So everything a row shows is computed in the one statement: links from the site's address, the themes'
names, yes/no and the status in the reader's language, the deadline (from a calendar that
questions/deadlines.py computes: one array of the days to each day's deadline, handed over as text that each
process formats once), and the defusing of cells a spreadsheet would run as formulas.
tests/test_csv_export.py checks these rows against the API's records.

The long texts are read once, after the rows are sorted: the sort carries only their TOAST pointers, then
``|| ''`` in a subquery that is not merged into the main one (``OFFSET 0``) detoasts each into memory, and the
formula check and the output read that copy; referenced directly, each reference would fetch the text from
TOAST again (7.7 → 7.2 s for 56,000 rows, bench/export_speed.py). Read before the sort, the texts went through
it: with the matches estimated few, PostgreSQL sorted 14,159 rows of full texts on disk (114 MB) for a common
word at 100,000 documents. The sorted subquery is the outer side of the lateral join that reads the texts,
so its order is the output's (a nested loop keeps the order of its outer side; the subquery's ``OFFSET 0``
keeps it whole, in one process). The matches are selected first, on their own (a materialised CTE): joined
in one query, PostgreSQL walked the date index to sort them (or to join a calendar), reading the vector of every
question on the way to test it (1.4 s instead of 0.55 for a common word at 100,000 documents).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import nullcontext
from functools import lru_cache

from django.db import connections
from django.db.models import Max, Min
from django.urls import reverse
from django.utils.translation import gettext as _

from questions import deadlines
from questions.models import Question
from questions.search import limits, query, text
from questions.search.filters import status_label
from questions.search.params import SearchParams

BLOCK_BYTES = 2 * 1024 * 1024
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


_ROWS_SQL = """
WITH matched AS MATERIALIZED ({matching})
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
    FROM matched AS q
    JOIN questions_member AS member ON member.id = q.member_id
    JOIN questions_minister AS minister ON minister.id = q.minister_id
    LEFT JOIN questions_answer AS a ON a.question_id = q.id
    LEFT JOIN LATERAL (SELECT string_agg(t.name, '; ' ORDER BY t.name) AS names
                       FROM unnest(q.theme_ids) AS listed (id) JOIN questions_theme AS t ON t.id = listed.id
                      ) AS themes ON true
    ORDER BY q.date_asked {direction}, q.id {direction}
    OFFSET 0
) AS sorted
CROSS JOIN LATERAL (SELECT sorted.question_text || '' AS question, sorted.answer_text || '' AS answer
                    OFFSET 0) AS texts
"""


# What a row shows of the question itself (``q`` in _ROWS_SQL).
_QUESTION_COLUMNS = ("id", "number", "session", "date_asked", "title", "member_id", "minister_id", "minister_title",
                     "has_answer", "theme_ids", "question_text", "pdf_url", "source_url")


def _rows_sql(matching_sql: str, direction: str) -> str:
    return _ROWS_SQL.format(
        title=_defused("q.title"), member=_defused("member.name"), minister=_defused("minister.name"),
        minister_title=_defused("q.minister_title"), themes=_defused("themes.names"),
        question_text=_defused("texts.question"), answer_text=_defused("texts.answer"),
        matching=matching_sql, direction=direction,
    )  # fmt: skip


def _calendar(alias: str) -> tuple[str, dt.date | None]:
    """The days from each day to its deadline, as a PostgreSQL array literal, for every day from the archive's
    first question to its last, and that first day (the array's first element is its)."""
    bounds = Question.objects.using(alias).aggregate(first=Min("date_asked"), last=Max("date_asked"))
    first, last = bounds["first"], bounds["last"]
    if first is None or last is None:
        return "{}", None
    return _array_literal(first, last), first


@lru_cache(maxsize=8)
def _array_literal(first: dt.date, last: dt.date) -> str:
    """Formatted once a process: handed over as a list, the days of thirty years (11,658 of them, twice, as
    dates) cost psycopg 29 ms to convert at every export; as this text 7 ms, most of it PostgreSQL's parsing."""
    return "{" + ",".join(map(str, deadlines.days_to_deadlines(first, last))) + "}"


def csv_blocks(site: str, params: SearchParams, separator: str, alias: str) -> Iterator[bytes]:
    """Every match, in the search's date order, as CSV (no header) in blocks of about BLOCK_BYTES, read from
    the database ``alias`` (chosen by the request, archive/replicas.py, before the response streams)."""
    if params.impossible:
        return
    # The matches' own rows, where the search's conditions find them: ``id IN (the matches)`` was joined by
    # hashing to a scan of the whole table's primary key (every question read for 14,159 matches at 100,000).
    matching = query.matching(params).order_by().values(*_QUESTION_COLUMNS)
    matching_sql, matching_params = matching.query.get_compiler(using=alias).as_sql()
    days_to_deadline, first_day = _calendar(alias)
    question_link, api_link = _link_parts("questions:detail"), _link_parts("questions:api_detail")
    statement_params = [
        *matching_params,
        site + question_link[0], question_link[1], site + api_link[0], api_link[1],
        _("ja"), _("nee"),
        status_label("answered"), deadlines.overdue_cutoff(), status_label("overdue"), status_label("waiting"),
        days_to_deadline, first_day,
    ]  # fmt: skip
    sql = _rows_sql(matching_sql, "ASC" if params.sort == "oldest" else "DESC")
    connection = connections[alias]
    with text.index_scans_only(alias) if params.tsquery is not None else nullcontext(), limits.export_memory(alias):
        with connection.cursor() as cursor:
            copy_sql = f"COPY ({sql}) TO STDOUT (FORMAT csv, DELIMITER %s)"
            pending: list[bytes] = []
            size = 0
            with cursor.cursor.copy(copy_sql, [*statement_params, separator]) as copy:
                for block in copy:
                    pending.append(bytes(block))
                    size += len(block)
                    if size >= BLOCK_BYTES:
                        yield b"".join(pending)
                        pending, size = [], 0
            if pending:
                yield b"".join(pending)
