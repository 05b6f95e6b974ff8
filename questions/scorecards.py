"""The figures on minister, member and theme pages: questions per parliamentary year, answered, overdue, days to
answer, top themes and ministers. Most come from the counters the triggers keep (questions_facetcount); the
rest from a minister's own questions through their indexes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import QueryDict

from questions import deadlines
from questions.models import FacetCount, Member, Minister, NamedEntity, Question, Theme
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


def _paired(facet: str, pk: int, other: str) -> dict[str, int]:
    """How many of this entity's questions have each value of ``other``, from the stored pairs (a pair is stored
    once, the facet earlier in FACETS as the dimension)."""
    if FACETS.index(facet) < FACETS.index(other):
        rows = FacetCount.objects.filter(dimension=facet, value=str(pk), facet=other, count__gt=0)
        return {value: count for value, count in rows.values_list("facet_value", "count")}
    rows = FacetCount.objects.filter(dimension=other, facet=facet, facet_value=str(pk), count__gt=0)
    return {value: count for value, count in rows.values_list("value", "count")}


def _top_entities(facet: str, pk: int, other: str) -> list[Bar]:
    counts = {int(value): count for value, count in _paired(facet, pk, other).items()}
    records = _MODELS[other].objects.in_bulk(list(counts))
    ranked = sorted(records.values(), key=lambda record: (-counts[record.pk], record.name))[:TOP]
    return [Bar(record.name, counts[record.pk], record.get_absolute_url()) for record in ranked]


def scorecard(facet: str, entity: NamedEntity, search_url: str) -> Scorecard:
    """``facet`` is "minister", "member" or "theme"; ``search_url`` the entity's search, to link years to."""
    pk = entity.pk
    card = Scorecard()
    totals = FacetCount.objects.filter(
        Q(dimension="", value="", facet=facet, facet_value=str(pk))
        | Q(dimension=facet, value=str(pk), facet="answered", facet_value="yes")
    ).values_list("facet", "count")
    counts = dict(totals)
    card.total, card.answered = int(counts.get(facet, 0)), int(counts.get("answered", 0))
    years = sorted(_paired(facet, pk, "year").items())
    answered_per_year = _answered_per_year(pk) if facet == "minister" else {}
    card.per_year = [Bar(year, count, f"{search_url}&year={year}", answered_per_year.get(year))
                     for year, count in years]  # fmt: skip
    if facet == "minister":
        card.top["theme"] = _top_entities(facet, pk, "theme")
        _minister_figures(card, pk)
    elif facet == "member":
        card.top["minister"] = _top_entities(facet, pk, "minister")
        card.top["theme"] = _top_entities(facet, pk, "theme")
    else:
        card.top["minister"] = _top_entities(facet, pk, "minister")
        card.top["member"] = _top_entities(facet, pk, "member")
    return card


def _answered_per_year(minister_id: int) -> dict[str, int]:
    rows = (Question.objects.filter(minister_id=minister_id, has_answer=True).values("session")
            .annotate(n=Count("id")).values_list("session", "n"))  # fmt: skip
    return dict(rows)


def _minister_figures(card: Scorecard, minister_id: int) -> None:
    cutoff = deadlines.last_overdue_asked(deadlines.today())
    card.overdue = Question.objects.filter(minister_id=minister_id, has_answer=False, date_asked__lte=cutoff).count()
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY a.answer_date - q.date_asked)
               FROM questions_question AS q JOIN questions_answer AS a ON a.question_id = q.id
               WHERE q.minister_id = %s AND q.has_answer AND a.answer_date IS NOT NULL""",
            [minister_id],
        )
        card.dated_answers, median = cursor.fetchone()
    card.median_days = None if median is None else float(median)


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
