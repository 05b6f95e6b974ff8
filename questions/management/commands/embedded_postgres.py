from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archive.embedded_postgres import server_status, stop_server


class Command(BaseCommand):
    help = "Show or stop the embedded PostgreSQL server used when DATABASE_URL is unset."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["status", "stop"])

    def handle(self, *args, action: str, **options) -> None:
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "archive.embedded_backend":
            raise CommandError("DATABASE_URL is set: this project is not using the embedded PostgreSQL")
        pgdata = Path(database["EMBEDDED_PGDATA"])
        if action == "stop":
            stopped = stop_server(pgdata)
            self.stdout.write("stopped" if stopped else "not running")
        else:
            server = server_status(pgdata)
            if server is None:
                self.stdout.write(f"not running (data in {pgdata})")
            else:
                self.stdout.write(f"running (pid {server.pid}, socket in {server.socket_dir}, data in {pgdata})")
