"""A phrase's candidates from the word pairs of each question (questions/triggers/phrase_pairs.sql).

PostgreSQL's GIN index knows which questions hold a word, not where, so a phrase was checked on every question
holding its words in any order, each vector read from TOAST: two common words seldom side by side ("eerste onze",
30,000-50,000 questions holding both at 100,000 documents, 165 of them with the phrase) read every one of those
vectors. ``questions_phrasepairs`` lists, per question, a key for every two lexemes that stand side by side; a
phrase's candidates are the questions holding its keys, plus every question whose pairs the worker has not
computed since its vector was written (NULL). The phrase is still checked on each candidate's vector: a key is
20 bits, and another pair may share it.

The vector keeps no stop word, so a phrase holding one ("De Lijn", "Raad van State") is checked against the
texts (filters._in_text); its keys are those of its stop words beside their neighbours, as the texts hold them
(questions_stop_word_pairs), and its candidates the questions holding those instead of every question holding
its other words.

The keys of a query come from the search's look-ups (lookups.py), in the statement it already runs.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.expressions import RawSQL

from questions.locks import waiting_at_most
from questions.models import PAIRS_PENDING_LIST_KB, PhrasePairs
from questions.search.text import IdIn, tsquery_sql

# A batch holds writers of questions off while it is computed: about 7 ms a question at 100,000 documents, 3 of
# them computing the keys (the SHARE lock of questions_refresh_phrase_pairs).
REFRESH_BATCH = 1_000
# A batch kept waiting this long by a transaction writing questions (a running import) stops the run; the next
# one goes on. Waiting longer would hold every other writer up behind it.
LOCK_TIMEOUT = "5s"
# The GIN index takes new keys into its pending list and merges the list into the index once it is over its
# limit (PostgreSQL's default, 4 MB, where a batch's keys take about 20 MB): each merge touches most of the
# index's posting lists. The index's own limit is 64 MB (models.PAIRS_PENDING_LIST_KB, migration 0051), the
# worker's batches merge in work memory of that size, and a run ends by merging what is left at once (in
# MERGE_MEMORY). Recomputing 20,000 of 100,000 questions (PostgreSQL 15, its own settings): 222 s with the
# default list, 148 s with 64 MB, 121 s with 256 MB. Searches read the list as they read the index until it is
# merged: a phrase about 6 ms slower with 50 MB pending. The index's limit holds for every writer, so an import
# that writes beside a running worker does not merge the worker's keys a few MB at a time.
MERGE_MEMORY = "256MB"


def may_have_keys(tsquery: str) -> bool:
    """Whether ``tsquery`` (to_tsquery_text output) may require word pairs: a phrase, and no OR or NOT."""
    return "<->" in tsquery and "|" not in tsquery and "!" not in tsquery


def parse_keys(array_text: str | None) -> tuple[int, ...]:
    """The keys in PostgreSQL's text form of an integer array ("{12,345}")."""
    inner = (array_text or "").strip("{}")
    return tuple(int(key) for key in inner.split(",")) if inner else ()


def candidates(keys: tuple[int, ...], tsquery: str, otherwise: str | None = None) -> Q:
    """The questions that may match a phrase with these keys: those holding every key, and those whose pairs are
    unknown that match ``tsquery`` (to_tsquery_text output; its phrases loosened or not), and those matching
    ``otherwise`` (the synonyms searched beside the phrase: filters.TextQuery). Each from its own index: after a
    large import every new question's pairs are unknown until the worker is done, and those are selected by
    their words, as every phrase's candidates were before."""
    synonyms = f"UNION ALL SELECT s.id FROM questions_question AS s WHERE s.search_vector @@ {tsquery_sql('%s')}"
    found = RawSQL(
        f"""SELECT p.question_id FROM questions_phrasepairs AS p WHERE p.pairs @> %s::bigint[]
            UNION ALL
            SELECT q.id FROM questions_question AS q
            JOIN questions_phrasepairs AS u ON u.question_id = q.id AND u.pairs IS NULL
            WHERE q.search_vector @@ {tsquery_sql("%s")}
            {synonyms if otherwise else ""}""",
        [list(keys), tsquery, *([otherwise] if otherwise else [])],
    )  # fmt: skip
    # As an array of ids, looked up in their order through the primary key: the questions' vectors are then read
    # from TOAST in the order they were written. Joined as a set (``IN``), they were read in a hash's order,
    # and a phrase whose candidates are most of its words' questions took 5 ms longer than read by its words.
    return Q(IdIn(F("pk"), found))


def refresh(batch: int = REFRESH_BATCH) -> int:
    """Compute the pairs of every question whose pairs are unknown (the worker, after imports and every night):
    the number computed. Each batch is its own transaction, so that writers wait for one batch at most; a batch
    kept waiting longer than LOCK_TIMEOUT by a transaction writing questions stops the run, and the next run goes
    on where it stopped."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Questions written while the triggers were disabled (a restore, a bulk load) have no row: unknown too.
        cursor.execute("""INSERT INTO questions_phrasepairs (question_id, pairs)
                          SELECT q.id, NULL FROM questions_question AS q
                          WHERE NOT EXISTS (SELECT FROM questions_phrasepairs AS p WHERE p.question_id = q.id)
                          ON CONFLICT (question_id) DO NOTHING""")
    def one_batch(cursor) -> int:
        # A batch that takes the pending list over its limit merges it, in work memory.
        cursor.execute("SELECT set_config('work_mem', %s, true)", [f"{PAIRS_PENDING_LIST_KB}kB"])
        cursor.execute("SELECT questions_refresh_phrase_pairs(%s)", [batch])
        return cursor.fetchone()[0]

    computed = 0
    while (done := waiting_at_most(LOCK_TIMEOUT, one_batch)) is not None:
        computed += done
        if done < batch:
            break
    if computed:
        _merge_pending_keys()
    if computed and not connection.in_atomic_block:  # VACUUM cannot run inside a transaction
        # Each computed row replaced its unknown version: a server without autovacuum would keep them all, a
        # phrase's candidates would be read past them, and the planner would go on counting them unknown.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE questions_phrasepairs")
    return computed


def _merge_pending_keys() -> None:
    """Merge the keys the batches left in the GIN index's pending list into the index, in one pass: left there,
    every phrase search would read them one by one until a later write took the list over its limit."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [MERGE_MEMORY])
        # Only its owner may merge it (a role that runs the worker but not the migrations leaves the merge to
        # the next write that takes the list over its limit, as before).
        cursor.execute("""SELECT gin_clean_pending_list(c.oid) FROM pg_class AS c
                          WHERE c.oid = 'phrasepairs_pairs'::regclass AND pg_has_role(c.relowner, 'USAGE')""")


def unknown() -> int:
    """How many questions' pairs the worker has still to compute."""
    return PhrasePairs.objects.filter(pairs__isnull=True).count()
