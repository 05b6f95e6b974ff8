"""Under ASGI each request's middlewares and view run in one thread (archive/asgi_handler.py): no middleware
switches to the event loop and back around its own steps, and what the visitor gets is unchanged. That thread
is kept for a later request, and requests still run side by side."""

from __future__ import annotations

import asyncio
import threading

import django.utils.deprecation
import pytest
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_started

from archive.asgi_handler import OneThreadASGIHandler


async def _exchange(handler: ASGIHandler, path: str, gone: asyncio.Event | None = None) -> list[dict]:
    """The ASGI messages ``handler`` sends for one GET of ``path``; the client goes away when ``gone`` is set."""
    sent: list[dict] = []
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }  # fmt: skip
    requests = iter([{"type": "http.request", "body": b"", "more_body": False}])

    async def receive() -> dict:
        message = next(requests, None)
        if message is None:  # the client stays connected until the response is sent, or until it is gone
            await (gone or asyncio.Event()).wait()
            return {"type": "http.disconnect"}
        return message

    async def send(message: dict) -> None:
        sent.append(message)

    await handler(scope, receive, send)
    return sent


def _serve(handler: ASGIHandler, path: str) -> list[dict]:
    return asyncio.run(_exchange(handler, path))


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


def _threads_that_start_requests(handler: ASGIHandler, requests: int) -> list[threading.Thread]:
    """The thread each of ``requests`` consecutive requests started in (Django's request_started signal)."""
    threads = []

    def record(**kwargs) -> None:
        threads.append(threading.current_thread())

    request_started.connect(record)
    try:
        for _ in range(requests):
            assert _serve(handler, "/favicon.ico")[0]["status"] == 301
    finally:
        request_started.disconnect(record)
    return threads


def test_a_request_s_thread_serves_the_next_requests():
    threads = _threads_that_start_requests(OneThreadASGIHandler(), 3)
    assert len(threads) == 3
    assert threads[0] is threads[1] is threads[2]
    assert threads[0] is not threading.main_thread()


def test_django_s_own_handler_would_start_a_thread_per_request():
    """The check above can fail: Django's handler gives each request a new thread."""
    threads = _threads_that_start_requests(ASGIHandler(), 2)
    assert threads[0] is not threads[1]


@pytest.fixture
def slow_handler():
    """A handler whose view for /slow/ waits until the test releases it; the test's other paths answer at once."""
    handler = OneThreadASGIHandler()
    release = threading.Event()
    answer = handler.get_response

    def get_response(request):
        if request.path == "/slow/":
            release.wait(30)
        return answer(request)

    handler.get_response = get_response
    yield handler, release
    release.set()


def test_a_slow_request_does_not_hold_up_another_in_the_same_process(slow_handler):
    handler, release = slow_handler

    async def scenario() -> None:
        slow = asyncio.create_task(_exchange(handler, "/slow/"))
        await asyncio.sleep(0.2)
        quick = await asyncio.wait_for(_exchange(handler, "/favicon.ico"), 10)
        assert quick[0]["status"] == 301
        assert not slow.done()
        release.set()
        assert (await asyncio.wait_for(slow, 10))[0]["status"] == 404

    asyncio.run(scenario())


def test_a_client_gone_while_its_view_runs_holds_up_no_one(slow_handler):
    handler, release = slow_handler

    async def scenario() -> None:
        gone = asyncio.Event()
        abandoned = asyncio.create_task(_exchange(handler, "/slow/", gone))
        await asyncio.sleep(0.2)
        gone.set()
        await asyncio.sleep(0.2)
        assert (await asyncio.wait_for(_exchange(handler, "/favicon.ico"), 10))[0]["status"] == 301
        release.set()
        assert await asyncio.wait_for(abandoned, 10) == []  # nothing is sent to a client that is gone
        for _ in range(3):  # and the threads serve on
            assert (await asyncio.wait_for(_exchange(handler, "/favicon.ico"), 10))[0]["status"] == 301

    asyncio.run(scenario())
