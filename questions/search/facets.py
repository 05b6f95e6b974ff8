"""Facet counts: how many results each theme, minister, member, year and answered state has.

Each facet is counted with every active filter but its own, so choosing a theme still shows how many questions
the other themes have. Two ways to count, chosen per facet by query.py:

- A search with text or dates counts live: the matches are selected once (a materialised CTE with one boolean
  column per active facet filter) and every facet is a ``GROUP BY`` over them, in one query.
- Browsing without text or dates reads the counts that the triggers on questions_question keep in
  ``questions_facetcount`` (questions/triggers/facet_counts.sql: the whole archive per value, and per value
  among one value of another facet), whenever a facet's remaining filters are at most one (browsing.py); the
  rest is counted live, each facet from an index-driven subquery of its own. Counting the whole archive live
  would read every row (13 s at a million). A date range alone adds up the stored counts of the parliamentary
  years inside it (date_counts.py).

Every part here is a query of (facet, value, label, count) rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from questions import deadlines
from questions.models import FacetCount, Theme
from questions.names import typed_name_matches
from questions.search.filters import FACETS
from questions.search.statement import Statement

# A question has exactly one of these, so counts under several values of such a filter add up.
SINGLE_VALUED = frozenset({"minister", "member", "year", "answered", "status"})
ROW_COLUMNS = ("id", "date_asked", "minister_id", "member_id", "session", "has_answer", "theme_ids")

# One SELECT per facet over the rows "base" (a relation with ROW_COLUMNS). Rows are grouped by id and labelled
# afterwards: joining every row to its entity's name first made each facet about a third slower.
_LIVE_SQL = {
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
    "status": "SELECT 'status', {status}, '', count(*) FROM {rows} GROUP BY 2",
}
# A question's status, from a row of "base"; {cutoff}: the last date asked whose deadline has passed
# (questions/deadlines.py), an ISO date.
_STATUS_SQL = """CASE WHEN base.has_answer THEN 'answered' WHEN base.date_asked <= DATE '{cutoff}' THEN 'overdue'
                      ELSE 'waiting' END"""
STATUS_ORDER = ("answered", "waiting", "overdue")
ENTITY_TABLES = {"theme": "questions_theme", "minister": "questions_minister", "member": "questions_member"}


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

    condition: Q
    stored_values: tuple[str, ...]


def live(facet: str, rows: str) -> str:
    """``facet``'s counts over ``rows`` (SQL for a relation named base, with ROW_COLUMNS)."""
    return _LIVE_SQL[facet].format(rows=rows, status=_status_sql())


def _status_sql() -> str:
    return _STATUS_SQL.format(cutoff=deadlines.overdue_cutoff().isoformat())


# The single-valued facets, each with the column of "base" it groups by (the status computed from two).
_GROUPED_COLUMNS = {"minister": "base.minister_id", "member": "base.member_id", "year": "base.session",
                    "answered": "base.has_answer", "status": "base.status"}  # fmt: skip


def live_in_one_pass(kept: dict[str, str], rows: str = "base") -> str:
    """The counts of the single-valued facets in ``kept`` over ``rows`` (as :func:`live`), each over the rows
    where its condition holds (SQL on base's columns: the other active filters' flags, or TRUE), grouped in one
    pass: one hash table per facet (GROUPING SETS), each count filtered by its facet's condition. A pass per
    facet read the matches five times: 11 against 7 ms for 19,000 matches of two words at 100,000 documents."""
    grouped = [facet for facet in _GROUPED_COLUMNS if facet in kept]
    columns = ", ".join(_GROUPED_COLUMNS[facet] for facet in grouped)
    everything = (1 << len(grouped)) - 1
    # GROUPING() sets a bit for each column not grouped by, the first column's the highest.
    masks = {facet: everything & ~(1 << (len(grouped) - 1 - index)) for index, facet in enumerate(grouped)}

    def by_set(values: dict[str, str]) -> str:
        cases = " ".join(f"WHEN {masks[facet]} THEN {value}" for facet, value in values.items() if facet in masks)
        return f"CASE GROUPING({columns}) {cases} END"

    facet_names = by_set({facet: f"'{facet}'" for facet in grouped})
    entity_ids = by_set({"minister": "base.minister_id", "member": "base.member_id"})
    values = by_set({"year": "base.session", "answered": "CASE WHEN base.has_answer THEN 'yes' ELSE 'no' END",
                     "status": "base.status"})  # fmt: skip
    counts = by_set({facet: f"count(*) FILTER (WHERE {kept[facet]})" for facet in grouped})
    grouping_sets = ", ".join(f"({_GROUPED_COLUMNS[facet]})" for facet in grouped)
    return f"""SELECT g.facet, coalesce(minister.slug, member.slug, g.value),
                      coalesce(minister.name, member.name, CASE WHEN g.facet = 'year' THEN g.value ELSE '' END), g.n
               FROM (SELECT {facet_names} AS facet, {entity_ids} AS entity_id, {values} AS value, {counts} AS n
                     FROM (SELECT base.*, {_status_sql()} AS status FROM {rows}) AS base
                     GROUP BY GROUPING SETS ({grouping_sets})) AS g
               LEFT JOIN questions_minister AS minister ON g.facet = 'minister' AND minister.id = g.entity_id
               LEFT JOIN questions_member AS member ON g.facet = 'member' AND member.id = g.entity_id
               WHERE g.n > 0"""


def stored_status(statement: Statement, source: tuple[str, tuple[str, ...]], waiting_sql: str) -> str:
    """The status facet from the stored answered counts under ``source``: the unanswered questions split into
    waiting (``waiting_sql``: the unanswered ones asked after the overdue cutoff, a few weeks' worth, counted
    live through the date index) and overdue (the rest)."""
    answered = stored(statement, "answered", source)
    return f"""SELECT 'status', s.value, '', s.n
               FROM (SELECT count(*) AS n FROM ({waiting_sql}) AS q) AS w
               CROSS JOIN LATERAL (
                   SELECT CASE a.value WHEN 'yes' THEN 'answered' ELSE 'overdue' END,
                          a.n - CASE WHEN a.value = 'no' THEN w.n ELSE 0 END
                   FROM ({answered}) AS a (facet, value, label, n)
                   UNION ALL
                   SELECT 'waiting', w.n
               ) AS s (value, n) WHERE s.n > 0"""


def waiting_condition() -> Q:
    """The waiting questions: unanswered, asked after today's overdue cutoff (the same bound as the live status
    facet's and the cached results' key)."""
    return Q(has_answer=False, date_asked__gt=deadlines.overdue_cutoff())


# The answered states of the status facet that each value of the answered facet holds.
STATUSES_OF_ANSWERED = {"yes": ("answered",), "no": ("waiting", "overdue")}


def answer_states(statement: Statement, facet: str, source: tuple[str, tuple[str, ...]], waiting_sql: str,
                  kept: tuple[str, ...] | None) -> str:
    """The status or the answered facet from the stored answered counts under ``source`` and the waiting
    questions (:func:`stored_status`); ``kept``: the values of the other of the two facets, as a filter (None:
    not filtered), which keeps only the states they hold."""
    states = stored_status(statement, source, waiting_sql)
    if facet == "status":
        statuses = kept if kept is None else tuple(s for value in kept for s in STATUSES_OF_ANSWERED[value])
        keep = "TRUE" if statuses is None else f"s.value = ANY({statement.param(list(statuses))})"
        return f"SELECT s.facet, s.value, s.label, s.n FROM ({states}) AS s (facet, value, label, n) WHERE {keep}"
    keep = "TRUE" if kept is None else f"s.value = ANY({statement.param(list(kept))})"
    return f"""SELECT 'answered', CASE s.value WHEN 'answered' THEN 'yes' ELSE 'no' END, '', sum(s.n)
               FROM ({states}) AS s (facet, value, label, n) WHERE {keep} GROUP BY 2"""


def summed(parts: list[str]) -> str:
    """One part of the parts' counts added up per value (a part may count down: :func:`negated`)."""
    union = "\nUNION ALL\n".join(f"({part})" for part in parts)
    return f"""SELECT f.facet, f.value, f.label, sum(f.n) FROM ({union}) AS f (facet, value, label, n)
               GROUP BY 1, 2, 3 HAVING sum(f.n) > 0"""


def negated(part: str) -> str:
    """``part`` counting down: subtracted by :func:`summed`."""
    return f"SELECT g.facet, g.value, g.label, -g.n FROM ({part}) AS g (facet, value, label, n)"


def stored(statement: Statement, facet: str, source: tuple[str, tuple[str, ...]]) -> str:
    """``facet``'s stored counts among the questions with one of ``source``'s values (a facet and its values;
    '' for the whole archive). A pair of facets is stored once, the earlier one in FACETS as the dimension, so
    the facet's values are in facet_value or in value depending on the order."""
    dimension, values = source
    forward = dimension == "" or FACETS.index(dimension) < FACETS.index(facet)
    own_column, filter_column = ("facet_value", "value") if forward else ("value", "facet_value")
    stored_dimension, stored_facet = (dimension, facet) if forward else (facet, dimension)
    # Summed per stored value first and labelled afterwards: grouped by slug and name, the rows of many values
    # (a member's count in each of 17 years: 4,521 rows) were sorted by their text, 8 of a statement's 30 ms.
    dimension_param, facet_param = statement.param(stored_dimension), statement.param(stored_facet)
    counted = f"""SELECT fc.{own_column} AS value, sum(fc.count) AS n FROM questions_facetcount AS fc
                  WHERE fc.dimension = {dimension_param} AND fc.facet = {facet_param}
                    AND fc.{filter_column} = ANY({statement.param(list(values))})
                  GROUP BY 1 HAVING sum(fc.count) > 0"""
    if facet in ENTITY_TABLES:
        return f"""SELECT '{facet}', e.slug, e.name, c.n FROM ({counted}) AS c
                   JOIN {ENTITY_TABLES[facet]} AS e ON e.id::text = c.value"""
    label = "c.value" if facet == "year" else "''"
    return f"SELECT '{facet}', c.value, {label}, c.n FROM ({counted}) AS c"


def stored_total(statement: Statement, source: tuple[str, tuple[str, ...]]) -> str:
    """The number of questions with one of ``source``'s values (of a single-valued facet, or one value): that
    facet's stored counts summed; the answered states of the whole archive for ''."""
    dimension, values = source
    facet, facet_values = (dimension, list(values)) if dimension else ("answered", ["yes", "no"])
    return f"""SELECT coalesce(sum(fc.count), 0) FROM questions_facetcount AS fc
               WHERE fc.dimension = '' AND fc.value = '' AND fc.facet = {statement.param(facet)}
                 AND fc.facet_value = ANY({statement.param(facet_values)})"""


def stored_source(own: str | None, filters: dict[str, ActiveFilter]) -> tuple[str, tuple[str, ...]] | None:
    """The filter (a facet, or '' for none) and its values under which the stored counts count ``own`` with
    every filter but its own; None when that takes more than one filter (or several themes, which overlap)."""
    others = {name: active for name, active in filters.items() if name != own}
    if not others:
        return "", ("",)
    if len(others) > 1:
        return None
    ((name, active),) = others.items()
    if name == "status":  # not stored (it changes with the calendar), but "answered" is
        answered_only = active.stored_values == ("answered",) and own != "answered"
        return ("answered", ("yes",)) if answered_only else None
    if name in SINGLE_VALUED or len(active.stored_values) == 1:
        return name, active.stored_values
    return None


def as_json_rows(parts: list[str]) -> str:
    """One JSON array of [facet, value, label, count] from the parts' rows."""
    if not parts:
        return "'[]'::json"
    union = "\nUNION ALL\n".join(f"({part})" for part in parts)
    return f"""(SELECT coalesce(json_agg(json_build_array(f.facet, f.value, f.label, f.n)), '[]'::json)
               FROM ({union}) AS f (facet, value, label, n))"""


def collect(
    rows: list[list], selected: dict[str, dict[str, str]], limit: int, narrowed: tuple[str, str] = ("", "")
) -> tuple[dict[str, list[FacetValue]], dict[str, int], list[FacetValue]]:
    """Each facet's ``limit`` largest values (years newest first; all of them for 0), plus every selected one;
    how many values each facet has; and every year with its count (the timeline). ``narrowed`` (a facet, typed
    text) keeps only that facet's values whose label holds the text, or one of whose words is it with one typo
    (questions.names.typed_name_matches)."""
    values: dict[str, list[FacetValue]] = {name: [] for name in FACETS}
    for facet, value, label, count in rows:
        values[facet].append(FacetValue(value, label, int(count), value in selected.get(facet, {})))
    facets = {}
    totals: dict[str, int] = {}
    every_year = sorted(values["year"], key=lambda item: item.value)
    for name, found in values.items():
        present = {item.value for item in found}
        found += [FacetValue(value, label, 0, True) for value, label in selected.get(name, {}).items()
                  if value not in present]  # fmt: skip
        if name == "year":
            found.sort(key=lambda item: item.value, reverse=True)
        elif name == "answered":
            found.sort(key=lambda item: item.value != "yes")
        elif name == "status":
            found.sort(key=lambda item: STATUS_ORDER.index(item.value) if item.value in STATUS_ORDER else 9)
        else:
            found.sort(key=lambda item: (-item.count, item.label.casefold()))
        if narrowed[0] == name and narrowed[1]:
            found = [item for item in found if typed_name_matches(narrowed[1], item.label or item.value)]
        totals[name] = len(found)
        shown = found[:limit] if limit else found
        shown += [item for item in found[limit:] if item.selected] if limit else []
        facets[name] = shown
    return facets, totals, every_year


# --- the stored counts, read directly (home page, entity pages) -------------------------------------------------


def archive_counts(facet: str) -> dict[str, int]:
    """Every value of ``facet`` with its number of questions in the whole archive (values as stored: ids as
    text, "2023-2024", "yes"/"no"), from the counters the triggers keep."""
    rows = FacetCount.objects.filter(dimension="", value="", facet=facet, count__gt=0).values_list(
        "facet_value", "count"
    )
    return {value: int(count) for value, count in rows}


def largest_themes(limit: int) -> list[tuple[Theme, int]]:
    """The themes with the most questions, with their numbers of questions, from the stored counts."""
    counts = {int(pk): count for pk, count in archive_counts("theme").items()}
    themes = Theme.objects.in_bulk(list(counts))
    ranked = sorted(((theme, counts[pk]) for pk, theme in themes.items()), key=lambda item: (-item[1], item[0].name))
    return ranked[:limit]
