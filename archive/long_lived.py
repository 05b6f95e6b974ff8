"""The objects a server process keeps for its whole life, left out of Python's full garbage collections.

Once a worker has served each kind of page it holds about 115,000 objects that the garbage collector tracks:
Django's URL patterns, compiled templates, model metadata and translations, the connection pool, our own
caches. A full collection walks every one of them, and one came about every 200 requests: 40-44 ms added to
the request that set it off, among the slowest of a benchmark run (docs/benchmarks-history.md, session 46).
``gc.freeze()`` moves the objects alive at that moment into a generation the collector never scans (objects
that die later are still freed by their reference counts); the full collections that follow walk only what
was made since, about 2 ms.

Much of what lives long is built on first use, so the process freezes what it holds more than once: when the
application is loaded, and after its 1st, 10th, 100th and 1,000th request, each time once the response has
been sent (Django's ``request_finished`` is sent when the response is closed, after its last byte).
"""

from __future__ import annotations

import gc
import itertools
from typing import Any

from django.core.signals import request_finished

FREEZE_AFTER_REQUESTS = frozenset({1, 10, 100, 1000})


def freeze_long_lived_objects() -> None:
    """Freeze what this process holds now, and again after the requests of FREEZE_AFTER_REQUESTS. Called once per
    server process, after its application is loaded (archive/gunicorn_conf.py)."""
    _freeze()
    served = itertools.count(1)

    def after_request(**kwargs: Any) -> None:
        if next(served) in FREEZE_AFTER_REQUESTS:
            _freeze()

    request_finished.connect(after_request, weak=False, dispatch_uid="archive.long_lived")


def _freeze() -> None:
    gc.collect()  # what is garbage now is freed, not frozen
    gc.freeze()
