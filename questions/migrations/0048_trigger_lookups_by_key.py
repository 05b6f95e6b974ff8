"""The row triggers that look up another row by its key (an answer's question, a question's answer and theme
links, an answer's question for the import snapshot) plan that look-up with sequential scans off. PL/pgSQL keeps
a statement's plan for the session; planned while the archive was nearly empty, at the start of an import into a
new archive, the look-up stayed a scan of the whole table for every row after it. Each file runs again."""

from django.db import migrations

from questions import triggers


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0047_prefix_words_as_searched"),
    ]

    operations = [
        migrations.RunSQL(
            triggers.install("question_derived.sql", "answer_dates.sql", "import_snapshot.sql"),
            migrations.RunSQL.noop,
        ),
    ]
