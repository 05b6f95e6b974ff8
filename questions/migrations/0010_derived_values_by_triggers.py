"""PostgreSQL keeps every derived value: the triggers of questions/triggers/ (see its __init__.py).

Until now Python kept has_answer, theme_ids and the search vector (save() overrides, a signal, explicit
refreshes), and some write paths skipped them. The last operation puts right what they left wrong.
"""

from django.db import migrations, models

from questions import triggers

DROP = """
DROP TRIGGER IF EXISTS questions_question_derive ON questions_question;
DROP TRIGGER IF EXISTS questions_answer_inserted ON questions_answer;
DROP TRIGGER IF EXISTS questions_answer_updated ON questions_answer;
DROP TRIGGER IF EXISTS questions_answer_deleted ON questions_answer;
DROP TRIGGER IF EXISTS questions_answer_truncated ON questions_answer;
DROP TRIGGER IF EXISTS questions_theme_link_inserted ON questions_question_themes;
DROP TRIGGER IF EXISTS questions_theme_link_updated ON questions_question_themes;
DROP TRIGGER IF EXISTS questions_theme_link_deleted ON questions_question_themes;
DROP TRIGGER IF EXISTS questions_theme_links_truncated ON questions_question_themes;
DROP TRIGGER IF EXISTS questions_member_renamed ON questions_member;
DROP TRIGGER IF EXISTS questions_minister_renamed ON questions_minister;
DROP TRIGGER IF EXISTS questions_theme_renamed ON questions_theme;
DROP FUNCTION IF EXISTS questions_question_derive();
DROP FUNCTION IF EXISTS questions_question_vector(bigint, text, text, bigint, bigint);
DROP FUNCTION IF EXISTS questions_refresh_questions_of_rows();
DROP FUNCTION IF EXISTS questions_refresh_questions_after_truncate();
DROP FUNCTION IF EXISTS questions_member_renamed();
DROP FUNCTION IF EXISTS questions_minister_renamed();
DROP FUNCTION IF EXISTS questions_theme_renamed();
"""

# The questions whose stored values disagree with their sources derive them again (setting the vector to NULL
# asks the trigger for it); the facet counters follow through their own trigger.
REPAIR = """
UPDATE questions_question AS q SET search_vector = NULL
WHERE q.search_vector IS NULL
   OR q.has_answer IS DISTINCT FROM EXISTS (SELECT 1 FROM questions_answer AS a WHERE a.question_id = q.id)
   OR q.theme_ids IS DISTINCT FROM ARRAY(SELECT qt.theme_id FROM questions_question_themes AS qt
                                         WHERE qt.question_id = q.id ORDER BY qt.theme_id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("questions", "0009_search_vector_statistics"),
    ]

    operations = [
        migrations.AlterField(
            model_name="question",
            name="has_answer",
            field=models.BooleanField(default=False, editable=False, verbose_name="beantwoord"),
        ),
        # The files as they were then; words.sql needs the table that migration 0015 creates.
        migrations.RunSQL(
            triggers.install("question_derived.sql", "related_rows.sql", "name_changes.sql", "facet_counts.sql"), DROP
        ),
        migrations.RunSQL(REPAIR, migrations.RunSQL.noop),
    ]
