"""Full-text search: the text search configuration, the stored vector, and queries against it.

Everything here names the configuration explicitly; nothing leans on the database's
``default_text_search_config``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.postgres.search import SearchQuery
from django.db import connection

# Created by migration 0002: Dutch snowball stemming after unaccent, so "coordinatie" finds "coördinatie".
SEARCH_CONFIG = "archive_dutch"
MAX_QUERY_LENGTH = 500

# Weights: title A, question B, answer C, names and themes D. PostgreSQL's parser reads "draaiboek/checklist" as
# one file-path token that no search for "checklist" finds, so slashes become spaces before parsing.
_REFRESH_SQL = f"""
UPDATE questions_question AS q
SET search_vector =
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


def search_query(text: str) -> SearchQuery | None:
    """A websearch-syntax query (``"phrase"``, ``or``, ``-word``), or None for an empty one."""
    # Slashes as in the index (see _REFRESH_SQL): "draaiboek/checklist" finds both words.
    text = " ".join(text.replace("/", " ").split())
    if not text:
        return None
    return SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
