"""Maintenance that must not queue behind a long writer: the worker's folds and computations lock tables that
imports write, and a lock request that waits holds up every writer that comes after it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import OperationalError, connection, transaction

T = TypeVar("T")

_LOCK_NOT_AVAILABLE = "55P03"


def waiting_at_most(timeout: str, work: Callable[[Any], T]) -> T | None:
    """``work(cursor)`` in a transaction of its own whose locks wait at most ``timeout`` (a PostgreSQL interval,
    "5s"); None when a lock was not granted in time (nothing done: the transaction rolled back)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{timeout}'")
            return work(cursor)
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            return None
        raise
