"""A phrase's candidates from the word pairs of each question (questions/triggers/phrase_pairs.sql).

PostgreSQL's GIN index knows which questions hold a word, not where, so a phrase was checked on every question
holding its words in any order, each vector read from TOAST: "militair ellende" read 3,997 vectors for 1,742
matches at 100,000 documents. ``questions_phrasepairs`` lists, per question, a key for every two lexemes that
stand side by side; a phrase's candidates are the questions holding its keys, plus every question whose pairs
the worker has not computed since it was written (NULL). The phrase is still checked on the vector: a key is
20 bits, and another pair may share it.

The keys of a query come from the search's look-ups (lookups.py), in the statement it already runs.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL

from questions.models import PhrasePairs
from questions.search.text import tsquery_sql

# A batch holds writers off for about 0.4 ms a question (the SHARE lock of questions_refresh_phrase_pairs).
REFRESH_BATCH = 2_000


def may_have_keys(tsquery: str) -> bool:
    """Whether the pairs of ``tsquery`` (to_tsquery text) can be necessary: a phrase, and no OR or NOT."""
    return "<->" in tsquery and "|" not in tsquery and "!" not in tsquery


def parse_keys(array_text: str | None) -> tuple[int, ...]:
    """The keys in PostgreSQL's text form of an integer array ("{12,345}")."""
    inner = (array_text or "").strip("{}")
    return tuple(int(key) for key in inner.split(",")) if inner else ()


def candidates(keys: tuple[int, ...], tsquery: str) -> Q:
    """The questions that may match a phrase with these keys: those holding every key, and those whose pairs are
    unknown that match ``tsquery`` (to_tsquery text). Two disjoint sets, each from its own index: after a large
    import every new question's pairs are unknown until the worker is done, and those are then selected by their
    words."""
    return Q(pk__in=RawSQL(
        f"""SELECT p.question_id FROM questions_phrasepairs AS p WHERE p.pairs @> %s::bigint[]
            UNION ALL
            SELECT q.id FROM questions_question AS q
            JOIN questions_phrasepairs AS u ON u.question_id = q.id AND u.pairs IS NULL
            WHERE q.search_vector @@ {tsquery_sql("%s")}""",
        [list(keys), tsquery],
    ))


def refresh(batch: int = REFRESH_BATCH) -> int:
    """Compute the pairs of every question whose pairs are unknown (the worker, after imports and every night):
    the number computed. Each batch is its own transaction, so that imports wait for one batch at most."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Questions written while the triggers were disabled have no row: their pairs are unknown too.
        cursor.execute("""INSERT INTO questions_phrasepairs (question_id, pairs)
                          SELECT q.id, NULL FROM questions_question AS q
                          WHERE NOT EXISTS (SELECT FROM questions_phrasepairs AS p WHERE p.question_id = q.id)
                          ON CONFLICT (question_id) DO NOTHING""")
    computed = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT questions_refresh_phrase_pairs(%s)", [batch])
            done = cursor.fetchone()[0]
        computed += done
        if done < batch:
            return computed


def unknown() -> int:
    """How many questions' pairs the worker has still to compute."""
    return PhrasePairs.objects.filter(pairs__isnull=True).count()
