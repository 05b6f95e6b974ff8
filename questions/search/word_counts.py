"""Counts kept for the archive's commonest words: a search for one of them alone is not counted afresh.

A word in a tenth of the questions has tens of thousands of matches at 100,000 documents, and counting them
with their facets is most of what such a search costs (every match's row is read and grouped five ways).
For the words in at least ``WORD_COUNTS_MIN_SHARE`` of the questions, ``questions_wordcount`` holds the
number of questions holding each, in all and per facet value, as of the last fold; ``questions_wordcountchange``
lists the questions written since (the triggers of questions/triggers/word_counts.sql list them in the writing
transaction, whatever writes). A search for such a word, with no filter, reads the stored counts and adds the
listed questions as they are now, minus what they were at the fold: exact, and a write is counted by the next
search. The page itself is still chosen from the index (paging.py).

A prefix (``recht*``) takes in several words, and a question may hold many of them, so their counts do not add
up. The prefixes whose words other than their commonest hold many questions (``WORD_COUNTS_PREFIX_MIN_SHARE``)
are counted themselves, as the query a search for them runs (key: ``PREFIX_MARK`` and that query's text): a
search for one reads its counts like a word's (``aange*`` at 100,000 documents: 89 ms counting 50,903 questions
live beside "aangezien", now its own counts). Another prefix search reads the counts of the commonest counted
word it takes in ("recht") and counts live only the questions that hold another of its words and not that one
(``recht:* & !recht``, found by the index).

The list is folded into the counts after every import and every night by the worker (tasks.py): the fold
locks out writers for the moment it takes. While the list is longer than ``MAX_CHANGES`` (a large import the
worker has not folded yet), searches count live, as they do for every other query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection as primary
from django.db import transaction

from archive.replicas import reading_connection
from questions import deadlines
from questions.locks import waiting_at_most
from questions.search.facets import ENTITY_TABLES
from questions.search.statement import Statement
from questions.search.text import tsquery_sql

# A search adds up the listed questions itself: each costs reading its vector (about 20 µs).
MAX_CHANGES = 500
# The fold waits at most this long for a transaction writing questions (a long import) to finish; while it
# waits, new writers queue behind it.
FOLD_LOCK_TIMEOUT = "5s"
# Past this share of the questions written since the last fold, counting afresh is shorter than folding: at
# 100,000 documents, with the prefixes counted, a fold counts about 4 ms a version of a written question (2,000
# changed ones, each as it was and as it is, in 16 s) and a build about 2 ms a question (204 s), both in
# parallel workers on two cores; writers wait for either.
REBUILD_SHARE = 0.4


# A counted prefix's key: this mark, then the text of the query a search for the prefix runs (no lexeme
# starts with it; questions/triggers/word_counts.sql).
PREFIX_MARK = ":"


@dataclass(frozen=True)
class CountedWord:
    lexeme: str  # a counted lexeme, or a counted prefix's key
    whole: bool  # the query is this word (or this prefix) alone; else it takes in others too, counted live
    changes: int = 0  # questions written since the fold: each may have left the stored counts behind

    def tsquery_text(self) -> str:
        """tsquery input for what is counted: the lexeme itself, as stored, or the prefix's query."""
        if self.lexeme.startswith(PREFIX_MARK):
            return self.lexeme[len(PREFIX_MARK) :]
        return _lexeme_tsquery(self.lexeme)


def counted_word(tsquery: str) -> CountedWord | None:
    """The counted word or counted prefix that the query ``tsquery`` (to_tsquery_text syntax) is, alone, or for
    another prefix (``recht*``, or ``lands*``: ``lands:* | land``) the commonest counted word it takes in; None
    when it is anything else (words not ORed, a phrase, no counted word) or when too many questions were written
    since the last fold for a search to add them up."""
    with reading_connection().cursor() as cursor:
        cursor.execute(_COUNTED_SQL, {"query": tsquery, "changes": MAX_CHANGES + 1})
        found = cursor.fetchone()
    if found is None or found[2] > MAX_CHANGES:
        return None
    return CountedWord(found[0], whole=not found[1], changes=found[2])


# A lexeme in a query prints quoted, its quotes and backslashes doubled, followed by ':*' for a prefix; with a
# weight mark (':A') it ends otherwise and the query is not taken here. A query taken is one lexeme, or lexemes
# ORed (archive_tsquery() writes a prefix so: 'anten':* | 'ant'): every counted word that one of them takes in
# holds only matches, and the commonest is counted from its counts. The counted words of a prefix are a range
# of the totals' index (text_pattern_ops compares bytes: every word that starts with the prefix sorts between
# the prefix and the prefix followed by the last character there is).
_OPERAND = r"''((?:[^'']|'''')+)''(:\*)?"
_COUNTED_SQL = rf"""
WITH asked AS MATERIALIZED (SELECT t.q FROM {tsquery_sql("%(query)s")} AS t (q)),
whole_prefix AS (
    SELECT w.lexeme, w.count FROM asked AS t
    JOIN questions_wordcount AS w ON w.lexeme = '{PREFIX_MARK}' || t.q::text AND w.facet = '' AND w.facet_value = ''
),
typed AS (
    SELECT t.q FROM asked AS t
    WHERE t.q::text ~ '^{_OPERAND}(?: \| {_OPERAND})*$'
),
operand AS (
    SELECT regexp_replace(replace(m[1], '''''', ''''), '\\(.)', '\1', 'g') AS text, m[2] IS NOT NULL AS prefix,
           numnode(t.q) > 1 AS among_others
    FROM typed AS t CROSS JOIN LATERAL regexp_matches(t.q::text, '{_OPERAND}', 'g') AS m
)
SELECT found.lexeme, found.partial,
       (SELECT count(*) FROM (SELECT 1 FROM questions_wordcountchange LIMIT %(changes)s) AS c)
FROM (
    SELECT p.lexeme, p.count, false AS partial, 0 AS preference FROM whole_prefix AS p
    UNION ALL
    SELECT found.lexeme, found.count, found.partial, 1 FROM operand AS o
    CROSS JOIN LATERAL (
        SELECT w.lexeme, w.count, o.prefix OR o.among_others AS partial FROM questions_wordcount AS w
        WHERE w.facet = '' AND w.facet_value = ''
          AND w.lexeme ~>=~ o.text AND w.lexeme ~<~ (o.text || chr(1114111))
          AND (w.lexeme = o.text OR o.prefix AND starts_with(w.lexeme, o.text))
        ORDER BY w.count DESC, w.lexeme
        LIMIT 1
    ) AS found
) AS found
ORDER BY found.preference, found.count DESC, found.lexeme
LIMIT 1
"""


def _lexeme_tsquery(lexeme: str) -> str:
    """tsquery input that is ``lexeme`` itself, as stored: quoted, not parsed or stemmed again."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


# The remainder's values as questions_facet_atoms writes them. The total and the four single-valued facets in
# one pass over the remainder (grouping sets: one hash table each), 7 ms for 24,000 questions where a pass
# each took 15; the themes unnested in the select list and grouped as ids: grouping 31,000 questions' themes
# by their text after a lateral unnest took 34 ms (conce* at 100,000 documents), as here 12.
_SETS = "r.minister_id, r.member_id, r.session, r.has_answer"
_REMAINDER_PARTS = (
    f"""SELECT CASE GROUPING({_SETS}) WHEN 7 THEN 'minister' WHEN 11 THEN 'member' WHEN 13 THEN 'year'
                                     WHEN 14 THEN 'answered' ELSE '' END,
               CASE GROUPING({_SETS}) WHEN 7 THEN r.minister_id::text WHEN 11 THEN r.member_id::text
                                     WHEN 13 THEN r.session
                                     WHEN 14 THEN CASE WHEN r.has_answer THEN 'yes' ELSE 'no' END ELSE '' END,
               count(*)
        FROM remainder AS r GROUP BY GROUPING SETS ((r.minister_id), (r.member_id), (r.session), (r.has_answer), ())""",
    "SELECT 'theme', g.id::text, g.n FROM (SELECT unnest(r.theme_ids) AS id, count(*) AS n FROM remainder AS r "
    "GROUP BY 1) AS g",
)


def ctes(statement: Statement, word: CountedWord, tsquery: str) -> list[str]:
    """Common table expressions: ``word_totals`` (facet, value, n), the query's count in all (facet '') and
    per facet value. The word's counts, stored and brought up to date with the questions written since the
    fold; for a prefix, plus the questions that hold others of its words and not this one, counted live."""
    word_tsq = f"{statement.param(word.tsquery_text())}::tsquery"
    parts = [
        f"SELECT w.facet, w.facet_value, w.count FROM questions_wordcount AS w WHERE w.lexeme = "
        f"{statement.param(word.lexeme)}",
        """SELECT a.facet, a.value, c.sign FROM word_changes AS c
           CROSS JOIN LATERAL (
               SELECT '', '' UNION ALL
               SELECT f.facet, f.value FROM questions_facet_atoms(c.theme_ids, c.minister_id, c.member_id,
                                                                  c.session, c.has_answer) AS f
           ) AS a (facet, value)""",
    ]
    remainder = []
    if not word.whole:
        remainder.append(f"""remainder AS MATERIALIZED (
            SELECT q.theme_ids, q.minister_id, q.member_id, q.session, q.has_answer FROM questions_question AS q
            WHERE q.search_vector @@ ({tsquery_sql(statement.param(tsquery))} && !! {word_tsq}))""")
        parts += _REMAINDER_PARTS
    union = "\nUNION ALL\n".join(parts)
    return [
        f"""word_changes AS MATERIALIZED (
            SELECT 1 AS sign, q.theme_ids, q.minister_id, q.member_id, q.session, q.has_answer
            FROM questions_wordcountchange AS g JOIN questions_question AS q ON q.id = g.question_id
            WHERE q.search_vector @@ {word_tsq}
            UNION ALL
            SELECT -1, g.theme_ids, g.minister_id, g.member_id, g.session, g.has_answer
            FROM questions_wordcountchange AS g WHERE g.existed AND g.search_vector @@ {word_tsq})""",
        *remainder,
        f"""word_totals AS MATERIALIZED (
            SELECT counted.facet, counted.value, sum(counted.n) AS n FROM ({union}) AS counted (facet, value, n)
            GROUP BY 1, 2)""",
    ]


TOTAL_SQL = "SELECT coalesce(sum(t.n), 0) AS n FROM word_totals AS t WHERE t.facet = ''"


def facet_parts(statement: Statement, tsquery: str) -> list[str]:
    """Each facet's rows (facet, value, label, count) from ``word_totals``, as facets.live gives them."""
    parts = [stored_facet(facet) for facet in (*ENTITY_TABLES, "year", "answered")]
    # The status changes with the calendar: the unanswered matches asked after the overdue cutoff (a few
    # weeks' worth, through the date index) are waiting, the other unanswered ones overdue.
    tsq = tsquery_sql(statement.param(tsquery))
    cutoff = statement.param(deadlines.overdue_cutoff())
    parts.append(f"""SELECT 'status', s.value, '', s.n
        FROM (SELECT count(*) AS n FROM questions_question AS q
              WHERE NOT q.has_answer AND q.date_asked > {cutoff} AND q.search_vector @@ {tsq}) AS w
        CROSS JOIN LATERAL (
            SELECT CASE t.value WHEN 'yes' THEN 'answered' ELSE 'overdue' END,
                   t.n - CASE WHEN t.value = 'no' THEN w.n ELSE 0 END
            FROM word_totals AS t WHERE t.facet = 'answered'
            UNION ALL
            SELECT 'waiting', w.n
        ) AS s (value, n) WHERE s.n > 0""")
    return parts


def stored_facet(facet: str) -> str:
    """One facet's rows (facet, value, label, count) from ``word_totals``: an entity's, the years' or the answered
    states' (the status changes with the calendar: see facet_parts)."""
    if facet in ENTITY_TABLES:
        return f"""SELECT '{facet}', e.slug, e.name, t.n FROM word_totals AS t
                   JOIN {ENTITY_TABLES[facet]} AS e ON e.id = t.value::bigint WHERE t.facet = '{facet}' AND t.n > 0"""
    label = {"year": "t.value", "answered": "''"}[facet]
    return f"SELECT '{facet}', t.value, {label}, t.n FROM word_totals AS t WHERE t.facet = '{facet}' AND t.n > 0"


def date_bound(word: CountedWord, needed: int, *, oldest_first: bool) -> dt.date | None:
    """A date such that at least ``needed`` of the query's matches are asked on it or after (before, with
    ``oldest_first``), by the stored counts per parliamentary year; None when no such date is known.

    Every question of a year is asked on or after the first date any question of that year bears (through
    the year's date index, one probe a year), so the years whose first date is on or after a date hold at least
    their stored counts of matches there, less one for each question written since the fold. The matches of
    the commonest counted word are matches of the query it stands for. A deep page of a common word then sorts
    the matches of its last years, not every match (page 50 of a word in 10 % of 100,000 questions: 13,175 rows
    read and sorted, where its last three years hold enough)."""
    edge, order, pick = ("DESC", "ASC", "min") if oldest_first else ("ASC", "DESC", "max")
    with reading_connection().cursor() as cursor:
        cursor.execute(_DATE_BOUND_SQL.format(edge=edge, order=order, pick=pick),
                       {"lexeme": word.lexeme, "needed": needed + word.changes})  # fmt: skip
        (bound,) = cursor.fetchone()
    return bound


_DATE_BOUND_SQL = """
SELECT {pick}(y.edge) FILTER (WHERE y.running >= %(needed)s) FROM (
    SELECT e.date_asked AS edge, sum(w.count) OVER (ORDER BY e.date_asked {order}) AS running
    FROM questions_wordcount AS w
    CROSS JOIN LATERAL (SELECT q.date_asked FROM questions_question AS q WHERE q.session = w.facet_value
                        ORDER BY q.date_asked {edge}, q.id {edge} LIMIT 1) AS e
    WHERE w.lexeme = %(lexeme)s AND w.facet = 'year' AND w.count > 0
) AS y
"""


# --- keeping the counts --------------------------------------------------------------------------------------


def fold() -> int | None:
    """Move the questions written since the last fold into the counts; returns how many there were, or None
    when a transaction writing questions kept the fold waiting longer than FOLD_LOCK_TIMEOUT."""
    def run(cursor) -> int:
        cursor.execute("SELECT questions_fold_word_counts()")
        return cursor.fetchone()[0]

    folded = waiting_at_most(FOLD_LOCK_TIMEOUT, run)
    if folded is None:
        return None
    if folded and not primary.in_atomic_block:  # VACUUM cannot run inside a transaction
        # A fold rewrites most counters (an import's questions hold most of the counted words); a server without
        # autovacuum would keep every dead version, and the searches' look-ups would read past them.
        with primary.cursor() as cursor:
            cursor.execute("VACUUM questions_wordcount, questions_wordcountchange")
    return int(folded)


def build(min_share: float | None = None, min_questions: int | None = None,
          prefix_min_share: float | None = None) -> int:
    """Count afresh the words in at least ``min_share`` of the questions (and in ``min_questions`` or more), and
    the prefixes whose other words hold at least ``prefix_min_share`` of them; returns how many words are
    counted. Writers wait while it runs (minutes at 100,000 documents)."""
    share = settings.WORD_COUNTS_MIN_SHARE if min_share is None else min_share
    least = settings.WORD_COUNTS_MIN_QUESTIONS if min_questions is None else min_questions
    prefix_share = settings.WORD_COUNTS_PREFIX_MIN_SHARE if prefix_min_share is None else prefix_min_share
    with transaction.atomic(), primary.cursor() as cursor:
        cursor.execute("SELECT questions_build_word_counts(%s, %s, %s)", [share, least, prefix_share])
        (counted,) = cursor.fetchone()
    return int(counted)


def refresh() -> str:
    """After an import, and every night: count afresh when nothing is counted yet and the archive is large
    enough for it to pay, else fold. Returns what was done, for the log. (A word that became common since
    the build is counted live until ``manage.py count_words --rebuild``.)"""
    with primary.cursor() as cursor:
        cursor.execute("""SELECT EXISTS (SELECT 1 FROM questions_wordcount),
                                 (SELECT coalesce(sum(count), 0) FROM questions_facetcount
                                  WHERE dimension = '' AND value = '' AND facet = 'answered'),
                                 (SELECT count(*) FROM questions_wordcountchange)""")
        counting, questions, written = cursor.fetchone()
    if not counting:
        if questions < settings.WORD_COUNTS_MIN_QUESTIONS:
            return f"no words counted: {questions} questions, fewer than {settings.WORD_COUNTS_MIN_QUESTIONS}"
        return f"words counted afresh: {build()}"
    if written > REBUILD_SHARE * int(questions):
        return f"words counted afresh after {written} written questions: {build()}"
    folded = fold()
    if folded is None:
        return "word counts not folded: questions were being written; the next import or night then"
    return f"word counts: {folded} written questions folded"
