"""A question knows which minister answered it when that is not the minister it was put to (answered_by_other,
kept by question_derived.sql). A search for a minister's name selects the questions put to or answered by them
from the question's own indexes: read from the answers, a minister's answers were found again one by one by
id (at a million documents, "Hilde Smets": 8,998 answers on 8,157 pages, then 8,998 primary-key probes, 80 of
a statement's 116 ms), though nearly all were put to that same minister. The questions whose answer came from
another minister are set here; the others keep NULL, which is what the trigger gives them."""

import django.db.models.deletion
from django.db import migrations, models

from questions import triggers

# Every question whose answering minister is another: the trigger (installed first) sets the column itself.
BACKFILL = """
UPDATE questions_question AS q SET answered_by_other_id = a.minister_id
FROM questions_answer AS a WHERE a.question_id = q.id AND a.minister_id <> q.minister_id
"""
# Going back, the trigger stops setting the column before it goes: its one assignment taken out.
FORGET = """
DO $$ BEGIN
    EXECUTE replace(pg_get_functiondef('questions_question_derive'::regproc),
                    'NEW.answered_by_other_id := nullif(answering_minister_id, NEW.minister_id);', '');
END $$
"""


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0045_search_vector_uncompressed"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="answered_by_other",
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, editable=False, null=True,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                    to="questions.minister",
                                    verbose_name="beantwoord door een andere minister"),  # fmt: skip
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(models.F("answered_by_other"), models.OrderBy(models.F("date_asked"), descending=True),
                               models.OrderBy(models.F("id"), descending=True),
                               condition=models.Q(("answered_by_other__isnull", False)),
                               name="question_answered_by_other"),  # fmt: skip
        ),
        migrations.RunSQL(triggers.install("question_derived.sql") + BACKFILL, FORGET),
    ]
