"""One page of search results: the filter set, the counts, the page's questions and their snippets.

Shared by the search page and the JSON API. Query budget: the filter values' look-ups, one query for the
total, every facet and which questions make up the page (planned without sequential scans: see
search.index_scans_only), and one for those questions with their themes' names and their snippets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext as _

from questions import search
from questions.facets import FacetValue
from questions.filters import QuestionFilterSet
from questions.models import Question

PAGE_SIZE = 20


@dataclass
class ResultPage:
    filterset: QuestionFilterSet
    total: int
    facets: dict[str, list[FacetValue]]
    questions: list
    number: int
    num_pages: int
    notices: list[str] = field(default_factory=list)

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def end_index(self) -> int:
        return min(self.number * PAGE_SIZE, self.total)


def _page_number(raw: str | None, notices: list[str]) -> int:
    if raw in (None, ""):
        return 1
    try:
        number = int(raw)
    except ValueError:
        notices.append(_("“%(value)s” is geen paginanummer: pagina 1 wordt getoond.") % {"value": raw[:20]})
        return 1
    if number < 1:
        notices.append(_("Pagina’s beginnen bij 1."))
        return 1
    return number


def run_search(params: QueryDict) -> ResultPage:
    filterset = QuestionFilterSet(params)
    filterset.resolve()
    notices = list(filterset.notices)
    number = _page_number(params.get("page"), notices)
    total, facets, ids = filterset.counts_and_page((number - 1) * PAGE_SIZE, PAGE_SIZE)
    num_pages = max(1, math.ceil(total / PAGE_SIZE))
    if number > num_pages:  # known only now: ask again for the last page
        notices.append(_("Er zijn maar %(pages)d pagina’s: de laatste wordt getoond.") % {"pages": num_pages})
        number = num_pages
        total, facets, ids = filterset.counts_and_page((number - 1) * PAGE_SIZE, PAGE_SIZE)
    return ResultPage(filterset, total, facets, _page_questions(ids, filterset.tsquery_text), number, num_pages,
                      notices)  # fmt: skip


def _page_questions(ids: list[int], tsquery: str | None) -> list[Question]:
    """The page's questions in order, each with its ``snippet``, in one query."""
    rows = Question.objects.for_display().filter(pk__in=ids)
    if tsquery is not None:
        rows = rows.annotate(marked_snippet=search.snippet_annotation(tsquery))
    by_id = {question.pk: question for question in rows}
    questions = [by_id[pk] for pk in ids if pk in by_id]
    for question in questions:
        if tsquery is not None:
            question.snippet = search.snippet_from(question.marked_snippet)
        else:
            question.snippet = search.plain_snippet(question.question_text)
    return questions
