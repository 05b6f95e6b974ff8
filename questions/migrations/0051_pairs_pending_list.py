"""The word pairs' GIN index keeps up to 64 MB of new keys in its pending list before merging them into the index
(questions/search/phrase_pairs.py): with PostgreSQL's 4 MB, each batch of the worker's was merged five times,
each merge touching most of the index. Set on the index in place: rebuilding it would take minutes on a large
archive."""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

# The model's PAIRS_PENDING_LIST_KB as it was when this migration was written: a migration does not change later.
PENDING_LIST_KB = 65_536


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0050_stop_word_pairs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"ALTER INDEX phrasepairs_pairs SET (gin_pending_list_limit = {PENDING_LIST_KB})",
                    "ALTER INDEX phrasepairs_pairs RESET (gin_pending_list_limit)",
                ),
            ],
            state_operations=[
                migrations.RemoveIndex(model_name="phrasepairs", name="phrasepairs_pairs"),
                migrations.AddIndex(
                    model_name="phrasepairs",
                    index=GinIndex(fields=["pairs"], name="phrasepairs_pairs",
                                   gin_pending_list_limit=PENDING_LIST_KB),
                ),
            ],
        ),
    ]
