"""Full-text search: the text search configuration, the stored vector, and queries against it.

Everything here names the configuration explicitly; nothing leans on the database's
``default_text_search_config``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import TextField
from django.db.models.expressions import RawSQL
from psycopg.pq import TransactionStatus

# Created by migration 0002: Dutch snowball stemming after unaccent, so "coordinatie" finds "coördinatie".
SEARCH_CONFIG = "archive_dutch"
MAX_QUERY_LENGTH = 500

# Weights: title A, question B, answer C, names and themes D. PostgreSQL's parser reads "draaiboek/checklist" as
# one file-path token that no search for "checklist" finds, so slashes become spaces before parsing.
_REFRESH_SQL = f"""
UPDATE questions_question AS q
SET theme_ids = ARRAY(SELECT qt.theme_id FROM questions_question_themes AS qt WHERE qt.question_id = q.id
                      ORDER BY qt.theme_id),
    search_vector =
    setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, translate(q.title, '/', ' ')), 'A')
 || setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, translate(q.question_text, '/', ' ')), 'B')
 || setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, translate(coalesce(
        (SELECT a.text FROM questions_answer AS a WHERE a.question_id = q.id), ''), '/', ' ')), 'C')
 || setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, concat_ws(' ',
        (SELECT m.name FROM questions_member AS m WHERE m.id = q.member_id),
        (SELECT mi.name FROM questions_minister AS mi WHERE mi.id = q.minister_id),
        (SELECT ami.name FROM questions_answer AS a JOIN questions_minister AS ami ON ami.id = a.minister_id
          WHERE a.question_id = q.id),
        (SELECT string_agg(t.name, ' ') FROM questions_question_themes AS qt
           JOIN questions_theme AS t ON t.id = qt.theme_id WHERE qt.question_id = q.id))), 'D')
WHERE q.id = ANY(%s)
"""

_pending: ContextVar[set[int] | None] = ContextVar("pending_vector_refresh", default=None)


def refresh_search_vectors(question_ids: Iterable[int]) -> None:
    """Rebuild the stored search vector of these questions now, in the current transaction."""
    ids = sorted({int(pk) for pk in question_ids if pk is not None})
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(_REFRESH_SQL, [ids])


def schedule_refresh(question_ids: Iterable[int]) -> None:
    """Refresh now, or at the end of the enclosing :func:`batched_refresh` block."""
    pending = _pending.get()
    if pending is None:
        refresh_search_vectors(question_ids)
    else:
        pending.update(int(pk) for pk in question_ids if pk is not None)


@contextmanager
def batched_refresh() -> Iterator[None]:
    """Collect the refreshes asked for inside the block and do them once, in one statement, at its end.

    Use inside a transaction (the importer does), so the vectors are committed with the changes.
    """
    token = _pending.set(set())
    try:
        yield
        ids = _pending.get()
    finally:
        _pending.reset(token)
    refresh_search_vectors(ids)


class QueryTooLong(ValueError):
    pass


_PHRASE_OR_CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_TERM = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def _terms(text: str) -> list[str]:
    return _TERM.findall(text)


def to_tsquery_text(text: str) -> str | None:
    """Translate what a user typed into ``to_tsquery`` syntax, or None when nothing searchable is left.

    The syntax is websearch's -- ``"exact phrase"``, ``or``, ``-excluded`` -- plus a trailing star for a prefix
    (``toegankelijk*``). Every operand is reduced to letters, digits and inner hyphens, and every operator is
    ours, so the result is valid ``to_tsquery`` input whatever was typed.
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryTooLong(text)
    groups: list[list[str]] = [[]]
    for match in _PHRASE_OR_CHUNK.finditer(text.replace("/", " ")):
        negated, phrase, chunk = match.group(1), match.group(2), match.group(3)
        if phrase is not None:
            words = _terms(phrase)
            if words:
                operand = " <-> ".join(words)
                groups[-1].append(f"!({operand})" if negated else f"({operand})")
            continue
        if chunk.lower() == "or":
            if groups[-1]:
                groups.append([])
            continue
        negated = chunk.startswith("-")
        prefix = chunk.rstrip("\"'.,;:!?)").endswith("*")
        words = _terms(chunk)
        for position, word in enumerate(words):
            operand = f"{word}:*" if prefix and position == len(words) - 1 else word
            groups[-1].append(f"!{operand}" if negated else operand)
    groups = [group for group in groups if group]
    if not groups:
        return None
    return " | ".join("(" + " & ".join(group) + ")" for group in groups)


@contextmanager
def index_scans_only() -> Iterator[None]:
    """Plan the statements inside the block without sequential scans: a text query is then answered from the
    GIN index, whatever share of the archive it matches.

    The planner costs ``@@`` as a cheap operator, but on a sequential scan it reads every question's vector
    back from TOAST. Once it knows that a word is in most questions (see migration 0009), a scan of the whole
    table looks cheaper than the index and is ten times slower: 430 ms instead of 50 ms at 100,000 documents.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
    try:
        yield
    finally:
        # After an error inside a transaction nothing more can run; its rollback undoes the SET anyway.
        if connection.connection.info.transaction_status != TransactionStatus.INERROR:
            with connection.cursor() as cursor:
                cursor.execute("RESET enable_seqscan")


def search_query(text: str) -> SearchQuery | None:
    """The query for what a user typed (see :func:`to_tsquery_text`), or None for an empty one."""
    tsquery = to_tsquery_text(text)
    if tsquery is None:
        return None
    return SearchQuery(tsquery, config=SEARCH_CONFIG, search_type="raw")


# --- snippets ----------------------------------------------------------------------------------------------

_MARK_START, _MARK_END = "\x02", "\x03"
_HEADLINE_OPTIONS = (
    f'StartSel={_MARK_START}, StopSel={_MARK_END}, MaxWords=40, MinWords=18, MaxFragments=2, FragmentDelimiter=" … "'
)


def _escaped_sql(column: str) -> str:
    """SQL that HTML-escapes a text column, and removes our marker characters from it.

    ts_headline drops anything that looks like a tag, so the text is escaped *before* it: "<script>" in a
    document is then shown as text, and only the <mark> tags we put in for the markers are live.
    """
    escaped = f"translate(coalesce({column}, ''), E'\\x02\\x03', '')"
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;")):
        quoted = char.replace("'", "''")
        escaped = f"replace({escaped}, '{quoted}', '{entity}')"
    return escaped


# One headline a row: from the answer when only the answer matches (weights: question B, answer C), else from
# the question; ts_filter reads the stored vector, which is far cheaper than a second ts_headline. The first
# character says which ("a" or "q"). A correlated subquery, so that it rides along with the query that fetches
# the page's rows: one round trip for the rows and their snippets.
_HEADLINE_SQL = f"""(
SELECT CASE WHEN ts_filter(row.search_vector, '{{c}}') @@ query.tsq
             AND NOT ts_filter(row.search_vector, '{{b}}') @@ query.tsq
            THEN 'a' || ts_headline('{SEARCH_CONFIG}'::regconfig, {_escaped_sql("answer.text")}, query.tsq, %s)
            ELSE 'q' || ts_headline('{SEARCH_CONFIG}'::regconfig, {_escaped_sql("row.question_text")}, query.tsq, %s)
       END
FROM questions_question AS row
LEFT JOIN questions_answer AS answer ON answer.question_id = row.id
CROSS JOIN (SELECT to_tsquery('{SEARCH_CONFIG}'::regconfig, %s) AS tsq) AS query
WHERE row.id = {{outer}}.id)"""


@dataclass(frozen=True)
class Snippet:
    html: str
    source: str  # "question" or "answer"


def _marked(escaped_headline: str) -> str:
    return escaped_headline.replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>")


def snippet_annotation(tsquery: str, outer_table: str = "questions_question") -> RawSQL:
    """An annotation for a query on questions: each row's highlighted snippet for ``tsquery`` (to_tsquery
    text), to be read with :func:`snippet_from`. Annotate the page's rows only: a headline parses the text again."""
    sql = _HEADLINE_SQL.replace("{outer}", connection.ops.quote_name(outer_table))
    return RawSQL(sql, [_HEADLINE_OPTIONS, _HEADLINE_OPTIONS, tsquery], output_field=TextField())


def snippet_from(annotated: str | None) -> Snippet | None:
    """The snippet in a value of :func:`snippet_annotation`. The HTML is escaped document text with our own
    <mark> tags."""
    if not annotated:
        return None
    return Snippet(_marked(annotated[1:]), "answer" if annotated[0] == "a" else "question")


def plain_snippet(text: str, words: int = 40) -> Snippet:
    """The opening words of a question, for a page without a text query."""
    return Snippet(_plain_snippet(text, words), "question")


def _plain_snippet(text: str, words: int = 40) -> str:
    parts = text.split()
    shown = " ".join(parts[:words]) + (" …" if len(parts) > words else "")
    return html.escape(shown)


# --- related questions -------------------------------------------------------------------------------------

_RELATED_SQL = f"""
WITH source AS (
    SELECT q.id,
           (SELECT string_agg(quote_literal(lexeme), ' | ')
              FROM unnest(tsvector_to_array(to_tsvector('{SEARCH_CONFIG}'::regconfig, q.title))) AS lexeme
             WHERE length(lexeme) > 3)::tsquery AS tsq,
           ARRAY(SELECT theme_id FROM questions_question_themes WHERE question_id = q.id) AS themes
    FROM questions_question AS q WHERE q.id = %s
)
SELECT other.id
FROM questions_question AS other, source
WHERE other.id <> source.id AND source.tsq IS NOT NULL AND other.search_vector @@ source.tsq
ORDER BY EXISTS (SELECT 1 FROM questions_question_themes AS qt
                  WHERE qt.question_id = other.id AND qt.theme_id = ANY(source.themes)) DESC,
         ts_rank(other.search_vector, source.tsq) DESC, other.date_asked DESC
LIMIT %s
"""


def related_questions(question, limit: int = 5) -> list:
    """Questions on the same subject: sharing words of the title, those with a theme in common first."""
    from questions.models import Question

    with connection.cursor() as cursor:
        cursor.execute(_RELATED_SQL, [question.pk, limit])
        ids = [row[0] for row in cursor.fetchall()]
    by_id = Question.objects.for_display().in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]
