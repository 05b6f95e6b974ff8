"""The statements behind a page of results: from SearchParams to the total, the facet counts and the page's ids.

The FilterSet's filters (filters.py) narrow the questions; this module counts, facets and pages what they
select. One statement answers a search with text or dates: the matches are selected once, in a materialised
CTE, with a flag per active facet filter; the total, every facet (counted without its own filter) and the
page's ids are read from it, as three columns of one row. Browsing without text or dates reads the stored
facet counts instead (browsing.py), as does a date range alone (date_counts.py), and takes the page from the
date indexes. A search for one of the commonest words reads the word's kept counts (word_counts.py): alone,
for the total and every facet; with one theme, minister, member or year chosen, for that facet, the rest
counted over the matches the filter keeps.
"""

from __future__ import annotations

import dataclasses
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL

from archive.replicas import reading_connection
from questions.models import Question, QuestionQuerySet
from questions.search import browsing, date_counts, facets, paging, text, word_counts
from questions.search.facets import ActiveFilter, FacetValue
from questions.search.filters import FACET_FILTERS, FACETS, narrow, number_condition
from questions.search.params import SearchParams
from questions.search.statement import Statement


@dataclass(frozen=True)
class SearchResult:
    total: int
    facets: dict[str, list[FacetValue]]
    page_ids: list[int]
    facet_totals: dict[str, int]  # how many values each facet has (more than it shows, with a limit)
    years: list[FacetValue]  # every parliamentary year with its count, shown or not (the timeline)


def matching(params: SearchParams) -> QuestionQuerySet:
    """Every question the search selects, unordered."""
    return narrow(Question.objects.all(), params.filter_values())


def in_date_order(queryset: QuestionQuerySet, params: SearchParams) -> QuestionQuerySet:
    """Newest first, unless the search asks for the oldest. Relevance ranks only the pages of a search
    (paging.py): ranking every match for an export or a feed would read every match's vector."""
    if params.sort == "oldest":
        return queryset.order_by("date_asked", "id")
    return queryset.order_by("-date_asked", "-id")


def active_filters(params: SearchParams) -> dict[str, ActiveFilter]:
    return {
        name: ActiveFilter(FACET_FILTERS[name].condition(value), params.stored_values(name))
        for name, value in params.active_facets().items()
    }


def run(params: SearchParams, offset: int, limit: int, *, count_live: bool = False) -> SearchResult:
    """The number of results, every facet's counts, and the ids of the results from ``offset`` to
    ``offset + limit`` in the order the search asks for. ``count_live`` counts a browse as a search would,
    without the stored counts (to check them against)."""
    selected = params.selected()
    narrowed = (params.facet, params.facet_q)
    if params.impossible:
        shown, totals, years = facets.collect([], selected, params.facet_limit, narrowed)
        return SearchResult(0, shown, [], totals, years)
    filters = active_filters(params)
    ranked_in_scan = _ranks_in_scan(params)
    # The filters that are not facets: the text and the dates.
    base = narrow(Question.objects.all(), _candidate_values(params) if ranked_in_scan else params.filter_values(),
                  skip=FACETS)  # fmt: skip
    left_out = None if count_live else _left_out_only(params)
    if (params.browsing or params.dates_only or left_out is not None) and not count_live:
        if params.browsing:
            total, rows = browsing.counts(base, filters)
        elif left_out is not None:
            with text.index_scans_only():
                total, rows = browsing.all_but(left_out)
        else:
            total, rows = date_counts.browse(params.date_from, params.date_to)
        # Nothing to list when nothing matches: contradictory filters (answered=yes&status=overdue) would walk the
        # whole date index looking for a first match.
        page_ids = _date_ordered_page(params, left_out, offset, limit) if total else []
        shown, totals, years = facets.collect(rows, selected, params.facet_limit, narrowed)
        return SearchResult(total, shown, page_ids, totals, years)
    page_request = paging.PageRequest(params.sort, params.ranking_tsquery, offset, limit, _pinned(params),
                                      ranked_in_scan=ranked_in_scan)
    tsquery = params.tsquery
    countable = _countable(params) and not count_live and not ranked_in_scan
    beside = None if count_live or ranked_in_scan else _facet_beside_text(params)
    counted = word_counts.counted_word(tsquery) if tsquery and (countable or beside) else None
    with text.index_scans_only() if tsquery is not None else nullcontext():
        if counted is not None and tsquery is not None and beside is None:
            total, rows, ids = _search_counted(base, counted, tsquery, _bounded(page_request, counted))
        elif counted is not None and counted.whole and tsquery is not None and beside is not None:
            total, rows, ids = _search_beside_counts(matching(params), counted, tsquery, beside, page_request)
        else:
            total, rows, ids = _search(base, filters, page_request)
    shown, totals, years = facets.collect(rows, selected, params.facet_limit, narrowed)
    return SearchResult(total, shown, ids, totals, years)


def _bounded(page: paging.PageRequest, counted: word_counts.CountedWord) -> paging.PageRequest:
    """A page past the first of a counted word, bounded by date: its matches in date order are read from the
    date that enough of them reach on, by the word's stored counts per year. (The first page in date order
    walks the date index to its first matches; in relevance order it is the title matches' head.)"""
    if page.offset == 0:
        return page
    needed = page.offset + page.limit + len(page.pinned)
    bound = word_counts.date_bound(counted, needed, oldest_first=page.sort == "oldest")
    return dataclasses.replace(page, date_bound=bound)


def _ranks_in_scan(params: SearchParams) -> bool:
    """Whether the matches are best ranked in the scan that selects them (paging.checked_in_scan): a phrase in
    relevance order, whose check reads each candidate's vector anyway; not beside a number typed as the query,
    which matches besides the text (filters.TextFilter)."""
    tsquery = params.ranking_tsquery
    return (params.sort == "relevance" and tsquery is not None and text.has_phrase(tsquery)
            and params.text is not None and params.text.number is None)  # fmt: skip


def _candidate_values(params: SearchParams) -> dict[str, Any]:
    """The filters' values with the text query's phrases loosened to their words in any order: the index
    selects these candidates without reading a vector, and the phrase is checked on each one's vector, read
    once (paging.checked_in_scan)."""
    assert params.text is not None and params.text.tsquery is not None
    loosened = text.phrase_candidates(params.text.tsquery)
    values = params.filter_values()
    if loosened is None:
        return values
    return {**values, "q": dataclasses.replace(params.text, tsquery=loosened, checked_later=True)}


def _date_ordered_page(params: SearchParams, left_out: str | None, offset: int, limit: int) -> list[int]:
    """The page's ids, newest (or oldest) first, through the date index. For exclusions alone, the left-out
    questions come from the text index (as ids, no vector read) and are skipped on the way: planned freely, the
    statement scanned the table for them and read every vector (960 ms at 100,000 documents for "-denk"), and
    testing each question's vector on the way instead reads nearly every vector when little is kept."""
    page = in_date_order(matching(params), params).values_list("id", flat=True)[offset : offset + limit]
    with text.index_scans_only() if left_out is not None else nullcontext():
        return list(page)


def _left_out_only(params: SearchParams) -> str | None:
    """For a query of exclusions alone ("-water") and nothing else to narrow the archive, what it leaves out
    (text.exclusions_only), when that is few enough to subtract from the stored counts; else None."""
    found = params.text
    if (found is None or found.tsquery is None or found.matches_nothing or found.number is not None
            or found.member_ids or found.minister_ids or found.text_checks or found.surname is not None
            or params.active_facets() or params.number is not None or params.date_from is not None
            or params.date_to is not None):  # fmt: skip
        return None
    left_out = text.exclusions_only(found.tsquery)
    # A phrase is checked on each candidate's vector: probed, selected and skipped here, it would be checked three
    # times (-"denk elkaar" at 100,000 documents: 894 ms, against 459 counting what is kept).
    if left_out is None or text.has_phrase(left_out):
        return None
    with text.index_scans_only():
        return left_out if browsing.few_left_out(left_out) else None


def _countable(params: SearchParams) -> bool:
    """A search that word_counts.py may answer: a text query and nothing else, which (once translated) may
    be one word."""
    return _text_and_facets_only(params) and not params.active_facets()


# The facets whose filter keeps few enough of a word's matches to select them through an index (the themes' GIN
# index, the minister's, member's and year's B-trees) rather than read them all: the answered states keep most.
COUNTED_BESIDE = ("theme", "minister", "member", "year")


def _facet_beside_text(params: SearchParams) -> str | None:
    """The one facet filter of a search whose text word_counts.py may answer (a theme chosen on the results of
    a common word), when it is one of COUNTED_BESIDE; else None."""
    active = params.active_facets()
    if len(active) != 1 or not _text_and_facets_only(params):
        return None
    (facet,) = active
    return facet if facet in COUNTED_BESIDE else None


def _text_and_facets_only(params: SearchParams) -> bool:
    """A text query, which (once translated) may be one word, with nothing of the text filter's extras (a number,
    names, phrases with stop words), and no filter but facet filters."""
    found = params.text
    return (found is not None and found.tsquery is not None and not found.matches_nothing and found.number is None
            and not found.member_ids and not found.minister_ids and not found.text_checks
            and found.surname is None and params.number is None
            and params.date_from is None and params.date_to is None)  # fmt: skip


PINNED_LIMIT = 50
# A member's questions lead a search for their name, newest first; beyond these, relevance decides.
PINNED_NAMED_LIMIT = 500


def _pinned(params: SearchParams) -> tuple[int, ...]:
    """What leads a relevance-ordered page, newest first: the questions with the number typed as the query, or
    those asked or answered by the members or ministers whose name it is (only those that match the search)."""
    text_query = params.text
    if text_query is None or params.sort != "relevance":
        return ()
    if text_query.number is not None:
        numbered = Question.objects.filter(number_condition(text_query.number, text_query.number_year))
        return tuple(numbered.order_by("-date_asked", "-id").values_list("id", flat=True)[:PINNED_LIMIT])
    if not (text_query.member_ids or text_query.minister_ids):
        return ()
    with reading_connection().cursor() as cursor:
        cursor.execute(_NAMED_PINNED_SQL, {"members": list(text_query.member_ids),
                                           "ministers": list(text_query.minister_ids), "limit": PINNED_NAMED_LIMIT})
        return tuple(pk for (pk,) in cursor.fetchall())


# The newest questions of each member and minister through its own index (put to a minister, or answered by
# them when put to another: questions.answered_by_other); then merged. One query with an OR over them read the
# whole archive; one per kind of entity walked the date index testing every question on the way until it had
# enough: 60-90 ms for a surname that 9 members and 5 ministers share, at 100,000 documents.
_NAMED_PINNED_SQL = """
SELECT found.id FROM (
    SELECT q.id, q.date_asked FROM unnest(%(members)s::bigint[]) AS e (id)
    CROSS JOIN LATERAL (SELECT id, date_asked FROM questions_question WHERE member_id = e.id
                        ORDER BY date_asked DESC, id DESC LIMIT %(limit)s) AS q
    UNION
    SELECT q.id, q.date_asked FROM unnest(%(ministers)s::bigint[]) AS e (id)
    CROSS JOIN LATERAL (SELECT id, date_asked FROM questions_question WHERE minister_id = e.id
                        ORDER BY date_asked DESC, id DESC LIMIT %(limit)s) AS q
    UNION
    SELECT q.id, q.date_asked FROM unnest(%(ministers)s::bigint[]) AS e (id)
    CROSS JOIN LATERAL (SELECT id, date_asked FROM questions_question WHERE answered_by_other_id = e.id
                        ORDER BY date_asked DESC, id DESC LIMIT %(limit)s) AS q
) AS found
ORDER BY found.date_asked DESC, found.id DESC LIMIT %(limit)s
"""


def _search(base: QuerySet, filters: dict[str, ActiveFilter], page: paging.PageRequest) -> tuple[int, list, list[int]]:
    """Live counts over one materialised selection of the matches, flagged per active facet filter; and the
    page, chosen from the same selection."""
    if len(filters) > 1:
        base = base.filter(_all_but_one(filters))
    statement = Statement()
    flags = {f"ok_{name}": ExpressionWrapper(active.condition, output_field=BooleanField())
             for name, active in filters.items()}  # fmt: skip
    columns = [*facets.ROW_COLUMNS, paging.ADDRESS, *flags]
    base = _with_address(base.order_by())
    if page.ranked_in_scan:
        assert page.tsquery is not None
        candidates_sql = statement.queryset(
            base.annotate(**flags, scan_vector=text.VectorRead()).values(*columns, "scan_vector")
        )
        base_sql = candidates_sql and paging.checked_in_scan(statement, candidates_sql, columns, page.tsquery)
    else:
        base_sql = statement.queryset(base.annotate(**flags).values(*columns))
    if base_sql is None:
        return 0, [], []

    def kept(excluded: str) -> str:
        """The rows a facet is counted over: every active filter but its own."""
        return " AND ".join(f"base.ok_{name}" for name in filters if name != excluded) or "TRUE"

    page_sql = paging.page_sql(statement, page, " AND ".join(f"base.{flag}" for flag in flags) or "TRUE")
    themes = facets.live("theme", f"(SELECT * FROM base WHERE {kept('theme')}) AS base")
    single_valued = facets.live_in_one_pass({facet: kept(facet) for facet in FACETS if facet != "theme"})
    return _answer(statement, [f"base AS MATERIALIZED ({base_sql})", *page_sql.ctes], [themes, single_valued],
                   page_sql.rows)


def _with_address(queryset: QuerySet) -> QuerySet:
    """The questions with each row's address (paging.ADDRESS), by which the page's ranking reads their vectors.
    (Never read in Python: the value only passes from one part of a statement to another.)"""
    address = RawSQL(f'"{Question._meta.db_table}".ctid', (), output_field=TextField())
    return queryset.annotate(**{paging.ADDRESS: address})


def _all_but_one(filters: dict[str, ActiveFilter]) -> Q:
    """The questions that meet every active facet filter but at most one: each facet is counted over those that
    meet every filter but its own, the total and the page over those that meet them all, so no other row need be
    selected. (Two filters: either of them. A common word with a theme and a minister selected and flagged every
    match of the word.)"""
    either = Q()
    for left_out in filters:
        every_other = Q()
        for name, active in filters.items():
            if name != left_out:
                every_other &= active.condition
        either |= every_other
    return either


def _search_beside_counts(matches: QuerySet, counted: word_counts.CountedWord, tsquery: str, facet: str,
                          page: paging.PageRequest) -> tuple[int, list, list[int]]:
    """A counted word with one facet filter: that facet, counted without its own filter, is the word's stored
    counts; only the matches the filter keeps are selected (the indexes intersected), for the total, the other
    facets and the page. (Counted live, all the word's matches were read and grouped: a word in 44 % of 100,000
    questions and one theme, 1,184 kept of 44,316, took 60 of a statement's 92 ms for that.)"""
    statement = Statement()
    word_ctes = word_counts.ctes(statement, counted, tsquery)
    base_sql = statement.queryset(_with_address(matches.order_by()).values(*facets.ROW_COLUMNS, paging.ADDRESS))
    if base_sql is None:
        return 0, [], []
    page_sql = paging.page_sql(statement, page, "TRUE")
    single_valued = {other: "TRUE" for other in FACETS if other not in (facet, "theme")}
    parts = [word_counts.stored_facet(facet), facets.live_in_one_pass(single_valued)]
    if facet != "theme":
        parts.append(facets.live("theme", "base"))
    return _answer(statement, [*word_ctes, f"base AS MATERIALIZED ({base_sql})", *page_sql.ctes], parts,
                   page_sql.rows)


def _answer(statement: Statement, ctes: list[str], facet_parts: list[str],
            page_rows: str) -> tuple[int, list, list[int]]:
    """The total (``match_count``, one of ``ctes``), every facet's rows and the page's ids, in one statement."""
    sql = f"""WITH {", ".join(ctes)}
              SELECT (SELECT n FROM match_count),
                     {facets.as_json_rows(facet_parts)},
                     (SELECT coalesce(array_agg(p.id ORDER BY p.part, p.position), '{{}}')
                      FROM ({page_rows}) AS p (part, id, position))"""
    total, facet_rows, page_ids = statement.fetch_one(sql)
    return int(total), facet_rows, list(page_ids)


def _search_counted(base: QuerySet, counted: word_counts.CountedWord, tsquery: str,
                    page: paging.PageRequest) -> tuple[int, list, list[int]]:
    """The total and facets of a counted word (or a prefix of counted words) from its stored counts; the page
    from the index."""
    statement = Statement()
    word_ctes = word_counts.ctes(statement, counted, tsquery)
    base_sql = statement.queryset(_with_address(base.order_by()).values("id", "date_asked", paging.ADDRESS))
    if base_sql is None:
        return 0, [], []
    page_sql = paging.page_sql(statement, page, "TRUE", counted=word_counts.TOTAL_SQL)
    return _answer(statement, [*word_ctes, f"base AS NOT MATERIALIZED ({base_sql})", *page_sql.ctes],
                   word_counts.facet_parts(statement, tsquery), page_sql.rows)
