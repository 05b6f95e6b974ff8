"""The counts of a date range with nothing else to narrow it ("vanaf 2019-01-01"), from the stored counts of the
parliamentary years that lie wholly inside it.

Every question belongs to one parliamentary year. A year whose first and last question (one probe of the year's
date index each) both lie within the range has all its questions in it: its share of every count is the stored
count per year (facets.py, questions/triggers/facet_counts.sql). The questions of the other years that overlap the
range, at most the years at either end, are counted live, through the same index. Counting the whole range live
read every question in it: "vanaf 2010-01-01" at 100,000 documents took 150 ms on the PostgreSQL 15 service, and
grows with the archive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from archive.replicas import reading_connection
from questions.models import Question
from questions.search import facets
from questions.search.filters import FACETS
from questions.search.statement import Statement


@dataclass(frozen=True)
class YearsInRange:
    whole: tuple[str, ...]  # parliamentary years all of whose questions lie within the range
    partial: tuple[str, ...]  # years some of whose questions may lie within it


def years_in_range(date_from: dt.date | None, date_to: dt.date | None) -> YearsInRange:
    """Which parliamentary years lie wholly, and which partly, within the range (either end open: None)."""
    with reading_connection().cursor() as cursor:
        cursor.execute(_EDGES_SQL)
        edges = cursor.fetchall()
    whole, partial = [], []
    for session, first, last in edges:
        if (date_from is None or first >= date_from) and (date_to is None or last <= date_to):
            whole.append(session)
        elif (date_from is None or last >= date_from) and (date_to is None or first <= date_to):
            partial.append(session)
    return YearsInRange(tuple(whole), tuple(partial))


# The years that hold questions (by the stored counts), each with its first and last date.
_EDGES_SQL = """
SELECT y.session, first.date_asked, last.date_asked
FROM (SELECT fc.facet_value AS session FROM questions_facetcount AS fc
      WHERE fc.dimension = '' AND fc.value = '' AND fc.facet = 'year' AND fc.count > 0) AS y
CROSS JOIN LATERAL (SELECT q.date_asked FROM questions_question AS q WHERE q.session = y.session
                    ORDER BY q.date_asked ASC, q.id ASC LIMIT 1) AS first
CROSS JOIN LATERAL (SELECT q.date_asked FROM questions_question AS q WHERE q.session = y.session
                    ORDER BY q.date_asked DESC, q.id DESC LIMIT 1) AS last
"""


def browse(date_from: dt.date | None, date_to: dt.date | None) -> tuple[int, list]:
    """The number of questions asked within the range, and every facet's counts among them (rows of facet,
    value, label, count, as facets.collect reads them)."""
    years = years_in_range(date_from, date_to)
    statement = Statement()
    in_range = Question.objects.filter(session__in=years.partial)
    if date_from is not None:
        in_range = in_range.filter(date_asked__gte=date_from)
    if date_to is not None:
        in_range = in_range.filter(date_asked__lte=date_to)
    # The other years' questions within the range, through the index of each year's dates.
    live_sql = statement.queryset(in_range.order_by().values(*facets.ROW_COLUMNS)) if years.partial else None
    parts = [_facet_sql(statement, facet, years.whole, live_sql) for facet in FACETS]
    stored_total = f"({facets.stored_total(statement, ('year', years.whole))})" if years.whole else "0"
    live_total = "(SELECT count(*) FROM partial_rows)" if live_sql else "0"
    sql = f"SELECT {stored_total} + {live_total}, {facets.as_json_rows([part for part in parts if part])}"
    if live_sql:
        sql = f"WITH partial_rows AS MATERIALIZED ({live_sql})\n{sql}"
    total, rows = statement.fetch_one(sql)
    return int(total), rows


def _facet_sql(statement: Statement, facet: str, whole: tuple[str, ...], live_sql: str | None) -> str | None:
    """``facet``'s counts: the whole years' stored ones plus the live ones of the rows ``partial_rows``."""
    parts = []
    if whole:
        if facet == "year":
            every_year = facets.stored(statement, "year", ("", ("",)))
            parts.append(f"""SELECT y.facet, y.value, y.label, y.n FROM ({every_year}) AS y (facet, value, label, n)
                             WHERE y.value = ANY({statement.param(list(whole))})""")
        elif facet == "status":
            waiting = Question.objects.filter(facets.waiting_condition(), session__in=whole)
            waiting_sql = statement.queryset(waiting.order_by().values("id"))
            if waiting_sql is not None:
                parts.append(facets.stored_status(statement, ("year", whole), waiting_sql))
        else:
            parts.append(facets.stored(statement, facet, ("year", whole)))
    if live_sql:
        parts.append(facets.live(facet, "partial_rows AS base"))
    return facets.summed(parts) if parts else None
