import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from questions.backups import BackupError, back_up


class Command(BaseCommand):
    help = "Dump the archive's database (pg_dump, custom format) to a file; restore it with restore_archive."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", type=Path, help="the file to write (default: var/backups/archive-<time>.dump)")

    def handle(self, *args, output: Path | None, **options) -> None:
        target = output or Path(settings.DATA_DIR) / "backups" / time.strftime("archive-%Y%m%d-%H%M%S.dump")
        try:
            written = back_up(target)
        except BackupError as error:
            raise CommandError(f"backup failed: {error}") from None
        self.stdout.write(f"backup written to {written} ({written.stat().st_size / 2**20:,.1f} MiB)")
