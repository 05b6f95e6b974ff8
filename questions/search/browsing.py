"""The counts of browsing: facet filters and no text, numbers or dates (query.py answers the rest).

Each facet is read from the stored counts (facets.py) when the filters other than its own allow: at most one
other facet filter, or a status filter with or without an answered one (the stored answered counts less or plus
the waiting questions). What they do not allow is counted live: the facets without a filter of their own share
one materialised selection of the questions that pass every filter; a facet with its own filter gets its own
index-driven subquery.
"""

from __future__ import annotations

from django.db.models import QuerySet

from questions.models import Question
from questions.search import facets, text
from questions.search.facets import ActiveFilter
from questions.search.filters import FACETS
from questions.search.statement import Statement


class _SharedRows:
    """Relations a browsing statement's parts may share, each written once as a materialised CTE if used."""

    def __init__(self, statement: Statement, base: QuerySet, filters: dict[str, ActiveFilter]) -> None:
        self.statement, self.base, self.filters = statement, base, filters
        self.parts: dict[str, str | None] = {}

    def _shared(self, name: str, rows: QuerySet) -> str | None:
        if name not in self.parts:
            self.parts[name] = self.statement.queryset(rows.order_by().values(*facets.ROW_COLUMNS))
        return None if self.parts[name] is None else name

    def everything(self) -> str | None:
        """The questions that pass every filter."""
        return self._shared("everything", self.base.filter(*[active.condition for active in self.filters.values()]))

    def waiting(self) -> str | None:
        """The waiting questions (unanswered, of the last weeks), whatever the filters."""
        return self._shared("waiting", self.base.filter(facets.waiting_condition()))

    def with_clause(self) -> str:
        used = [f"{name} AS MATERIALIZED ({part})" for name, part in self.parts.items() if part is not None]
        return f"WITH {', '.join(used)}\n" if used else ""


def counts(base: QuerySet, filters: dict[str, ActiveFilter]) -> tuple[int, list]:
    """Stored counts where one filter or none applies; live counts, each from its own subquery, elsewhere."""
    statement = Statement()
    shared = _SharedRows(statement, base, filters)
    total_source = facets.stored_source(None, filters)
    if total_source is not None:
        total = f"({facets.stored_total(statement, total_source)})"
    elif (statuses := _statuses_only(filters, None)) is not None:
        total = f"({_under_status(statement, None, statuses, shared.waiting())})"
    elif shared.everything() is None:
        return 0, []
    else:
        total = "(SELECT count(*) FROM everything)"

    parts = []
    for facet in FACETS:
        stored_part = _stored_part(statement, base, facet, filters, shared)
        if stored_part is not None:
            parts.append(stored_part)
        elif facet not in filters:
            if shared.everything() is None:
                return 0, []
            parts.append(facets.live(facet, "everything AS base"))
        else:
            others = [active.condition for name, active in filters.items() if name != facet]
            sub_sql = statement.queryset(base.filter(*others).order_by().values(*facets.ROW_COLUMNS))
            if sub_sql is not None:
                parts.append(facets.live(facet, f"({sub_sql}) AS base"))
    sql = f"{shared.with_clause()}SELECT {total}, {facets.as_json_rows(parts)}"
    total_value, facet_rows = statement.fetch_one(sql)
    return int(total_value), facet_rows


def _stored_part(statement: Statement, base: QuerySet, facet: str, filters: dict[str, ActiveFilter],
                 shared: _SharedRows) -> str | None:  # fmt: skip
    """``facet``'s counts from the stored counters, when its other filters allow; None: count it live."""
    if facet == "status" or (facet == "answered" and "status" in filters):
        return _stored_answer_states(statement, base, facet, filters, shared)
    source = facets.stored_source(facet, filters)
    if source is None and (statuses := _statuses_only(filters, facet)) is not None:
        return _under_status(statement, facet, statuses, shared.waiting())
    return None if source is None else facets.stored(statement, facet, source)


def _statuses_only(filters: dict[str, ActiveFilter], own: str | None) -> tuple[str, ...] | None:
    """When the filters but ``own`` are a status filter, an answered filter or both: the statuses they keep
    (an answered filter keeps the states its values hold); else None."""
    others = {name: active for name, active in filters.items() if name != own}
    if "status" not in others or set(others) - {"status", "answered"}:
        return None
    statuses = set(others["status"].stored_values)
    if "answered" in others:
        answered = others["answered"].stored_values
        statuses &= {state for value in answered for state in facets.STATUSES_OF_ANSWERED[value]}
    return tuple(sorted(statuses))


def _under_status(statement: Statement, facet: str | None, statuses: tuple[str, ...], waiting: str | None) -> str:
    """``facet``'s counts (None: the number of questions) among the questions with one of ``statuses``: the
    stored counts of the answered and the unanswered ones, less (overdue without waiting) or plus (waiting
    without overdue) the waiting ones, the relation ``waiting``: the unanswered questions of the last weeks, read
    through their index. Counted live, "status=overdue" read every overdue question (33 ms at 100,000
    documents)."""
    answered = tuple(value for value, states in facets.STATUSES_OF_ANSWERED.items()
                     if states[-1] in statuses)  # "answered" for yes, "overdue" for no  # fmt: skip
    sign = int("overdue" in statuses) - int("waiting" in statuses)  # the waiting questions taken off, or added
    if facet is None:
        stored = facets.stored_total(statement, ("answered", answered)) if answered else "SELECT 0"
        if sign == 0 or waiting is None:
            return stored
        return f"SELECT ({stored}) {'-' if sign > 0 else '+'} (SELECT count(*) FROM {waiting})"
    parts = [facets.stored(statement, facet, ("answered", answered))] if answered else []
    if sign != 0 and waiting is not None:
        live = facets.live(facet, f"{waiting} AS base")
        parts.append(facets.negated(live) if sign > 0 else live)
    return facets.summed(parts) if parts else "SELECT NULL, NULL, NULL, 0 WHERE FALSE"


def _stored_answer_states(statement: Statement, base: QuerySet, facet: str, filters: dict[str, ActiveFilter],
                          shared: _SharedRows) -> str | None:  # fmt: skip
    """The status facet, or the answered facet under a status filter, from the stored answered counts and the
    waiting questions counted live (facets.answer_states). Both facets tell the same states apart, so the other
    one as a filter only keeps some of them: counted live instead, "answered=yes" counted the status of every
    answered question (100 ms at 100,000 documents)."""
    partner = "answered" if facet == "status" else "status"
    rest = {name: active for name, active in filters.items() if name not in (facet, partner)}
    source = facets.stored_source(None, rest)
    if source is None:
        return None
    if rest:
        waiting = base.filter(facets.waiting_condition(), *[active.condition for active in rest.values()])
        waiting_sql = statement.queryset(waiting.order_by().values("id"))
    else:  # the waiting questions of the whole archive, shared with the other parts
        waiting_sql = None if shared.waiting() is None else "SELECT id FROM waiting"
    if waiting_sql is None:
        return None
    kept = filters[partner].stored_values if partner in filters else None
    return facets.answer_states(statement, facet, source, waiting_sql, kept)


# Above this share of the archive left out, counting what is kept live costs less than subtracting what is not
# ("-denk -elkaar", 65 % of 100,000 questions: 231 ms subtracted, 184 counted live).
LEFT_OUT_MAX_SHARE = 0.25


def few_left_out(left_out: str) -> bool:
    """Whether ``left_out`` matches fewer than LEFT_OUT_MAX_SHARE of the questions: counted through the index,
    no further than that share. (Plan it with text.index_scans_only.)"""
    statement = Statement()
    share = statement.param(LEFT_OUT_MAX_SHARE)
    (few,) = statement.fetch_one(f"""
        WITH archive AS ({facets.stored_total(statement, ("", ("",)))})
        SELECT count(*) < (SELECT * FROM archive) * {share} FROM (
            SELECT 1 FROM questions_question AS q WHERE q.search_vector @@ {text.tsquery_sql(statement.param(left_out))}
            LIMIT (SELECT ceil((SELECT * FROM archive) * {share})::bigint)) AS found""")
    return bool(few)


def all_but(left_out: str) -> tuple[int, list]:
    """The number of questions, and every facet's counts, among all but those that ``left_out`` (a query in
    ``to_tsquery_text`` syntax) matches: the archive's stored counts less those questions, counted live. A query
    of exclusions alone ("-water") counted every other question live: 244 ms at 100,000 documents for a word in
    a few of them. (Plan the statement with text.index_scans_only: the left-out questions come from the index.)"""
    statement = Statement()
    whole_archive = ("", ("",))
    excluded = Question.objects.filter(search_vector=text.ArchiveQuery(left_out))
    excluded_sql = statement.queryset(excluded.order_by().values(*facets.ROW_COLUMNS))
    waiting = Question.objects.filter(facets.waiting_condition())
    waiting_sql = statement.queryset(waiting.order_by().values("id"))
    if excluded_sql is None or waiting_sql is None:
        raise ValueError("the left-out questions' or the waiting questions' query cannot match anything")
    parts = []
    for facet in FACETS:
        if facet == "status":
            everything = facets.stored_status(statement, whole_archive, waiting_sql)
        else:
            everything = facets.stored(statement, facet, whole_archive)
        parts.append(facets.summed([everything, facets.negated(facets.live(facet, "excluded AS base"))]))
    total = f"({facets.stored_total(statement, whole_archive)}) - (SELECT count(*) FROM excluded)"
    sql = f"WITH excluded AS MATERIALIZED ({excluded_sql})\nSELECT {total}, {facets.as_json_rows(parts)}"
    total_value, facet_rows = statement.fetch_one(sql)
    return int(total_value), facet_rows
