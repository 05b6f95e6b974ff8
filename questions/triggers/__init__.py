"""The triggers that keep every derived value of the archive, one SQL file each, installed by migrations.

PostgreSQL keeps these values itself, in the transaction that changes their sources, whatever writes: the
admin, ``QuerySet.update()``, ``bulk_create``, raw SQL, a data migration. Nothing in Python maintains them.

- ``question_derived.sql``: on every insert or update of a question, its ``has_answer``, ``answered_by_other``
  (the answering minister when another than the one it was put to), ``theme_ids`` and ``search_vector``
  (title A, question B, answer C, names and themes D). The title vector is a generated column (models.py).
- ``related_rows.sql``, ``name_changes.sql``: a change to an answer, a theme link, or the name of a member,
  minister or theme asks the questions it touches to derive their values again.
- ``words.sql``: the stemmed forms of the vocabulary's words and compound parts (``questions_word``), which
  ``question_derived.sql`` adds to a question's vector.
- ``facet_counts.sql``: the counters in ``questions_facetcount``, kept from the questions' changed rows.
- ``answer_dates.sql``: the date each answer is listed by (its own, else its question's), ``questions_answer.dated``.
- ``import_snapshot.sql``: an import's snapshot names the question and answer texts it wrote by their md5; the
  moment one of them changes or goes, the imported text is copied into the snapshot (questions/editing.py).
- ``word_counts.sql``: the counts of the commonest words (``questions_wordcount``) and the questions written
  since they were last folded (``questions_wordcountchange``), read by questions/search/word_counts.py.
- ``phrase_pairs.sql``: marks the word pairs (``questions_phrasepairs``) of a new question, or of one whose vector
  changed, unknown; the worker computes them, and a phrase search reads them for its candidates
  (questions/search/phrase_pairs.py).
- ``archive_writes.sql``: each transaction that writes what a search shows counts its statements in
  ``questions_archivewrite``, the state cached search results are keyed on (questions/search/cache.py).

Each file can run again safely (``CREATE OR REPLACE``, ``DROP TRIGGER IF EXISTS``): a migration that changes
one runs it again with :func:`install`.
"""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).resolve().parent
# In the order they are installed: the facet counters read the values that question_derived sets.
FILES = (
    "question_derived.sql",
    "related_rows.sql",
    "name_changes.sql",
    "facet_counts.sql",
    "words.sql",
    "answer_dates.sql",
    "archive_writes.sql",
    "import_snapshot.sql",
    "word_counts.sql",
    "phrase_pairs.sql",
)


def read(name: str) -> str:
    return (FOLDER / name).read_text(encoding="utf-8")


def install(*names: str) -> str:
    """The SQL that (re)installs these files' functions and triggers (all of them by default)."""
    return "\n".join(read(name) for name in (names or FILES))
