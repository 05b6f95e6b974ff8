"""Search results kept between requests, each valid for exactly one state of the archive.

Journalists ask the same searches again and again (the news of the day, a paging back and forth, a link
passed round the newsroom); a result page that took 100 ms to count, facet, rank and highlight is served again
from memory, as long as nothing it could show has changed. The pages read most besides searches keep their
data the same way: a question with its related questions (a permalink in an article), the home page's lists,
the figures of a minister's, member's or theme's page, the indexes of ministers, members and themes
(questions/views.py).

The archive's state is kept by PostgreSQL: the statement triggers of questions/triggers/archive_writes.sql
give every transaction that changes the questions, answers, theme links, names, aliases, synonyms or
vocabulary a row in ``questions_archivewrite`` with a fresh mark from a sequence, whatever writes: the admin,
an import, ``QuerySet.update()``, raw SQL. A reader sums the marks it sees: a commit only adds a row, so the
sum grows with every commit, in whatever order transactions commit, and names one state (with the largest
mark, which tells the states apart across an emptied table). The next search after any write misses the
cache and is computed afresh. A transaction that has written itself (its own rows are not committed yet)
never uses the cache. The calendar changes results too (the overdue status), so the key also holds today's
overdue cutoff.

The cache is Django's cache named "search" (settings.CACHES): each web process's own memory, the last
``SEARCH_CACHE_ENTRIES`` results asked for (0 turns it off).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import connection as primary
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse

from archive.replicas import reading_connection
from questions import deadlines
from questions.locks import waiting_at_most

NAME = "search"
T = TypeVar("T")
_MISSING = object()
# The states read during a request that only reads, per database alias (OneStatePerRequestMiddleware).
_request_states: ContextVar[dict[str, str | None] | None] = ContextVar("archive_states", default=None)
# The fold waits at most this long for the transactions writing the archive (a long import): while it waits,
# new writers would queue behind it.
FOLD_LOCK_TIMEOUT = "2s"


def archive_state(connection: BaseDatabaseWrapper) -> str | None:
    """The archive's state as ``connection`` sees it; None when its own transaction has written what a search
    shows and not committed yet."""
    with connection.cursor() as cursor:
        cursor.execute("""SELECT coalesce(sum(mark), 0), coalesce(max(mark), 0),
                                 coalesce(bool_or(txid = txid_current_if_assigned()), false)
                          FROM questions_archivewrite""")
        marks, newest, own_writes = cursor.fetchone()
    return None if own_writes else f"{marks}.{newest}"


def _current_state() -> str | None:
    reader = reading_connection()
    known = _request_states.get()
    if known is None:
        return archive_state(reader)
    if reader.alias not in known:
        known[reader.alias] = archive_state(reader)
    return known[reader.alias]


class OneStatePerRequestMiddleware:
    """A request that only reads (GET, HEAD) reads the archive's state once, however many cached parts it
    asks for (the parsed query, the results, an entity's figures): one statement, not one per part. A request
    that may write reads it afresh each time, so that it sees its own writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        token = _request_states.set({})
        try:
            return self.get_response(request)
        finally:
            _request_states.reset(token)


def remember(kind: str, inputs: object, compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned for the same ``kind`` and ``inputs`` (a value with a stable repr:
    frozen dataclasses, tuples, numbers, strings) at the archive's current state."""
    if not settings.SEARCH_CACHE_ENTRIES:
        return compute()
    state = _current_state()
    if state is None:
        return compute()
    # Not the server's name: a replica at the same state holds the same rows.
    material = repr((inputs, deadlines.overdue_cutoff().isoformat()))
    key = f"{kind}:{state}:{hashlib.sha256(material.encode()).hexdigest()}"
    store = caches[NAME]
    found = store.get(key, _MISSING)
    if found is not _MISSING:
        return found
    value = compute()
    store.set(key, value)
    return value


def fold_archive_writes() -> int | None:
    """Fold the rows of ``questions_archivewrite`` into one, so that it does not grow by a row per writing
    transaction forever; returns how many rows were folded, or None when transactions writing the archive kept
    it waiting longer than FOLD_LOCK_TIMEOUT (then the next fold does it). The state after is new: its sum is
    the old sum plus a fresh mark, greater than any sum and any mark before, so no cached result is taken for
    it. The lock conflicts with writers, not with readers, and is held for the milliseconds the fold takes.

    The fold then vacuums the table: every request reads all of it (archive_state), and every writing statement
    leaves a dead row version behind, which a server without autovacuum keeps forever. At 749 rows and 18,000
    dead versions (a day of benchmark imports) the state took 0.6 ms to read instead of 0.2, twice a request."""
    def run(cursor) -> int:
        cursor.execute("LOCK TABLE questions_archivewrite IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("""WITH folded AS (DELETE FROM questions_archivewrite RETURNING mark)
                          INSERT INTO questions_archivewrite (txid, mark)
                          SELECT txid_current(), coalesce(sum(mark), 0) + nextval('questions_archivewrite_mark')
                          FROM folded
                          RETURNING (SELECT count(*) FROM folded)""")
        return cursor.fetchone()[0]

    folded = waiting_at_most(FOLD_LOCK_TIMEOUT, run)
    if folded is None:
        return None
    if not primary.in_atomic_block:  # VACUUM cannot run inside a transaction
        with primary.cursor() as cursor:
            cursor.execute("VACUUM questions_archivewrite")
    return int(folded)
