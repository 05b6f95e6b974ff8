"""The public pages. Thin: they ask questions/results.py, questions/search.py and the models, then render."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from questions import search
from questions.models import Answer, Member, Minister, Question, Theme
from questions.results import run_search


def home(request):
    newest_questions = Question.objects.newest_first().for_display()[:8]
    newest_answers = Answer.objects.select_related("question", "minister").order_by("-recorded_at", "-id")[:8]
    top_themes = Theme.objects.annotate(question_count=Count("questions")).order_by("-question_count", "name")[:15]
    return render(
        request,
        "questions/home.html",
        {"newest_questions": newest_questions, "newest_answers": newest_answers, "top_themes": top_themes},
    )


def search_page(request):
    return render(request, "questions/search.html", {"results": run_search(request.GET)})


def question_detail(request, pk: int):
    question = get_object_or_404(
        Question.objects.for_display().select_related("answer", "answer__minister").prefetch_related("themes"),
        pk=pk,
    )
    return render(
        request,
        "questions/detail.html",
        {
            "question": question,
            "answer": getattr(question, "answer", None) if question.has_answer else None,
            "related": search.related_questions(question),
        },
    )


def _entity_page(request, model, slug: str, parameter: str, template_name: str):
    entity = get_object_or_404(model, slug=slug)
    params = request.GET.copy()
    params.setlist(parameter, [entity.slug])
    results = run_search(params)
    if model is Minister:
        questions = Question.objects.filter(minister=entity)
    else:
        questions = entity.questions.all()
    stats = questions.aggregate(total=Count("id"), answered=Count("id", filter=Q(has_answer=True)))
    share = round(100 * stats["answered"] / stats["total"]) if stats["total"] else None
    return render(
        request,
        template_name,
        {"entity": entity, "results": results, "stats": stats, "answered_share": share, "parameter": parameter},
    )


def minister_detail(request, slug: str):
    return _entity_page(request, Minister, slug, "minister", "questions/entity.html")


def member_detail(request, slug: str):
    return _entity_page(request, Member, slug, "member", "questions/entity.html")


def theme_detail(request, slug: str):
    return _entity_page(request, Theme, slug, "theme", "questions/entity.html")
