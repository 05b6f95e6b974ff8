"""Who is asking: the client's address, right behind a reverse proxy too, and per-address rate limits.

Behind a proxy every request comes from the proxy's address; ``TRUSTED_PROXIES`` says how many proxies stand
in front of the application (docker compose: one), and the client is the address the outermost of them saw,
the ``TRUSTED_PROXIES``-th from the right in X-Forwarded-For. A client can write anything to the left of it.
django-axes (failed logins) and the rate limits below use the same address.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext as _

from archive.refusals import error_response


def client_address(request) -> str:
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _limit_for(path: str) -> tuple[str, int] | None:
    """(name, requests per minute) of the limit a path falls under, or None."""
    for prefix, name in (("/search/export", "csv"), ("/feeds/", "feeds"), ("/api/", "api"), ("/search/", "search"),
                         ("/alerts/new/", "alerts")):  # fmt: skip
        if path.startswith(prefix):
            return name, settings.RATE_LIMITS[name]
    return None


class RateLimitMiddleware:
    """At most RATE_LIMITS[kind] requests a minute per client address to the search page, the API, the CSV export
    and the feeds; beyond, 429 with Retry-After. A fixed one-minute window per address, counted in the cache of
    each server process (so each of the server's processes allows the limit: a polite client never meets it,
    a scraper at full speed does)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.cache = caches["rate_limits"]

    def __call__(self, request):
        limit = _limit_for(request.path)
        if limit is None or limit[1] == 0:
            return self.get_response(request)
        name, per_minute = limit
        window = math.floor(time.time() / 60)
        key = f"{name}:{client_address(request)}:{window}"
        count = self.cache.get_or_set(key, 0, timeout=70)
        count = self.cache.incr(key) if count is not None else 1
        if count > per_minute:
            message = _("Te veel verzoeken na elkaar. Probeer het over een minuut opnieuw.")
            response = error_response(request, 429, message)
            response["Retry-After"] = str(60 - int(time.time()) % 60 or 60)
            return response
        return self.get_response(request)
