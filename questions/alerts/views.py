"""The alert pages: ask for one (/alerts/new/?<the search's parameters>), confirm it, leave it."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt

from questions.alerts import subscriptions
from questions.models import Alert, Question
from questions.search.params import SearchParams


def _question_asked_about(request: HttpRequest) -> tuple[Question | None, bool]:
    """The question of "tell me when it is answered" (``?question=<id>``), and whether the parameter was bad."""
    value = request.GET.get("question", "")
    if not value:
        return None, False
    question = Question.objects.filter(pk=int(value)).first() if value.isdigit() and len(value) < 19 else None
    return question, question is None


def new_alert(request: HttpRequest) -> HttpResponse:
    question, bad_question = _question_asked_about(request)
    query = subscriptions.search_query(request.GET)
    params = SearchParams.from_query(query)
    context: dict = {"question": question, "params": params, "query": query.urlencode()}
    if bad_question:
        return render(request, "alerts/new.html", {**context, "refusal": "question"}, status=404)
    if question is not None and question.has_answer:
        return render(request, "alerts/new.html", {**context, "refusal": "answered"})
    if question is None and params.problems:
        return render(request, "alerts/new.html", {**context, "refusal": "problems"}, status=400)
    context["description"] = str(question) if question else subscriptions.describe(params)
    if request.method == "POST":
        form = subscriptions.AlertForm(request.POST)
        if form.is_valid():
            alert = subscriptions.create(form, query=query, question=question)
            from questions.tasks import send_alert_confirmation

            transaction.on_commit(lambda: send_alert_confirmation.defer(alert_id=alert.pk))
            return render(request, "alerts/requested.html", {"alert": alert})
    else:
        form = subscriptions.AlertForm(initial={"language": (get_language() or "nl")[:2]})
    return render(request, "alerts/new.html", {**context, "form": form})


def confirm_alert(request: HttpRequest, token: str) -> HttpResponse:
    """A link scanner's GET confirms nothing: the subscriber presses the button."""
    alert = Alert.objects.filter(token=token).first()
    if alert is None:
        return render(request, "alerts/gone.html", status=404)
    if request.method == "POST":
        subscriptions.confirm(alert)
        return render(request, "alerts/confirmed.html", {"alert": alert})
    return render(request, "alerts/confirm.html", {"alert": alert})


@csrf_exempt  # the mail's token is the credential; mail programs post here for one-click unsubscribe (RFC 8058)
def unsubscribe_alert(request: HttpRequest, token: str) -> HttpResponse:
    alert = Alert.objects.filter(token=token).first()
    if alert is None:
        return render(request, "alerts/gone.html", {"unsubscribed": True})
    if request.method == "POST":
        description = alert.description
        subscriptions.unsubscribe(alert)
        return render(request, "alerts/unsubscribed.html", {"description": description})
    return render(request, "alerts/unsubscribe.html", {"alert": alert})


