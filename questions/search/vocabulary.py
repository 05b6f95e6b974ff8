"""The archive's vocabulary (questions.models.Word): every word of its text, and the parts of its compounds.

A question's vector holds the parts of the compounds in it that the vocabulary knows
(questions/triggers/question_derived.sql), and a compound split otherwise, or learnt in another form of a word
the vocabulary knew, reaches the questions that already hold it (words.sql). The importer learns the words of
every document before storing it; the admin learns an edited question's words; ``manage.py reindex_words``
learns the whole archive's (after an upgrade that splits words otherwise, or after text was written with raw
SQL).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from django.db import connection

from questions.search.compounds import words_in

# Known words are left out before the insert: ON CONFLICT would lock (and so write) every row it meets. They are
# found by questions_known_words (questions/triggers/words.sql), whose plan is the primary key's whatever the
# statistics say.
_LEARN_SQL = """
WITH known AS MATERIALIZED (SELECT k.word, k.parts FROM questions_known_words(%(words)s::text[]) AS k)
INSERT INTO questions_word (word, parts, part_lexemes)
SELECT t.word, t.parts, '{}'
FROM (SELECT u.word, coalesce(string_to_array(nullif(u.parts, ''), ' '), '{}') AS parts
      FROM unnest(%(words)s::text[], %(parts)s::text[]) AS u (word, parts)) AS t
WHERE NOT EXISTS (SELECT 1 FROM known AS k WHERE k.word = t.word AND k.parts = t.parts)
ORDER BY t.word
ON CONFLICT (word) DO UPDATE SET parts = excluded.parts WHERE questions_word.parts <> excluded.parts
RETURNING cardinality(parts) > 0
"""


def learn(words: Mapping[str, tuple[str, ...]]) -> int:
    """Add the words the vocabulary does not know yet, and the parts of those it knows that the splitter now
    cuts otherwise; returns how many compounds that changed. PostgreSQL then derives the vectors of the
    questions holding them again (questions/triggers/words.sql).

    Sorted, so that two imports learning the same words at once take their row locks in the same order.
    """
    if not words:
        return 0
    ordered = sorted(words)
    with connection.cursor() as cursor:
        cursor.execute(_LEARN_SQL, {"words": ordered, "parts": [" ".join(words[word]) for word in ordered]})
        return sum(1 for (is_compound,) in cursor.fetchall() if is_compound)


def known(words: Collection[str]) -> set[str]:
    """Those of ``words`` the vocabulary holds. An import splits only the others: a word is cut as it was when
    it was learnt, until ``manage.py reindex_words`` reads the archive again (after an upgrade of the
    splitter), and splitting is most of the parser's work for a small import into a large archive."""
    if not words:
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT k.word FROM questions_known_words(%s::text[]) AS k", [list(words)])
        return {word for (word,) in cursor.fetchall()}


def learn_texts(texts: Iterable[str]) -> int:
    """:func:`learn` the words of these texts."""
    return learn(words_in(texts))


_QUESTION_TEXTS_SQL = """
SELECT concat_ws(' ', q.title, q.question_text, a.text,
                 (SELECT string_agg(t.name, ' ') FROM questions_question_themes AS qt
                  JOIN questions_theme AS t ON t.id = qt.theme_id WHERE qt.question_id = q.id))
FROM questions_question AS q LEFT JOIN questions_answer AS a ON a.question_id = q.id
WHERE q.id = ANY(%s)
"""


def learn_questions(question_ids: list[int]) -> int:
    """Learn the words of these questions as they are stored now (an editor changed them; reindex_words reads
    the archive), and when that taught the vocabulary a compound, derive their vectors again: they were
    derived before their words were known."""
    with connection.cursor() as cursor:
        cursor.execute(_QUESTION_TEXTS_SQL, [question_ids])
        compounds = learn_texts(text for (text,) in cursor.fetchall())
        if compounds:
            cursor.execute("UPDATE questions_question SET search_vector = NULL WHERE id = ANY(%s)", [question_ids])
    return compounds
