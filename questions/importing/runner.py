"""Import many documents: find the files, parse them, store them in batches, and report on each.

Each document is stored in its own savepoint inside a batch transaction, so a failing document leaves no trace
and the others still import. The documents new to the archive are inserted together (questions/importing/load.py).
"""

from __future__ import annotations

import glob
import logging
import multiprocessing
import os
import queue
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, IntegrityError, connection, transaction

from questions.importing import maintenance
from questions.importing.load import (
    NEW,
    UNCHANGED,
    EntityCache,
    Outcome,
    StoreError,
    classify,
    entity_names,
    prefetch_entities,
    store,
    store_new,
)
from questions.importing.parse import ParsedQuestion, parse_batch, parse_batch_in_worker, remember_reported
from questions.importing.worker_process import exit_with_parent
from questions.search import vocabulary
from questions.search.compounds import with_parts

logger = logging.getLogger(__name__)

DOCUMENT_SUFFIXES = {".txt", ".pdf"}
# Answer dates given alongside the documents (questions/importing/answer_dates.py), applied after them.
METADATA_SUFFIXES = {".csv", ".json"}
# 400 stored a little faster than 200 into a full archive on two connections, and slower into an empty one (the
# other connection waits longer for a batch that creates the same new member); 200 it stays.
BATCH_SIZE = 200
MAX_FILE_BYTES = 50 * 1024 * 1024
BATCH_MAX_BYTES = 32 * 1024 * 1024


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
    statistics_refreshed: bool = False  # the run changed enough to gather planner statistics (maintenance.py)
    storing_connections: int = 1  # how many connections stored batches at once

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
    size: int | None = None  # bytes, when known without reading (a file on disk)


def expand_paths(paths: Iterable[str]) -> tuple[list[Document], list[FileReport]]:
    """Files, folders (recursively: every .txt, .pdf, .csv and .json below them) and glob patterns, in a stable
    order (the .csv and .json files are answer dates: see import_answer_dates).

    Returns the documents and a failure report for every path that names nothing readable.
    """
    documents: list[Document] = []
    problems: list[FileReport] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            documents.append(Document(str(path), path.read_bytes, path.stat().st_size))

    for raw in paths:
        matches = sorted(glob.glob(raw, recursive=True)) if glob.has_magic(raw) else [raw]
        if not matches:
            problems.append(FileReport(raw, Outcome.FAILED, "no file matches this pattern"))
        for match in matches:
            path = Path(match)
            if path.is_dir():
                for child in sorted(path.rglob("*")):
                    hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                    wanted = DOCUMENT_SUFFIXES | METADATA_SUFFIXES
                    if child.is_file() and child.suffix.lower() in wanted and not hidden:
                        add(child)
            elif path.is_file():
                add(path)
            elif path.exists():
                problems.append(FileReport(str(path), Outcome.FAILED, "not a regular file"))
            else:
                problems.append(FileReport(str(path), Outcome.FAILED, "no such file or folder"))
    return documents, problems


def _read(document: Document) -> bytes | FileReport:
    if document.size is not None and document.size > MAX_FILE_BYTES:  # refused without reading it
        return FileReport(document.name, Outcome.FAILED, f"larger than {MAX_FILE_BYTES // 2**20} MiB")
    try:
        data = document.read()
    except OSError as error:
        return FileReport(document.name, Outcome.FAILED, f"cannot read the file: {error.strerror or error}")
    if len(data) > MAX_FILE_BYTES:
        return FileReport(document.name, Outcome.FAILED, f"larger than {MAX_FILE_BYTES // 2**20} MiB")
    return data


ParsedBatch = list[tuple[Document, ParsedQuestion | FileReport]]
Vocabulary = dict[str, tuple[str, ...]]  # words and their compound parts (questions/search/compounds.py)
BatchWords = Callable[[], Vocabulary]  # a batch's words new to the vocabulary, once they are split


class _Parser:
    """Parses batches, in a worker process for large imports so that parsing the next batch overlaps storing
    this one (the database does its share of the work on the other core meanwhile)."""

    def __init__(self, parallel: bool) -> None:
        self._executor = (
            ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                initializer=exit_with_parent, initargs=(os.getpid(),))  # fmt: skip
            if parallel
            else None
        )
        # The first batch is parsed here while the worker starts (spawning it, a new interpreter importing the
        # parser, took 0.4-1 s, and storing waited for it); the worker is then told that batch's words, so that
        # each word is still reported once a run.
        self._parse_here = True
        if self._executor is not None:
            self._executor.submit(remember_reported, set())  # starts the worker now

    def submit(self, batch: list[Document]) -> Callable[[], tuple[ParsedBatch, set[str]]]:
        """Start parsing ``batch``; the callable returned waits for it and gives the parsed documents and their
        words (those not given by an earlier batch of the run)."""
        contents = [_read(document) for document in batch]
        work = [data for data in contents if isinstance(data, bytes)]
        if self._executor is None or self._parse_here:
            results, words = parse_batch(work)
            if self._executor is not None:
                self._parse_here = False
                self._executor.submit(remember_reported, words)
            return lambda: (self._combine(batch, contents, iter(results)), words)
        # The worker imports only the parser module: no Django in the child process.
        future = self._executor.submit(parse_batch_in_worker, work)

        def combined() -> tuple[ParsedBatch, set[str]]:
            results, words = future.result()
            return self._combine(batch, contents, iter(results)), words

        return combined

    def split(self, words: set[str]) -> BatchWords:
        """Start finding the compound parts of ``words``: in the worker, before the batch submitted next."""
        if self._executor is None:
            parts = with_parts(words)
            return lambda: parts
        return self._executor.submit(with_parts, words).result

    @staticmethod
    def _combine(batch: list[Document], contents: list, results: Iterator) -> ParsedBatch:
        combined: ParsedBatch = []
        for document, data in zip(batch, contents, strict=True):
            if isinstance(data, FileReport):
                combined.append((document, data))
                continue
            parsed = next(results)
            if isinstance(parsed, str):
                parsed = FileReport(document.name, Outcome.FAILED, parsed)
            combined.append((document, parsed))
        return combined

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)


def _batches(items: list[Document], size: int, max_bytes: int = BATCH_MAX_BYTES) -> Iterator[list[Document]]:
    """Batches of at most ``size`` documents and, as far as their sizes are known, ``max_bytes``: a batch is
    read into memory whole (and a second one is parsed meanwhile), so a few large PDFs make a batch of their own."""
    batch: list[Document] = []
    total = 0
    for item in items:
        if batch and (len(batch) >= size or total + (item.size or 0) > max_bytes):
            yield batch
            batch, total = [], 0
        batch.append(item)
        total += item.size or 0
    if batch:
        yield batch


# Storing a batch is mostly PostgreSQL's work (deriving each new question's vectors in its insert, about 2 ms a
# document), and one connection keeps one core busy: a large import stores on two connections at once, each
# in a thread of its own (Django's connections are per thread), so that both cores of a small server work.
STORING_CONNECTIONS = 2
# Batches handed to the storing threads ahead of the oldest unfinished one, per thread. Reports go out in input
# order, so the importing thread waits for the oldest batch; with one batch a thread, a thread that finished its
# batch waited too while the other merged its index's pending list into the index (about a second, every few
# thousand documents: one core idle each time).
BATCHES_AHEAD = 2
# A batch that meets another's locks in the wrong order (PostgreSQL aborts one of the two) is stored again.
ATTEMPTS = 3
_TRANSIENT = {"40P01", "40001"}  # deadlock detected, serialization failure


def import_documents(
    documents: list[Document],
    *,
    overwrite_edits: bool = False,
    dry_run: bool = False,
    on_report: Callable[[FileReport], None] | None = None,
    batch_size: int = BATCH_SIZE,
    connections: int = STORING_CONNECTIONS,
) -> ImportSummary:
    """Import ``documents``, reporting on each in input order. A run of more than two batches parses in a
    worker process and, unless the caller holds a transaction the documents must go into, stores on
    ``connections`` connections at once."""
    summary = ImportSummary()
    words_of_run = _RunVocabulary()

    def report(file_report: FileReport) -> None:
        summary.reports.append(file_report)
        if on_report is not None:
            on_report(file_report)

    def store(number: int, parsed_batch: ParsedBatch, words: BatchWords, cache: EntityCache) -> list[FileReport]:
        try:
            return _store_parsed_batch(number, parsed_batch, words, cache, overwrite_edits, dry_run, words_of_run)
        finally:
            words_of_run.end_turn(number)

    batches = list(_batches(documents, batch_size))
    large = len(batches) > 2
    threads = connections if large and not dry_run and not connection.in_atomic_block else 1
    parser = _Parser(parallel=large)
    storers = _StoringThreads(threads, store) if threads > 1 else _StoringHere(store, bulk=large and not dry_run)
    summary.storing_connections = threads
    in_flight: deque[Callable[[], list[FileReport]]] = deque()
    early_merge: maintenance.EarlyMerge | None = None
    try:
        pending = parser.submit(batches[0]) if batches else None
        for number in range(len(batches)):
            assert pending is not None  # submitted for every batch
            parsed_batch, words = pending()
            # Only the words the vocabulary lacks are split: most of a batch's, into an empty archive; a few
            # hundred of 17,000 into a large one.
            new_words = parser.split(words - vocabulary.known(words))
            pending = parser.submit(batches[number + 1]) if number + 1 < len(batches) else None
            in_flight.append(storers.submit(number, parsed_batch, new_words))
            while len(in_flight) >= threads * BATCHES_AHEAD:  # reports in input order, as each oldest is done
                for file_report in in_flight.popleft()():
                    report(file_report)
        while in_flight:
            if threads > 1 and early_merge is None and len(in_flight) == 1:  # one thread stores: a core is free
                early_merge = maintenance.EarlyMerge()
            for file_report in in_flight.popleft()():
                report(file_report)
    finally:
        storers.close()
        parser.close()
        if early_merge is not None:
            early_merge.wait()
    if not dry_run:
        changed = summary.counts[Outcome.IMPORTED] + summary.counts[Outcome.UPDATED]
        summary.statistics_refreshed = maintenance.after_import(changed)
    return summary


StoreBatch = Callable[[int, ParsedBatch, BatchWords, EntityCache], list[FileReport]]


class _StoringHere:
    """Stores each batch at once, on the caller's connection (and in its transaction, if it holds one)."""

    def __init__(self, store: StoreBatch, *, bulk: bool) -> None:
        self._store = store
        self._cache = EntityCache()
        self._session = maintenance.BulkWriteSession() if bulk else None

    def submit(self, number: int, parsed_batch: ParsedBatch, words: BatchWords) -> Callable[[], list[FileReport]]:
        if self._session is not None:
            self._session.begin()
        reports = self._store(number, parsed_batch, words, self._cache)
        return lambda: reports

    def close(self) -> None:
        if self._session is not None:
            self._session.end()


class _StoringThreads:
    """Threads that store the batches handed to them, each on a connection and with an entity cache of its
    own, for the length of one import. What one thread creates, the others find once it is committed."""

    def __init__(self, count: int, store: StoreBatch) -> None:
        self._work: queue.SimpleQueue[tuple[Future, int, ParsedBatch, BatchWords] | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._serve, args=(store,), name=f"import-storing-{number}", daemon=True)
            for number in range(count)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, number: int, parsed_batch: ParsedBatch, words: BatchWords) -> Callable[[], list[FileReport]]:
        future: Future[list[FileReport]] = Future()
        self._work.put((future, number, parsed_batch, words))
        return future.result

    def _serve(self, store: StoreBatch) -> None:
        cache = EntityCache()
        session = maintenance.BulkWriteSession()
        try:
            while (item := self._work.get()) is not None:
                future, number, parsed_batch, words = item
                try:
                    session.begin()
                    future.set_result(store(number, parsed_batch, words, cache))
                except BaseException as error:  # handed to the importing thread, which reports or raises it
                    future.set_exception(error)
        finally:
            connection.close()  # this thread's own connection

    def close(self) -> None:
        for _ in self._threads:
            self._work.put(None)
        for thread in self._threads:
            thread.join()


class _RunVocabulary:
    """The words an import run teaches the vocabulary, learnt batch by batch in input order.

    The parser worker reports a word once a run, with the first batch that holds it (parse_batch_in_worker), and
    a question's vector takes its compound parts from the vocabulary when it is inserted: so a batch is stored
    only after every earlier batch's words are learnt. Each batch's words are learnt in a short transaction of
    their own, in turn; storing goes on in parallel. Words a failed batch could not teach go with the next one.
    """

    def __init__(self) -> None:
        self._learnt: set[str] = set()
        self._deferred: Vocabulary = {}
        self._turn = 0
        self._turns = threading.Condition()

    def learn_in_turn(self, number: int, batch_words: BatchWords) -> None:
        """Learn batch ``number``'s words once batches 0 .. number - 1 have had their turn."""
        words = batch_words()
        with self._turns:
            self._turns.wait_for(lambda: self._turn == number)
        try:
            wanted = {word: parts for word, parts in {**self._deferred, **words}.items() if word not in self._learnt}
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    with transaction.atomic():
                        vocabulary.learn(wanted)
                    break
                except DatabaseError as error:
                    if not (_is_transient(error) and attempt < ATTEMPTS):
                        self._deferred = wanted
                        raise
            self._learnt.update(wanted)
            self._deferred = {}
        finally:
            self.end_turn(number)

    def end_turn(self, number: int) -> None:
        """Let the next batch learn: after batch ``number``'s words, or when that batch went no further (its
        thread failed before), so that no later batch waits for a turn that never comes."""
        with self._turns:
            if self._turn == number:
                self._turn = number + 1
                self._turns.notify_all()


def _sqlstate(error: DatabaseError) -> str | None:
    """PostgreSQL's code for the error (Django keeps the driver's error as the cause)."""
    return getattr(error.__cause__, "sqlstate", None)


def _is_unique_violation(error: DatabaseError) -> bool:
    return _sqlstate(error) == "23505"


def _is_transient(error: DatabaseError) -> bool:
    """Whether PostgreSQL aborted the transaction only because of another one (a deadlock): trying again works."""
    return _sqlstate(error) in _TRANSIENT


def _store_parsed_batch(
    number: int,
    parsed_batch: ParsedBatch,
    batch_words: BatchWords,
    cache: EntityCache,
    overwrite_edits: bool,
    dry_run: bool,
    words_of_run: _RunVocabulary,
) -> list[FileReport]:
    """Batch ``number`` in one transaction, after its new words (``batch_words``) are learnt."""
    if not dry_run:
        try:
            # Before the questions, whose vectors' trigger reads their compounds' parts from the vocabulary.
            words_of_run.learn_in_turn(number, batch_words)
        except DatabaseError as error:
            logger.exception("import batch failed: its words could not be learnt")
            return _all_failed(parsed_batch, error)
    if not dry_run and not connection.in_atomic_block:
        _create_new_entities(parsed_batch, cache)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                reports = _store_batch(parsed_batch, cache, overwrite_edits=overwrite_edits, dry_run=dry_run)
                if dry_run:
                    transaction.set_rollback(True)
            return reports
        except DatabaseError as error:
            cache.forget_all()
            if _is_transient(error) and attempt < ATTEMPTS:
                logger.info("import batch met another transaction's locks; storing it again", exc_info=True)
                continue
            logger.exception("import batch failed")
            return _all_failed(parsed_batch, error)
    raise AssertionError("unreachable: the last attempt returns")


def _create_new_entities(parsed_batch: ParsedBatch, cache: EntityCache) -> None:
    """The members, ministers and themes that the batch's new documents bring, created and committed before the
    batch's own transaction. Two storing threads that meet the same new name otherwise wait for each other: an
    insert of a name another transaction has inserted waits until that transaction ends, and a batch's lasts
    about a second (2.3 s of waiting in an import of 3,000 documents into an empty archive, PostgreSQL 15).
    Only the names of documents new to the archive: an update or a conflict may yet fail, and leave behind a
    name that no question uses (as may a batch whose whole transaction fails)."""
    parsed = [item for _, item in parsed_batch if isinstance(item, ParsedQuestion)]
    names = entity_names(parsed)
    if all(cache.knows(model, wanted) for model, wanted in names.items()):
        return  # the steady state of a long import: no query at all
    try:
        with transaction.atomic():
            new = [item for item, (kind, _) in zip(parsed, classify(parsed, cache), strict=True) if kind == NEW]
            prefetch_entities(new, cache)
    except (StoreError, DatabaseError):
        logger.info("could not create the batch's new names first; its transaction creates them", exc_info=True)
        cache.forget_new()
        return
    cache.keep_new()


def _all_failed(parsed_batch: ParsedBatch, error: DatabaseError) -> list[FileReport]:
    """The batch's transaction failed: nothing of it was written, so every document in it failed."""
    return [
        parsed if isinstance(parsed, FileReport)
        else FileReport(document.name, Outcome.FAILED, f"database error: {error}".strip())
        for document, parsed in parsed_batch
    ]  # fmt: skip


def _store_batch(
    parsed_batch: list[tuple[Document, ParsedQuestion | FileReport]],
    cache: EntityCache,
    *,
    overwrite_edits: bool,
    dry_run: bool,
) -> list[FileReport]:
    """Store one batch, reports in input order. Documents new to the archive go in with a few bulk inserts;
    the others (updates, conflicts, repeats within the batch) one by one, each in its own savepoint."""
    reports: dict[int, FileReport] = {}
    candidates: list[Candidate] = []
    for index, (document, parsed) in enumerate(parsed_batch):
        if isinstance(parsed, FileReport):
            reports[index] = parsed
        else:
            candidates.append((index, document, parsed))
    classes = classify([parsed for _, _, parsed in candidates], cache) if candidates else []
    fresh: list[Candidate] = []
    one_by_one: list[Candidate] = []
    for item, (kind, question_id) in zip(candidates, classes, strict=True):
        if kind == NEW:
            fresh.append(item)
        elif kind == UNCHANGED:
            index, document, parsed = item
            reports[index] = FileReport(document.name, Outcome.UNCHANGED, "", question_id, parsed.warnings)
        else:
            one_by_one.append(item)

    if fresh:
        stored, clashing = _store_fresh(fresh, cache, dry_run=dry_run)
        reports.update(stored)
        one_by_one = sorted(one_by_one + clashing, key=lambda item: item[0])
    for index, document, parsed in one_by_one:
        reports[index] = _store_one(document, parsed, cache, overwrite_edits=overwrite_edits, dry_run=dry_run)
    return [reports[index] for index in sorted(reports)]


Candidate = tuple[int, Document, ParsedQuestion]  # a document's place in its batch, the document, what it says


def _store_fresh(
    fresh: list[Candidate], cache: EntityCache, *, dry_run: bool
) -> tuple[dict[int, FileReport], list[Candidate]]:
    """Documents new to the archive, inserted together; returns their reports by place, or, when something in
    the batch clashes, no reports and every document, to be stored one by one (which finds the culprit)."""
    if dry_run:
        return {index: FileReport(document.name, Outcome.IMPORTED, warnings=parsed.warnings)
                for index, document, parsed in fresh}, []  # fmt: skip
    try:
        with transaction.atomic():
            ids = store_new([(parsed, document.name) for _, document, parsed in fresh], cache)
    except (StoreError, DatabaseError):
        logger.info("bulk insert failed; storing the batch's documents one by one", exc_info=True)
        cache.forget_new()
        return {}, fresh
    cache.keep_new()
    return {index: FileReport(document.name, Outcome.IMPORTED, "", question_id, parsed.warnings)
            for (index, document, parsed), question_id in zip(fresh, ids, strict=True)}, []  # fmt: skip


def _store_one(
    document: Document, parsed: ParsedQuestion, cache: EntityCache, *, overwrite_edits: bool, dry_run: bool
) -> FileReport:
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                result = store(
                    parsed, source_file=document.name, cache=cache, overwrite_edits=overwrite_edits, dry_run=dry_run
                )
            break
        except (StoreError, DatabaseError) as error:
            cache.forget_new()
            # Another storing thread committed the same question (or a new member of the same name) after this
            # one looked: looked up again, it is there now.
            if attempt == 1 and isinstance(error, IntegrityError) and _is_unique_violation(error):
                continue
            return FileReport(document.name, Outcome.FAILED, str(error).strip(), warnings=parsed.warnings)
    cache.keep_new()
    return FileReport(document.name, result.outcome, result.detail, result.question_id, parsed.warnings)


def split_answer_dates(found: list[Document]) -> tuple[list[Document], list[Document]]:
    """The documents to import, and the answer-date files among ``found`` (to apply after them)."""
    is_metadata = [Path(document.name).suffix.lower() in METADATA_SUFFIXES for document in found]
    return ([document for document, metadata in zip(found, is_metadata, strict=True) if not metadata],
            [document for document, metadata in zip(found, is_metadata, strict=True) if metadata])  # fmt: skip


def import_answer_dates(documents: list[Document]) -> list[FileReport]:
    """Apply the answer dates of metadata files (after the documents they refer to are in): one report each."""
    from questions.importing import answer_dates

    reports = []
    for document in documents:
        data = _read(document)
        if isinstance(data, FileReport):
            reports.append(data)
            continue
        rows, problems = answer_dates.parse(data, document.name)
        if not rows and problems:
            reports.append(FileReport(document.name, Outcome.FAILED, "; ".join(problems[:5])))
            continue
        applied = answer_dates.apply(rows)
        not_applied = problems + applied.problems
        outcome = Outcome.UPDATED if applied.set else Outcome.UNCHANGED
        detail = f"answer dates: {applied.set} set, {applied.unchanged} unchanged, {len(not_applied)} not applied"
        reports.append(FileReport(document.name, outcome, detail, warnings=tuple(not_applied[:20])))
    return reports
