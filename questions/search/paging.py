"""Which matches fill one page of a search, and in which order: SQL that runs in the statement that counts them.

The counts and facets (query.py) select the matches once, in the materialised CTE ``base``; the page is chosen
from that same selection, so a request evaluates its text query once. (Choosing the page in a second statement
made PostgreSQL evaluate the query again, sometimes by walking the date index and reading the vector of every
question it passed: 100 ms for page 50 of a common word at 100,000 documents.)

Relevance order ranks every match exactly while there are at most EXACT_RANKING_LIMIT of them. Beyond that (a
very common word), ranking them all would read hundreds of thousands of vectors, so it goes in two passes: the
matches whose *title* matches are ordered by the small title vector, the best RANKING_CANDIDATES of them are
ranked exactly on the whole vector and come first; every other match follows, newest first. Every match is
still counted and reachable. See docs/search-design.md.

A phrase is checked on each candidate's whole vector in the scan that selects the matches; ranking them after
would read each vector a second time, through the table. So a phrase is ranked in that scan, on the copy of
the vector it was checked on (:func:`checked_in_scan`), and the exact ranking reads the rank from ``base``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from questions.search.statement import Statement
from questions.search.text import tsquery_sql

EXACT_RANKING_LIMIT = 2_000
RANKING_CANDIDATES = 200


@dataclass(frozen=True)
class PageRequest:
    sort: str  # "relevance", "newest" or "oldest"
    tsquery: str | None  # to_tsquery text, None without a text query
    offset: int
    limit: int
    pinned: tuple[int, ...] = ()  # in relevance order, these matches come first, in this order
    ranked_in_scan: bool = False  # ``base`` has a column ``scan_rank``, each match's rank (checked_in_scan)
    # Enough matches to fill the pages up to this one in date order are asked on this date or after it (before
    # it, oldest first): the rest need not be read (word_counts.date_bound).
    date_bound: dt.date | None = None


@dataclass(frozen=True)
class PageSql:
    ctes: list[str]  # more common table expressions after ``base``: ``matches`` and ``match_count`` among them
    rows: str  # a query of (part, id, position): the page's ids, in order of part, then position


def checked_in_scan(statement: Statement, candidates_sql: str, columns: list[str], tsquery: str) -> str:
    """``base`` for a phrase ranked in the scan: of ``candidates_sql`` (a query of questions_question with
    ``columns`` and ``scan_vector``, the vector read once, :class:`text.VectorRead`; at least every match), the
    rows matching ``tsquery``, with ``columns`` and ``scan_rank``.

    The check and the rank read the same copy of the vector: given the column itself, each function reads it
    from TOAST again (the index's recheck, then the rank: twice the pages, 35 -> 27 ms p50 for the benchmark's
    phrases at 100,000 documents). On the copy a rank costs next to nothing (1,800 ranks within the noise of
    20 ms), so every match is ranked, even when the title pass ranks instead (more than EXACT_RANKING_LIMIT).
    ``OFFSET 0`` keeps the candidates a subquery of their own, so that the copy is made once per row and not
    once per use."""
    tsq = tsquery_sql(statement.param(tsquery))
    kept = ", ".join(f"scanned.{column}" for column in columns)
    return f"""SELECT {kept}, ts_rank(scanned.scan_vector, {tsq}) AS scan_rank
               FROM ({candidates_sql} OFFSET 0) AS scanned
               WHERE scanned.scan_vector @@ {tsq}"""


# The column of ``base`` (and of what is read from it) that holds a match's row address, its ``ctid``.
ADDRESS = "tid"


def _rank_at(source: str, tsq: str) -> str:
    """The rank of the match ``source`` (a row with its address, ADDRESS), its vector read through that address:
    a subquery per row, which no plan turns into a join. Joined to the table instead, the matches to rank (at
    most EXACT_RANKING_LIMIT) were planned by the estimated number of matches, which a facet filter makes
    wrong: for a word in 44 % of 100,000 questions and one theme, 11,079 estimated and 1,184 found, a merge join
    walked the primary key from the first match to the last (29 of the statement's 117 ms). Through the
    primary key instead of the address, each rank first walked the index to the row: ranking the 464 matches of
    a word at 100,000 documents took 4.4 ms that way, 3.8 this way (docs/benchmarks-history.md, session 44).
    The address is the one the statement's own scan found the row at, under the statement's snapshot, so it is
    that row's version."""
    return f"(SELECT ts_rank(v.search_vector, {tsq}) FROM questions_question AS v WHERE v.ctid = {source}.{ADDRESS})"


def page_sql(statement: Statement, page: PageRequest, where: str, counted: str | None = None) -> PageSql:
    """The SQL that picks ``page`` from ``base`` (``id``, ``date_asked`` and ADDRESS of each row), whose rows match
    when ``where`` holds. ``counted``: a query of the number of matches, known without counting them (a counted
    word, word_counts.py); every question whose title matches is then a match, and ``base`` is read only as far
    as the page needs."""
    rank_of = (lambda source: f", {source}.scan_rank") if page.ranked_in_scan else (lambda source: "")
    ctes = [
        f"matches AS NOT MATERIALIZED (SELECT base.id, base.date_asked, base.{ADDRESS}{rank_of('base')} "
        f"FROM base WHERE {where})",
        f"match_count AS ({counted or 'SELECT count(*) AS n FROM matches'})",
    ]
    start, end = statement.param(page.offset), statement.param(page.offset + page.limit)
    limit = statement.param(page.limit)
    in_bound = "TRUE"
    if page.date_bound is not None:
        # The matches from the bound on: PostgreSQL intersects a bitmap of the date index with the text's (no
        # vector read) and sorts them as a set; walking the date index instead would test every vector on the way.
        in_bound = f"m.date_asked {'<=' if page.sort == 'oldest' else '>='} {statement.param(page.date_bound)}"
    if page.sort != "relevance" or page.tsquery is None:
        direction = "ASC" if page.sort == "oldest" else "DESC"
        date_key = "m.date_asked + 0" if page.date_bound is not None else "m.date_asked"
        rows = f"""SELECT 0 AS part, d.id, row_number() OVER (ORDER BY d.date_asked {direction}, d.id {direction})
                   FROM (SELECT m.id, m.date_asked FROM matches AS m WHERE {in_bound}
                         ORDER BY {date_key} {direction}, m.id {direction} LIMIT {limit} OFFSET {start}) AS d"""
        return PageSql(ctes, rows)

    # Pinned matches first (a question number typed as the query), then the rest ranked: the rest's positions
    # are shifted by the number of pinned matches. Without any, none of that is written: planning it took about
    # 0.7 ms of every ranked search (a fifth of its statement's planning).
    parts = []
    if page.pinned:
        ctes.append(f"""pinned AS (
            SELECT p.id, row_number() OVER (ORDER BY p.place) AS position
            FROM unnest({statement.param(list(page.pinned))}::bigint[]) WITH ORDINALITY AS p (id, place)
            WHERE p.id IN (SELECT id FROM matches))""")
        ctes.append(f"rest AS NOT MATERIALIZED (SELECT m.id, m.date_asked, m.{ADDRESS}{rank_of('m')} "
                    "FROM matches AS m WHERE m.id NOT IN (SELECT id FROM pinned))")
        rest_start = f"greatest(0, {start} - (SELECT count(*) FROM pinned))"
        rest_end = f"greatest(0, {end} - (SELECT count(*) FROM pinned))"
        parts.append(f"""SELECT 0, pinned.id, pinned.position FROM pinned
                         WHERE pinned.position > {start} AND pinned.position <= {end}""")
    else:
        ctes.append(f"rest AS NOT MATERIALIZED (SELECT m.id, m.date_asked, m.{ADDRESS}{rank_of('m')} "
                    "FROM matches AS m)")
        rest_start, rest_end = start, end
    # When the pinned matches fill the page (a member's name: up to 500 of them), nothing else is ranked: a
    # condition on no row, which PostgreSQL tests once before the part runs ("Benjamin Van de Velde": the other
    # 1,018 matches ranked in vain, 15 of a statement's 23 ms).
    rest_shown = f"{rest_end} > 0"
    # The query is spelled out in each place, not shared through a CTE: the planner must see it to estimate how
    # many titles match (and take the title index) rather than join every match to its row.
    tsq = tsquery_sql(statement.param(page.tsquery))
    exact_limit = statement.param(EXACT_RANKING_LIMIT)
    # The bounded first pass, only when there are too many matches to rank them all: the questions whose title
    # matches, from the title's GIN index alone, materialised and joined to the matches by id (a hash join of
    # two CTEs: no plan can probe the table once per match, whatever the statistics say); the best of them by
    # their small title vector, ranked exactly on the whole vector.
    ctes.append(f"""title_matches AS MATERIALIZED (
        SELECT q.id, q.date_asked, q.ctid AS {ADDRESS}, ts_rank(q.title_vector, {tsq}) AS title_rank
        FROM questions_question AS q
        WHERE q.title_vector @@ {tsq} AND (SELECT n FROM match_count) > {exact_limit} AND {rest_shown})""")
    ctes.append(f"""head_candidates AS MATERIALIZED (
        SELECT t.id, t.date_asked, t.{ADDRESS}
        FROM title_matches AS t {"" if counted else "JOIN rest AS m ON m.id = t.id"}
        ORDER BY t.title_rank DESC, t.date_asked DESC, t.id DESC
        LIMIT {statement.param(RANKING_CANDIDATES)})""")
    # Their order only for a page that shows some of them: deeper pages need only which they are (page 50 does
    # not read their 200 vectors).
    ctes.append(f"""head AS (
        SELECT c.id, row_number() OVER (ORDER BY {_rank_at("c", tsq)} DESC, c.date_asked DESC,
                                        c.id DESC) AS position
        FROM head_candidates AS c
        WHERE {rest_start} < (SELECT count(*) FROM head_candidates))""")
    exact_rank = "m.scan_rank" if page.ranked_in_scan else _rank_at("m", tsq)
    exact = f"""SELECT 1, e.id, e.position FROM (
        SELECT m.id, row_number() OVER (ORDER BY {exact_rank} DESC, m.date_asked DESC, m.id DESC) AS position
        FROM rest AS m
        WHERE (SELECT n FROM match_count) <= {exact_limit} AND {rest_shown}) AS e
        WHERE e.position > {rest_start} AND e.position <= {rest_end}"""
    head = f"""SELECT 2, head.id, head.position FROM head
               WHERE head.position > {rest_start} AND head.position <= {rest_end}"""
    # The rest, newest first: only the rows of this page, after skipping what earlier pages showed.
    # Read from the index (counted), the matches are sorted as a set: walking the date index instead, and
    # testing each question's vector on the way, took 235 ms for page 50 of a word in 5 % of 100,000
    # questions (the date plus nought is no indexed expression).
    date_key = "m.date_asked + 0" if counted else "m.date_asked"
    tail = f"""SELECT 3, t.id, row_number() OVER (ORDER BY t.date_asked DESC, t.id DESC) FROM (
        SELECT m.id, m.date_asked FROM rest AS m
        WHERE (SELECT n FROM match_count) > {exact_limit} AND {rest_shown} AND {in_bound}
          AND m.id NOT IN (SELECT c.id FROM head_candidates AS c)
        ORDER BY {date_key} DESC, m.id DESC
        LIMIT greatest(0, {rest_end} - greatest((SELECT count(*) FROM head_candidates), {rest_start}))
        OFFSET greatest(0, {rest_start} - (SELECT count(*) FROM head_candidates))) AS t"""
    parts += [exact, head, tail]
    return PageSql(ctes, "\nUNION ALL ".join(f"({part})" for part in parts))
