"""The search vector is stored out of line without compression (``STORAGE EXTERNAL``).

A phrase is checked, and a match ranked, on each candidate's whole vector, read from TOAST: that read is most
of a phrase search (docs/search-design.md). A vector hardly compresses (word positions): pglz gives up on it
(it stores values that shrink by less than a quarter as they are), and lz4, which migration 0023 chose where
the server has it, saves 6 % and costs the decompression at every read. Measured on copies of the 100,000
benchmark vectors on the PostgreSQL 15 service with its own settings (128 MB shared buffers): checking and
ranking the candidates of ten phrases (about 2,000 each), median 30-31 ms with lz4 against 25-26 stored
uncompressed, 889 MB against 837 (docs/benchmarks-history.md, session 40).

Vectors already stored keep their compression until their question is written again; the setting applies to
what is written from now on, on every server (it needs no lz4)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0044_snippet_places_once"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE questions_question ALTER COLUMN search_vector SET STORAGE EXTERNAL",
            "ALTER TABLE questions_question ALTER COLUMN search_vector SET STORAGE EXTENDED",
        ),
    ]
