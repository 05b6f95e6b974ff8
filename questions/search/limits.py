"""The limits of a search's statements: cancelled past SEARCH_TIME_LIMIT seconds, and at least SEARCH_WORK_MEM_MB
of memory for each sort, hash table or bitmap.

Nearly every search takes milliseconds, but a few cost far more than the rest and grow with the archive: a
phrase with a stop word at its edge ("de lijn") reads the text of every question that holds its other word; a
prefix of one or two letters matches most of the vocabulary. A request that outlives gunicorn's worker timeout
(archive/gunicorn_conf.py) is killed there, yet PostgreSQL would go on computing its answer for nobody, holding
one of the server's cores. The limit is PostgreSQL's own ``statement_timeout``. The cancellation reaches the
visitor as a page that says what happened and what to try (archive.refusals.RefusalsMiddleware).

The memory: the questions holding a common word are gathered in a bitmap of the table's pages (about 64 bytes a
page), in ``work_mem``. When the bitmap outgrows it, PostgreSQL keeps whole pages instead of rows, and then tests
every row of those pages again, reading its search vector: on a server left at its default 4 MB that happens
past about a million questions. At 100,000 documents with ``work_mem`` shrunk to the same proportion (256 kB),
a common word with a theme counted live took 643 ms instead of 94, two common words 332 instead of 48. A search
asks for at least SEARCH_WORK_MEM_MB, never less than the server gives.

Both are set for the transaction that answers the search (``set_config(…, true)``, as SET LOCAL: they end with
that transaction whatever happens, so a pooled connection never carries them into another request).

An export (CSV, Excel) selects every match the same way, but streams for as long as the rows take to send, so
it gets the memory and not the time limit (:func:`export_memory`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections, transaction
from psycopg.pq import TransactionStatus

from archive.replicas import reading_from

# The work_mem to set: SEARCH_WORK_MEM_MB, or the server's own where that is more.
_AT_LEAST_OUR_WORK_MEM = """CASE WHEN pg_size_bytes(current_setting('work_mem')) < %(megabytes)s::bigint * 1048576
                                 THEN %(megabytes)s || 'MB' ELSE current_setting('work_mem') END"""

# Each left as the server has it where ours is 0 (no limit of ours; the server's own memory).
_SETTINGS_SQL = f"""
SELECT set_config('statement_timeout', CASE WHEN %(milliseconds)s::int > 0 THEN %(milliseconds)s
                                            ELSE current_setting('statement_timeout') END, true),
       set_config('work_mem', {_AT_LEAST_OUR_WORK_MEM}, true)
"""


@contextmanager
def limited(alias: str | None = None) -> Iterator[None]:
    """Run the block's statements on ``alias`` (the request's, by default) in one transaction, each cancelled
    past SEARCH_TIME_LIMIT seconds (none with 0), each with at least SEARCH_WORK_MEM_MB of work_mem (the server's
    own with 0)."""
    alias = alias or reading_from()
    milliseconds = round(settings.SEARCH_TIME_LIMIT * 1000)
    megabytes = settings.SEARCH_WORK_MEM_MB
    if milliseconds <= 0 and megabytes <= 0:
        yield
        return
    with transaction.atomic(using=alias):
        with connections[alias].cursor() as cursor:
            cursor.execute(_SETTINGS_SQL, {"milliseconds": str(milliseconds), "megabytes": str(megabytes)})
        yield


_RAISED_WORK_MEM_SQL = f"""
SELECT current_setting('work_mem'), set_config('work_mem', {_AT_LEAST_OUR_WORK_MEM}, false)
"""


@contextmanager
def export_memory(alias: str) -> Iterator[None]:
    """At least SEARCH_WORK_MEM_MB of work_mem for the block's statements on ``alias``, the server's own set back
    afterwards: an export's selection of the matches is a search's (a million questions' bitmap outgrows 4 MB),
    but it streams for as long as its rows take, past any search's time limit and outside a transaction."""
    megabytes = settings.SEARCH_WORK_MEM_MB
    if megabytes <= 0:
        yield
        return
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_RAISED_WORK_MEM_SQL, {"megabytes": str(megabytes)})
        (before, _raised) = cursor.fetchone()
    try:
        yield
    finally:
        # After an error inside a transaction nothing more can run (its rollback undoes the setting anyway), and
        # a connection closed meanwhile (a stream abandoned at the end of a request) took the setting with it.
        open_connection = connection.connection
        if open_connection is not None and open_connection.info.transaction_status != TransactionStatus.INERROR:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('work_mem', %s, false)", [before])
