"""Facet counts: how many results each theme, minister, member, year and answered state has.

Each facet is counted with every active filter but its own, so choosing a theme still shows how many questions
the other themes have. Two ways to count, chosen per facet:

- A search with text or dates counts live: the matches are selected once (a materialised CTE with one boolean
  column per active facet filter) and every facet is a ``GROUP BY`` over them, in one query.
- Browsing without text or dates reads the counts that the triggers on questions_question keep in
  ``questions_facetcount`` (the whole archive per value, and per value among one value of another facet),
  whenever a facet's remaining filters are at most one; the rest is counted live, each facet from an
  index-driven subquery of its own. Counting the whole archive live would read every row (13 s at a million).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, Expression, ExpressionWrapper, Q, QuerySet

from questions import paging

FACETS = ("theme", "minister", "member", "year", "answered")
# A question has exactly one of these, so counts under several values of such a filter add up.
SINGLE_VALUED = frozenset({"minister", "member", "year", "answered"})
_ROW_COLUMNS = ("id", "date_asked", "minister_id", "member_id", "session", "has_answer", "theme_ids")

# One SELECT per facet over the rows "base" (a relation with _ROW_COLUMNS); each returns
# (facet, value, label, count). Rows are grouped by id and labelled afterwards: joining every row to its
# entity's name first made each facet about a third slower.
_LIVE_SQL = {
    "total": "SELECT 'total', '', '', count(*) FROM {rows}",
    "theme": """SELECT 'theme', e.slug, e.name, counted.n FROM (
                    SELECT unnest(base.theme_ids) AS id, count(*) AS n FROM {rows} GROUP BY 1) AS counted
                JOIN questions_theme AS e ON e.id = counted.id""",
    "minister": """SELECT 'minister', e.slug, e.name, counted.n FROM (
                       SELECT base.minister_id AS id, count(*) AS n FROM {rows} GROUP BY 1) AS counted
                   JOIN questions_minister AS e ON e.id = counted.id""",
    "member": """SELECT 'member', e.slug, e.name, counted.n FROM (
                     SELECT base.member_id AS id, count(*) AS n FROM {rows} GROUP BY 1) AS counted
                 JOIN questions_member AS e ON e.id = counted.id""",
    "year": "SELECT 'year', base.session, base.session, count(*) FROM {rows} GROUP BY base.session",
    "answered": """SELECT 'answered', CASE WHEN base.has_answer THEN 'yes' ELSE 'no' END, '', count(*) FROM {rows}
                   GROUP BY base.has_answer""",
}

# The same from questions_facetcount: the counts of a facet among the questions with one of the values of
# another facet (the "filter"; '' for the whole archive). A pair of facets is stored once, the earlier one in
# FACETS as the dimension, so the facet's values are in facet_value or in value depending on the order.
_ENTITY_TABLES = {"theme": "questions_theme", "minister": "questions_minister", "member": "questions_member"}
_STORED_SQL = """SELECT '{facet}', {value}, {label}, sum(fc.count) FROM questions_facetcount AS fc {join}
                 WHERE fc.dimension = %s AND fc.facet = %s AND fc.{filter_column} = ANY(%s)
                 GROUP BY 2, 3 HAVING sum(fc.count) > 0"""
_STORED_TOTAL_SQL = """SELECT 'total', '', '', coalesce(sum(fc.count), 0) FROM questions_facetcount AS fc
                       WHERE fc.dimension = '' AND fc.value = '' AND fc.facet = %s AND fc.facet_value = ANY(%s)"""


@dataclass(frozen=True)
class FacetValue:
    value: str  # what to pass back as the filter parameter
    label: str
    count: int
    selected: bool = False


@dataclass(frozen=True)
class ActiveFilter:
    """An active facet filter: the condition on questions, and its values as questions_facetcount stores
    them (ids as text, "2023-2024", "yes"/"no")."""

    condition: Q | Expression
    stored_values: tuple[str, ...]


def _stored_counts(facet: str, source: tuple[str, list[str]]) -> tuple[str, list]:
    """SQL and parameters for ``facet``'s stored counts among the questions with one of ``source``'s values."""
    dimension, values = source
    forward = dimension == "" or FACETS.index(dimension) < FACETS.index(facet)
    own_column, filter_column = ("facet_value", "value") if forward else ("value", "facet_value")
    params = [dimension, facet, values] if forward else [facet, dimension, values]
    if facet in _ENTITY_TABLES:
        join = f"JOIN {_ENTITY_TABLES[facet]} AS e ON e.id::text = fc.{own_column}"
        value, label = "e.slug", "e.name"
    else:
        join, value = "", f"fc.{own_column}"
        label = value if facet == "year" else "''"
    sql = _STORED_SQL.format(facet=facet, value=value, label=label, join=join, filter_column=filter_column)
    return sql, params


def _stored_source(own: str | None, filters: dict[str, ActiveFilter]) -> tuple[str, list[str]] | None:
    """The filter (a facet, or '' for none) and its values under which the stored counts count ``own`` with
    every filter but its own; None when that takes more than one filter (or several themes, which overlap)."""
    others = {name: active for name, active in filters.items() if name != own}
    if not others:
        return "", [""]
    if len(others) > 1:
        return None
    ((name, active),) = others.items()
    if name in SINGLE_VALUED or len(active.stored_values) == 1:
        return name, list(active.stored_values)
    return None


def facet_counts(
    base: QuerySet,
    filters: dict[str, ActiveFilter],
    selected: dict[str, set[str]],
    *,
    browsing: bool = False,
    page: paging.PageRequest | None = None,
    limit: int = 15,
) -> tuple[int, dict[str, list[FacetValue]], list[int] | None]:
    """The number of results, every facet's counts and, when ``page`` is given, that page's question ids in
    order: one query.

    ``base`` has the filters that are not facets (text, dates); ``filters`` the active facet filters.
    ``browsing`` says that ``base`` is the whole archive (no text, no dates): the stored counts can then
    answer, and no page is chosen here (the date index gives it directly). Facets list their ``limit``
    largest values, plus every selected one.
    """
    page_rows: list[tuple] | None = None
    if browsing:
        sql, params = _browsing_sql(base, filters)
    else:
        sql, params = _search_sql(base, filters, page)
        page_rows = [] if page is not None else None
    rows = []
    if sql is not None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    if page_rows is not None:
        page_rows = [row for row in rows if row[0] in paging.PAGE_PARTS]
        rows = [row for row in rows if row[0] not in paging.PAGE_PARTS]
    total, facets = _collect(rows, selected, limit)
    return total, facets, paging.page_ids(page_rows) if page_rows is not None else None


def _queryset_sql(queryset: QuerySet) -> tuple[str | None, list]:
    try:
        sql, params = queryset.order_by().values(*_ROW_COLUMNS).query.sql_with_params()
    except EmptyResultSet:  # nothing can match
        return None, []
    return sql, list(params)


def _search_sql(
    base: QuerySet, filters: dict[str, ActiveFilter], page: paging.PageRequest | None
) -> tuple[str | None, list]:
    """Live counts over one materialised selection of the matches, flagged per active facet filter; and the
    page, chosen from the same selection."""
    flags = {f"ok_{name}": ExpressionWrapper(active.condition, output_field=BooleanField()) for name, active in
             filters.items()}  # fmt: skip
    try:
        base_sql, params = base.order_by().annotate(**flags).values(*_ROW_COLUMNS, *flags).query.sql_with_params()
    except EmptyResultSet:
        return None, []

    def rows(excluded: str | None) -> str:
        parts = [f"base.ok_{name}" for name in filters if name != excluded]
        return f"(SELECT * FROM base WHERE {' AND '.join(parts)}) AS base" if parts else "base"

    selects = [_LIVE_SQL["total"].format(rows=rows(None))]
    selects += [_LIVE_SQL[facet].format(rows=rows(facet)) for facet in FACETS]
    ctes = [f"base AS MATERIALIZED ({base_sql})"]
    params = list(params)
    if page is not None:
        page_sql = paging.page_sql(page, list(flags))
        ctes.append(page_sql.ctes)
        selects += page_sql.selects
        params += page_sql.params
    return "WITH " + ",\n".join(ctes) + "\n" + "\nUNION ALL\n".join(f"({select})" for select in selects), params


def _browsing_sql(base: QuerySet, filters: dict[str, ActiveFilter]) -> tuple[str | None, list]:
    """Stored counts where one filter or none applies; live counts, each from its own subquery, elsewhere."""
    selects: list[str] = []
    params: list = []
    everything: tuple[str | None, list] | None = None  # the rows matching every filter, shared when needed

    def matching_every_filter() -> tuple[str | None, list]:
        return _queryset_sql(base.filter(*[active.condition for active in filters.values()]))

    total_source = _stored_source(None, filters)
    if total_source is not None:
        # The total is one facet's stored counts summed: the answered states of the whole archive, or the
        # values of the one active filter.
        dimension, values = total_source
        selects.append(_STORED_TOTAL_SQL)
        params += [dimension, values] if dimension else ["answered", ["yes", "no"]]
    else:
        everything = matching_every_filter()
        if everything[0] is None:
            return None, []
        selects.append(_LIVE_SQL["total"].format(rows="everything AS base"))

    for facet in FACETS:
        source = _stored_source(facet, filters)
        if source is not None:
            sql, stored_params = _stored_counts(facet, source)
            selects.append(sql)
            params += stored_params
        elif facet not in filters:
            if everything is None:
                everything = matching_every_filter()
                if everything[0] is None:
                    return None, []
            selects.append(_LIVE_SQL[facet].format(rows="everything AS base"))
        else:
            others = [active.condition for name, active in filters.items() if name != facet]
            sub_sql, sub_params = _queryset_sql(base.filter(*others))
            if sub_sql is None:
                continue
            selects.append(_LIVE_SQL[facet].format(rows=f"({sub_sql}) AS base"))
            params += sub_params
    sql = "\nUNION ALL\n".join(selects)
    if everything is not None:
        sql = f"WITH everything AS MATERIALIZED ({everything[0]})\n{sql}"
        params = everything[1] + params
    return sql, params


def _collect(rows: list[tuple], selected: dict[str, set[str]], limit: int) -> tuple[int, dict[str, list[FacetValue]]]:
    total = 0
    values: dict[str, list[FacetValue]] = {name: [] for name in FACETS}
    for facet, value, label, count in rows:
        if facet == "total":
            total = int(count)
        else:
            values[facet].append(FacetValue(value, label, int(count), value in selected.get(facet, set())))
    facets = {}
    for name, found in values.items():
        present = {item.value for item in found}
        found += [FacetValue(value, value, 0, True) for value in selected.get(name, set()) if value not in present]
        if name == "year":
            found.sort(key=lambda item: item.value, reverse=True)
        elif name == "answered":
            found.sort(key=lambda item: item.value != "yes")
        else:
            found.sort(key=lambda item: (-item.count, item.label.casefold()))
        shown = found[:limit]
        shown += [item for item in found[limit:] if item.selected]
        facets[name] = shown
    return total, facets
