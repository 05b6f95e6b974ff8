"""Answer dates from a metadata file imported alongside the documents: the documents themselves seldom print them.

Two shapes are read (pure functions, no ORM; ``apply`` writes):

- CSV, ``;`` or ``,`` between fields, a header row naming at least the number, the parliamentary year and the
  answer date: ``nummer;zittingsjaar;antwoorddatum`` (English ``number``, ``session``, ``answer_date`` too), with
  an optional ``minister`` (numbers repeat per minister within a year) or ``id`` (the parliament's document id);
- JSON as the parliament's open data gives a written question (one object, a list of them, or ``{"items": [...]}``):
  ``id``, ``vraagnummer``, ``zittingsjaar``, ``minister`` (``{"voornaam", "naam"}``), and the answer's date in
  ``statusdatumSchvBeantwoord``, or the ``procedureverloop`` step whose status says "beantwoord".

Dates are ISO (``2024-03-19``), Dutch (``19 maart 2024``) or ``19/03/2024``. A row that cannot be read, names no
question in the archive, a question without an answer, or a date before the question's, is reported and skipped;
the rest is applied.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from typing import Any

from questions.importing.parse import ParseError, decode_text, parse_dutch_date

SUFFIXES = {".csv", ".json"}
_NUMBER = ("nummer", "vraagnummer", "number")
_SESSION = ("zittingsjaar", "session", "year")
_DATE = ("antwoorddatum", "datum antwoord", "datum_antwoord", "answer_date", "answer date",
         "statusdatumschvbeantwoord")  # fmt: skip
_MINISTER = ("minister",)
_SOURCE_ID = ("id", "bron-id", "source_id")


@dataclass(frozen=True)
class AnswerDate:
    where: str  # "line 3", "item 2": for reports
    date: dt.date
    number: int | None = None
    session: str | None = None
    minister: str | None = None
    source_id: str | None = None

    def describe(self) -> str:
        if self.number is not None:
            return f"nr. {self.number} ({self.session})"
        return f"id {self.source_id}"


def read_date(value: str) -> dt.date:
    value = value.strip()
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return parse_dutch_date(value)


def parse(data: bytes, name: str) -> tuple[list[AnswerDate], list[str]]:
    """The answer dates a file gives, and what could not be read (each with where)."""
    text = decode_text(data)
    if name.lower().endswith(".json"):
        return _from_json(text)
    return _from_csv(text)


def _pick(row: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if row.get(name) not in (None, ""):
            return row[name]
    return None


def _from_csv(text: str) -> tuple[list[AnswerDate], list[str]]:
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    headers = {(header or "").strip().lower() for header in reader.fieldnames or []}
    if not headers & set(_DATE) or not (headers & set(_NUMBER) and headers & set(_SESSION) or "id" in headers):
        return [], ["the header must name the answer date and the number and year (or id): "
                    "nummer;zittingsjaar;antwoorddatum"]  # fmt: skip
    rows: list[AnswerDate] = []
    problems: list[str] = []
    for index, raw in enumerate(reader, start=2):
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in raw.items()}
        _collect(row, f"line {index}", rows, problems)
    return rows, problems


def _from_json(text: str) -> tuple[list[AnswerDate], list[str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return [], [f"not JSON: {error}"]
    items = data.get("items", [data]) if isinstance(data, dict) else data
    if not isinstance(items, list):
        return [], ["expected a written question, a list of them, or {\"items\": [...]}"]
    rows: list[AnswerDate] = []
    problems: list[str] = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(f"item {index}: not an object")
            continue
        row = {key.lower(): value for key, value in item.items()}
        row["antwoorddatum"] = _pick(row, _DATE) or _answered_step(row.get("procedureverloop"))
        minister = row.get("minister")
        if isinstance(minister, dict):
            row["minister"] = " ".join(str(minister.get(part, "")) for part in ("voornaam", "naam")).strip()
        _collect(row, f"item {index}", rows, problems)
    return rows, problems


def _collect(row: dict[str, Any], where: str, rows: list[AnswerDate], problems: list[str]) -> None:
    found, problem = _row(row, where)
    if found:
        rows.append(found)
    elif problem:
        problems.append(problem)


def _answered_step(steps: Any) -> str | None:
    if not isinstance(steps, list):
        return None
    for step in steps:
        if isinstance(step, dict) and "beantwoord" in str(step.get("status", "")).lower() and step.get("datum"):
            return str(step["datum"])
    return None


def _row(row: dict[str, Any], where: str) -> tuple[AnswerDate | None, str | None]:
    raw_date = _pick(row, _DATE)
    if raw_date is None:
        return None, None  # no answer date (yet): nothing to do
    try:
        date = read_date(str(raw_date))
    except (ParseError, ValueError):
        return None, f"{where}: cannot read the date {str(raw_date)[:40]!r}"
    number, session = _pick(row, _NUMBER), _pick(row, _SESSION)
    source_id = _pick(row, _SOURCE_ID)
    minister = _pick(row, _MINISTER)
    if number is not None and session is not None:
        if not str(number).strip().isdigit():
            return None, f"{where}: {str(number)[:20]!r} is not a question number"
        return AnswerDate(where, date, int(str(number).strip()), str(session).strip(),
                          str(minister).strip() if minister else None,
                          str(source_id).strip() if source_id else None), None  # fmt: skip
    if source_id is not None:
        return AnswerDate(where, date, source_id=str(source_id).strip()), None
    return None, f"{where}: no question number and year, nor id"


# --- writing ---------------------------------------------------------------------------------------------------


@dataclass
class Applied:
    set: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)


def apply(rows: list[AnswerDate]) -> Applied:
    """Set the answers' dates (one transaction); rows that name no answered question, or a date before the
    question's, are reported. The answer's listing date follows by trigger (questions/triggers/answer_dates.sql)."""
    from django.db import transaction

    from questions.models import Answer, Question
    from questions.names import name_key

    result = Applied()
    with transaction.atomic():
        for row in rows:
            questions: list[Question]
            if row.number is not None:
                numbered = Question.objects.filter(number=row.number, session=row.session).select_related("minister")
                questions = list(numbered)
                if row.minister:
                    questions = [q for q in questions if q.minister.key == name_key(row.minister)]
                elif row.source_id and len(questions) > 1:
                    questions = [q for q in questions if q.source_id == row.source_id] or questions
            else:
                questions = list(Question.objects.filter(source_id=row.source_id))
            if len(questions) != 1:
                why = "no such question" if not questions else "several questions have this number: add the minister"
                result.problems.append(f"{row.where}: {row.describe()}: {why}")
                continue
            question = questions[0]
            if row.date < question.date_asked:
                result.problems.append(f"{row.where}: {row.describe()}: the date {row.date} is before the question's")
                continue
            answer = Answer.objects.filter(question=question).first()
            if answer is None:
                result.problems.append(f"{row.where}: {row.describe()}: the archive has no answer to it yet")
            elif answer.answer_date == row.date:
                result.unchanged += 1
            else:
                Answer.objects.filter(pk=answer.pk).update(answer_date=row.date)
                result.set += 1
    return result
