"""Related questions: on the same subject as a question, for its page."""

from __future__ import annotations

from django.db import connection

from questions.models import Question
from questions.search.text import SEARCH_CONFIG

# The question's title words (stems longer than three letters) OR-ed; those sharing a theme first, then by rank.
_RELATED_SQL = f"""
WITH source AS (
    SELECT q.id,
           (SELECT string_agg(quote_literal(lexeme), ' | ')
              FROM unnest(tsvector_to_array(to_tsvector('{SEARCH_CONFIG}'::regconfig, q.title))) AS lexeme
             WHERE length(lexeme) > 3)::tsquery AS tsq,
           q.theme_ids AS themes
    FROM questions_question AS q WHERE q.id = %(question)s
)
SELECT other.id
FROM questions_question AS other, source
WHERE other.id <> source.id AND source.tsq IS NOT NULL AND other.search_vector @@ source.tsq
ORDER BY other.theme_ids && source.themes DESC, ts_rank(other.search_vector, source.tsq) DESC,
         other.date_asked DESC
LIMIT %(limit)s
"""


def related_questions(question: Question, limit: int = 5) -> list[Question]:
    """Questions on the same subject: sharing words of the title, those with a theme in common first."""
    with connection.cursor() as cursor:
        cursor.execute(_RELATED_SQL, {"question": question.pk, "limit": limit})
        ids = [row[0] for row in cursor.fetchall()]
    by_id = Question.objects.for_display().in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]
