"""After an import: the GIN indexes' pending entries merged, and planner statistics gathered and the visibility
map set when a run changed a good share of the archive. Nothing waits for autovacuum, which may come late or
never.

A GIN index takes new entries into a pending list (fast to write) that every search on it then reads in full
until the list is merged into the index, by a vacuum or when it outgrows gin_pending_list_limit. After an import
the importer merges it at once, so that the first searches do not pay for it: on the benchmark archive, the
title index took 8 ms instead of well under one to find 198 titles while its list held a few imports.

Statistics: PostgreSQL plans every search from them. A server without autovacuum (some managed and hand-tuned
ones) never gathers them, and elsewhere autoanalyze comes late, at a moment of its own: after a bulk import
the planner would go on planning for the archive as it was (for an empty one, after the first import), and
pick plans that read every row. So an import gathers them itself, in the same run, when it has added or
changed at least MIN_ROWS questions or MIN_SHARE of the archive; the search vector's word statistics, the
costly part, only once WORDS_MIN_SHARE of the archive was written since they were last gathered.
"""

from __future__ import annotations

import logging
import queue
import threading

from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

MIN_ROWS = 10_000
MIN_SHARE = 0.10
# Word frequencies are shares of the archive: a quarter of it written anew moves a word's share by at most a
# quarter of the difference, and the search plans hold whatever the estimates (docs/explain/).
WORDS_MIN_SHARE = 0.25
TABLES = (
    "questions_question", "questions_answer", "questions_question_themes", "questions_facetcount", "questions_word",
    "questions_phrasepairs",
)


# The visibility map, set by a vacuum of the questions' heap (without the indexes' clean-up, which for the GIN
# indexes would read them whole: 19 s at a million documents instead of minutes). Without it no index-only
# read skips the heap, and a server without autovacuum never sets it: a minister's figures read 4,300 heap
# pages at a million documents where the index holds everything they need (models.py,
# question_minister_newest).
VISIBILITY_SQL = "VACUUM (INDEX_CLEANUP OFF) questions_question"


def needs_analyze(changed: int, rows_known_to_planner: float) -> bool:
    """Whether ``changed`` questions change the archive enough that the statistics no longer describe it.
    ``rows_known_to_planner`` is the table's size as of its last statistics (-1: never gathered)."""
    if changed <= 0:
        return False
    if rows_known_to_planner < 0:
        return True
    return changed >= MIN_ROWS or changed >= MIN_SHARE * rows_known_to_planner


def rows_known_to_planner() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'questions_question'::regclass")
        return float(cursor.fetchone()[0])


def words_statistics_stale(changed: int, modified_since_full: int, rows_known_to_planner: float) -> bool:
    """Whether the search vector's statistics (how often each word occurs) need gathering again: the questions
    written since they were last gathered (this run's ``changed`` or, if more, the server's count of rows
    modified since the table's last full ANALYZE) are a quarter of the archive or more.

    They are the costly part of the questions' ANALYZE (statistics target 1,000, migration 0009: a sample of up
    to 300,000 vectors; 6 s of 7.5 at 100,000 documents, about a minute at a million), and they are shares of
    the archive, which a small import hardly moves: the other columns' statistics and the table's size are
    gathered after every run that calls for statistics, these only when they may have drifted."""
    if rows_known_to_planner < 0:
        return True
    return max(changed, modified_since_full) >= WORDS_MIN_SHARE * rows_known_to_planner


def modified_since_full_analyze() -> int:
    """Rows of the questions table inserted, updated or deleted since its last ANALYZE of every column (an
    ANALYZE of some columns leaves the count running); 0 if the server keeps no such counts."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce((SELECT n_mod_since_analyze FROM pg_stat_user_tables"
                       " WHERE relid = 'questions_question'::regclass), 0)")  # fmt: skip
        return int(cursor.fetchone()[0])


def questions_analyze_without_words() -> str:
    """``ANALYZE`` of the questions table's columns other than the search vector, named from the catalog."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute"
                       " WHERE attrelid = 'questions_question'::regclass AND attnum > 0 AND NOT attisdropped"
                       " AND attname <> 'search_vector'")  # fmt: skip
        return f"ANALYZE questions_question ({cursor.fetchone()[0]})"


def gin_indexes() -> list[str]:
    """Every GIN index on the archive's tables, read from the catalog, so that one added later is merged too (a
    hand-written list had missed the name vector's and the vocabulary's trigram index: after 100,000 imported
    documents they held 149 and 337 pending pages). Largest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT ix.relname FROM pg_index AS i
               JOIN pg_class AS ix ON ix.oid = i.indexrelid
               JOIN pg_am AS am ON am.oid = ix.relam
               WHERE am.amname = 'gin' AND i.indrelid = ANY (ARRAY(SELECT to_regclass(t) FROM unnest(%s::text[]) AS t))
               ORDER BY pg_relation_size(ix.oid) DESC, 1""",
            [list(TABLES)],
        )
        return [name for (name,) in cursor.fetchall()]


class BulkWriteSession:
    """Settings for a connection that stores many batches of an import, set when it starts writing and reset
    when the import ends.

    Each new question adds a few hundred entries to the search vector's GIN index, into its pending list; when the
    list outgrows gin_pending_list_limit (4 MB by default), the writing backend merges it into the index,
    collecting entries in work_mem (4 MB by default). Merged 32 MB at a time, the same entries cost the index about
    a third as much (0.6 -> 0.2 ms a document on the benchmark corpus, PostgreSQL 15 with its own settings) and a
    third of the write-ahead log. Searches meanwhile read a longer pending list; the import merges it when done.
    """

    SETTINGS = {"gin_pending_list_limit": "32MB", "work_mem": "32MB"}  # each at least this

    def __init__(self) -> None:
        self._configured: object = None  # the driver's connection the settings were made on

    def begin(self) -> None:
        """Make the settings on this thread's connection, unless they are made there already. They only make
        the import faster: if the server refuses them, the import goes on without."""
        try:
            connection.ensure_connection()
            if connection.connection is not self._configured:
                self._configure()
        except DatabaseError:
            logger.warning("could not make the import's session settings", exc_info=True)

    def _configure(self) -> None:
        with connection.cursor() as cursor:
            for name, value in self.SETTINGS.items():  # at least this much: a server may be set higher
                cursor.execute(
                    "SELECT set_config(%(name)s, CASE WHEN pg_size_bytes(current_setting(%(name)s)) < "
                    "pg_size_bytes(%(value)s) THEN %(value)s ELSE current_setting(%(name)s) END, false)",
                    {"name": name, "value": value},
                )
        self._configured = connection.connection

    def end(self) -> None:
        """Reset them, where the connection is still the one they were made on (the caller's may live on)."""
        if self._configured is None or connection.connection is not self._configured:
            return
        self._configured = None
        try:
            with connection.cursor() as cursor:
                for name in self.SETTINGS:
                    cursor.execute(f"RESET {name}")
        except DatabaseError:
            logger.warning("could not reset the import's session settings", exc_info=True)


Statement = tuple[str, list[str]]  # SQL and its parameters


def merge_statements() -> list[Statement]:
    """Merging every GIN index's pending list, largest index first."""
    return [("SELECT gin_clean_pending_list(%s::regclass)", [index]) for index in gin_indexes()]


class EarlyMerge:
    """The GIN indexes' pending entries merged on a connection of its own while an import stores its last
    batches, largest index first. At the end of an import one storing connection finishes the last batch
    alone while the other core idles, and merging the search vector's list is one statement that keeps one
    core busy (1.1-1.7 s for 2,000 documents into 100,000): begun then, most of it is done by the time the
    last batch is; :func:`after_import` merges what the last batches added. Only an aid: an error is logged
    and the merge at the end does the work."""

    def __init__(self) -> None:
        self._thread = threading.Thread(target=self._merge, name="import-early-merge", daemon=True)
        self._thread.start()

    @staticmethod
    def _merge() -> None:
        try:
            _run_in_turn(merge_statements())
        except DatabaseError:
            logger.warning("could not merge the GIN pending lists during the import", exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def wait(self) -> None:
        self._thread.join()


def after_import(changed: int) -> bool:
    """What an import run that added or changed ``changed`` questions leaves done: the GIN indexes' pending
    entries merged, and the planner's statistics gathered if the run calls for it; returns whether it gathered
    them.

    Each statement keeps one core busy (the largest, the questions' ANALYZE, reads every search vector of its
    sample: 5-14 s at 100,000 documents; merging the search vector's list of 2,000 documents 1.7 s), and none
    needs another's result: unless the caller's transaction holds the rows, they run on two connections at once,
    the largest first, so that a small server's second core shares the work."""
    if changed <= 0:
        return False
    known = rows_known_to_planner()
    analyze = needs_analyze(changed, known)
    merges = merge_statements()
    statements = merges
    if analyze:
        with_words = words_statistics_stale(changed, modified_since_full_analyze(), known)
        logger.info("gathering planner statistics%s: %d questions changed, %d known to the planner",
                    "" if with_words else " (the search vector's kept)", changed, known)  # fmt: skip
        questions = "ANALYZE questions_question" if with_words else questions_analyze_without_words()
        others: list[Statement] = [(f"ANALYZE {table}", []) for table in TABLES if table != "questions_question"]
        statements = [(questions, []), *merges, *others]  # the questions' first: the largest
        if not connection.in_atomic_block:  # VACUUM cannot run in a transaction
            statements.append((VISIBILITY_SQL, []))
    if connection.in_atomic_block:  # rows only this connection sees: the statements run here, one by one
        _run_in_turn(statements)
    else:
        _run_on_two_connections(statements)
    return analyze


def _run_in_turn(statements: list[Statement]) -> None:
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def _run_on_two_connections(statements: list[Statement]) -> None:
    """Run the statements, each taken in order by whichever of two connections is free (this thread's and a
    helper thread's own); an error on either is raised here, once both are done."""
    work: queue.SimpleQueue[Statement] = queue.SimpleQueue()
    for statement in statements:
        work.put(statement)
    errors: list[BaseException] = []

    def serve() -> None:
        try:
            with connection.cursor() as cursor:
                while True:
                    try:
                        sql, params = work.get_nowait()
                    except queue.Empty:
                        return
                    cursor.execute(sql, params)
        except BaseException as error:  # raised by the importing thread below
            errors.append(error)

    def serve_on_own_connection() -> None:
        try:
            serve()
        finally:
            connection.close()  # the helper thread's connection

    helper = threading.Thread(target=serve_on_own_connection, name="import-maintenance", daemon=True)
    helper.start()
    serve()
    helper.join()
    if errors:
        raise errors[0]
