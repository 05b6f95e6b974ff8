"""CSV and Excel exports of every question matching a search.

The CSV streams in constant memory, written by PostgreSQL (copy_export.py). It is written for the spreadsheet
the reader uses: for Dutch, ``;`` between fields (what Belgian and Dutch Excel expect on a double-click), for
English ``,``; ``sep=,`` (or ``;``, ``tab``) chooses. Headers and yes/no values are in the interface's
language; the file is named after the search and the day (``vragen-wateroverlast-2026-12-01.csv``). The .xlsx
export holds the same rows, written by openpyxl in write-only mode, up to XLSX_MAX_ROWS.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import nullcontext
from dataclasses import replace
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from archive.replicas import reading_from
from questions.copy_export import FORMULA_STARTS, csv_blocks
from questions.importing.text import xml_safe
from questions.search import limits, text
from questions.search.filters import status_label
from questions.search.http import refuse_problems_as_text, site_of
from questions.search.params import SearchParams
from questions.search.records import FULL_FIELDS, question_record
from questions.search.results import every_match

COLUMNS = list(FULL_FIELDS)
SEPARATORS = {",": ",", ";": ";", "tab": "\t", "\t": "\t"}
XLSX_MAX_ROWS = 100_000


def column_labels() -> dict[str, str]:
    """The header of each column, in the active language."""
    return {
        "id": "id", "url": _("link"), "api_url": _("API-link"), "number": _("nummer"), "session": _("zittingsjaar"),
        "date": _("datum"), "title": _("titel"), "member": _("vraagsteller"), "minister": _("minister"),
        "minister_title": _("bevoegdheid"), "themes": _("thema's"), "answered": _("beantwoord"),
        "status": _("status"), "deadline": _("termijn"), "answer_date": _("datum antwoord"),
        "question_text": _("vraag"), "answer_text": _("antwoord"), "pdf_url": _("PDF"), "source_url": _("bronpagina"),
    }  # fmt: skip


def localised(column: str, value: Any) -> Any:
    """Yes/no and the status in the reader's language; everything else as the API gives it."""
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if column == "status":
        return status_label(value)
    return value


def file_name(params: SearchParams, extension: str) -> str:
    """``vragen-wateroverlast-2026-12-01.csv``: what was searched, and the day."""
    described = slugify(params.typed_text or params.describe())[:60].strip("-") or _("alle")
    return f"{_('vragen')}-{described}-{timezone.localdate().isoformat()}.{extension}"


def safe_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        value = "; ".join(value)
    text_value = str(value)
    return "'" + text_value if text_value.startswith(FORMULA_STARTS) else text_value


def _records(site: str, params: SearchParams) -> Iterator[list[Any]]:
    """Every match, in the search's date order, as the cells of a row (not yet made safe)."""
    questions = every_match(params).select_related("answer")
    alias = reading_from()
    with text.index_scans_only(alias) if params.tsquery is not None else nullcontext(), limits.export_memory(alias):
        for question in questions.iterator(chunk_size=500):
            record = question_record(question, site, full=True)
            yield [localised(column, record[column]) for column in COLUMNS]


def _csv_content(site: str, params: SearchParams, separator: str, alias: str) -> Iterator[bytes]:
    """The header in the reader's language, then the rows as PostgreSQL writes them (copy_export.py)."""
    header = io.StringIO()
    labels = column_labels()
    csv.writer(header, delimiter=separator, lineterminator="\n").writerow([labels[column] for column in COLUMNS])
    yield ("\ufeff" + header.getvalue()).encode()  # BOM: read as UTF-8
    yield from csv_blocks(site, params, separator, alias)


async def _served_asynchronously(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """The chunks for an ASGI server, read one at a time in the request's own thread (where its database
    connection lives). Given a plain iterator, Django under ASGI would read the whole export into memory first."""
    next_chunk = sync_to_async(lambda: next(chunks, None), thread_sensitive=True)
    while (chunk := await next_chunk()) is not None:
        yield chunk


XLSX_MAX_CELL = 32_000  # Excel holds at most 32,767 characters in a cell


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    cell = xml_safe(safe_cell(value))
    return cell if len(cell) <= XLSX_MAX_CELL else cell[: XLSX_MAX_CELL - 1] + "…"


def _separator(request: HttpRequest) -> str | None:
    chosen = request.GET.get("sep")
    if chosen is None:
        return ";" if (get_language() or "nl").startswith("nl") else ","
    return SEPARATORS.get(chosen)


def search_csv(request: HttpRequest) -> HttpResponseBase:
    params = SearchParams.from_query(request.GET)
    separator = _separator(request)
    if separator is None:
        params = replace(params, problems=(*params.problems, _("“sep” is “,”, “;” of “tab”.")))
    refusal = refuse_problems_as_text(params)
    if refusal is not None or separator is None:
        assert refusal is not None
        return refusal
    # Where to read is chosen now, while the request is being handled: the rows are read while it streams.
    chunks = _csv_content(site_of(request), params, separator, reading_from())
    content = _served_asynchronously(chunks) if isinstance(request, ASGIRequest) else chunks
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name(params, "csv")}"'
    return response


def search_xlsx(request: HttpRequest) -> HttpResponseBase:
    """The same rows as an Excel workbook (openpyxl, write-only: rows go to a temporary file as they come)."""
    params = SearchParams.from_query(request.GET)
    refusal = refuse_problems_as_text(params)
    if refusal is not None:
        return refusal
    count = every_match(params).count()
    if count > XLSX_MAX_ROWS:
        message = _("%(count)d vragen is te veel voor een Excel-bestand (hoogstens %(max)d): gebruik de CSV.") % {
            "count": count, "max": XLSX_MAX_ROWS}  # fmt: skip
        return HttpResponse(message + "\n", status=400, content_type="text/plain; charset=utf-8")
    # Imported here: openpyxl (with numpy) is a fifth of a second that every process would pay at start-up, the
    # importer and each web worker, for the few requests that ask for a workbook.
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("vragen"))
    labels = column_labels()
    sheet.append([labels[column] for column in COLUMNS])
    for cells in _records(site_of(request), params):
        sheet.append([_xlsx_cell(cell) for cell in cells])
    output = tempfile.TemporaryFile()
    workbook.save(output)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=file_name(params, "xlsx"),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
