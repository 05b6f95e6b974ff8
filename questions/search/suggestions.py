"""“Bedoelde u …?”: a corrected search when what was typed finds nothing or very little.

Each typed word that the index does not hold (or hardly holds) is compared with the archive's own vocabulary:
its words (questions_word, kept by imports and edits: vocabulary.py) and the words of members' and ministers'
names, by trigram similarity (pg_trgm's GIN index on the vocabulary). A candidate counts only if questions hold
it, and weighs by how many do: a common word beats a rare one that looks a little closer. The corrected text
is offered only when it finds more than what was typed. Everything is read at the time of the search, from the
live index, so a suggestion is never stale.
"""

from __future__ import annotations

import math

from archive.replicas import reading_connection
from questions.search.text import SEARCH_CONFIG, terms, to_tsquery_text, tsquery_sql

# Fewer results than this, and a suggestion is looked for.
SUGGEST_BELOW = 3
MIN_SIMILARITY = 0.3  # pg_trgm's own threshold for `%`: one swapped pair of letters in a short name is about 0.38
MIN_WORD_LENGTH = 4
# Questions counted per candidate: enough to rank candidates, bounded so a common word costs no more.
COUNT_CAP = 1_000
CANDIDATES_PER_WORD = 8

_TSQ = tsquery_sql("%s")
_COUNT_SQL = (
    f"SELECT count(*) FROM (SELECT 1 FROM questions_question WHERE search_vector @@ {_TSQ} LIMIT {COUNT_CAP}) AS s"
)

# For each typed word: how many questions hold it, up to SUGGEST_BELOW; and for those held by fewer, their closest
# words in the vocabulary and in the names, each with how many questions hold it (stop words are left out).
# pg_trgm's ``%`` finds the close ones (similarity 0.3 and up, its default) through the index; the closest of
# those are kept. A word held often enough is not replaced, so its candidates are not looked for: a phrase of
# two common words that stand side by side once ("ligt echtpaar") found 1 question in 3 ms and then spent 35-50
# ms on the candidates of words nobody misspelt (100,000 documents).
_CANDIDATES_SQL = f"""
WITH typed (word, position) AS (
    SELECT * FROM unnest(%(words)s::text[]) WITH ORDINALITY AS t (word, position)
    WHERE numnode(plainto_tsquery('{SEARCH_CONFIG}'::regconfig, t.word)) > 0),
held AS MATERIALIZED (
    SELECT t.position, t.word,
           (SELECT count(*) FROM (SELECT 1 FROM questions_question AS q
                                  WHERE q.search_vector @@ plainto_tsquery('{SEARCH_CONFIG}'::regconfig, t.word)
                                  LIMIT {SUGGEST_BELOW}) AS s) AS n
    FROM typed AS t),
name_words (word) AS (
    SELECT DISTINCT lower(part) FROM (
        SELECT name FROM questions_member UNION ALL SELECT name FROM questions_minister) AS n (name)
    CROSS JOIN regexp_split_to_table(n.name, '[^[:alpha:]]+') AS part
    WHERE length(part) >= {MIN_WORD_LENGTH}),
candidates AS (
    SELECT h.position, c.word, c.similarity
    FROM held AS h CROSS JOIN LATERAL (
        SELECT v.word, similarity(v.word, h.word) AS similarity
        FROM (SELECT w.word FROM questions_word AS w WHERE w.word %% h.word
              UNION SELECT nw.word FROM name_words AS nw WHERE nw.word %% h.word) AS v
        WHERE v.word <> h.word AND similarity(v.word, h.word) >= {MIN_SIMILARITY}
        ORDER BY similarity DESC, v.word LIMIT {CANDIDATES_PER_WORD}) AS c
    WHERE h.n < {SUGGEST_BELOW})
SELECT c.position, c.word, c.similarity,
       (SELECT count(*) FROM (SELECT 1 FROM questions_question AS q
                              WHERE q.search_vector @@ plainto_tsquery('{SEARCH_CONFIG}'::regconfig, c.word)
                              LIMIT {COUNT_CAP}) AS s)
FROM candidates AS c
UNION ALL
SELECT h.position, h.word, 1.0, h.n FROM held AS h
"""


def _best_replacements(words: list[str]) -> dict[str, str]:
    """For each typed word that questions hardly hold, the vocabulary's likeliest word instead. (A typed word's
    own count stops at SUGGEST_BELOW: only below it is the word replaced, and then the count is exact.)"""
    with reading_connection().cursor() as cursor:
        cursor.execute(_CANDIDATES_SQL, {"words": words})
        rows = cursor.fetchall()
    own = {position: count for position, word, _similarity, count in rows if word == words[position - 1]}
    replacements: dict[str, str] = {}
    for position, typed in enumerate(words, start=1):
        held = own.get(position, 0)
        scored = [
            (similarity * math.log1p(count), word)
            for row_position, word, similarity, count in rows
            if row_position == position and word != typed and count > held
        ]
        if held < SUGGEST_BELOW and scored:
            replacements[typed] = max(scored)[1]
    return replacements


def suggest(typed: str, total: int) -> str | None:
    """A corrected version of ``typed`` that finds more than the ``total`` it found, or None."""
    if total >= SUGGEST_BELOW:
        return None
    words = [word.lower() for word in terms(typed) if len(word) >= MIN_WORD_LENGTH and word.isalpha()]
    if not words:
        return None
    replacements = _best_replacements(list(dict.fromkeys(words)))
    if not replacements:
        return None
    corrected = " ".join(_replace_words(part, replacements) for part in typed.split())
    tsquery = to_tsquery_text(corrected)
    if tsquery is None:
        return None
    with reading_connection().cursor() as cursor:
        cursor.execute(_COUNT_SQL, [tsquery])
        found = cursor.fetchone()[0]
    return corrected if found > total else None


def _replace_words(chunk: str, replacements: dict[str, str]) -> str:
    """A typed chunk with its misspelt words replaced, quotes, stars and minus signs kept."""
    for word in terms(chunk):
        if word.lower() in replacements:
            chunk = chunk.replace(word, replacements[word.lower()], 1)
    return chunk
