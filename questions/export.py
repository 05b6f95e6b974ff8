"""CSV export of every question matching a search, streamed row by row in constant memory."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import nullcontext

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from questions import search
from questions.filters import QuestionFilterSet

COLUMNS = [
    "id", "url", "api_url", "number", "session", "date", "title", "member", "minister", "minister_title",
    "themes", "answered", "question_text", "answer_text", "answer_date", "pdf_url", "source_url",
]  # fmt: skip
# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _rows(request, filterset: QuestionFilterSet) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)  # BOM: spreadsheets then read the file as UTF-8
    base = request.build_absolute_uri("/")[:-1]
    queryset = filterset.every_match().for_display().select_related("answer")
    with search.index_scans_only() if filterset.query is not None else nullcontext():
        yield from _csv_lines(writer, base, queryset)


def _csv_lines(writer, base: str, queryset) -> Iterator[str]:
    for question in queryset.iterator(chunk_size=500):
        answer = question.answer if question.has_answer else None
        row = [
            question.pk,
            base + question.get_absolute_url(),
            base + reverse("questions:api_detail", kwargs={"pk": question.pk}),
            question.number,
            question.session,
            question.date_asked.isoformat(),
            question.title,
            question.member.name,
            question.minister.name,
            question.minister_title,
            "; ".join(question.theme_names),
            "yes" if question.has_answer else "no",
            question.question_text,
            answer.text if answer else "",
            answer.answer_date.isoformat() if answer and answer.answer_date else "",
            question.pdf_url,
            question.source_url,
        ]
        yield writer.writerow([safe_cell(cell) for cell in row])


def search_csv(request):
    filterset = QuestionFilterSet(request.GET)
    filterset.resolve()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(_rows(request, filterset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="schriftelijke-vragen-{stamp}.csv"'
    return response
