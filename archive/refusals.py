"""Requests the archive refuses, errors in the form the client reads, and the security headers of every response.

Errors are a page of the site (header, search box, the visitor's language) or JSON under /api/; a database
that does not answer is a 503 with Retry-After, rendered without it; a search stopped by its time limit is a
503 that says how to ask for less.
"""

import json

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from psycopg.errors import QueryCanceled

ALLOWED_METHODS = frozenset({"GET", "HEAD", "POST", "OPTIONS"})
# No script, no inline style on the public pages (the browser tests check Chromium reports no violation);
# the admin's own templates set a few inline styles.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
ADMIN_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
RETRY_AFTER_SECONDS = 30


def wants_json(request) -> bool:
    return request.path.startswith("/api/")


def error_response(request, status: int, message: str, *, template: str = "error.html", heading: str = "",
                   query: str = "") -> HttpResponse:
    """An error in the form the client reads: JSON under /api/, else a page of the site (header, search box,
    in the visitor's language; ``heading`` instead of the status's own, ``query`` in the search box). Rendered
    without the database: this may answer because it is down."""
    if wants_json(request):
        return HttpResponse(json.dumps({"error": message, "status": status}, ensure_ascii=False),
                            status=status, content_type="application/json")  # fmt: skip
    context = {"status": status, "message": message, "heading": heading, "query": query}
    page = render_to_string(template, context, request=request)
    return HttpResponse(page, status=status)


def _without_nul(params: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True)
    for key in params:
        cleaned.setlist(key.replace("\x00", ""), [value.replace("\x00", "") for value in params.getlist(key)])
    cleaned._mutable = False
    return cleaned


class RefusalsMiddleware:
    """Before any view: methods the archive does not answer (TRACE, PUT …) get 405, and NUL characters leave the
    query string (PostgreSQL can neither store nor compare them: every view, the admin's included, failed deep
    in a query). After: a database that does not answer gives 503 with Retry-After; the next request tries it
    again by itself."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ALLOWED_METHODS:
            response = error_response(request, 405, _("Deze methode wordt niet ondersteund."))
            response["Allow"] = ", ".join(sorted(ALLOWED_METHODS))
            return response
        if "%00" in request.META.get("QUERY_STRING", ""):
            request.GET = _without_nul(request.GET)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError) and isinstance(exception.__cause__, QueryCanceled):
            # A statement past the search time limit (questions/search/limits.py): asking again does the
            # same work, asking more narrowly does less.
            message = _("Deze zoekopdracht vroeg te veel werk en is gestopt. Maak ze nauwkeuriger: meer of langere "
                        "woorden, of beperk ze tot een periode, een minister of een thema.")  # fmt: skip
            return error_response(request, 503, message, heading=_("Zoekopdracht te zwaar"),
                                  query=request.GET.get("q", ""))  # fmt: skip
        if isinstance(exception, OperationalError | InterfaceError) or (
            isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
        ):
            response = error_response(
                request, 503, _("Het archief is even niet bereikbaar. Probeer het over een halve minuut opnieuw.")
            )
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return None


class SecurityHeadersMiddleware:
    """Content-Security-Policy, Permissions-Policy and a Server header that names no software, on every response
    (Django 5.2 sets the other security headers)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = ADMIN_CONTENT_SECURITY_POLICY if request.path.startswith("/admin/") else CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers["Server"] = "vragenarchief"  # the server would name its software otherwise
        return response
