import sys

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from tqdm import tqdm

from questions.importing import maintenance
from questions.search import vocabulary


class Command(BaseCommand):
    help = (
        "Learn the words of every question: the vocabulary behind compound parts and 'Bedoelde u …?'. The "
        "questions holding a compound that is new, or now split otherwise, get their search vectors derived "
        "again. Run it after upgrading to a version that splits words otherwise, or after text was written "
        "with raw SQL."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000, help="questions per transaction (default 1000)")

    def handle(self, *args, batch_size: int, **options) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM questions_question")
            total = cursor.fetchone()[0]
        show_progress = sys.stderr.isatty() and options["verbosity"] > 0
        progress = tqdm(total=total, unit="question", disable=not show_progress, file=sys.stderr)
        last_id, done, compounds = 0, 0, 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute("SELECT id FROM questions_question WHERE id > %s ORDER BY id LIMIT %s",
                               [last_id, batch_size])  # fmt: skip
                ids = [pk for (pk,) in cursor.fetchall()]
            if not ids:
                break
            with transaction.atomic():
                compounds += vocabulary.learn_questions(ids)
            last_id, done = ids[-1], done + len(ids)
            progress.update(len(ids))
        progress.close()
        maintenance.after_import(done)
        self.stdout.write(f"{done} questions read; {compounds} compounds learnt or split otherwise")
