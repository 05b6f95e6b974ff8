"""Django's ASGI handler, with each request's middlewares and view run in one thread, a thread kept for the next.

Under ASGI Django runs every async-capable middleware on the event loop and hands each of its sync steps
(``process_request``, ``process_response``) to a worker thread, then runs the sync view in a thread again, with
a new event loop in yet another thread to get from the one to the other. Every middleware and view here is
sync, so all that switching buys nothing: measured in-process, a redirect took 3.5-4.2 ms that way and 1.5 ms
with the whole chain handed to the request's thread at once. The event loop still reads the request and
writes the response, so slow clients hold a socket, not a thread (tests/test_slow_clients.py).

Django also gives every request a thread of its own (``ThreadSensitiveContext``), which it starts for that
request and stops after it: with its new database connection object and thread-local state, about 0.7 ms of a
redirect's 2.5 through gunicorn and 1 ms of a question by id through the API (docs/benchmarks-history.md,
session 46). Here a request's thread comes from the threads earlier requests finished with, and a new one is
started only when every kept thread is busy, so requests still run side by side in one process.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest
from django.http.response import HttpResponseBase

# Threads kept beyond this many idle ones stop: a burst of simultaneous requests does not leave threads behind.
MAX_IDLE_THREADS = 16


class RequestThread(ThreadPoolExecutor):
    """One thread that runs one request's sync steps in turn, and knows whether any is still running: the view
    of a request whose client went away runs on after the request ended, and its thread is not handed to the
    next request until it is done."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="request")
        self._last: Future | None = None

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        self._last = super().submit(fn, *args, **kwargs)
        return self._last

    @property
    def busy(self) -> bool:
        """One thread runs the steps in the order given: when the last one is done, every one is."""
        return self._last is not None and not self._last.done()


class OneThreadASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        # Touched from the event loop's thread only, so without a lock.
        self._idle_threads: list[RequestThread] = []

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)  # refused as Django refuses it
            return
        thread = self._idle_threads.pop() if self._idle_threads else RequestThread()
        try:
            # Every sync step of this request (the signals, the view, a streamed body, closing the response)
            # runs on this one thread, as Django's own per-request context would have it.
            async with ThreadSensitiveContext(executor=thread):
                await self.handle(scope, receive, send)
        finally:
            self._release(thread)

    def _release(self, thread: RequestThread) -> None:
        if not thread.busy and len(self._idle_threads) < MAX_IDLE_THREADS:
            self._idle_threads.append(thread)  # last in, first out: the warmest thread serves next
        else:
            thread.shutdown(wait=False)  # it stops once the step it runs is done

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
