"""The word counts' functions again (questions/triggers/word_counts.sql): a fold's and a build's passes are one
statement, chosen by name; nothing they count changes."""

from django.db import migrations

from questions import triggers


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0040_counted_prefixes"),
    ]

    operations = [
        migrations.RunSQL(triggers.install("word_counts.sql"), migrations.RunSQL.noop),
    ]
