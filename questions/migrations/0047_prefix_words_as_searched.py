"""A prefix is chosen for counting by the words the search for it takes in, its typed form's stem among them
(questions/triggers/word_counts.sql): `volle*` searches 'volle':* | 'voll', subtracts the counts of "voll",
which does not start with "volle", and counted 74,107 questions live at a million documents. The function
changes; the prefixes are chosen at the next `count_words --rebuild`."""

from django.db import migrations

from questions import triggers


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0046_answered_by_other"),
    ]

    operations = [
        migrations.RunSQL(triggers.install("word_counts.sql"), migrations.RunSQL.noop),
    ]
