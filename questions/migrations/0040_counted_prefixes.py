"""Prefixes whose words beyond the commonest hold many questions are counted as a whole, like the commonest
words (questions/triggers/word_counts.sql): a search for `aange*` no longer counts 50,000 questions live. The
functions change; the prefixes are chosen at the next `count_words --rebuild`."""

from django.db import migrations

from questions import triggers


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0039_minister_index_covers_figures"),
    ]

    operations = [
        migrations.RunSQL(triggers.install("word_counts.sql"), migrations.RunSQL.noop),
    ]
