"""The stored facet counts (questions_facetcount, kept by triggers) against counting the questions themselves."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from questions import deadlines
from questions.editing import merge_entities
from questions.models import Answer, Member, Minister, Question, Theme
from questions.search import query
from questions.search.params import SearchParams
from tests.factories import corpus, make_question
from tests.helpers import run_search
from tests.test_derived_values import expected_state, stored_state

pytestmark = pytest.mark.django_db



def stored() -> dict[tuple, int]:
    return dict(stored_state()[1])


def recounted() -> dict[tuple, int]:
    """Counted in Python from the questions, apart from the triggers (tests/test_derived_values.py)."""
    return dict(expected_state()[1])


def counts_both_ways(query_string: str) -> tuple[tuple, tuple]:
    """(total, facets) as browsing reads them, and as a live count over the questions computes them."""
    params = SearchParams.from_query(QueryDict(query_string))
    results = []
    for count_live in (False, True):
        result = query.run(params, 0, 20, count_live=count_live)
        results.append((result.total, {name: [(v.value, v.count, v.selected) for v in values]
                                       for name, values in result.facets.items()}))  # fmt: skip
    return results[0], results[1]


def test_the_stored_counts_follow_every_kind_of_change():
    questions = corpus()
    assert stored() == recounted() != {}

    questions["water"].themes.add(Theme.objects.get(slug="werk"))  # a theme added ...
    questions["data"].themes.clear()  # ... and removed
    Answer.objects.create(question=questions["school"], text="Nu wel.", minister=questions["school"].minister,
                          minister_title="minister")  # fmt: skip
    questions["old"].answer.delete()  # an answer withdrawn
    moved = questions["work"]
    moved.minister = Minister.objects.get_or_create_by_name("Hilde Crevits")
    moved.save()
    questions["xss"].delete()
    Question.objects.filter(pk=questions["water"].pk).update(session="2022-2023")  # a bulk update
    make_question(title="Nieuw", member="Nieuw Lid", themes=("Water", "Mobiliteit"), date=dt.date(2025, 3, 1))

    assert stored() == recounted()


def test_merging_and_deleting_entities_keep_the_counts_right():
    corpus()
    merge_entities(Member.objects.get(slug="suzy-wouters"), [Member.objects.get(slug="karl-vanlouwe")])
    merge_entities(Theme.objects.get(slug="water"), [Theme.objects.get(slug="werk")])
    Theme.objects.get(slug="onderwijs").delete()

    assert stored() == recounted()


def test_an_emptied_archive_has_no_counts_left():
    corpus()
    Answer.objects.all().delete()
    Question.objects.all().delete()

    assert stored() == {}


@pytest.mark.parametrize(
    "query_string",
    [
        "",
        "theme=werk",
        "theme=water&theme=werk",  # two themes may overlap: counted live
        "minister=zuhal-demir",
        "minister=zuhal-demir&minister=jo-brouns",
        "member=suzy-wouters&answered=yes",
        "year=2023-2024&year=2022-2023",
        "answered=no",
        "theme=werk&minister=jo-brouns",
        "theme=werk&minister=jo-brouns&year=2023-2024",
        "theme=water&theme=werk&answered=yes",
        "minister=ben-weyts&answered=yes",  # nothing matches
        "status=waiting",
        "status=overdue&minister=jo-brouns",
        "status=answered&theme=werk",
        "status=waiting&status=overdue",
        "status=overdue&answered=no",
        "status=overdue",  # the unanswered questions' stored counts less the waiting ones (query._under_status)
        "status=answered&status=overdue",
        "status=answered&status=waiting",
        # Dates alone: the parliamentary years wholly inside the range from the stored counts (date_counts.py).
        "date_from=2023-01-01",  # 2022-2023 in part, the later years wholly
        "date_to=2023-12-31",
        "date_from=2022-01-01&date_to=2024-12-31",
        "date_from=2024-01-01&date_to=2024-02-28",  # within one year
        "date_from=2000-01-01",  # every year
        "date_from=2030-01-01",  # none
        "date_from=2022-09-01&date_to=2023-08-31",  # exactly a year's days, not its questions' first and last
        # Exclusions alone: the archive's stored counts less the left-out questions (browsing.all_but).
        "q=-water",
        "q=-water -onderwijs",
        "q=-zzzyxw",  # leaves nothing out
    ],
)
def test_browsing_reads_the_same_counts_as_counting_live(query_string):
    corpus()
    make_question(title="Nog een", member="Suzy Wouters", minister="Jo Brouns", themes=("Werk", "Water"),
                  answer="Ja.", date=dt.date(2022, 11, 3))  # fmt: skip
    make_question(title="Nog geen antwoord", member="Karl Vanlouwe", minister="Jo Brouns", themes=("Werk",),
                  date=deadlines.today() - dt.timedelta(days=3))  # fmt: skip

    from_browsing, from_live = counts_both_ways(query_string)

    assert from_browsing == from_live
    assert from_browsing[0] == len(run_search(QueryDict(query_string)).questions)


def test_every_combination_of_two_filters_agrees():
    corpus()
    values = {
        "theme": ["water", "werk", "onderwijs"],
        "minister": ["zuhal-demir", "jo-brouns"],
        "member": ["suzy-wouters", "karl-vanlouwe"],
        "year": ["2023-2024", "2021-2022"],
        "answered": ["yes", "no"],
        "status": ["answered", "waiting", "overdue"],
    }
    make_question(title="Nog geen antwoord", member="Karl Vanlouwe", minister="Jo Brouns", themes=("Werk",),
                  date=deadlines.today() - dt.timedelta(days=3))  # fmt: skip
    singles = [f"{name}={value}" for name, options in values.items() for value in options]
    for first, second in itertools.combinations(singles, 2):
        query_string = f"{first}&{second}"
        from_browsing, from_live = counts_both_ways(query_string)
        assert from_browsing == from_live, query_string


# "answered=yes" once counted the status of every answered question live; "status=answered" the answered state.
@pytest.mark.parametrize("query_string", ["theme=werk", "answered=yes", "answered=no", "status=answered",
                                          "status=overdue", "status=waiting", "date_from=2000-01-01"])
def test_browsing_with_one_filter_counts_nothing_live(query_string):
    corpus()
    with CaptureQueriesContext(connection) as captured:
        run_search(QueryDict(query_string))

    counting = [query["sql"] for query in captured.captured_queries if "json_agg" in query["sql"]]
    assert len(counting) == 1
    assert "questions_facetcount" in counting[0]
    assert "everything" not in counting[0]
    # The questions are read only for the status facet's "waiting": the unanswered ones of the last weeks (and
    # for the answered facet's too, under a status filter).
    reads = counting[0].count('FROM "questions_question"')
    assert 1 <= reads <= 2
    assert counting[0].count('"questions_question"."date_asked" >') == reads


def test_imported_documents_are_counted_at_once():
    from questions.importing.runner import import_documents
    from tests.helpers import numbered_seed_documents

    import_documents(numbered_seed_documents(5), batch_size=2)

    assert stored() == recounted()
    total, found = counts_both_ways("")[0]
    assert total == 5 and sum(value[1] for value in found["answered"]) == 5
    assert found["theme"] and all(value[1] == 5 for value in found["theme"])


def test_contradictory_filters_list_nothing_without_looking():
    corpus()
    with CaptureQueriesContext(connection) as captured:
        result = query.run(SearchParams.from_query(QueryDict("answered=yes&status=overdue")), 0, 20)

    assert (result.total, result.page_ids) == (0, [])
    # No walk through the date index for a first match that cannot exist.
    assert not [q["sql"] for q in captured.captured_queries if 'ORDER BY "questions_question"."date_asked"' in q["sql"]]


def test_exclusions_alone_count_only_what_they_leave_out():
    corpus()
    for number in range(12):  # what "-water" leaves out is then a small share: subtracted from the stored counts
        make_question(title=f"Verkeer {number}", member="Karl Vanlouwe", minister="Jo Brouns", themes=("Werk",),
                      date=dt.date(2023, 1, 2 + number))  # fmt: skip
    with CaptureQueriesContext(connection) as captured:
        result = query.run(SearchParams.from_query(QueryDict("q=-water")), 0, 20)

    counting = [q["sql"] for q in captured.captured_queries if "json_agg" in q["sql"]]
    assert len(counting) == 1 and "questions_facetcount" in counting[0]
    # The questions read: the left-out ones (through the index) and the waiting ones, never every other one.
    assert counting[0].count('FROM "questions_question"') == 2
    assert 'NOT ("questions_question"."id"' not in counting[0]
    assert result.total == Question.objects.exclude(title__icontains="water").count() > 0
    live = query.run(SearchParams.from_query(QueryDict("q=-water")), 0, 20, count_live=True)
    assert result.page_ids == live.page_ids  # newest first, through the date index instead


def test_exclusions_of_most_questions_count_what_is_kept():
    corpus()
    with CaptureQueriesContext(connection) as captured:
        result = query.run(SearchParams.from_query(QueryDict("q=-vraag -over -water")), 0, 20)

    counting = [q["sql"] for q in captured.captured_queries if "json_agg" in q["sql"]]
    assert "WITH excluded" not in counting[0]  # more than a quarter left out: what is kept is counted live
    assert (result.total, result.facets) == _live_counts("q=-vraag -over -water")


def _live_counts(query_string: str) -> tuple:
    live = query.run(SearchParams.from_query(QueryDict(query_string)), 0, 20, count_live=True)
    return live.total, live.facets


def test_an_excluded_phrase_is_checked_once_not_probed_first():
    corpus()
    with CaptureQueriesContext(connection) as captured:
        result = query.run(SearchParams.from_query(QueryDict('q=-"lokale besturen"')), 0, 20)

    assert not [q["sql"] for q in captured.captured_queries if "WITH archive AS" in q["sql"]]  # no probe
    assert (result.total, result.facets) == _live_counts('q=-"lokale besturen"')
