"""Two triggers' look-ups planned the same whatever the statistics say, for an archive an import is filling
while the planner still takes it for empty (a server without autovacuum; or before autoanalyze comes):

- ``questions_known_words(words)`` (words.sql): the vocabulary's known words by its primary key; the planner
  took the trigram index for them and read that index's whole pending list once a word;
- ``questions_refresh_questions_of_rows()`` (related_rows.sql): the questions of inserted answers and theme
  links by their primary key, not by reading the whole questions table for every batch.
"""

from django.db import migrations

from questions import triggers


class Migration(migrations.Migration):

    dependencies = [
        ('questions', '0027_compound_hash_index'),
    ]

    operations = [
        migrations.RunSQL(triggers.install("words.sql"), "DROP FUNCTION IF EXISTS questions_known_words(text[]);"),
        migrations.RunSQL(triggers.install("related_rows.sql"), migrations.RunSQL.noop),
    ]
