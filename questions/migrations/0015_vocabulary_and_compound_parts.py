"""The archive's vocabulary (questions_word): its compounds' parts go into the search vector, its words feed
"Bedoelde u …?" (trigram index, hence pg_trgm).

An archive that already holds questions gets the parts of its compounds with ``manage.py reindex_words``
(docs/operations.md): the vocabulary is learnt in Python (questions/search/compounds.py), which a migration
should not run over a million questions.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from questions import triggers


class Migration(migrations.Migration):

    dependencies = [
        ('questions', '0014_seed_synonyms'),
    ]

    operations = [
        TrigramExtension(),
        migrations.CreateModel(
            name='Word',
            fields=[
                ('word', models.TextField(primary_key=True, serialize=False)),
                ('parts', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
                ('lexeme', models.TextField(editable=False, null=True)),
                ('part_lexemes', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), default=list, editable=False, size=None)),
            ],
            options={
                'verbose_name': 'woord',
                'verbose_name_plural': 'woorden',
                'indexes': [models.Index(fields=['lexeme'], condition=models.Q(('part_lexemes', []), _negated=True), name='word_compound_lexeme'), models.Index(fields=['lexeme'], name='word_lexeme'), django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass('word', name='gin_trgm_ops'), name='word_trigrams')],
            },
        ),
        migrations.RunSQL(
            triggers.install("question_derived.sql", "words.sql"),
            "DROP FUNCTION IF EXISTS questions_word_lexemes() CASCADE;"
            " DROP FUNCTION IF EXISTS questions_words_changed() CASCADE;"
            " DROP FUNCTION IF EXISTS questions_words_truncated() CASCADE;"
            " CREATE OR REPLACE FUNCTION questions_compound_parts(vector tsvector) RETURNS tsvector"
            " LANGUAGE sql IMMUTABLE AS 'SELECT vector';",
        ),
    ]
