"""A question as the API, the CSV export and the feeds give it: one mapping, from one place."""

from __future__ import annotations

from typing import Any

from questions.links import pk_url
from questions.models import Answer, Question

SUMMARY_FIELDS = (
    "id", "url", "api_url", "number", "session", "date", "title", "member", "minister", "minister_title", "themes",
    "answered", "status", "deadline", "answer_date",
)  # fmt: skip
FULL_FIELDS = (*SUMMARY_FIELDS, "question_text", "answer_text", "pdf_url", "source_url")


def answer_of(question: Question) -> Answer | None:
    """The question's answer, without a query when it has none (``has_answer`` says so)."""
    return question.answer if question.has_answer else None


def question_record(question: Question, site: str, *, full: bool = False) -> dict[str, Any]:
    """The question's fields by the names of SUMMARY_FIELDS (or FULL_FIELDS); ``site`` is the scheme and host
    that links start with. Read from ``Question.objects.for_display()`` (its ``theme_names``), with the answer
    selected along for ``full``."""
    record: dict[str, Any] = {
        "id": question.pk,
        "url": site + question.get_absolute_url(),
        "api_url": site + pk_url("questions:api_detail", question.pk),
        "number": question.number,
        "session": question.session,
        "date": question.date_asked.isoformat(),
        "title": question.title,
        "member": question.member.name,
        "minister": question.minister.name,
        "minister_title": question.minister_title,
        "themes": list(question.theme_names),
        "answered": question.has_answer,
        # answered, waiting (within the 20 working days) or overdue: questions/deadlines.py
        "status": question.status,
        "deadline": question.deadline.isoformat(),
        "answer_date": question.answered_on.isoformat() if question.answered_on else None,
    }
    if full:
        answer = answer_of(question)
        record.update(
            question_text=question.question_text,
            answer_text=answer.text if answer else None,
            pdf_url=question.pdf_url or None,
            source_url=question.source_url or None,
        )
    return record
