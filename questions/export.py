"""CSV export of every question matching a search, streamed row by row in constant memory."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Iterator
from contextlib import nullcontext
from itertools import islice
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
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


ROWS_PER_CHUNK = 500


def _chunks(rows: Iterator[str]) -> Iterator[str]:
    """Rows joined into chunks of ROWS_PER_CHUNK: fewer, larger writes."""
    while chunk := "".join(islice(rows, ROWS_PER_CHUNK)):
        yield chunk


async def _served_asynchronously(chunks: Iterator[str]) -> AsyncIterator[str]:
    """The chunks for an ASGI server, read one at a time in the request's own thread (where its database
    connection lives). Given a plain iterator, Django under ASGI would read the whole export into memory first."""
    next_chunk = sync_to_async(lambda: next(chunks, None), thread_sensitive=True)
    while (chunk := await next_chunk()) is not None:
        yield chunk


def search_csv(request: HttpRequest) -> HttpResponseBase:
    params = SearchParams.from_query(request.GET)
    refusal = refuse_problems_as_text(params)
    if refusal is not None:
        return refusal
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    chunks = _chunks(_rows(site_of(request), params))
    content = _served_asynchronously(chunks) if isinstance(request, ASGIRequest) else chunks
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="schriftelijke-vragen-{stamp}.csv"'
    return response
