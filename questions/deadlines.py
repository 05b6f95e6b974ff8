"""When a minister's answer is due, and whether a question is answered, waiting or overdue.

The rule (the Flemish Parliament's rules of procedure): a minister answers a written question within 20 working
days. A working day here is Monday to Friday, except Belgian public holidays (the ``holidays`` package's list for
Belgium: New Year, Easter Monday, 1 May, Ascension, Whit Monday, 21 July, 15 August, 1 and 11 November,
Christmas) and 11 July, the Flemish Community's holiday. The count starts the day after the question was asked:
a question of Tuesday 27 February 2024 is due on Tuesday 26 March 2024.

This module is the only place that knows the rule. A deadline only moves forward when the date asked does, so
"overdue today" is "asked on or before one date" (``last_overdue_asked``): the search filters and counts by the
date asked, through its index, and no stored value goes stale when the calendar moves on.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from functools import lru_cache
from typing import Literal

import holidays

WORKING_DAYS_TO_ANSWER = 20
# Not a federal holiday, but the Flemish institutions are closed.
FLEMISH_COMMUNITY_DAY = (7, 11)

Status = Literal["answered", "waiting", "overdue"]
STATUSES: tuple[Status, ...] = ("answered", "waiting", "overdue")


@lru_cache(maxsize=256)
def _holidays_of(year: int) -> frozenset[dt.date]:
    days = set(holidays.country_holidays("BE", years=year))
    days.add(dt.date(year, *FLEMISH_COMMUNITY_DAY))
    return frozenset(days)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def holidays_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The holidays (as this rule counts them) from ``start`` to ``end``, both included."""
    return sorted(day for year in range(start.year, end.year + 1) for day in _holidays_of(year) if start <= day <= end)


@lru_cache(maxsize=4096)
def deadline(asked: dt.date) -> dt.date:
    """The last day the answer is on time: the 20th working day after the day the question was asked."""
    day, counted = asked, 0
    while counted < WORKING_DAYS_TO_ANSWER:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def days_to_deadlines(first: dt.date, last: dt.date) -> tuple[int, ...]:
    """For every day from ``first`` to ``last``, the days from it to its :func:`deadline`, in one pass over the
    calendar (an export hands them to PostgreSQL, for thirty years of questions at once, and keeps the text it
    makes of them: questions/copy_export.py)."""
    horizon = last + dt.timedelta(days=WORKING_DAYS_TO_ANSWER * 3)  # twenty working days fit in sixty days
    working: list[dt.date] = []
    day = first
    while day <= horizon:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            working.append(day)
    asked = (first + dt.timedelta(days=offset) for offset in range((last - first).days + 1))
    # The working days after a day start at the first one later than it.
    return tuple((working[bisect_right(working, day) + WORKING_DAYS_TO_ANSWER - 1] - day).days for day in asked)


@lru_cache(maxsize=64)
def last_overdue_asked(today: dt.date) -> dt.date:
    """The latest date asked whose deadline is before ``today``: an unanswered question asked on or before it is
    overdue, one asked after it is still waiting (deadlines never move backwards as the date asked moves on)."""
    day = today - dt.timedelta(days=1)
    while deadline(day) >= today:
        day -= dt.timedelta(days=1)
    return day


def overdue_cutoff() -> dt.date:
    """Today's bound: unanswered questions asked on or before it are overdue."""
    return last_overdue_asked(today())


def status_of(asked: dt.date, answered: bool, today: dt.date) -> Status:
    if answered:
        return "answered"
    return "overdue" if deadline(asked) < today else "waiting"


def days_overdue(asked: dt.date, today: dt.date) -> int:
    """Calendar days since the deadline passed (0 when it has not)."""
    return max(0, (today - deadline(asked)).days)


def today() -> dt.date:
    """Today in Brussels: deadlines are Belgian days, whatever the server's zone."""
    from django.utils import timezone

    return timezone.localdate()
