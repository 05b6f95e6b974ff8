"""Parliamentary years (zittingsjaren) of the Flemish Parliament."""

from __future__ import annotations

import datetime as dt
import re

SESSION_PATTERN = re.compile(r"^(\d{4})-(\d{4})$")


def session_start(year: int) -> dt.date:
    """The fourth Monday of September of ``year``, when a new parliamentary year opens."""
    first = dt.date(year, 9, 1)
    first_monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    return first_monday + dt.timedelta(weeks=3)


def session_for(date: dt.date) -> str:
    """The parliamentary year a date falls in, as ``2023-2024``."""
    start_year = date.year if date >= session_start(date.year) else date.year - 1
    return f"{start_year}-{start_year + 1}"


def is_session(value: str) -> bool:
    match = SESSION_PATTERN.match(value)
    return match is not None and int(match.group(2)) == int(match.group(1)) + 1
