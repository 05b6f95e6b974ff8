"""The read-only JSON API: the same filters as /search/ (see docs/api.md)."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from questions.filters import answered_label
from questions.models import Question
from questions.results import run_search


def _error(message: str, details: list[str] | None = None, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message, "details": details or []}, status=status)


def question_summary(request, question: Question) -> dict:
    return {
        "id": question.pk,
        "url": request.build_absolute_uri(question.get_absolute_url()),
        "api_url": request.build_absolute_uri(reverse("questions:api_detail", kwargs={"pk": question.pk})),
        "number": question.number,
        "session": question.session,
        "date": question.date_asked.isoformat(),
        "title": question.title,
        "member": question.member.name,
        "minister": question.minister.name,
        "minister_title": question.minister_title,
        "themes": question.theme_names,
        "answered": question.has_answer,
        "snippet": question.snippet.html if getattr(question, "snippet", None) else None,
    }


def question_list(request):
    results = run_search(request.GET)
    if results.notices:
        return _error(_("Ongeldige zoekparameters."), results.notices)

    def page_url(number: int) -> str:
        params = request.GET.copy()
        params["page"] = str(number)
        return request.build_absolute_uri(f"{reverse('questions:api_list')}?{params.urlencode()}")

    facets = {
        name: [
            {
                "value": item.value,
                "label": answered_label(item.value) if name == "answered" else item.label,
                "count": item.count,
            }
            for item in values
        ]
        for name, values in results.facets.items()
    }
    return JsonResponse(
        {
            "count": results.total,
            "next": page_url(results.number + 1) if results.has_next else None,
            "previous": page_url(results.number - 1) if results.has_previous else None,
            "results": [question_summary(request, question) for question in results.questions],
            "facets": facets,
        },
        json_dumps_params={"ensure_ascii": False},
    )


def question_item(request, pk: int):
    try:
        question = Question.objects.for_display().select_related("answer").get(pk=pk)
    except Question.DoesNotExist:
        raise Http404 from None
    answer = question.answer if question.has_answer else None
    data = question_summary(request, question)
    data.update(
        question_text=question.question_text,
        answer_text=answer.text if answer else None,
        answer_date=answer.answer_date.isoformat() if answer and answer.answer_date else None,
        pdf_url=question.pdf_url or None,
        source_url=question.source_url or None,
    )
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
