"""Related questions: on the same subject as a question, for its page (the page most often opened).

Bounded by construction, whatever the archive's size. The question's title is reduced to its RARE_WORDS
rarest words (stems of more than three letters), by how often they occur in titles according to the
planner's statistics on ``title_vector`` (a word missing from them is rarer than any in them). Candidates are
the questions whose *title* holds one of those words, found through the title's GIN index: a rare word is in
few titles. Each word brings at most PER_WORD_CANDIDATES of them, so that a word in thousands of titles cannot
crowd out the few of a rarer one, and the index alone says which words a candidate shares (no title is read to
score it). They are ordered by the rarity of the words they share (the sum of each word's -ln share of
titles), then by a shared theme, then by date. When that gives fewer than ``limit``, the newest questions
put to the same minister on a shared theme fill the list (among the minister's MINISTER_RECENT newest, read
through the minister's date index).

Before, every title word was OR-ed against the whole search vector and every match ranked: 2.5 s at 100,000
documents for a title with common words.
"""

from __future__ import annotations

from archive.replicas import reading_connection
from questions.models import Question
from questions.search.rows import display_rows

RARE_WORDS = 3
MINISTER_RECENT = 500
RAREST_SHARE = 0.0001  # the share of titles assumed for a word the statistics do not list
# Titles holding a rare word are few; this caps the rows a word brings when even the rarest words are common.
# (One cap of 2,000 for the three words together, taken in the table's order, let a common word fill it before
# the rarest word's titles were reached, and scoring them read every candidate's title: 24-31 ms of a 31-38 ms
# question page for titles of common words, 100,000 questions on the PostgreSQL 15 service.)
PER_WORD_CANDIDATES = 300

_RELATED_SQL = f"""
WITH source AS (
    SELECT q.id, q.title_vector, q.theme_ids, q.minister_id FROM questions_question AS q WHERE q.id = %(question)s
),
title_statistics AS (
    SELECT unnest(s.most_common_elems::text::text[]) AS lexeme, unnest(s.most_common_elem_freqs) AS frequency
    FROM pg_stats AS s
    WHERE s.schemaname = current_schema() AND s.tablename = 'questions_question' AND s.attname = 'title_vector'
),
rare AS MATERIALIZED (
    -- The rarest title words, each weighted by its rarity (-ln of its share of titles; a word missing from the
    -- statistics is rarer than any in them), as a query of the word alone (already normalised: a cast, no
    -- stemming).
    SELECT quote_literal(lexeme.lexeme)::tsquery AS tsq,
           -ln(greatest(coalesce(stats.frequency, 0), {RAREST_SHARE})) AS weight
    FROM source CROSS JOIN unnest(tsvector_to_array(source.title_vector)) AS lexeme (lexeme)
    LEFT JOIN title_statistics AS stats ON stats.lexeme = lexeme.lexeme
    WHERE length(lexeme.lexeme) > 3
    ORDER BY weight DESC, lexeme.lexeme
    LIMIT {RARE_WORDS}
),
candidates AS MATERIALIZED (
    -- A candidate brought by several words shares each of them.
    SELECT other.id, other.date_asked, other.theme_ids, sum(rare.weight) AS score
    FROM rare CROSS JOIN LATERAL (
        SELECT o.id, o.date_asked, o.theme_ids FROM questions_question AS o
        WHERE o.title_vector @@ rare.tsq
        LIMIT %(per_word)s
    ) AS other
    GROUP BY other.id, other.date_asked, other.theme_ids
),
by_subject AS (
    SELECT c.id, 0 AS part, row_number() OVER (
               ORDER BY c.score DESC, c.theme_ids && source.theme_ids DESC, c.date_asked DESC, c.id DESC
           ) AS position
    FROM candidates AS c, source
    WHERE c.id <> source.id
    ORDER BY position
    LIMIT %(limit)s
),
by_theme AS (
    -- Only when the subject gave too few; among the minister's MINISTER_RECENT newest questions.
    SELECT other.id, 1 AS part, row_number() OVER (ORDER BY other.date_asked DESC, other.id DESC) AS position
    FROM (SELECT recent.id, recent.date_asked
          FROM (SELECT other.id, other.date_asked, other.theme_ids
                FROM questions_question AS other, source
                WHERE other.minister_id = source.minister_id AND other.id <> source.id
                  AND (SELECT count(*) FROM by_subject) < %(limit)s
                ORDER BY other.date_asked DESC, other.id DESC
                LIMIT {MINISTER_RECENT}) AS recent, source
          WHERE recent.theme_ids && source.theme_ids AND recent.id NOT IN (SELECT id FROM by_subject)
          ORDER BY recent.date_asked DESC, recent.id DESC
          LIMIT %(limit)s) AS other
)
SELECT id FROM (SELECT * FROM by_subject UNION ALL SELECT * FROM by_theme) AS found
ORDER BY part, position
LIMIT %(limit)s
"""


def related_ids(question_id: int, limit: int = 5, per_word: int = PER_WORD_CANDIDATES) -> list[int]:
    with reading_connection().cursor() as cursor:
        cursor.execute(_RELATED_SQL, {"question": question_id, "limit": limit, "per_word": per_word})
        return [row[0] for row in cursor.fetchall()]


def related_questions(question: Question, limit: int = 5) -> list[Question]:
    """Questions on the same subject: sharing rare words of the title, those with a theme in common first."""
    ids = related_ids(question.pk, limit)
    by_id = display_rows(ids)
    return [by_id[pk] for pk in ids if pk in by_id]
