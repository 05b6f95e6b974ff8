import argparse
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from questions.importing.load import Outcome
from questions.importing.runner import (
    STORING_CONNECTIONS,
    FileReport,
    expand_paths,
    import_answer_dates,
    import_documents,
    split_answer_dates,
)
from questions.tasks import queue_alerts, queue_phrase_pairs, queue_word_counts, worker_is_running


def _at_least_one(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if not 1 <= number <= 16:
        raise argparse.ArgumentTypeError(f"between 1 and 16, not {number}")
    return number


class Command(BaseCommand):
    help = (
        "Import written questions from files, folders (recursively: .txt and .pdf) or glob patterns: the "
        "scraper's seed layout, the text of a question's PDF, or the PDF itself. .csv and .json files among them "
        "give answer dates (nummer;zittingsjaar;antwoorddatum, or the parliament's open data), applied afterwards."
    )
    # Like Django's loaddata: a data command skips the project's system checks (0.06-0.12 s of every run, a
    # few per cent of a small import); `manage.py check`, migrate and the server run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--dry-run", action="store_true", help="parse and report, write nothing")
        parser.add_argument(
            "--overwrite-edits",
            action="store_true",
            help="replace editors' corrections when the source changed (default: keep them, report a conflict)",
        )
        parser.add_argument("--quiet-unchanged", action="store_true", help="do not list unchanged documents")
        parser.add_argument(
            "--connections",
            type=_at_least_one,
            default=STORING_CONNECTIONS,
            help=f"database connections that store a large import at once (default {STORING_CONNECTIONS}; about one "
            "per core of the database server)",
        )

    def handle(
        self, *args, paths: list[str], dry_run: bool, overwrite_edits: bool, connections: int, **options
    ) -> None:
        found, problems = expand_paths(paths)
        if not found and not problems:
            raise CommandError("no .txt or .pdf documents (nor .csv or .json answer dates) found in the given paths")
        documents, metadata = split_answer_dates(found)
        verbosity = options["verbosity"]
        show_progress = sys.stderr.isatty() and verbosity > 0 and len(documents) > 1
        progress = tqdm(total=len(documents), unit="doc", disable=not show_progress, file=sys.stderr)

        def on_report(report: FileReport) -> None:
            progress.update(1)
            quiet = report.outcome is Outcome.UNCHANGED and options["quiet_unchanged"]
            if verbosity > 0 and not quiet:
                progress.write(self._describe(report), file=self.stdout, end="")

        for problem in problems:
            self.stdout.write(self._describe(problem))
        summary = import_documents(
            documents, overwrite_edits=overwrite_edits, dry_run=dry_run, on_report=on_report, connections=connections
        )
        progress.close()
        if metadata and not dry_run:
            for report in import_answer_dates(metadata):
                summary.reports.append(report)
                if verbosity > 0:
                    self.stdout.write(self._describe(report))
        summary.reports[:0] = problems
        if summary.statistics_refreshed and verbosity > 0:
            self.stdout.write("refreshed the planner's statistics (this run changed a good share of the archive)")
        if not dry_run:
            queue_alerts()  # the worker mails what this import brought (questions/alerts/)
            queue_word_counts()  # and folds it into the counts of common words (questions/search/word_counts.py)
            queue_phrase_pairs()  # and computes its word pairs, for phrases (questions/search/phrase_pairs.py)
            if (summary.counts[Outcome.IMPORTED] or summary.counts[Outcome.UPDATED]) and not worker_is_running():
                # Searches stay exact without the worker, but a common word's are counted live, several times
                # slower (independent 100,000 corpus on the PostgreSQL 15 service: common words p95 133 ms
                # against 36 with the counts), and a phrase checks every question holding its words.
                self.stdout.write(self.style.WARNING(
                    "no background worker is running: the counts of the commonest words, the word pairs of phrases "
                    "and the alert mails wait until one starts (manage.py procrastinate worker); manage.py "
                    "count_words counts the words now, manage.py pair_words computes the pairs"
                ))  # fmt: skip
        prefix = "dry run (nothing written): " if dry_run else ""
        self.stdout.write(prefix + summary.line())
        if summary.failed:
            sys.exit(1)

    def _describe(self, report: FileReport) -> str:
        line = f"{report.outcome.value}: {report.name}"
        if report.detail:
            line += f": {report.detail}"
        for warning in report.warnings:
            line += f" (warning: {warning})"
        style = {
            Outcome.FAILED: self.style.ERROR,
            Outcome.CONFLICT: self.style.WARNING,
        }.get(report.outcome, lambda text: text)
        return style(line)
