#!/usr/bin/env python3
"""Import into a full archive, and what the archive costs on disk.

Usage: .venv/bin/python bench/full_archive.py --documents 100000 [--via-import] [--new 2000] [--runs 1] [--write-docs]

On the benchmark archive of N documents (bench/load_corpus.py): prints the database size (table, TOAST,
indexes; questions and answers) against the raw text size, then imports --new generated documents in the seed
layout with `manage.py import_questions`, end to end, and removes them again (with a vacuum) so the archive stays at N
(--runs times; the archive is the one bench/load_corpus.py built with the same --documents and --via-import).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402

SIZE_SQL = """
SELECT c.relname,
       pg_relation_size(c.oid),
       coalesce(pg_total_relation_size(c.reltoastrelid), 0),
       pg_indexes_size(c.oid)
FROM pg_class c
WHERE c.relname IN ('questions_question', 'questions_answer', 'questions_question_themes', 'questions_facetcount')
ORDER BY c.relname
"""


def sizes() -> tuple[list[tuple], int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(SIZE_SQL)
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT (SELECT sum(octet_length(title) + octet_length(question_text)) FROM questions_question)"
            " + (SELECT coalesce(sum(octet_length(text)), 0) FROM questions_answer)"
        )
        raw = int(cursor.fetchone()[0] or 0)
    return rows, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=1, help="import the new documents this many times")
    parser.add_argument("--via-import", action="store_true", help="the archive was loaded with import_questions")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    environment.setup(args.documents)
    from django.db import connection

    from bench.corpus import Corpus
    from bench.load_corpus import build
    from questions.models import Question
    from questions.search import word_counts

    build(args.documents, 2024, via_import=args.via_import)
    rows, raw = sizes()
    mib = 2**20
    lines = [
        f"### Archive of {args.documents:,} documents",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}.",
        "",
        "| table | heap MiB | TOAST MiB | indexes MiB | total MiB |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    total = 0
    for name, heap, toast, indexes in rows:
        total += heap + toast + indexes
        lines.append(f"| {name} | {heap / mib:,.0f} | {toast / mib:,.0f} | {indexes / mib:,.0f} | "
                     f"{(heap + toast + indexes) / mib:,.0f} |")  # fmt: skip
    lines += ["", f"Raw text (titles, questions, answers): {raw / mib:,.0f} MiB; database {total / mib:,.0f} MiB, "
              f"{total / max(raw, 1):.2f}× the raw text.", ""]  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "new"
        Corpus().write_seed_files(folder, args.new, start=args.documents + 1)
        for run in range(args.runs):
            connection.close()
            started = time.perf_counter()
            result = subprocess.run([sys.executable, "manage.py", "import_questions", "--quiet-unchanged", str(folder)],
                                    cwd=environment.ROOT, capture_output=True, text=True)  # fmt: skip
            seconds = time.perf_counter() - started
            summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-300:]
            Question.objects.filter(
                source_id__in=[str(i) for i in range(args.documents + 1, args.documents + args.new + 1)]
            ).delete()
            # A vacuum, as the archive was before: the deletion leaves about three dead row versions a question
            # (its answer and theme links go first, and their triggers rewrite it), and a server without
            # autovacuum keeps them, so the next run's imports and the searches that follow read a bloated table.
            # The worker's fold after an import lists nothing of them any more (word_counts.py).
            word_counts.fold()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            lines += [f"Incremental import of {args.new:,} new documents into the full archive with `manage.py "
                      f"import_questions` (start-up included){f', run {run + 1}' if args.runs > 1 else ''}: "
                      f"{seconds:.1f} s, {args.new / seconds:,.0f} documents/s ({summary}).", ""]  # fmt: skip
            print(lines[-2], flush=True)
    print("\n".join(lines))
    if args.write_docs:
        from bench.search_speed import write_docs

        write_docs(f"archive-{args.documents}", lines)


if __name__ == "__main__":
    main()
