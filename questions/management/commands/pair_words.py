from django.core.management.base import BaseCommand

from questions.search import phrase_pairs


class Command(BaseCommand):
    help = (
        "Compute the word pairs of the questions written since the last run, as the worker does after every import "
        "and every night: a phrase's candidates are the questions holding its pairs (questions/search/phrase_pairs.py)."
        " About 1.5 ms a question; writers of questions wait for one batch at most."
    )

    def handle(self, *args, **options) -> None:
        computed = phrase_pairs.refresh()
        left = phrase_pairs.unknown()
        self.stdout.write(f"word pairs computed for {computed} questions" + (f", {left} left (a writer held the "
                          "table: run again)" if left else ""))  # fmt: skip
