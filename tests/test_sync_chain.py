"""Under ASGI each request's middlewares and view run in one thread (archive/asgi_handler.py): no middleware
switches to the event loop and back around its own steps, and what the visitor gets is unchanged."""

from __future__ import annotations

import asyncio

import django.utils.deprecation
import pytest
from django.core.handlers.asgi import ASGIHandler

from archive.asgi_handler import OneThreadASGIHandler


def _serve(handler: ASGIHandler, path: str) -> list[dict]:
    """The ASGI messages ``handler`` sends for one GET of ``path``."""
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

    asyncio.run(handler(scope, receive, send))
    return sent


@pytest.fixture
def switches(monkeypatch) -> list:
    """The steps Django's middlewares hand from the event loop to a worker thread, from now on."""
    handed = []
    original = django.utils.deprecation.sync_to_async

    def counted(*args, **kwargs):
        handed.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(django.utils.deprecation, "sync_to_async", counted)
    return handed


def test_no_middleware_switches_threads_around_its_own_steps(switches):
    sent = _serve(OneThreadASGIHandler(), "/favicon.ico")
    assert sent[0]["status"] == 301
    headers = {name.lower(): value for name, value in sent[0]["headers"]}
    assert headers[b"location"].endswith(b"favicon.svg")
    assert headers[b"server"] == b"vragenarchief"  # the outermost middlewares ran
    assert b"".join(message.get("body", b"") for message in sent[1:]) == b""
    assert switches == []


def test_django_s_own_handler_would_switch_threads(switches):
    """The check above can fail: Django's handler runs its own middlewares on the event loop."""
    assert _serve(ASGIHandler(), "/favicon.ico")[0]["status"] == 301
    assert len(switches) >= 5


def test_the_served_application_is_the_one_thread_handler():
    from archive.asgi import application

    assert isinstance(application, OneThreadASGIHandler)
