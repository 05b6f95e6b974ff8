"""The overdue questions, by minister: unanswered past the 20 working days (questions/deadlines.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min

from questions import deadlines
from questions.models import Minister, Question

SHOWN_PER_MINISTER = 10


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


def overdue_report(today: dt.date | None = None) -> OverdueReport:
    today = today or deadlines.today()
    cutoff = deadlines.last_overdue_asked(today)
    unanswered = Question.objects.filter(has_answer=False)
    overdue = unanswered.filter(date_asked__lte=cutoff)
    per_minister = list(
        overdue.values("minister").annotate(n=Count("id"), oldest=Min("date_asked")).order_by("-n", "minister")
    )
    ministers = Minister.objects.in_bulk([row["minister"] for row in per_minister])
    report = []
    for row in per_minister:
        newest = list(overdue.filter(minister_id=row["minister"]).newest_first().for_display()[:SHOWN_PER_MINISTER])
        report.append(MinisterOverdue(ministers[row["minister"]], row["n"], row["oldest"], newest))
    waiting = unanswered.filter(date_asked__gt=cutoff).count()
    return OverdueReport(today, cutoff, sum(row["n"] for row in per_minister), waiting, report)
