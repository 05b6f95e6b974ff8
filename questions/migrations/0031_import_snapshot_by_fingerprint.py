"""An import's snapshot names the question and answer texts it wrote by their md5 instead of repeating them
(questions/triggers/import_snapshot.sql keeps the imported text when someone changes it). Snapshots written
before keep their texts, which readers take as they are (questions/editing.py)."""

from django.db import migrations

from questions import triggers

DROP = """
DROP TRIGGER IF EXISTS questions_keep_imported_question_text ON questions_question;
DROP TRIGGER IF EXISTS questions_keep_imported_answer_text ON questions_answer;
DROP FUNCTION IF EXISTS questions_keep_imported_question_text();
DROP FUNCTION IF EXISTS questions_keep_imported_answer_text();
"""


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0030_vector_replace_slashes"),
    ]

    operations = [
        migrations.RunSQL(triggers.install("import_snapshot.sql"), DROP),
    ]
