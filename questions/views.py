"""The public pages. Thin: they parse the search (questions/search/), ask it or the models, then render."""

from __future__ import annotations

from dataclasses import replace

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from questions import deadlines, directory, overdue, scorecards
from questions.citation import citation, document_link
from questions.models import Answer, Member, Minister, NamedEntity, Question, Theme
from questions.search import cache
from questions.search.facets import largest_themes
from questions.search.filters import FACETS
from questions.search.params import SearchParams
from questions.search.related import related_questions
from questions.search.results import search
from questions.search.rows import display_rows


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "questions/home.html", cache.remember("home", (), _home_lists))


def _home_lists() -> dict[str, list]:
    newest_ids = list(Question.objects.newest_first().values_list("id", flat=True)[:8])
    newest = display_rows(newest_ids)  # as a page of results reads its rows (questions/search/rows.py)
    # By the answer's date where a source gave it, else the question's (Answer.dated): never the import's moment.
    # Only what the list shows: selected whole, each question came with its vectors and import snapshots.
    answers = (Answer.objects.select_related("question", "minister")
               .only("answer_date", "question", "question__title", "question__date_asked", "minister",
                     "minister__name", "minister__slug")
               .order_by("-dated", "-id"))  # fmt: skip
    return {
        "newest_questions": [newest[pk] for pk in newest_ids if pk in newest],
        "newest_answers": list(answers[:8]),
        "top_themes": largest_themes(15),
    }


def search_page(request: HttpRequest) -> HttpResponse:
    results = search(SearchParams.from_query(request.GET))
    period, bars = scorecards.timeline(results, request.GET, request.path)
    return render(request, "questions/search.html", {"results": results, "timeline": bars, "period": period})


def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # A permalink in an article is opened by many readers: the question and its related questions are kept
    # until the archive changes (questions/search/cache.py).
    question, answer, themes, related = cache.remember("question", pk, lambda: _question_page(pk))
    return render(
        request,
        "questions/detail.html",
        {
            "question": question,
            "answer": answer,
            "themes": themes,
            "related": related,
            "citation": citation(question),
            "document_link": document_link(question),
        },
    )


def _question_page(pk: int) -> tuple[Question, Answer | None, list[Theme], list[Question]]:
    """The question (read as a page of results reads its rows: questions/search/rows.py), its answer with the
    minister who gave it, its themes and its related questions."""
    question = display_rows([pk]).get(pk)
    if question is None:
        raise Http404
    answer = Answer.objects.select_related("minister").filter(question=pk).first() if question.has_answer else None
    themes = list(Theme.objects.filter(pk__in=question.theme_ids)) if question.theme_ids else []
    return question, answer, themes, related_questions(question)


def _entity_page(request: HttpRequest, model: type[NamedEntity], slug: str, parameter: str) -> HttpResponse:
    entity = get_object_or_404(model, slug=slug)
    query = request.GET.copy()
    query.setlist(parameter, [entity.slug])
    results = search(SearchParams.from_query(query))
    search_url = f"{reverse('questions:search')}?{parameter}={entity.slug}"
    years = {item.value: item.count for item in results.years}
    card_inputs = (parameter, entity.pk, search_url, tuple(sorted(years.items())))
    # With no filter of its own, the page's search is the entity's: its counts are the scorecard's.
    own_search = results if set(request.GET) <= {"page"} else None
    card = cache.remember("scorecard", card_inputs,
                          lambda: scorecards.scorecard(parameter, entity, search_url, years, own_search))  # fmt: skip
    # The charts, rendered once per language while the figures stay the same (a fifth of the page's rendering).
    figures = cache.remember(
        "figures_html", (get_language(), get_script_prefix(), card_inputs),
        lambda: render_to_string("questions/_figures.html", {"card": card, "parameter": parameter}),
    )  # fmt: skip
    context = {"entity": entity, "results": results, "card": card, "figures": figures, "parameter": parameter,
               "search_url": search_url}  # fmt: skip
    return render(request, "questions/entity.html", context)


def minister_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _entity_page(request, Minister, slug, "minister")


def member_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _entity_page(request, Member, slug, "member")


def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _entity_page(request, Theme, slug, "theme")


_INDEX_TITLES = {"minister": _("Alle ministers"), "member": _("Alle parlementsleden"), "theme": _("Alle thema's")}


def entity_index(request: HttpRequest, kind: str) -> HttpResponse:
    return render(request, "questions/index.html",
                  {"kind": kind, "title": _INDEX_TITLES[kind],
                   "entries": cache.remember("directory", kind, lambda: directory.entries(kind))})  # fmt: skip


def year_index(request: HttpRequest) -> HttpResponse:
    return render(request, "questions/years.html", {"years": directory.years()})


FACET_ORDERS = ("count", "alpha")


def facet_values(request: HttpRequest, name: str) -> HttpResponse:
    """Every value of one facet under the current search, by count or alphabetically, narrowed by typed text."""
    if name not in FACETS:
        raise Http404(name)
    params = SearchParams.from_query(request.GET)
    params = replace(params, facet_limit=0, facet=name)  # facet_q, if typed, narrows this facet
    results = search(params)
    order = request.GET.get("order", "count")
    values = list(results.facets.get(name, []))
    if order == "alpha":
        values.sort(key=lambda item: (item.label or item.value).casefold())
    elif order != "count":
        results.notices.append(_("Onbekende volgorde “%(value)s”: op aantal.") % {"value": order[:20]})
        order = "count"
    return render(request, "questions/facet_values.html",
                  {"name": name, "values": values, "order": order, "results": results})  # fmt: skip


def overdue_questions(request: HttpRequest) -> HttpResponse:
    """Unanswered past the 20 working days, by minister (questions/deadlines.py has the rule). The report and its
    tables (up to ten questions for each minister: 1,500 rows, a quarter of a second to render at 100,000
    documents) are kept until the archive or the day changes (questions/search/cache.py)."""
    today = deadlines.today().isoformat()
    report = cache.remember("overdue", (today,), overdue.overdue_report)
    ministers_html = cache.remember(
        "overdue_html", (today, get_language(), get_script_prefix()),
        lambda: render_to_string("questions/_overdue_ministers.html", {"report": report}),
    )  # fmt: skip
    return render(request, "questions/overdue.html", {"report": report, "ministers_html": ministers_html})


def about(request: HttpRequest) -> HttpResponse:
    """What the archive covers (years, questions per year) and when it last took in documents."""
    return render(request, "questions/about.html", {"coverage": directory.coverage()})
