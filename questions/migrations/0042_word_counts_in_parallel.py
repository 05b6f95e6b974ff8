"""The word counts' functions again (questions/triggers/word_counts.sql): each pass is a query PostgreSQL may
run in parallel workers (``questions_word_count_pass``), its result written to a table of the transaction's own
before the counts; nothing they count changes."""

from django.db import migrations

from questions import triggers


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0041_word_count_passes"),
    ]

    operations = [
        migrations.RunSQL(triggers.install("word_counts.sql"), migrations.RunSQL.noop),
    ]
