"""More abbreviations journalists meet in written questions (the list of migration 0014 missed them)."""

from importlib import import_module

from django.db import migrations

SYNONYMS = [
    ("AVG", "Algemene Verordening Gegevensbescherming"),
    ("GDPR", "Algemene Verordening Gegevensbescherming"),
    ("WEF", "World Economic Forum"),
    ("VMRI", "Vlaams Mensenrechteninstituut"),
    ("VUB", "Vrije Universiteit Brussel"),
    ("KU Leuven", "Katholieke Universiteit Leuven"),
    ("UGent", "Universiteit Gent"),
    ("UZ", "Universitair Ziekenhuis"),
    ("LOI", "lokaal opvanginitiatief"),
]


def seed(apps, schema_editor):
    import_module("questions.migrations.0014_seed_synonyms").add_synonyms(apps, SYNONYMS)


class Migration(migrations.Migration):
    dependencies = [("questions", "0015_vocabulary_and_compound_parts")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
