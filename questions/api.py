"""The read-only JSON API: the same parameters as /search/ (see docs/api.md)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from questions.models import Question
from questions.search.http import json_error, refuse_problems_as_json, site_of
from questions.search.params import SearchParams
from questions.search.records import question_record
from questions.search.results import search
from questions.templatetags.archive import facet_label


def question_list(request: HttpRequest) -> JsonResponse:
    params = SearchParams.from_query(request.GET)
    refusal = refuse_problems_as_json(params)
    if refusal is not None:
        return refusal
    results = search(params)
    if results.notices:  # a page past the last one
        return json_error(_("Ongeldige zoekparameters."), results.notices)
    site = site_of(request)

    def page_url(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return f"{site}{reverse('questions:api_list')}?{query.urlencode()}"

    facets = {
        name: [{"value": item.value, "label": facet_label(name, item.value, item.label), "count": item.count}
               for item in values]
        for name, values in results.facets.items()
    }  # fmt: skip
    rows = []
    for question in results.questions:
        record = question_record(question, site)
        record["snippet"] = question.snippet.html if question.snippet else None
        rows.append(record)
    return JsonResponse(
        {
            "count": results.total,
            "next": page_url(results.number + 1) if results.has_next else None,
            "previous": page_url(results.number - 1) if results.has_previous else None,
            "results": rows,
            "facets": facets,
            "expanded_with": list(results.params.expanded),
            "suggestion": results.suggestion,
        },
        json_dumps_params={"ensure_ascii": False},
    )


def question_item(request: HttpRequest, pk: int) -> JsonResponse:
    try:
        question = Question.objects.for_display().select_related("answer").get(pk=pk)
    except Question.DoesNotExist:
        raise Http404 from None
    record = question_record(question, site_of(request), full=True)
    return JsonResponse(record, json_dumps_params={"ensure_ascii": False})
