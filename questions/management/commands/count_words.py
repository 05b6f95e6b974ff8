from django.core.management.base import BaseCommand, CommandError

from questions.search import word_counts


class Command(BaseCommand):
    help = (
        "Fold the questions written since the last fold into the counts of the commonest words, as the worker "
        "does after every import and every night (questions/search/word_counts.py); with --rebuild, choose the "
        "words and count them afresh (minutes for a large archive; writers wait meanwhile)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="choose the counted words again and count them")
        parser.add_argument("--min-share", type=float, default=None,
                            help="with --rebuild: the least share of questions a counted word is in "
                                 "(default WORD_COUNTS_MIN_SHARE)")  # fmt: skip
        parser.add_argument("--min-questions", type=int, default=None,
                            help="with --rebuild: the least number of questions a counted word is in "
                                 "(default WORD_COUNTS_MIN_QUESTIONS)")  # fmt: skip

    def handle(self, *args, rebuild: bool, min_share: float | None, min_questions: int | None, **options) -> None:
        if min_share is not None and not 0 <= min_share <= 1:
            raise CommandError("--min-share is a share between 0 and 1")
        if min_questions is not None and min_questions < 1:
            raise CommandError("--min-questions is at least 1")
        if rebuild:
            counted = word_counts.build(min_share, min_questions)
            self.stdout.write(f"{counted} words counted")
        else:
            self.stdout.write(word_counts.refresh())
