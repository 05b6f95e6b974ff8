"""The text search configuration ``archive_dutch``: Dutch snowball stemming after unaccent.

``unaccent`` is a trusted extension (PostgreSQL 13+), so a database owner without superuser rights can create it.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'archive_dutch') THEN
        CREATE TEXT SEARCH CONFIGURATION archive_dutch (COPY = pg_catalog.dutch);
        ALTER TEXT SEARCH CONFIGURATION archive_dutch
            ALTER MAPPING FOR asciiword, word, hword, hword_part, asciihword, hword_asciipart
            WITH unaccent, dutch_stem;
    END IF;
END
$$;
"""

DROP = "DROP TEXT SEARCH CONFIGURATION IF EXISTS archive_dutch;"


class Migration(migrations.Migration):
    dependencies = [("questions", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
