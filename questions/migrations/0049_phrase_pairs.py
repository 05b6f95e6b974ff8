"""The word pairs of each question (questions/triggers/phrase_pairs.sql): a phrase's candidates are the questions
holding its pairs. Every existing question starts with its pairs unknown; the worker computes them."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models

from questions import triggers


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0048_trigger_lookups_by_key"),
    ]

    operations = [
        migrations.CreateModel(
            name="PhrasePairs",
            fields=[
                ("question", models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                                                  primary_key=True, related_name="+", serialize=False,
                                                  to="questions.question")),
                ("pairs", django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), null=True,
                                                                    size=None)),
            ],
            options={
                "verbose_name": "woordparen van een vraag",
                "verbose_name_plural": "woordparen van vragen",
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(fields=["pairs"], name="phrasepairs_pairs"),
                    models.Index(condition=models.Q(("pairs__isnull", True)), fields=["question"],
                                 name="phrasepairs_unknown"),
                ],
            },
        ),
        migrations.RunSQL(
            "ALTER TABLE questions_phrasepairs ALTER COLUMN pairs SET STORAGE EXTERNAL",
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            """ALTER TABLE questions_phrasepairs ADD CONSTRAINT questions_phrasepairs_question_fk
               FOREIGN KEY (question_id) REFERENCES questions_question (id) ON DELETE CASCADE""",
            "ALTER TABLE questions_phrasepairs DROP CONSTRAINT questions_phrasepairs_question_fk",
        ),
        migrations.RunSQL(
            triggers.install("phrase_pairs.sql"),
            """DROP TRIGGER IF EXISTS questions_question_pairs_insert ON questions_question;
               DROP TRIGGER IF EXISTS questions_question_pairs_update ON questions_question;
               DROP FUNCTION IF EXISTS questions_question_pairs_new();
               DROP FUNCTION IF EXISTS questions_question_pairs_changed();
               DROP FUNCTION IF EXISTS questions_refresh_phrase_pairs(integer);
               DROP FUNCTION IF EXISTS questions_phrase_keys(tsquery);
               DROP FUNCTION IF EXISTS questions_phrase_pairs(tsvector);
               DROP FUNCTION IF EXISTS questions_phrase_pairs(tsvector, text);
               DROP FUNCTION IF EXISTS questions_pair_key(text, text);""",
        ),
        migrations.RunSQL(
            "INSERT INTO questions_phrasepairs (question_id, pairs) SELECT id, NULL FROM questions_question",
            migrations.RunSQL.noop,
        ),
    ]
