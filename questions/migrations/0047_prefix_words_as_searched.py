"""A prefix is chosen for counting by what a search for it would count live (questions/triggers/word_counts.sql):
every word the search takes in, its typed form's stem among them (`volle*` searches 'volle':* | 'voll', and
"voll" does not start with "volle"), less its commonest *counted* word, or nothing where none is counted
(`doorz*`: two words in 4 and 2 % of the questions, each below the counted words' share, all counted live). At
a million documents these counted 74,107 and 67,000 questions live. The function changes; the prefixes are
chosen at the next `count_words --rebuild`."""

from django.db import migrations

from questions import triggers


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0046_answered_by_other"),
    ]

    operations = [
        migrations.RunSQL(triggers.install("word_counts.sql"), migrations.RunSQL.noop),
    ]
