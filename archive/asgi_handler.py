"""Django's ASGI handler, with each request's middlewares and view run in one thread.

Under ASGI Django runs every async-capable middleware on the event loop and hands each of its sync steps
(``process_request``, ``process_response``) to a worker thread, then runs the sync view in a thread again, with
a new event loop in yet another thread to get from the one to the other. Every middleware and view here is
sync, so all that switching buys nothing: measured in-process, a redirect took 3.5-4.2 ms that way and 1.5 ms
with the whole chain handed to the request's thread at once. The event loop still reads the request and
writes the response, so slow clients hold a socket, not a thread (tests/test_slow_clients.py).
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest
from django.http.response import HttpResponseBase


class OneThreadASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
