"""Mail every alert that is due, now (the worker does it after each import and every hour; or run this from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from questions.alerts.sending import send_due


class Command(BaseCommand):
    help = "Send the email alerts that are due (after-import alerts, daily and weekly ones whose time has come)."

    def handle(self, *args, **options) -> None:
        report = send_due()
        self.stdout.write(report.line())
        for failure in report.failures:
            self.stderr.write(failure)
        if report.failures:
            raise CommandError(f"{len(report.failures)} alerts could not be sent (they are tried again next time)")
