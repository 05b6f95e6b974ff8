"""One policy for parameters that could not be used, for the outputs that cannot show a notice.

The pages show SearchParams.problems above the results. The JSON API, the CSV export and the feeds answer 400
with the same messages instead: a reader or a script must not take a different search for the one it asked.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from questions.search.params import SearchParams


def json_error(message: str, details: list[str] | None = None, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message, "details": details or []}, status=status,
                        json_dumps_params={"ensure_ascii": False})  # fmt: skip


def refuse_problems_as_json(params: SearchParams) -> JsonResponse | None:
    if not params.problems:
        return None
    return json_error(_("Ongeldige zoekparameters."), list(params.problems))


def refuse_problems_as_text(params: SearchParams) -> HttpResponse | None:
    """A plain-text 400 for the CSV export and the feeds (a feed reader or a spreadsheet shows text)."""
    if not params.problems:
        return None
    lines = [_("Ongeldige zoekparameters."), *(f"- {problem}" for problem in params.problems)]
    return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")


def site_of(request: HttpRequest) -> str:
    """The scheme and host that absolute links start with."""
    return request.build_absolute_uri("/")[:-1]
