"""The figures on minister, member and theme pages: questions per parliamentary year, answered, overdue, days to
answer, top themes and ministers. Most come from the counters the triggers keep (questions_facetcount); the
rest from a minister's own questions through their indexes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import QueryDict

from archive.replicas import reading_connection
from questions import deadlines
from questions.models import FacetCount, Member, Minister, NamedEntity, Theme
from questions.search.filters import FACETS
from questions.search.query import matching
from questions.search.results import ResultPage

TOP = 10
_MODELS: dict[str, type[NamedEntity]] = {"theme": Theme, "minister": Minister, "member": Member}


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    url: str = ""
    part: int | None = None  # e.g. how many of ``count`` are answered


@dataclass
class Scorecard:
    total: int = 0
    answered: int = 0
    overdue: int = 0
    median_days: float | None = None  # to answer, where the answer's date is known
    dated_answers: int = 0
    per_year: list[Bar] = field(default_factory=list)
    top: dict[str, list[Bar]] = field(default_factory=dict)  # "theme", "minister", "member" -> largest values

    @property
    def answered_share(self) -> int | None:
        return round(100 * self.answered / self.total) if self.total else None


def _stored_counts(facet: str, pk: int, others: list[str]) -> dict[str, dict[str, int]]:
    """In one query, from the stored counters: this entity's total ("" -> {"total"}), its answered count, and per
    value of each facet in ``others`` how many of its questions have it (a pair is stored once, the facet
    earlier in FACETS as the dimension)."""
    key = str(pk)
    condition = Q(dimension="", value="", facet=facet, facet_value=key)
    for other in [*others, "answered"]:
        if FACETS.index(facet) < FACETS.index(other):
            condition |= Q(dimension=facet, value=key, facet=other)
        else:
            condition |= Q(dimension=other, facet=facet, facet_value=key)
    found: dict[str, dict[str, int]] = {name: {} for name in [*others, "answered"]}
    found[""] = {}
    rows = FacetCount.objects.filter(condition, count__gt=0).values_list("dimension", "value", "facet",
                                                                         "facet_value", "count")  # fmt: skip
    for dimension, value, counted, counted_value, count in rows:
        if dimension == "":
            found[""]["total"] = count
        elif dimension == facet:
            found[counted][counted_value] = count
        else:
            found[dimension][value] = count
    return found


def _top_entities(counts: dict[str, int], other: str) -> list[Bar]:
    by_pk = {int(value): count for value, count in counts.items()}
    ranked = sorted(by_pk, key=lambda pk: -by_pk[pk])[: TOP * 2]  # a margin for ties broken by name
    records = _MODELS[other].objects.in_bulk(ranked)
    chosen = sorted(records.values(), key=lambda record: (-by_pk[record.pk], record.name))[:TOP]
    return [Bar(record.name, by_pk[record.pk], record.get_absolute_url()) for record in chosen]


_OTHERS = {"minister": ["theme"], "member": ["minister", "theme"], "theme": ["minister", "member"]}


def scorecard(
    facet: str, entity: NamedEntity, search_url: str, years: dict[str, int], own_search: ResultPage | None = None
) -> Scorecard:
    """``facet`` is "minister", "member" or "theme"; ``search_url`` the entity's search, to link years to;
    ``years`` its questions per parliamentary year (the entity search's year facet has them). ``own_search``:
    the entity's search with no other filter, when the page has it: its total and facets are the same stored
    counts, so they are not read again."""
    if own_search is not None and _shows_top(own_search):
        return _scorecard_from_search(facet, entity, search_url, years, own_search)
    counts = _stored_counts(facet, entity.pk, _OTHERS[facet])
    card = Scorecard(total=counts[""].get("total", 0), answered=counts["answered"].get("yes", 0))
    _fill_years(card, facet, entity, search_url, years)
    for other in _OTHERS[facet]:
        card.top[other] = _top_entities(counts[other], other)
    return card


def _fill_years(card: Scorecard, facet: str, entity: NamedEntity, search_url: str, years: dict[str, int]) -> None:
    answered_per_year: dict[str, int] = {}
    if facet == "minister":
        answered_per_year = _minister_figures(card, entity.pk)
    card.per_year = [Bar(year, count, f"{search_url}&year={year}", answered_per_year.get(year, 0)
                         if facet == "minister" else None)
                     for year, count in sorted(years.items()) if count]  # fmt: skip


def _minister_figures(card: Scorecard, minister_id: int) -> dict[str, int]:
    """Overdue now, the median days to an answer (where dated), and answered questions per year, in one
    statement through the minister's indexes; returns the last."""
    cutoff = deadlines.overdue_cutoff()
    with reading_connection().cursor() as cursor:
        # The minister's questions are read once (their heap rows are wide), through the minister's index; the
        # answers with a date through their own small partial index.
        cursor.execute(
            """WITH mine AS MATERIALIZED (
                   SELECT id, session, has_answer, date_asked FROM questions_question WHERE minister_id = %(minister)s)
               SELECT (SELECT count(*) FROM mine WHERE NOT has_answer AND date_asked <= %(cutoff)s),
                      (SELECT count(*) FROM mine JOIN questions_answer AS a ON a.question_id = mine.id
                       WHERE a.answer_date IS NOT NULL),
                      (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a.answer_date - mine.date_asked)
                       FROM mine JOIN questions_answer AS a ON a.question_id = mine.id WHERE a.answer_date IS NOT NULL),
                      (SELECT coalesce(json_object_agg(y.session, y.n), '{}') FROM (
                           SELECT session, count(*) AS n FROM mine WHERE has_answer GROUP BY session) AS y)""",
            {"minister": minister_id, "cutoff": cutoff},
        )
        card.overdue, card.dated_answers, median, answered_per_year = cursor.fetchone()
    card.median_days = None if median is None else float(median)
    return answered_per_year if isinstance(answered_per_year, dict) else json.loads(answered_per_year)


def _link(path: str, query: QueryDict, **changes: str) -> str:
    changed = query.copy()
    changed.pop("page", None)
    for name, value in changes.items():
        changed[name] = value
    return f"{path}?{changed.urlencode()}"


def timeline(results: ResultPage, query: QueryDict, path: str) -> tuple[str, list[Bar]]:
    """A search's matches per parliamentary year, or per month when it is narrowed to one year; each bar links
    to the search narrowed to its period. Returns ("year" or "month", bars)."""
    params = results.params
    if len(params.years) == 1 and results.total:
        rows = (matching(params).order_by().annotate(month=TruncMonth("date_asked", tzinfo=None)).values("month")
                .annotate(n=Count("id")))  # fmt: skip
        bars = []
        for row in sorted(rows, key=lambda row: row["month"]):
            first: dt.date = row["month"]
            last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            url = _link(path, query, date_from=first.isoformat(), date_to=last.isoformat())
            bars.append(Bar(first.strftime("%Y-%m"), row["n"], url))
        return "month", bars
    years = sorted(results.years, key=lambda item: item.value)
    return "year", [Bar(item.value, item.count, _link(path, query, year=item.value)) for item in years if item.count]


def _shows_top(results: ResultPage) -> bool:
    """Whether the search's facets hold the TOP largest values of each facet (a page may ask for fewer)."""
    return results.params.facet_limit == 0 or results.params.facet_limit >= TOP


def _scorecard_from_search(
    facet: str, entity: NamedEntity, search_url: str, years: dict[str, int], results: ResultPage
) -> Scorecard:
    answered = {item.value: item.count for item in results.facets.get("answered", [])}
    card = Scorecard(total=results.total, answered=answered.get("yes", 0))
    _fill_years(card, facet, entity, search_url, years)
    for other in _OTHERS[facet]:
        card.top[other] = [Bar(item.label, item.count, _MODELS[other].url_for(item.value))
                           for item in results.facets.get(other, [])[:TOP] if item.count]  # fmt: skip
    return card
