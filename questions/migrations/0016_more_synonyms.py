"""More abbreviations journalists meet in written questions (the list of migration 0014 missed them)."""

from django.db import migrations

from questions.names import name_key

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
    Synonym = apps.get_model("questions", "Synonym")
    for term, expansion in SYNONYMS:
        Synonym.objects.get_or_create(
            term_key=name_key(term), expansion_key=name_key(expansion),
            defaults={"term": term, "expansion": expansion},
        )


class Migration(migrations.Migration):
    dependencies = [("questions", "0015_vocabulary_and_compound_parts")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
