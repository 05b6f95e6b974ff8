"""The 'editors' group: may view, add and change every record of the archive, and delete answers and aliases.

Permissions are created after migrations (post_migrate), so this runs create_permissions for the app first.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "editors"
MODELS = ["question", "answer", "minister", "member", "theme", "ministeralias", "memberalias", "themealias"]
DELETABLE = {"answer", "ministeralias", "memberalias", "themealias"}


def create_app_permissions(apps):
    """The app's permissions, now (later migrations that grant new ones use this too)."""
    # In a migration the app config is a stub without models_module, which create_permissions checks for.
    app_config = apps.get_app_config("questions")
    original = getattr(app_config, "models_module", None)
    app_config.models_module = original or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = original


def create_editors(apps, schema_editor):
    create_app_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model in MODELS for action in ("view", "add", "change")]
    codenames += [f"delete_{model}" for model in DELETABLE]
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.set(Permission.objects.filter(content_type__app_label="questions", codename__in=codenames))


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("questions", "0003_aliases_and_pending_imports"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
