"""The index pages: every minister, member, theme and parliamentary year, with its number of questions.

The numbers come from the counters the triggers keep (questions_facetcount), so a page costs the same with a
thousand questions or a million; a minister's portfolio is that of their newest question, read through the
minister's date index.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from archive.replicas import reading_connection
from questions.models import Answer, FacetCount, Member, Minister, NamedEntity, Question, Theme
from questions.search.facets import archive_counts

KINDS: dict[str, type[NamedEntity]] = {"minister": Minister, "member": Member, "theme": Theme}


@dataclass(frozen=True)
class Entry:
    entity: NamedEntity
    questions: int
    portfolio: str = ""  # ministers: as printed on their newest question
    first_year: str = ""  # ministers: the first and last parliamentary year with a question to them
    last_year: str = ""


def entries(kind: str) -> list[Entry]:
    """Every record of ``kind`` ("minister", "member" or "theme"), alphabetical, with its counts."""
    counts = archive_counts(kind)
    records = list(KINDS[kind].objects.order_by("name"))
    if kind != "minister":
        return [Entry(record, counts.get(str(record.pk), 0)) for record in records]
    years: dict[str, list[str]] = {}
    for minister_id, session in FacetCount.objects.filter(dimension="minister", facet="year", count__gt=0).values_list(
        "value", "facet_value"
    ):
        years.setdefault(minister_id, []).append(session)
    with reading_connection().cursor() as cursor:
        cursor.execute(
            """SELECT m.id, newest.minister_title FROM questions_minister AS m
               CROSS JOIN LATERAL (SELECT q.minister_title FROM questions_question AS q WHERE q.minister_id = m.id
                                   ORDER BY q.date_asked DESC, q.id DESC LIMIT 1) AS newest"""
        )
        portfolios = dict(cursor.fetchall())
    found = []
    for record in records:
        sessions = sorted(years.get(str(record.pk), []))
        found.append(Entry(record, counts.get(str(record.pk), 0), portfolios.get(record.pk, ""),
                           sessions[0] if sessions else "", sessions[-1] if sessions else ""))  # fmt: skip
    return found


def years() -> list[tuple[str, int]]:
    """Every parliamentary year with questions, newest first, with its number of questions."""
    return sorted(archive_counts("year").items(), reverse=True)


@dataclass(frozen=True)
class Coverage:
    total: int
    answered: int
    years: list[tuple[str, int]]  # oldest first
    first_asked: dt.date | None
    last_asked: dt.date | None
    last_import: dt.datetime | None  # when the archive last took in a new question or answer


def coverage() -> Coverage:
    """The archive's extent, from the stored counters and a few index look-ups (never a scan of the questions)."""
    answered = archive_counts("answered")
    oldest = Question.objects.order_by("date_asked", "id").values_list("date_asked", flat=True).first()
    newest = Question.objects.order_by("-date_asked", "-id").values_list("date_asked", flat=True).first()
    # The newest row of each table by its index (ids and recorded_at grow with every import).
    last_question = Question.objects.order_by("-id").values_list("first_imported_at", flat=True).first()
    last_answer = Answer.objects.order_by("-recorded_at").values_list("recorded_at", flat=True).first()
    moments = [moment for moment in (last_question, last_answer) if moment is not None]
    return Coverage(sum(answered.values()), answered.get("yes", 0), sorted(archive_counts("year").items()),
                    oldest, newest, max(moments) if moments else None)  # fmt: skip
