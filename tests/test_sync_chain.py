"""Under ASGI the middleware chain runs in one thread (archive/sync_chain.py): no middleware switches to the
event loop and back around its own steps."""

from __future__ import annotations

import asyncio

import django.utils.deprecation
from django.core.handlers.asgi import ASGIHandler


def _serve(path: str) -> list[dict]:
    """The ASGI messages the application sends for one GET of ``path``."""
    sent: list[dict] = []
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }  # fmt: skip
    requests = iter([{"type": "http.request", "body": b"", "more_body": False}])

    async def receive() -> dict:
        message = next(requests, None)
        if message is None:
            await asyncio.Event().wait()  # the client stays connected until the response is sent
        return message

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(ASGIHandler()(scope, receive, send))
    return sent


def _count_switches(monkeypatch) -> list:
    """The steps MiddlewareMixin hands to a worker thread from the event loop, from now on."""
    switches = []
    original = django.utils.deprecation.sync_to_async

    def counted(*args, **kwargs):
        switches.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(django.utils.deprecation, "sync_to_async", counted)
    return switches


def test_no_middleware_switches_threads_around_its_own_steps(monkeypatch):
    switches = _count_switches(monkeypatch)
    sent = _serve("/favicon.ico")
    assert sent[0]["status"] == 301
    headers = {name.lower(): value for name, value in sent[0]["headers"]}
    assert headers[b"location"].endswith(b"favicon.svg")
    assert switches == []


def test_without_the_sync_chain_django_would_switch_threads(monkeypatch, settings):
    """The check above can fail: with the pass-through removed, Django's own middlewares run async."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if not name.endswith("SyncChainMiddleware")]
    switches = _count_switches(monkeypatch)
    assert _serve("/favicon.ico")[0]["status"] == 301
    assert len(switches) >= 5
