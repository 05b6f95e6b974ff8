"""The overdue questions, by minister: unanswered past the 20 working days (questions/deadlines.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Min
from django.db.models.expressions import RawSQL

from questions import deadlines
from questions.models import Minister, Question

SHOWN_PER_MINISTER = 10
# What the page and the feed show of a listed question.
LISTED_FIELDS = ("id", "title", "number", "session", "date_asked", "has_answer", "minister_id", "member__name",
                 "member__slug")


@dataclass(frozen=True)
class MinisterOverdue:
    minister: Minister
    count: int
    oldest_asked: dt.date
    newest: list[Question]  # the most recently overdue, each with ``days_overdue``


@dataclass(frozen=True)
class OverdueReport:
    today: dt.date
    cutoff: dt.date  # questions asked on or before it, still unanswered, are overdue
    total: int
    waiting: int
    ministers: list[MinisterOverdue]


# Each minister's newest overdue questions, from the index of unanswered questions per minister by date: a
# few index entries per minister, whatever the archive's size. (One window over every overdue question ranked
# them all: 70 ms at 100,000 documents, growing with the archive; a statement per minister made 150 of them.)
_NEWEST_OVERDUE_SQL = """
SELECT q.id FROM unnest(%s::bigint[]) AS m (id)
CROSS JOIN LATERAL (
    SELECT o.id FROM questions_question AS o
    WHERE o.minister_id = m.id AND NOT o.has_answer AND o.date_asked <= %s
    ORDER BY o.date_asked DESC, o.number DESC, o.id DESC LIMIT %s
) AS q
"""


def overdue_report(today: dt.date | None = None) -> OverdueReport:
    today = today or deadlines.today()
    cutoff = deadlines.last_overdue_asked(today)
    unanswered = Question.objects.filter(has_answer=False)
    overdue = unanswered.filter(date_asked__lte=cutoff)
    per_minister = list(
        overdue.values("minister").annotate(n=Count("id"), oldest=Min("date_asked")).order_by("-n", "minister")
    )
    ministers = Minister.objects.in_bulk([row["minister"] for row in per_minister])
    shown = RawSQL(_NEWEST_OVERDUE_SQL, (list(ministers), cutoff, SHOWN_PER_MINISTER))
    newest: dict[int, list[Question]] = defaultdict(list)
    # Only what the page shows: for_display() read every question's text back from TOAST and its themes' names,
    # for up to ten questions per minister (1,500 rows at 100,000 documents: 128 of the page's 430 ms).
    listed = Question.objects.filter(pk__in=shown).newest_first().select_related("member")
    for question in listed.only(*LISTED_FIELDS):
        newest[question.minister_id].append(question)
    report = [MinisterOverdue(ministers[row["minister"]], row["n"], row["oldest"], newest[row["minister"]])
              for row in per_minister]  # fmt: skip
    waiting = unanswered.filter(date_asked__gt=cutoff).count()
    return OverdueReport(today, cutoff, sum(row["n"] for row in per_minister), waiting, report)
