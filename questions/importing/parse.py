"""Parse a Flemish Parliament written question into plain data.

Pure functions, no database: ``parse_document(bytes)`` returns a :class:`ParsedQuestion` or raises
:class:`ParseError` with a reason a person can act on. Three inputs give the same fields:

1. the scraper's seed layout: a header (``title:``, ``thema:`` with one theme per line, ``pdf link:``,
   ``thema link:``) followed by the PDF's text;
2. the PDF's text alone, as pypdf or pdftotext (with or without ``-layout``) extract it;
3. the PDF itself, read with pypdf.

The body is anchored on its fixed blocks: ``SCHRIFTELIJKE VRAAG`` / ``nr.`` / ``van`` / ``datum:`` / ``aan``
with the portfolio in capitals, and the answer block ``ANTWOORD`` / ``op vraag nr. N van DATE`` /
``van NAME``. Question texts mention other questions and answers, so the word "antwoord" alone means nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from questions.importing.text import clean_characters, collapse_spaces, flow_lines
from questions.names import natural_case_name, natural_case_portfolio
from questions.search.compounds import distinct_words
from questions.sessions import session_for

MONTHS = {
    "januari": 1, "februari": 2, "maart": 3, "april": 4, "mei": 5, "juni": 6,
    "juli": 7, "augustus": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
}  # fmt: skip

_HEADING = re.compile(r"^\s*SCHRIFTELIJKE\s+VRAAG\s*$")
_NUMBER = re.compile(r"^nr\.?\s*(\d{1,6})$", re.IGNORECASE)
_FROM = re.compile(r"^van\s+(.+)$")
_DATE_LINE = re.compile(r"^datum\s*:\s*(.+)$", re.IGNORECASE)
_TO = re.compile(r"^aan\s+(.+)$")
_ANSWER_HEADING = re.compile(r"^(.*?)ANTWOORD\s*$")
_ANSWER_REFERENCE = re.compile(r"^op\s+vraag\s+nr\.?\s*(\d{1,6})\s+van\s+(.+?)$", re.IGNORECASE)
_HEADER_FIELD = re.compile(
    r"^(title|titel|thema|pdf link|thema link|antwoorddatum|datum antwoord|answer date)\s*:\s*(.*)$", re.IGNORECASE
)
_ANSWER_DATE_FIELDS = ("antwoorddatum", "datum antwoord", "answer date")
_DUTCH_DATE = re.compile(r"^(\d{1,2})\s+([a-zA-Z]+)\s+(\d{4})$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_CAPITALS_NAME = re.compile(r"^[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’.\- ]*[A-ZÀ-ÖØ-Þ.]$")
_TRAILING_GLUED_NAME = re.compile(
    r"^(.*?[^A-ZÀ-ÖØ-Þ'’.\-\s])\s*([A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’.\-]+(?: [A-ZÀ-ÖØ-Þ'’.\-]+)+)\s*$"
)

MAX_TITLE_LINES = 5


class ParseError(ValueError):
    """The document is not a written question we can read; the message says why."""


# The keys of an import snapshot that stand for the texts (ParsedQuestion.as_snapshot).
QUESTION_TEXT_MD5, ANSWER_TEXT_MD5 = "question_text_md5", "answer_text_md5"


def text_md5(text: str) -> str:
    """PostgreSQL's md5() of the same text."""
    return hashlib.md5(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ParsedQuestion:
    number: int
    date_asked: dt.date
    member: str
    minister: str
    minister_title: str
    title: str
    question_text: str
    themes: tuple[str, ...] = ()
    answer_text: str | None = None
    answer_minister: str | None = None
    answer_minister_title: str | None = None
    pdf_url: str = ""
    source_url: str = ""
    source_id: str | None = None
    # Given by a header line (``antwoorddatum: 12 maart 2024``); the PDF's own text does not print it.
    answer_date: dt.date | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def session(self) -> str:
        return session_for(self.date_asked)

    @property
    def answered(self) -> bool:
        return self.answer_text is not None

    @property
    def has_header(self) -> bool:
        """Whether the scraper's header (themes, links, source id) came with the document."""
        return self.source_id is not None

    def as_record(self) -> dict:
        """The parsed fields as JSON-ready data (what the archive keeps of an import: :meth:`as_snapshot`)."""
        record = {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "warnings"}
        record["date_asked"] = self.date_asked.isoformat()
        record["themes"] = list(self.themes)
        # Left out when unknown, so the fingerprint of a document without one is what it was before it existed.
        answer_date = record.pop("answer_date")
        if answer_date is not None:
            record["answer_date"] = answer_date.isoformat()
        return record

    def as_snapshot(self) -> dict:
        """What the archive keeps of this import (questions_question.import_snapshot): the record, with the
        question's text and the answer's named by their md5, for the import writes them into the question and its
        answer, where they stay until someone changes them; then PostgreSQL copies the imported one into the
        snapshot (questions/triggers/import_snapshot.sql). :func:`questions.editing.last_import` reads it back."""
        record = self.as_record()
        record[QUESTION_TEXT_MD5] = text_md5(record.pop("question_text"))
        if self.answer_text is not None:  # without one, an answer in the archive stays: the record says None
            record[ANSWER_TEXT_MD5] = text_md5(record.pop("answer_text"))
        return record

    @classmethod
    def from_record(cls, record: dict) -> ParsedQuestion:
        """The inverse of :meth:`as_record` (the archive keeps import snapshots as records)."""
        fields: dict[str, Any] = {name: record.get(name) for name in cls.__dataclass_fields__ if name != "warnings"}
        fields["date_asked"] = dt.date.fromisoformat(record["date_asked"])
        fields["themes"] = tuple(record.get("themes") or ())
        fields["answer_date"] = dt.date.fromisoformat(record["answer_date"]) if record.get("answer_date") else None
        return cls(**fields)

    def content_hash(self) -> str:
        """A fingerprint of the parsed fields: an unchanged source has the same one. Computed once (the parser
        worker computes it, so the importer's own process does not)."""
        cached = self.__dict__.get("_content_hash")
        if cached is None:
            canonical = json.dumps(self.as_record(), sort_keys=True, ensure_ascii=False)
            cached = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
            object.__setattr__(self, "_content_hash", cached)  # frozen: a cache, not a field
        return cached


    def vocabulary_texts(self) -> list[str]:
        """What the archive's vocabulary learns words from: the title, the question, the answer, the themes."""
        return [self.title, self.question_text, self.answer_text or "", *self.themes]


# --- bytes to text ---------------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """Decode a text file: UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252 / Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ParseError(f"not valid UTF-16 text: {error.reason} at byte {error.start}") from None
    if b"\x00" in data:
        raise ParseError("binary data, not a text document")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def pdf_text(data: bytes) -> str:
    """The text of a PDF through pypdf, pages joined with nothing between them (as the scraper did)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        return "".join(page.extract_text() or "" for page in reader.pages)
    except Exception as error:  # noqa: BLE001 - pypdf raises many kinds; every one means "unreadable PDF"
        raise ParseError(f"unreadable PDF: {error.__class__.__name__}: {error}".rstrip(": ")) from None


def document_text(data: bytes) -> str:
    if not data.strip():
        raise ParseError("the file is empty")
    if data.lstrip()[:5] == b"%PDF-":
        return pdf_text(data)
    return decode_text(data)


# --- text to fields ---------------------------------------------------------------------------------------


def parse_document(data: bytes | str) -> ParsedQuestion:
    """Parse a document (bytes of a text file or PDF, or text) into a :class:`ParsedQuestion`."""
    text = document_text(data) if isinstance(data, bytes) else data
    text = clean_characters(text)
    if not text.strip():
        raise ParseError("the document has no text")
    lines = text.split("\n")
    header, body = _split_header(lines)
    return _parse_body(body, header)


@dataclass
class _Header:
    title: str = ""
    themes: list[str] = field(default_factory=list)
    pdf_url: str = ""
    source_url: str = ""
    answer_date: str = ""


def _split_header(lines: list[str]) -> tuple[_Header | None, list[str]]:
    first = next((line for line in lines if line.strip()), "")
    if not re.match(r"^\s*(title|titel)\s*:", first, re.IGNORECASE):
        return None, lines
    header = _Header()
    current = None
    for index, line in enumerate(lines):
        if _HEADING.match(line):
            return header, lines[index:]
        match = _HEADER_FIELD.match(line.strip())
        if match:
            current, value = match.group(1).lower(), collapse_spaces(match.group(2))
            if current in ("title", "titel"):
                header.title = value
            elif current == "thema" and value:
                header.themes.append(value)
            elif current == "pdf link":
                header.pdf_url = value
            elif current == "thema link":
                header.source_url = value
            elif current in _ANSWER_DATE_FIELDS:
                header.answer_date = value
            continue
        value = collapse_spaces(line)
        if value and current == "thema":
            header.themes.append(value)
        elif value and current in ("title", "titel"):
            header.title = f"{header.title} {value}".strip()
    raise ParseError("the header has no document after it: no 'SCHRIFTELIJKE VRAAG' heading (truncated file?)")


def _next_content(lines: list[str], start: int) -> int:
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _expect(lines: list[str], start: int, pattern: re.Pattern, what: str) -> tuple[re.Match, int]:
    index = _next_content(lines, start)
    if index >= len(lines):
        raise ParseError(f"the document ends before {what} (truncated?)")
    match = pattern.match(lines[index].strip())
    if not match:
        shown = collapse_spaces(lines[index])[:80]
        raise ParseError(f"expected {what}, found {shown!r} on line {index + 1} of the document body")
    return match, index + 1


def parse_dutch_date(value: str) -> dt.date:
    """``27 februari 2024`` or ``24/12/2021``."""
    value = collapse_spaces(value).lower()
    match = _DUTCH_DATE.match(value)
    try:
        if match:
            day, month_name, year = match.groups()
            if month_name not in MONTHS:
                raise ParseError(f"unknown month {month_name!r} in date {value!r}")
            return dt.date(int(year), MONTHS[month_name], int(day))
        match = _NUMERIC_DATE.match(value)
        if match:
            day, month, year = match.groups()
            return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ParseError(f"impossible date {value!r}") from None
    raise ParseError(f"cannot read the date {value!r}")


def _is_capitals(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and any(char.isalpha() for char in stripped) and not any(c.islower() for c in stripped)


def _parse_body(lines: list[str], header: _Header | None) -> ParsedQuestion:
    start = next((index for index, line in enumerate(lines) if _HEADING.match(line)), None)
    if start is None:
        raise ParseError("not a Flemish written question: no 'SCHRIFTELIJKE VRAAG' heading")
    warnings: list[str] = []

    number_match, cursor = _expect(lines, start + 1, _NUMBER, "the question number ('nr. N')")
    member_match, cursor = _expect(lines, cursor, _FROM, "the member who asked ('van NAME')")
    date_match, cursor = _expect(lines, cursor, _DATE_LINE, "the date ('datum: ...')")
    minister_match, cursor = _expect(lines, cursor, _TO, "the minister ('aan NAME')")
    number = int(number_match.group(1))
    date_asked = parse_dutch_date(date_match.group(1))

    portfolio_lines: list[str] = []
    cursor = _next_content(lines, cursor)
    while cursor < len(lines) and _is_capitals(lines[cursor]):
        portfolio_lines.append(lines[cursor])
        cursor += 1
    if not portfolio_lines:
        raise ParseError("the minister's portfolio (in capitals, after 'aan NAME') is missing")

    rest = lines[cursor:]
    answer_at = _find_answer_block(rest)
    before_answer = rest if answer_at is None else rest[: answer_at[0]]

    answer_text = answer_minister = answer_portfolio = None
    if answer_at is not None:
        heading_index, reference, body_start = answer_at
        before_answer, answer_minister, answer_portfolio = _strip_minister_block(before_answer, minister_match.group(1))
        if int(reference.group(1)) != number:
            warnings.append(f"the answer refers to question nr. {reference.group(1)}, not nr. {number}")
        answer_text = flow_lines(rest[body_start:])
        if not answer_text:
            raise ParseError("the answer block has no answer text (truncated document?)")

    title, question_lines = _split_title(before_answer, header.title if header else "")
    question_text = flow_lines(question_lines)
    if not question_text:
        raise ParseError("the question text is empty (truncated document?)")
    if not title:
        raise ParseError("the document has no title")

    minister = natural_case_name(collapse_spaces(minister_match.group(1)))
    minister_title = natural_case_portfolio(collapse_spaces(" ".join(portfolio_lines)))
    return ParsedQuestion(
        number=number,
        date_asked=date_asked,
        member=natural_case_name(collapse_spaces(member_match.group(1))),
        minister=minister,
        minister_title=minister_title,
        title=title,
        question_text=question_text,
        themes=tuple(dict.fromkeys(header.themes)) if header else (),
        answer_text=answer_text,
        answer_minister=natural_case_name(answer_minister)
        if answer_minister
        else (minister if answer_text is not None else None),
        answer_minister_title=natural_case_portfolio(answer_portfolio)
        if answer_portfolio
        else (minister_title if answer_text is not None else None),
        pdf_url=_url(header.pdf_url, "pdf link", warnings) if header else "",
        source_url=_url(header.source_url, "thema link", warnings) if header else "",
        source_id=_source_id(header.source_url) if header else None,
        answer_date=_answer_date(header, answer_text, date_asked, warnings),
        warnings=tuple(warnings),
    )


def _answer_date(
    header: _Header | None, answer_text: str | None, asked: dt.date, warnings: list[str]
) -> dt.date | None:
    """The header's answer date, when it can be read and makes sense; otherwise a warning and none."""
    if header is None or not header.answer_date:
        return None
    if answer_text is None:
        warnings.append("an answer date without an answer: ignored")
        return None
    try:
        value = dt.date.fromisoformat(header.answer_date)
    except ValueError:
        try:
            value = parse_dutch_date(header.answer_date)
        except ParseError as error:
            warnings.append(f"answer date ignored: {error}")
            return None
    if value < asked:
        warnings.append(f"answer date {value.isoformat()} ignored: before the question's date {asked.isoformat()}")
        return None
    return value


def _url(value: str, label: str, warnings: list[str]) -> str:
    if not value:
        return ""
    if not re.match(r"^https?://\S+$", value):
        warnings.append(f"ignored the {label} {value[:80]!r}: not a web address")
        return ""
    return value


def _source_id(source_url: str) -> str | None:
    match = re.search(r"(\d+)/?\s*$", source_url)
    if not match:
        raise ParseError(f"the thema link {source_url[:80]!r} does not end in the document's id")
    return match.group(1)


def _find_answer_block(lines: list[str]) -> tuple[int, re.Match, int] | None:
    """The answer block: a line ending in ``ANTWOORD`` (capitals, possibly glued to the portfolio above),
    then ``op vraag nr. N van DATE``, then ``van NAME``. Returns (heading line, reference, first text line)."""
    for index, line in enumerate(lines):
        heading = _ANSWER_HEADING.match(line.strip())
        if not heading or any(char.islower() for char in heading.group(1)):
            continue
        reference_index = _next_content(lines, index + 1)
        if reference_index >= len(lines):
            continue
        reference = _ANSWER_REFERENCE.match(lines[reference_index].strip())
        if not reference:
            continue
        asker_index = _next_content(lines, reference_index + 1)
        body_start = reference_index + 1
        if asker_index < len(lines) and _FROM.match(lines[asker_index].strip()):
            body_start = asker_index + 1
        if heading.group(1).strip():
            # "…TOERISMEANTWOORD": keep the portfolio's end as its own line before the block.
            lines[index] = heading.group(1)
            return index + 1, reference, body_start
        return index, reference, body_start
    return None


def _strip_minister_block(lines: list[str], asked_minister: str) -> tuple[list[str], str | None, str | None]:
    """Remove the answering minister's name and portfolio that stand just before ``ANTWOORD``.

    Returns the remaining lines, the name and the portfolio (both None when there is no such block). The name
    may be glued to the last line of the question (``checklist?ZUHAL DEMIR``) where a PDF page ended.
    """
    remaining = [line for line in lines]
    while remaining and not remaining[-1].strip():
        remaining.pop()
    trailing: list[str] = []
    while remaining and _is_capitals(remaining[-1]):
        trailing.insert(0, collapse_spaces(remaining.pop()))
    portfolio_start = next((i for i, line in enumerate(trailing) if "MINISTER" in line), None)
    if portfolio_start is None:
        return lines, None, None
    portfolio = " ".join(trailing[portfolio_start:])
    if portfolio_start > 0 and _CAPITALS_NAME.match(trailing[portfolio_start - 1]):
        name = trailing[portfolio_start - 1]
        remaining.extend(trailing[: portfolio_start - 1])
        return remaining, name, portfolio
    remaining.extend(trailing[:portfolio_start])
    if remaining:
        last = remaining[-1].rstrip()
        asked = collapse_spaces(asked_minister)
        if asked and last.endswith(asked) and len(last) > len(asked):
            remaining[-1] = last[: -len(asked)]
            return remaining, asked, portfolio
        glued = _TRAILING_GLUED_NAME.match(last)
        if glued:
            remaining[-1] = glued.group(1)
            return remaining, glued.group(2), portfolio
    return remaining, None, portfolio


def _without_spaces(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def _split_title(lines: list[str], header_title: str) -> tuple[str, list[str]]:
    """Split the lines after the portfolio into the title and the question text.

    With the header's title, the body's repetition of it is consumed line by line (spacing differs between
    extractions: ``Demerbekken  -  Draaiboek``). Without it, the title is the first line, continued while the
    line was wrapped: pypdf leaves a trailing space on a wrapped line, and a wrapped title's next line starts
    in lower case. A blank line always ends the title.
    """
    start = _next_content(lines, 0)
    if header_title:
        wanted = _without_spaces(header_title)
        consumed = ""
        for index in range(start, min(len(lines), start + MAX_TITLE_LINES * 2)):
            candidate = consumed + _without_spaces(lines[index])
            if not wanted.startswith(candidate):
                break
            consumed = candidate
            if consumed == wanted:
                return header_title, lines[index + 1 :]
        _, question_lines = _split_title(lines, "")
        return header_title, question_lines

    title_lines: list[str] = []
    index = start
    while index < len(lines) and len(title_lines) < MAX_TITLE_LINES:
        line = lines[index]
        if not line.strip():
            break
        title_lines.append(line)
        following = lines[index + 1] if index + 1 < len(lines) else ""
        index += 1
        if not following.strip() or re.match(r"^\s*\d{1,2}\.\s", following):
            break
        wrapped = line != line.rstrip() or following.lstrip()[:1].islower()
        if not wrapped and not line.rstrip().endswith(("-", "–", ",")):
            break
    return flow_lines(title_lines).replace("\n", " "), lines[index:]


def parse_or_reason(data: bytes) -> ParsedQuestion | str:
    """:func:`parse_document`, with the reason as a string instead of an exception: for worker processes."""
    try:
        parsed = parse_document(data)
    except ParseError as error:
        return str(error)
    parsed.content_hash()  # computed here, in the worker, and carried along
    return parsed


def parse_many(contents: list[bytes]) -> list[ParsedQuestion | str]:
    return [parse_or_reason(data) for data in contents]


def parse_batch(
    contents: list[bytes], *, reported: set[str] | None = None
) -> tuple[list[ParsedQuestion | str], set[str]]:
    """:func:`parse_many`, and the distinct words of all the parsed documents: what the importer's vocabulary
    learns, once it has left out the words it knows and split the others into their compound parts
    (runner.py). One look-up per word of the batch, not per word of each document: a batch of 200 has about
    90,000 words of four letters or more, and a tenth of them distinct. Words in ``reported`` are left out,
    and the others added to it."""
    results = parse_many(contents)
    words = distinct_words((text for parsed in results if isinstance(parsed, ParsedQuestion)
                            for text in parsed.vocabulary_texts()), besides=reported or frozenset())  # fmt: skip
    if reported is not None:
        reported.update(words)
    return results, words


# The words the parser worker has reported. A worker process serves one import run, so a word is sent to the
# importer once a run: after the first few thousand documents a batch brings a few hundred new words, not 17,000.
_REPORTED_IN_THIS_PROCESS: set[str] = set()


def remember_reported(words: set[str]) -> None:
    """Count ``words`` as reported in this worker process: the importer parsed their batch itself."""
    _REPORTED_IN_THIS_PROCESS.update(words)


def parse_batch_in_worker(contents: list[bytes]) -> tuple[list[ParsedQuestion | str], set[str]]:
    """:func:`parse_batch` for the worker process of one import run: each word reported once."""
    return parse_batch(contents, reported=_REPORTED_IN_THIS_PROCESS)
