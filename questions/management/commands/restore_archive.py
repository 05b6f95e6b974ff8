from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from questions.backups import BackupError, restore


class Command(BaseCommand):
    help = "Replace the archive's database with a backup made by backup_archive (in one transaction)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask: everything in the database is replaced")

    def handle(self, *args, file: Path, yes: bool, **options) -> None:
        if not yes and input(f"Replace everything in the database with {file}? [y/N] ").strip().lower() != "y":
            raise CommandError("nothing restored")
        connection.close()
        try:
            restore(file)
        except BackupError as error:
            raise CommandError(f"restore failed, the database is as it was: {error}") from None
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # a restored database has no planner statistics
        self.stdout.write(f"restored {file}")
