"""Reads from streaming replicas: searches, public pages, the API, exports and feeds (docs/scaling.md).

Configured by DATABASE_REPLICA_URLS (settings.py adds the aliases ``replica1``, ``replica2``, …). A request
reads from one replica, chosen at random when it arrives, when everything it shows may be a moment old: a
GET or HEAD of a public view (the ``questions`` URL namespace) by a visitor without a session. Everything
else reads from the primary, where it just wrote or will write:

- writes of every kind, and every read outside a request (imports, the worker, management commands);
- the admin, the language switch and the alert subscription pages (they write, then show what they wrote);
- editors: a visitor with a session cookie is someone who logged in, and sees an edit on the public page at
  once, before the replicas have replayed it.

A replica replays the primary's writes within milliseconds on a healthy network; a search can miss the
newest import for that long, which no reader of a public page can tell from the import arriving a moment
later.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponseBase

PRIMARY = DEFAULT_DB_ALIAS
SAFE_METHODS = frozenset({"GET", "HEAD"})
REPLICA_NAMESPACES = frozenset({"questions"})
# Public views that write, or show what the visitor just wrote.
PRIMARY_VIEWS = frozenset({"alert_new", "alert_confirm", "alert_unsubscribe"})
# Models read from the primary even on a public page: logins, sessions and the lockout records.
PRIMARY_APPS = frozenset({"auth", "sessions", "admin", "axes", "contenttypes", "procrastinate"})

# The replica this request reads from, or None for the primary. Set for every request (so a thread that
# served one request never passes its choice on to the next) and left set while a streamed response is read.
_reading_from: ContextVar[str | None] = ContextVar("reading_from", default=None)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias != PRIMARY]


def reading_from() -> str:
    """The database alias this request's reads go to."""
    return _reading_from.get() or PRIMARY


def reading_connection() -> BaseDatabaseWrapper:
    """The connection for this request's raw SQL reads: what the router gives its ORM reads."""
    return connections[reading_from()]


def may_read_from_replica(request: HttpRequest) -> bool:
    match = request.resolver_match
    return (
        request.method in SAFE_METHODS
        and match is not None
        and match.namespace in REPLICA_NAMESPACES
        and match.url_name not in PRIMARY_VIEWS
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


class ReplicaReadsMiddleware:
    """Chooses where each request reads from, once its view is known."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.replicas = replica_aliases()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        _reading_from.set(None)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        if self.replicas and may_read_from_replica(request):
            _reading_from.set(random.choice(self.replicas))


class ReplicaRouter:
    """Django's database router: reads as the request chose, writes and migrations on the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        if model._meta.app_label in PRIMARY_APPS:  # type: ignore[attr-defined]
            return PRIMARY
        return reading_from()

    def db_for_write(self, model: type, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, first: Any, second: Any, **hints: Any) -> bool:
        return True  # every alias holds the same data

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY  # a standby replays the primary's migrations
