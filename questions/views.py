from django.shortcuts import get_object_or_404, render

from questions.models import Question


def home(request):
    questions = Question.objects.newest_first().select_related("member", "minister")[:50]
    return render(request, "questions/home.html", {"questions": questions})


def question_detail(request, pk: int):
    question = get_object_or_404(
        Question.objects.select_related("member", "minister", "answer", "answer__minister").prefetch_related("themes"),
        pk=pk,
    )
    return render(request, "questions/detail.html", {"question": question})
