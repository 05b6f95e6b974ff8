"""The word pairs of each question also hold its texts' pairs of a stop word and another word
(questions/triggers/phrase_pairs.sql), so that a phrase with a stop word ("De Lijn") is checked on the questions
holding them rather than on every question holding its other words. The pairs are marked unknown again when a
question's texts or its answer change, and every question's pairs are unknown until the worker computes them
anew: the keys computed before lack the stop words' pairs."""

from django.db import migrations

from questions import triggers


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0049_phrase_pairs"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP FUNCTION IF EXISTS questions_phrase_pairs(tsvector);" + triggers.install("phrase_pairs.sql"),
            """DROP TRIGGER IF EXISTS questions_answer_pairs_insert ON questions_answer;
               DROP TRIGGER IF EXISTS questions_answer_pairs_update ON questions_answer;
               DROP FUNCTION IF EXISTS questions_answer_pairs_new();
               DROP FUNCTION IF EXISTS questions_answer_pairs_changed();
               DROP FUNCTION IF EXISTS questions_stop_word_pairs(text);
               DROP FUNCTION IF EXISTS questions_stop_word(text);""",
        ),
        migrations.RunSQL(
            "UPDATE questions_phrasepairs SET pairs = NULL WHERE pairs IS NOT NULL",
            migrations.RunSQL.noop,
        ),
    ]
