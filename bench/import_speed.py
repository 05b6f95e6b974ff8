#!/usr/bin/env python3
"""How fast does ``import_questions`` import documents in the seed layout?

Generates N documents (bench/seed_documents.py), then, in one process against an empty database:
  1. baseline: parsing alone (read + parse every file, no database);
  2. bulk import into the empty archive (the importer's own code path: import_documents);
  3. re-import of the same files (all unchanged);
and finally the command end to end in a subprocess (`manage.py import_questions`), start-up included.

Uses its own embedded PostgreSQL under var/bench (or DATABASE_URL with a database named by --database).
Usage: .venv/bin/python bench/import_speed.py [--documents 2000]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--keep-data", action="store_true", help="keep var/bench afterwards")
    parser.add_argument("--write-docs", action="store_true", help="put the table in docs/benchmarks.md")
    args = parser.parse_args()

    data_dir = ROOT / "var" / "bench"
    if "DATABASE_URL" not in os.environ:
        shutil.rmtree(data_dir, ignore_errors=True)
        os.environ["ARCHIVE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdef")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.seed_documents import write_documents
    from questions.importing.parse import parse_document
    from questions.importing.runner import expand_paths, import_documents
    from questions.models import Question

    call_command("migrate", verbosity=0)
    if Question.objects.exists():
        sys.exit("the benchmark database is not empty; unset DATABASE_URL or point it at an empty database")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        total_bytes = write_documents(args.documents, folder)
        documents, _ = expand_paths([str(folder)])
        n = len(documents)

        started = time.perf_counter()
        for document in documents:
            parse_document(document.read())
        parse_seconds = time.perf_counter() - started

        started = time.perf_counter()
        summary = import_documents(documents)
        import_seconds = time.perf_counter() - started
        assert summary.line() == f"imported {n}, updated 0, unchanged 0, conflict 0, failed 0", summary.line()

        started = time.perf_counter()
        summary = import_documents(documents)
        reimport_seconds = time.perf_counter() - started
        assert summary.line() == f"imported 0, updated 0, unchanged {n}, conflict 0, failed 0", summary.line()

        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE questions_question, questions_answer, questions_question_themes CASCADE")
        connection.close()
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "import_questions", "--quiet-unchanged", str(folder)],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        command_seconds = time.perf_counter() - started

    if "DATABASE_URL" not in os.environ and not args.keep_data:
        from archive.embedded_postgres import stop_server

        stop_server(data_dir / "postgres")
        shutil.rmtree(data_dir, ignore_errors=True)

    rows = [
        ("parse only (baseline, no database)", parse_seconds),
        ("bulk import into an empty archive", import_seconds),
        ("re-import, all unchanged", reimport_seconds),
        ("`manage.py import_questions` end to end", command_seconds),
    ]
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}. {n:,} documents, average {total_bytes / n / 1024:.1f} KiB.",
        "",
        "| step | seconds | documents/s | × parse-only |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [f"| {label} | {seconds:.2f} | {n / seconds:,.0f} | {seconds / parse_seconds:.1f} |" for label, seconds in
              rows]  # fmt: skip
    print("\n".join(lines))
    if args.write_docs:
        from bench.search_speed import write_docs

        write_docs("import", lines)


if __name__ == "__main__":
    main()
