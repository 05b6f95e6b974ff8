"""CSV export of every question matching a search, streamed row by row in constant memory."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from questions.search import text
from questions.search.http import refuse_problems_as_text, site_of
from questions.search.params import SearchParams
from questions.search.records import FULL_FIELDS, question_record
from questions.search.results import every_match

COLUMNS = list(FULL_FIELDS)
# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        value = "; ".join(value)
    text_value = str(value)
    return "'" + text_value if text_value.startswith(FORMULA_STARTS) else text_value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _rows(site: str, params: SearchParams) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)  # BOM: spreadsheets then read the file as UTF-8
    questions = every_match(params).select_related("answer")
    with text.index_scans_only() if params.tsquery is not None else nullcontext():
        for question in questions.iterator(chunk_size=500):
            record = question_record(question, site, full=True)
            yield writer.writerow([safe_cell(record[column]) for column in COLUMNS])


def search_csv(request: HttpRequest) -> HttpResponseBase:
    params = SearchParams.from_query(request.GET)
    refusal = refuse_problems_as_text(params)
    if refusal is not None:
        return refusal
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(_rows(site_of(request), params), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="schriftelijke-vragen-{stamp}.csv"'
    return response
