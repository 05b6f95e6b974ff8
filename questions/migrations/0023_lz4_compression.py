"""The long columns compressed with LZ4 where the server offers it (PostgreSQL 14+ built with lz4, as Debian's
and the Docker images are; the embedded server is not, and keeps pglz).

LZ4 writes these values about twice as fast as PostgreSQL's own pglz and reads them back faster, at about
the same size: measured on the 100,000-document benchmark archive (PostgreSQL 15), copying the question texts
took 3.4 s instead of 6.3 (214 MB against 231), the search vectors 12.4 s instead of 22.9, and a COPY of the
texts out 2.0 s instead of 2.5 (docs/benchmarks.md). Values already stored keep their compression until
they are written again; backups are dumped without the setting (questions/backups.py), so they restore on a
server without lz4 too.
"""

from django.db import migrations

COLUMNS = {
    "questions_question": ("question_text", "import_snapshot", "pending_snapshot", "search_vector", "name_vector"),
    "questions_answer": ("text",),
}


def _statements(method: str) -> str:
    return "\n".join(
        f"ALTER TABLE {table} " + ", ".join(f"ALTER COLUMN {column} SET COMPRESSION {method}" for column in columns) + ";"
        for table, columns in COLUMNS.items()
    )


FORWARD = f"""
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)) THEN
        {_statements("lz4")}
    END IF;
END $$;
"""
BACKWARD = _statements("default")


class Migration(migrations.Migration):
    dependencies = [("questions", "0022_dated_answers_index")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
