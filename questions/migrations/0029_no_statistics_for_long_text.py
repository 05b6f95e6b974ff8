"""No planner statistics for the long texts that no search filters on: ANALYZE read and decompressed every
sampled row's question text, answer and import snapshot only to find them too wide to keep (2.3 of the 7.6 s
that ANALYZE of the questions table took at 110,000 questions on PostgreSQL 15). The importer gathers statistics
after a large run (questions/importing/maintenance.py), so this was time every such import waited."""

from django.db import migrations

COLUMNS = {
    "questions_question": ("title", "question_text", "import_snapshot", "pending_snapshot", "source_file",
                           "source_hash", "pending_hash", "pdf_url", "source_url", "minister_title"),
    "questions_answer": ("text", "minister_title"),
}


def statistics(target: int) -> str:
    return "\n".join(
        f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS {target};"
        for table, columns in COLUMNS.items() for column in columns
    )


class Migration(migrations.Migration):

    dependencies = [
        ('questions', '0028_plans_for_a_growing_archive'),
    ]

    operations = [
        migrations.RunSQL(statistics(0), statistics(-1)),
    ]
