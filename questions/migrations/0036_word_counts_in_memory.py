"""Counting the commonest words joins each question's words with them by hashing and groups the counts in
memory: the planner's sort of every question's words for a merge join filled the disk with temporary files at
a million questions (questions/triggers/word_counts.sql)."""

from django.db import migrations

from questions import triggers


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0035_word_count_prefixes"),
    ]

    operations = [
        migrations.RunSQL(triggers.install("word_counts.sql"),
                          "ALTER FUNCTION questions_add_word_counts(text) RESET ALL"),
    ]
