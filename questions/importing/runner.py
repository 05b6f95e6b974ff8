"""Import many documents: find the files, parse them, store them in batches, and report on each.

Each document is stored in its own savepoint inside a batch transaction, so a failing document leaves no trace
and the others still import; the search vectors of a batch are refreshed in one statement before it commits.
"""

from __future__ import annotations

import glob
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction

from questions import search
from questions.importing.load import EntityCache, Outcome, StoreError, store
from questions.importing.parse import ParsedQuestion, ParseError, parse_document

logger = logging.getLogger(__name__)

DOCUMENT_SUFFIXES = {".txt", ".pdf"}
BATCH_SIZE = 200
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class FileReport:
    name: str
    outcome: Outcome
    detail: str = ""
    question_id: int | None = None
    warnings: tuple[str, ...] = ()


@dataclass
class ImportSummary:
    reports: list[FileReport] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        return Counter(report.outcome for report in self.reports)

    @property
    def failed(self) -> bool:
        return self.counts[Outcome.FAILED] > 0

    def line(self) -> str:
        counts = self.counts
        return ", ".join(f"{outcome.value} {counts[outcome]}" for outcome in Outcome)


@dataclass(frozen=True)
class Document:
    """One input: a name to report it by, and a way to read its bytes (a file, or an uploaded blob)."""

    name: str
    read: Callable[[], bytes]


def expand_paths(paths: Iterable[str]) -> tuple[list[Document], list[FileReport]]:
    """Files, folders (recursively: every .txt and .pdf below them) and glob patterns, in a stable order.

    Returns the documents and a failure report for every path that names nothing readable.
    """
    documents: list[Document] = []
    problems: list[FileReport] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            documents.append(Document(str(path), path.read_bytes))

    for raw in paths:
        matches = sorted(glob.glob(raw, recursive=True)) if glob.has_magic(raw) else [raw]
        if not matches:
            problems.append(FileReport(raw, Outcome.FAILED, "no file matches this pattern"))
        for match in matches:
            path = Path(match)
            if path.is_dir():
                for child in sorted(path.rglob("*")):
                    hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                    if child.is_file() and child.suffix.lower() in DOCUMENT_SUFFIXES and not hidden:
                        add(child)
            elif path.is_file():
                add(path)
            elif path.exists():
                problems.append(FileReport(str(path), Outcome.FAILED, "not a regular file"))
            else:
                problems.append(FileReport(str(path), Outcome.FAILED, "no such file or folder"))
    return documents, problems


def _parse(document: Document) -> ParsedQuestion | FileReport:
    try:
        data = document.read()
    except OSError as error:
        return FileReport(document.name, Outcome.FAILED, f"cannot read the file: {error.strerror or error}")
    if len(data) > MAX_FILE_BYTES:
        return FileReport(document.name, Outcome.FAILED, f"larger than {MAX_FILE_BYTES // 2**20} MiB")
    try:
        return parse_document(data)
    except ParseError as error:
        return FileReport(document.name, Outcome.FAILED, str(error))


def _batches(items: list[Document], size: int) -> Iterator[list[Document]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_documents(
    documents: list[Document],
    *,
    overwrite_edits: bool = False,
    dry_run: bool = False,
    on_report: Callable[[FileReport], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    summary = ImportSummary()
    cache = EntityCache()

    def report(file_report: FileReport) -> None:
        summary.reports.append(file_report)
        if on_report is not None:
            on_report(file_report)

    for batch in _batches(documents, batch_size):
        parsed_batch = [(document, _parse(document)) for document in batch]
        batch_reports: list[FileReport] = []
        try:
            with transaction.atomic(), search.batched_refresh():
                for document, parsed in parsed_batch:
                    if isinstance(parsed, FileReport):
                        batch_reports.append(parsed)
                        continue
                    batch_reports.append(
                        _store_one(document, parsed, cache, overwrite_edits=overwrite_edits, dry_run=dry_run)
                    )
                if dry_run:
                    transaction.set_rollback(True)
        except DatabaseError as error:
            # The batch's commit failed: nothing of it was written, so every document in it failed.
            logger.exception("import batch failed")
            cache = EntityCache()
            batch_reports = [
                r if r.outcome is Outcome.FAILED else FileReport(r.name, Outcome.FAILED, f"database error: {error}")
                for r in batch_reports
            ]
        for file_report in batch_reports:
            report(file_report)
    return summary


def _store_one(
    document: Document, parsed: ParsedQuestion, cache: EntityCache, *, overwrite_edits: bool, dry_run: bool
) -> FileReport:
    try:
        with transaction.atomic():
            result = store(
                parsed, source_file=document.name, cache=cache, overwrite_edits=overwrite_edits, dry_run=dry_run
            )
    except (StoreError, DatabaseError) as error:
        cache.forget_new()
        return FileReport(document.name, Outcome.FAILED, str(error).strip(), warnings=parsed.warnings)
    cache.keep_new()
    return FileReport(document.name, result.outcome, result.detail, result.question_id, parsed.warnings)
