"""What the outputs read: a page of results (the search and entity pages, the JSON API), and every match in
date order (the CSV export, the feeds). Each takes a SearchParams (params.py).

Query budget of a page: the filter values' look-ups (while parsing), one statement for the total, every facet
and which questions make up the page (planned without sequential scans: see text.index_scans_only), and one for
those questions with their themes' names and their snippets. A search that finds almost nothing adds two for
"Bedoelde u …?" (suggestions.py). Asked again while the archive has not changed, a page costs one small
statement (the archive's state) and is read from the cache (cache.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from django.db.models import DateField, ExpressionWrapper, F, QuerySet, Value
from django.utils.translation import gettext as _

from questions.models import Question
from questions.search import cache, limits, query, rows, suggestions, text
from questions.search.facets import FacetValue
from questions.search.params import SearchParams

PAGE_SIZE = 20


@dataclass
class ResultPage:
    params: SearchParams
    total: int
    facets: dict[str, list[FacetValue]]
    questions: list[Question]
    number: int
    num_pages: int
    notices: list[str] = field(default_factory=list)
    facet_totals: dict[str, int] = field(default_factory=dict)  # values per facet, shown or not
    suggestion: str | None = None  # "Bedoelde u …?": a corrected text that finds more (suggestions.py)
    years: list[FacetValue] = field(default_factory=list)  # every year with its count (the timeline)

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


def search(params: SearchParams) -> ResultPage:
    """The page of results ``params`` asks for, with the total and the facets. A page past the last one shows
    the last one, with a notice. Served from the cache when the archive has not changed since the same search
    was last answered (cache.py)."""
    notices = list(params.problems)
    found = cache.remember("page", replace(params, problems=()), lambda: _found_in_time(params))
    if found.number < params.page:
        notices.append(_("Er zijn maar %(pages)d pagina’s: de laatste wordt getoond.") % {"pages": found.num_pages})
    result = found.result
    return ResultPage(params, result.total, result.facets, found.questions, found.number, found.num_pages, notices,
                      result.facet_totals, found.suggestion, result.years)  # fmt: skip


@dataclass(frozen=True)
class _Found:
    """What a search found, before it is shown: the same whatever the language of the page."""

    result: query.SearchResult
    number: int  # the page shown: the one asked for, or the last one
    num_pages: int
    questions: list[Question]
    suggestion: str | None


def _found_in_time(params: SearchParams) -> _Found:
    with limits.limited():
        return _found(params)


def _found(params: SearchParams) -> _Found:
    number = params.page
    result = query.run(params, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    num_pages = max(1, math.ceil(result.total / PAGE_SIZE))
    if number > num_pages:  # known only now: ask again for the last page
        number = num_pages
        result = query.run(params, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    questions = page_questions(result.page_ids, params.ranking_tsquery)
    return _Found(result, number, num_pages, questions, _suggestion(params, result.total))


def _suggestion(params: SearchParams, total: int) -> str | None:
    """A corrected text for a search that finds nothing or very little (not for a question number)."""
    typed = params.text
    if typed is None or typed.tsquery is None or typed.number is not None:
        return None
    return suggestions.suggest(typed.typed, total)


def page_questions(ids: list[int], tsquery: str | None) -> list[Question]:
    """The page's questions in order, each with its ``snippet``, in one query."""
    by_id = rows.display_rows(ids, tsquery)
    questions = [by_id[pk] for pk in ids if pk in by_id]
    if tsquery is None:
        for question in questions:
            question.snippet = text.plain_snippet(question.question_text)
    return questions


def every_match(params: SearchParams) -> QuerySet:
    """Every matching question in date order, for reading them all (the CSV export).

    The matches are selected as a set first. Read through a server-side cursor, the plain query is planned
    for a fast start: PostgreSQL walks the date index and tests every question's vector on the way, which
    for an export of all matches means reading every vector in the archive.
    """
    if params.impossible:
        return Question.objects.none()
    matching_ids = query.matching(params).order_by().values("pk")
    return query.in_date_order(Question.objects.filter(pk__in=matching_ids), params).for_display()


def _phrase_candidates(params: SearchParams) -> SearchParams | None:
    """The search with its phrases loosened to their words and its phrases with stop words not checked against
    the text: what the index selects without reading a vector, among which are all the search's matches. None
    without a phrase. (An excluded phrase stays a phrase: loosened, it would exclude more than it does.)"""
    found = params.text
    if found is None or found.tsquery is None or found.number is not None:
        return None  # (a question number typed as the query is ORed beside the text, and never has a phrase)
    if not found.text_checks and not text.has_phrase(found.tsquery):
        return None
    loosened = text.phrase_candidates(found.tsquery)
    if loosened is None and not found.text_checks:
        return None
    # A phrase's word pairs select its candidates alone (phrase_pairs.py): its words, tested as well, would read
    # each candidate's vector where the planner probes the pairs' few questions one by one.
    unchecked = replace(found, tsquery=loosened or found.tsquery, text_checks=(),
                        checked_later=bool(found.phrase_keys))  # fmt: skip
    return replace(params, text=unchecked)


_DATE_NO_INDEX = ExpressionWrapper(F("date_asked") + Value(0), output_field=DateField())

# Candidates of a phrase checked in the first statement, newest first; each further statement checks twice as
# many (see below).
PHRASE_CHECK_BATCH = 200


def newest_matches(params: SearchParams, count: int) -> list[Question]:
    """The ``count`` newest matching questions, whatever order the search asks for: the feeds."""
    with limits.limited():
        return _newest_matches(params, count)


def _newest_matches(params: SearchParams, count: int) -> list[Question]:
    unchecked = _phrase_candidates(params)
    if unchecked is None:
        return list(query.matching(params).order_by("-date_asked", "-id").for_display()[:count])
    # The planner cannot tell how many of a phrase's candidates hold it, and took the few that a phrase of common
    # words has ("maand jarenlange": 1 of the 17,000 questions holding both) for many: it walked the date index
    # testing every question's vector (or, for a phrase with stop words such as "De Lijn", its texts) on the way,
    # 1.3 s (2.7 s with stop words) at 100,000 documents. So the candidates the index finds are listed newest
    # first without the check, and checked a batch at a time until there are enough: a common phrase stops after
    # a batch or two, a rare one checks each candidate once.
    with text.index_scans_only():  # a phrase is text: the candidates come from the GIN index
        # By the date plus nought, which no index serves: walking the date index instead, PostgreSQL read every
        # question's vector to test the words ("vraag nr", 78,000 candidates: 1.25 s), where the index answers a
        # query of plain words without reading one.
        candidates = list(query.matching(unchecked).order_by(_DATE_NO_INDEX.desc(), "-id").values_list("id", flat=True))
        found: list[int] = []
        start, size = 0, PHRASE_CHECK_BATCH
        while start < len(candidates) and len(found) < count:
            batch = candidates[start : start + size]
            matched = set(query.matching(params).filter(pk__in=batch).order_by().values_list("id", flat=True))
            found += [pk for pk in batch if pk in matched]
            start, size = start + size, size * 2  # a phrase the first batches hardly hold is a rare one
    by_id = rows.display_rows(found[:count])
    return [by_id[pk] for pk in found[:count]]
