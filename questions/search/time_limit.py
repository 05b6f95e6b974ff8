"""A search's statements are cancelled once they take longer than SEARCH_TIME_LIMIT seconds.

Nearly every search takes milliseconds, but a few cost far more than the rest and grow with the archive: a
phrase with a stop word at its edge ("de lijn") reads the text of every question that holds its other word; a
prefix of one or two letters matches most of the vocabulary. A request that outlives gunicorn's worker timeout
(archive/gunicorn_conf.py) is killed there, yet PostgreSQL would go on computing its answer for nobody, holding
one of the server's cores. The limit is PostgreSQL's own ``statement_timeout``, set for the transaction that
answers the search (``set_config(…, true)``, as SET LOCAL: it ends with that transaction whatever happens, so a
pooled connection never carries it into another request). The cancellation reaches the visitor as a page that
says what happened and what to try (archive.refusals.RefusalsMiddleware).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections, transaction

from archive.replicas import reading_from


@contextmanager
def limited(alias: str | None = None) -> Iterator[None]:
    """Run the block's statements on ``alias`` (the request's, by default) in one transaction, each cancelled
    past SEARCH_TIME_LIMIT seconds (none with 0)."""
    alias = alias or reading_from()
    milliseconds = round(settings.SEARCH_TIME_LIMIT * 1000)
    if milliseconds <= 0:
        yield
        return
    with transaction.atomic(using=alias):
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(milliseconds)])
        yield
