"""The questions a page shows, by id: the rows of ``Question.objects.for_display()`` in one statement whose
text is written once per process.

Every page of results, entity page and question page (its related questions) reads its questions by id. Through
the ORM, building, compiling and turning the rows of ``for_display().filter(pk__in=ids)`` into models took
about 4 ms of a search's Python on a 2-core machine, besides the statement itself
(docs/benchmarks-history.md, session 43). Here the statement is fixed text with the ids as one array parameter,
and each row becomes its question, member and minister through ``Model.from_db``, as the ORM makes them: the
same fields deferred, the same ``theme_names`` and ``answered_on``, the member and minister cached as
``select_related`` caches them. tests/test_display_rows.py checks that the two agree, field by field.
"""

from __future__ import annotations

from functools import cache

from django.db.models import Model

from archive.replicas import reading_connection
from questions.models import DISPLAY_DEFERRED, Answer, Member, Minister, Question, Theme
from questions.search import text


@cache
def _columns(model: type[Model], deferred: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The attnames of ``model``'s concrete columns that are read, in the model's order."""
    return tuple(field.attname for field in model._meta.concrete_fields if field.name not in deferred)


@cache
def _names(model: type[Model], deferred: frozenset[str] = frozenset()) -> frozenset[str]:
    """The same, as a set: what ``Model.from_db`` asks of each column."""
    return frozenset(_columns(model, deferred))


def _select_list(model: type[Model], alias: str, deferred: frozenset[str] = frozenset()) -> str:
    return ", ".join(f'{alias}."{column}"' for column in _columns(model, deferred))


@cache
def statement(with_snippet: bool) -> str:
    """The statement's text: its parameters are the snippet's (text.snippet_params) when ``with_snippet``, then the
    ids."""
    question, answer = Question._meta.db_table, Answer._meta.db_table
    snippet = ""
    if with_snippet:
        snippet = ", " + text.snippet_sql('q."search_vector"', 'q."question_text"', 'a."text"')
    return f"""
        SELECT {_select_list(Question, "q", DISPLAY_DEFERRED)},
               ARRAY(SELECT t."name" FROM {Theme._meta.db_table} AS t WHERE t."id" = ANY(q."theme_ids")
                     ORDER BY t."name") AS theme_names,
               a."answer_date" AS answered_on,
               {_select_list(Member, "m")}, {_select_list(Minister, "n")}{snippet}
        FROM {question} AS q
        LEFT JOIN {answer} AS a ON a."question_id" = q."id"
        JOIN {Member._meta.db_table} AS m ON m."id" = q."member_id"
        JOIN {Minister._meta.db_table} AS n ON n."id" = q."minister_id"
        WHERE q."id" = ANY(%s::bigint[])"""


def display_rows(ids: list[int], snippet_tsquery: str | None = None) -> dict[int, Question]:
    """The questions with these ids (those that exist) by id, as ``for_display()`` gives them; with
    ``snippet_tsquery`` (``to_tsquery`` text), each also has its ``snippet`` for that query."""
    if not ids:
        return {}
    connection = reading_connection()
    snippet_params: list[str | list[int]] = []
    if snippet_tsquery is not None:
        snippet_params += text.snippet_params(snippet_tsquery)
    params = [*snippet_params, list(ids)]
    with connection.cursor() as cursor:
        cursor.execute(statement(snippet_tsquery is not None), params)
        rows = cursor.fetchall()
    question_columns, member_columns, minister_columns = (_columns(Question, DISPLAY_DEFERRED), _columns(Member),
                                                          _columns(Minister))  # fmt: skip
    question_names, member_names, minister_names = (_names(Question, DISPLAY_DEFERRED), _names(Member),
                                                    _names(Minister))  # fmt: skip
    member_start = len(question_columns) + 2
    minister_start = member_start + len(member_columns)
    snippet_at = minister_start + len(minister_columns)
    member_field, minister_field = Question._meta.get_field("member"), Question._meta.get_field("minister")
    found: dict[int, Question] = {}
    for row in rows:
        question = Question.from_db(connection.alias, question_names, row[: len(question_columns)])
        question.theme_names, question.answered_on = row[len(question_columns)], row[len(question_columns) + 1]
        member_field.set_cached_value(question, Member.from_db(connection.alias, member_names,
                                                               row[member_start:minister_start]))  # fmt: skip
        minister_field.set_cached_value(question, Minister.from_db(connection.alias, minister_names,
                                                                   row[minister_start:snippet_at]))  # fmt: skip
        if snippet_tsquery is not None:
            question.snippet = text.snippet_from(row[snippet_at])
        found[question.pk] = question
    return found
