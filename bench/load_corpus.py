#!/usr/bin/env python3
"""Build a benchmark archive of N generated documents: straight into the database (COPY), or through
``manage.py import_questions`` as users load it (--via-import).

Usage: .venv/bin/python bench/load_corpus.py --documents 100000 [--seed 2024] [--via-import]
Keeps the archive in var/bench-N (or in the database DATABASE_URL names); a second run with the same N, seed
and way of loading does nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402

BATCH = 5_000
# Off while copying: the copied rows carry has_answer and theme_ids, and the vectors are derived afterwards,
# in two threads (build()), rather than one row at a time in the COPY.
DERIVING_TRIGGERS = (
    ("questions_question", "questions_question_derive"),
    ("questions_answer", "questions_answer_inserted"),
    ("questions_question_themes", "questions_theme_link_inserted"),
)
VECTOR_CHUNK = 2_000


def other_archive(markers: set[str], marker: str) -> str | None:
    """Why not to build the archive ``marker`` names where another complete one is (a database DATABASE_URL
    names holds one archive: building replaces it), or None. A run that forgot ``--via-import`` replaced an
    archive that took a quarter of an hour to import."""
    others = sorted(m for m in markers if re.fullmatch(r"\d+:\d+(:import)?", m) and m != marker)
    if not others:
        return None
    described = ", ".join(_describe(other) for other in others)
    return (
        f"this database holds another benchmark archive ({described}); building {_describe(marker)} would "
        "replace it. Pass the options it was built with (--documents, --seed, --via-import), or "
        "bench/load_corpus.py --rebuild to replace it."
    )


def _describe(marker: str) -> str:
    count, seed, *how = marker.split(":")
    return f"{int(count):,} documents, seed {seed}, " + ("loaded with import_questions" if how else "loaded with COPY")


def build(count: int, seed: int, *, rebuild: bool = False, via_import: bool = False, log=print) -> dict:
    """Build the archive of ``count`` documents, unless it is there: with COPY (fast), or ``via_import`` with
    ``manage.py import_questions``, as a user loads it. The embedded benchmark servers are tuned
    (bench/environment.py); a server given by DATABASE_URL keeps its own settings. Then what the worker does
    after an import: the commonest words counted, or what was written since folded into their counts, and the
    word pairs of the questions written since computed."""
    result = _build(count, seed, rebuild=rebuild, via_import=via_import, log=log)
    from questions.search import word_counts

    started = time.perf_counter()
    done = word_counts.refresh()
    result["word_count_seconds"] = time.perf_counter() - started
    log(f"  {done} in {result['word_count_seconds']:.0f} s (the worker's job after an import)")
    from questions.search import phrase_pairs

    started = time.perf_counter()
    paired = phrase_pairs.refresh()
    result["phrase_pair_seconds"] = time.perf_counter() - started
    log(f"  word pairs computed for {paired} questions in {result['phrase_pair_seconds']:.0f} s (the worker's too)")
    return result


def _build(count: int, seed: int, *, rebuild: bool, via_import: bool, log) -> dict:
    from django.core.management import call_command
    from django.db import connection, connections

    from bench.corpus import Corpus

    call_command("migrate", verbosity=0)
    if environment.embedded() and environment.tune_server():
        environment.restart_embedded_server()
    marker = f"{count}:{seed}:import" if via_import else f"{count}:{seed}"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_corpus (marker text)")
        cursor.execute("SELECT marker FROM bench_corpus")
        markers = {row[0] for row in cursor.fetchall()}
    if marker in markers and not rebuild:
        log(f"archive of {count} documents (seed {seed}) already built")
        return {"built": False}
    refusal = other_archive(markers, marker)
    if refusal and not rebuild:
        raise SystemExit(refusal)

    if via_import:
        return _build_via_import(count, seed, marker, log)
    started = time.perf_counter()
    raw_bytes = None
    if f"copied {marker}" in markers and not rebuild:
        # An earlier build copied every document and was interrupted later: go on from the vectors.
        log(f"resuming the archive of {count} documents: computing the missing search vectors")
    else:
        raw_bytes = _copy_documents(Corpus(seed), count, log)
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_corpus VALUES (%s)", [f"copied {marker}"])
    learned = _learn_vocabulary(Corpus(seed))
    if learned and raw_bytes is None:
        # Resumed with a vocabulary learnt only now: the vectors derived before it lack their compounds' parts.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE questions_question SET search_vector = NULL WHERE search_vector IS NOT NULL")
    loaded = time.perf_counter() - started
    log(f"  copied {count} documents and learnt {learned:,} compounds in {loaded:.0f} s; computing search vectors")

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM questions_question WHERE search_vector IS NULL ORDER BY id")
        missing = [row[0] for row in cursor.fetchall()]
    chunks = [missing[start : start + VECTOR_CHUNK] for start in range(0, len(missing), VECTOR_CHUNK)]
    lock = threading.Lock()

    def worker() -> None:
        try:
            while True:
                with lock:
                    if not chunks:
                        return
                    ids = chunks.pop()
                with connection.cursor() as cursor:
                    # NULL asks the trigger to derive the vector (questions/triggers/question_derived.sql).
                    cursor.execute("UPDATE questions_question SET search_vector = NULL WHERE id = ANY(%s)", [ids])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    vectors = time.perf_counter() - started - loaded
    log(f"  search vectors in {vectors:.0f} s; building the GIN index")
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS question_search_vector")
        cursor.execute("CREATE INDEX question_search_vector ON questions_question USING gin (search_vector)")
        index_seconds = time.perf_counter() - started - loaded - vectors
        cursor.execute("VACUUM ANALYZE questions_question")
        cursor.execute("VACUUM ANALYZE questions_answer")
        cursor.execute("VACUUM ANALYZE questions_question_themes")
        cursor.execute("VACUUM ANALYZE questions_facetcount")
        cursor.execute("DELETE FROM bench_corpus")
        cursor.execute("INSERT INTO bench_corpus VALUES (%s)", [marker])
    total = time.perf_counter() - started
    log(f"  index in {index_seconds:.0f} s; built in {total:.0f} s")
    return {"built": True, "seconds": total, "copy_seconds": loaded, "vector_seconds": vectors,
            "index_seconds": index_seconds, "raw_bytes": raw_bytes}  # fmt: skip


def _learn_vocabulary(corpus) -> int:
    """Teach the vocabulary the corpus's words, as the importer would have learnt them document by document, so
    that the vectors derived next carry their compounds' parts as an imported archive's do. Before any vector is
    derived: a word learnt later would re-derive every vector holding it (questions/triggers/words.sql)."""
    from questions.search import vocabulary

    return vocabulary.learn_texts(corpus.vocabulary_texts())


def _build_via_import(count: int, seed: int, marker: str, log) -> dict:
    """Empty the archive, write the documents as seed files and import them with the command, timed."""
    import subprocess
    import tempfile

    from django.db import connection

    from bench.corpus import Corpus

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE questions_question, questions_answer, questions_question_themes, questions_minister, "
            "questions_member, questions_theme, questions_facetcount, questions_word, bench_corpus "
            "RESTART IDENTITY CASCADE"
        )
    connection.close()
    with tempfile.TemporaryDirectory(dir=environment.ROOT / "var") as tmp:
        folder = Path(tmp) / "documents"
        written = time.perf_counter()
        raw_bytes = Corpus(seed).write_seed_files(folder, count)
        log(f"  wrote {count} seed files ({raw_bytes / 2**20:,.0f} MiB) in {time.perf_counter() - written:.0f} s")
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "manage.py", "import_questions", "--quiet-unchanged", "--verbosity", "0", str(folder)],
            cwd=environment.ROOT, capture_output=True, text=True,
        )  # fmt: skip
        seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"import_questions failed: {result.stdout[-500:]} {result.stderr[-2000:]}")
    summary = result.stdout.strip().splitlines()[-1]
    log(f"  imported with import_questions in {seconds:.0f} s: {count / seconds:,.0f} documents/s ({summary})")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_corpus")
        cursor.execute("INSERT INTO bench_corpus VALUES (%s)", [marker])
        cursor.execute("INSERT INTO bench_corpus VALUES (%s)", [f"import-seconds {seconds:.1f}"])
    return {"built": True, "seconds": seconds, "raw_bytes": raw_bytes}


def import_seconds() -> float | None:
    """How long the archive's load through import_questions took, if it was loaded so."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT marker FROM bench_corpus WHERE marker LIKE 'import-seconds %'")
        row = cursor.fetchone()
    return float(row[0].split()[1]) if row else None


def _copy_documents(corpus, count: int, log) -> int:
    """Generate ``count`` documents and COPY them, their answers and themes in; returns the raw text's bytes."""
    from django.db import connection
    from django.utils import timezone
    from django.utils.text import slugify

    from bench.corpus import THEMES, content_hash
    from questions.names import name_key

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE questions_question, questions_answer, questions_question_themes, questions_minister, "
            "questions_member, questions_theme, bench_corpus RESTART IDENTITY CASCADE"
        )
        cursor.execute("DROP INDEX IF EXISTS question_search_vector")
        for table, names in (("questions_theme", THEMES), ("questions_member", corpus.members),
                             ("questions_minister", [m[0] for m in corpus.ministers])):  # fmt: skip
            with cursor.copy(f"COPY {table} (id, name, key, slug) FROM STDIN") as copy:
                for index, name in enumerate(names, start=1):
                    copy.write_row((index, name, name_key(name), f"{slugify(name)}-{index}"))
    now = timezone.now()
    raw_bytes = 0
    with connection.cursor() as cursor:
        for table, trigger in DERIVING_TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        with (
            cursor.copy(
                "COPY questions_question (id, source_id, number, session, date_asked, title, question_text, "
                "member_id, minister_id, minister_title, pdf_url, source_url, has_answer, source_file, source_hash, "
                "first_imported_at, last_imported_at, edited_since_import, pending_hash, theme_ids) FROM STDIN"
            ) as questions,
        ):
            answers_rows, theme_rows = [], []
            for document in corpus.documents(count):
                minister_name, portfolio, _ = corpus.ministers[document.minister]
                raw_bytes += len(document.title) + len(document.question_text) + len(document.answer_text or "")
                questions.write_row((
                    document.id, str(document.id), document.number, document.session, document.date_asked,
                    document.title, document.question_text, document.member + 1, document.minister + 1, portfolio,
                    f"https://docs.vlaamsparlement.be/pfile?id={document.id}",
                    f"https://www.vlaamsparlement.be/parlementaire-documenten/schriftelijke-vragen/{document.id}",
                    document.answer_text is not None, "bench", content_hash(document), now, now, False, "",
                    sorted({theme + 1 for theme in document.themes}),
                ))  # fmt: skip
                if document.answer_text is not None:
                    answers_rows.append((document.id, document.answer_text, portfolio, now, document.minister + 1,
                                         document.id))  # fmt: skip
                theme_rows.extend((document.id, theme + 1) for theme in document.themes)
                if document.id % 50_000 == 0:
                    log(f"  generated {document.id} documents ({time.perf_counter() - started:.0f} s)")
        with cursor.copy(
            "COPY questions_answer (id, text, minister_title, recorded_at, minister_id, question_id) FROM STDIN"
        ) as copy:
            for row in answers_rows:
                copy.write_row(row)
        with cursor.copy("COPY questions_question_themes (question_id, theme_id) FROM STDIN") as copy:
            for row in theme_rows:
                copy.write_row(row)
        for table, trigger in DERIVING_TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        for table in ("questions_question", "questions_answer", "questions_question_themes", "questions_minister",
                      "questions_member", "questions_theme"):  # fmt: skip
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    return raw_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--rebuild", action="store_true", help="build again even if this archive exists")
    parser.add_argument("--via-import", action="store_true", help="load with manage.py import_questions")
    args = parser.parse_args()
    environment.setup(args.documents)
    build(args.documents, args.seed, rebuild=args.rebuild, via_import=args.via_import)


if __name__ == "__main__":
    main()
