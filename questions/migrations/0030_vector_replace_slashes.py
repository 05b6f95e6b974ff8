"""The search vector's trigger turns slashes into spaces with replace() instead of translate(): the same text, and
the same vectors, for about 0.1 ms less a question (translate() walks the text a character at a time; 2,000
questions of the benchmark corpus, PostgreSQL 15: 1.26-1.37 -> 1.15 ms a vector). Nothing stored changes."""

from django.db import migrations

from questions import triggers


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0029_no_statistics_for_long_text"),
    ]

    operations = [
        migrations.RunSQL(triggers.install("question_derived.sql"), migrations.RunSQL.noop),
    ]
