"""``import_questions`` against the real database: idempotence, updates, conflicts, bad files, exit codes."""

import shutil

import pytest
from django.db import connection

from questions.importing.runner import Document, import_documents
from questions.models import Answer, Member, Minister, Question, Theme
from tests.conftest import OTHER_PARLIAMENTS, SEED_DOCUMENT, SV235_EXTRACTIONS
from tests.helpers import run_import, summary_line

pytestmark = pytest.mark.django_db


def test_it_imports_the_seed_document_with_every_field():
    status, output = run_import(SEED_DOCUMENT)

    assert status == 0
    assert summary_line(output) == "imported 1, updated 0, unchanged 0, conflict 0, failed 0"
    question = Question.objects.get()
    assert (question.number, question.session, question.source_id) == (292, "2023-2024", "1806581")
    assert question.member.name == "Karl Vanlouwe"
    assert question.minister.name == "Jo Brouns"
    assert sorted(question.themes.values_list("name", flat=True)) == [
        "Staatshervorming en Verhoudingen binnen de Belgische federale staat",
        "Werk",
    ]
    assert question.has_answer
    assert question.answer.minister == question.minister
    assert question.first_imported_at and question.last_imported_at
    assert question.source_file.endswith("000_3766b604c4d8bdfa.txt")
    assert len(question.source_hash) == 64


def test_importing_the_same_file_again_changes_nothing():
    run_import(SEED_DOCUMENT)
    before = Question.objects.values().get()

    status, output = run_import(SEED_DOCUMENT)

    assert status == 0
    assert summary_line(output) == "imported 0, updated 0, unchanged 1, conflict 0, failed 0"
    assert Question.objects.values().get() == before
    assert (Member.objects.count(), Minister.objects.count(), Theme.objects.count(), Answer.objects.count()) == (
        1, 1, 2, 1,
    )  # fmt: skip


def test_a_changed_source_updates_the_record_without_a_duplicate(tmp_path):
    run_import(SEED_DOCUMENT)
    answer_recorded_at = Answer.objects.get().recorded_at
    changed = tmp_path / "changed.txt"
    changed.write_text(SEED_DOCUMENT.read_text().replace("Werk\npdf link", "Werk\nEconomie\npdf link"))

    status, output = run_import(changed)

    assert status == 0
    assert summary_line(output) == "imported 0, updated 1, unchanged 0, conflict 0, failed 0"
    question = Question.objects.get()
    assert sorted(question.themes.values_list("name", flat=True))[0] == "Economie"
    assert Answer.objects.get().recorded_at == answer_recorded_at


def test_one_question_in_four_extractions_is_one_record():
    status, output = run_import(*SV235_EXTRACTIONS.values())

    assert status == 0
    assert Question.objects.count() == 1
    assert "failed 0" in summary_line(output)


def test_a_header_less_text_keeps_the_themes_and_links_of_an_earlier_import(tmp_path):
    run_import(SEED_DOCUMENT)
    body_only = tmp_path / "body.txt"
    text = SEED_DOCUMENT.read_text()
    body_only.write_text(text[text.index("SCHRIFTELIJKE VRAAG") :].replace("Daar wil ik", "Zo wil ik"))

    status, output = run_import(body_only)

    assert status == 0
    assert "updated 1" in summary_line(output)
    question = Question.objects.get()
    assert question.source_id == "1806581"
    assert question.themes.count() == 2
    assert question.pdf_url.startswith("https://docs.vlaamsparlement.be/")
    assert "Zo wil ik met het samenwerkingsakkoord" in question.answer.text


def test_an_editors_correction_survives_a_reimport_of_the_same_source():
    run_import(SEED_DOCUMENT)
    question = Question.objects.get()
    question.title = "Gecorrigeerde titel"
    question.mark_edited()
    question.save()

    status, output = run_import(SEED_DOCUMENT)

    assert status == 0
    assert "unchanged 1" in summary_line(output)
    assert Question.objects.get().title == "Gecorrigeerde titel"


def test_a_changed_source_reports_a_conflict_and_keeps_the_correction(tmp_path):
    run_import(SEED_DOCUMENT)
    question = Question.objects.get()
    question.title = "Gecorrigeerde titel"
    question.mark_edited()
    question.save()
    changed = tmp_path / "changed.txt"
    changed.write_text(SEED_DOCUMENT.read_text().replace("Daar wil ik", "Zo wil ik"))

    status, output = run_import(changed)

    assert status == 0
    assert summary_line(output) == "imported 0, updated 0, unchanged 0, conflict 1, failed 0"
    assert f"conflict: {changed}: the source changed, but an editor corrected this question" in output
    question = Question.objects.get()
    assert question.title == "Gecorrigeerde titel"
    assert "Daar wil ik" in question.answer.text

    status, output = run_import(changed, overwrite_edits=True)

    assert "updated 1" in summary_line(output)
    question = Question.objects.get()
    assert question.title.startswith("Werkgroep Institutionele Zaken")
    assert "Zo wil ik met het samenwerkingsakkoord" in question.answer.text
    assert not question.edited_since_import


def test_bad_files_are_reported_by_name_and_the_good_ones_still_import(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(SEED_DOCUMENT, folder / "good.txt")
    shutil.copy(SV235_EXTRACTIONS["pdf"], folder / "good.pdf")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "truncated.txt").write_text(SEED_DOCUMENT.read_text()[:400])
    (folder / "broken.pdf").write_bytes(SV235_EXTRACTIONS["pdf"].read_bytes()[:2000])
    for path in OTHER_PARLIAMENTS.iterdir():
        shutil.copy(path, folder / path.name)
    (folder / "notes.md").write_text("not a document type the importer reads from folders")

    status, output = run_import(folder, tmp_path / "missing.txt")

    assert status == 1
    failures = len(list(OTHER_PARLIAMENTS.iterdir())) + 4
    assert summary_line(output) == f"imported 2, updated 0, unchanged 0, conflict 0, failed {failures}"
    assert f"failed: {folder / 'empty.txt'}: the file is empty" in output
    assert f"failed: {folder / 'truncated.txt'}: " in output
    assert f"failed: {folder / 'broken.pdf'}: unreadable PDF" in output
    assert f"failed: {tmp_path / 'missing.txt'}: no such file or folder" in output
    assert "notes.md" not in output
    assert Question.objects.count() == 2


def test_globs_select_files(tmp_path):
    status, output = run_import(str(SEED_DOCUMENT.parent / "000_*.txt"))

    assert status == 0
    assert Question.objects.count() == 1
    status, output = run_import(str(tmp_path / "*.txt"))
    assert status == 1
    assert "no file matches this pattern" in output


def test_a_dry_run_reports_without_writing():
    status, output = run_import(SEED_DOCUMENT, dry_run=True)

    assert status == 0
    assert summary_line(output) == "dry run (nothing written): imported 1, updated 0, unchanged 0, conflict 0, failed 0"
    assert Question.objects.count() == 0
    assert Member.objects.count() == 0


def test_an_unreadable_file_is_reported_and_the_rest_imports():
    def unreadable() -> bytes:
        raise PermissionError(13, "Permission denied")

    summary = import_documents([Document("locked.txt", unreadable), Document("seed.txt", SEED_DOCUMENT.read_bytes)])

    assert [(r.name, r.outcome.value) for r in summary.reports] == [("locked.txt", "failed"), ("seed.txt", "imported")]
    assert "Permission denied" in summary.reports[0].detail


def test_a_document_that_fails_in_the_database_leaves_nothing_behind():
    run_import(SEED_DOCUMENT)
    clash = SEED_DOCUMENT.read_text().replace("schriftelijke-vragen/1806581", "schriftelijke-vragen/999")
    clash = clash.replace("KARL VANLOUWE", "NIEUW LID")

    summary = import_documents([Document("clash.txt", clash.encode)], batch_size=10)

    assert summary.reports[0].outcome.value == "failed"
    assert "already in the archive as source document 1806581" in summary.reports[0].detail
    assert not Member.objects.filter(name="Nieuw Lid").exists()
    assert Question.objects.count() == 1


def test_imports_in_several_batches_keep_every_document(tmp_path):
    text = SEED_DOCUMENT.read_text()
    documents = []
    for number in range(1, 8):
        variant = text.replace("nr. 292", f"nr. {number}").replace("op vraag nr. 292", f"op vraag nr. {number}")
        variant = variant.replace("/1806581", f"/{number}")
        documents.append(Document(f"doc{number}.txt", variant.encode))
    documents.insert(3, Document("bad.txt", lambda: b"nonsense"))

    summary = import_documents(documents, batch_size=3)

    assert summary.line() == "imported 7, updated 0, unchanged 0, conflict 0, failed 1"
    assert Question.objects.count() == 7
    assert Member.objects.count() == 1
    assert not Question.objects.filter(search_vector__isnull=True).exists()


def test_a_document_the_database_refuses_fails_alone_in_its_batch():
    text = SEED_DOCUMENT.read_text()
    good = [
        Document(f"doc{n}.txt", text.replace("/1806581", f"/{n}").replace("nr. 292", f"nr. {n}").encode) for n in (1, 2)
    ]
    too_long_link = "https://docs.vlaamsparlement.be/pfile?id=" + "9" * 600
    bad = Document("bad.txt", text.replace("https://docs.vlaamsparlement.be/pfile?id=2051090", too_long_link).encode)

    summary = import_documents([good[0], bad, good[1]], batch_size=10)

    assert [(r.name, r.outcome.value) for r in summary.reports] == [
        ("doc1.txt", "imported"),
        ("bad.txt", "failed"),
        ("doc2.txt", "imported"),
    ]
    assert "too long" in summary.reports[1].detail
    assert sorted(Question.objects.values_list("number", flat=True)) == [1, 2]
    assert Member.objects.count() == 1


def test_a_large_import_leaves_statistics_the_planner_can_trust(tmp_path):
    """After an import the planner knows how common a word is, without waiting for autovacuum."""
    from django.db import connection

    from questions.search.text import SEARCH_CONFIG

    text = SEED_DOCUMENT.read_text()
    for number in range(1, 301):
        extra = " Over de fietsostrade." if number % 3 == 0 else ""  # in a third of the questions
        (tmp_path / f"doc{number}.txt").write_text(
            text.replace("nr. 292", f"nr. {number}").replace("/1806581", f"/{number}")
            .replace("Daar wil ik", extra + " Daar wil ik", 1)
        )  # fmt: skip

    status, output = run_import(tmp_path)

    assert "imported 300" in summary_line(output)
    assert "refreshed the planner's statistics" in output
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT id FROM questions_question"
            " WHERE search_vector @@ to_tsquery(%s, 'fietsostrad')",
            [SEARCH_CONFIG],
        )
        estimate = cursor.fetchone()[0][0]["Plan"]["Plan Rows"]
    assert 50 <= estimate <= 200  # 100 questions hold the word


def test_an_import_leaves_no_pending_entries_in_any_gin_index(tmp_path):
    """Every search reads a GIN index's pending list in full until it is merged, and without autovacuum nothing
    else merges it: after an import, every GIN index of the archive has an empty list (merging it again merges
    no page)."""
    from django.db import connection

    from questions.importing.maintenance import gin_indexes

    write_documents(tmp_path, 40)

    status, output = run_import(tmp_path)

    assert "imported 40" in summary_line(output)
    indexes = gin_indexes()
    assert {"question_search_vector", "question_title_vector", "question_name_vector", "question_theme_ids",
            "word_trigrams"} <= set(indexes)  # fmt: skip
    with connection.cursor() as cursor:
        for index in indexes:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
            assert cursor.fetchone()[0] == 0, index


def write_documents(folder, count: int) -> None:
    text = SEED_DOCUMENT.read_text()
    for number in range(1, count + 1):
        (folder / f"doc{number}.txt").write_text(
            text.replace("nr. 292", f"nr. {number}").replace("/1806581", f"/{number}")
            .replace("Daar wil ik", f" Minister Vandeurzen{number} en Peeters{number}. Daar wil ik", 1)
        )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_an_import_outside_a_transaction_merges_and_gathers_statistics_on_two_connections(tmp_path):
    """Outside a caller's transaction the merges, ANALYZEs and the VACUUM run on two connections at once
    (maintenance.py): each must still be done, on the committed rows, when the command returns."""
    from django.db import connection

    from questions.importing.maintenance import TABLES, gin_indexes

    with connection.cursor() as cursor:
        # Earlier tests' deleted rows leave dead line pointers, which a vacuum without the indexes' clean-up
        # keeps (and their pages out of the visibility map): a full vacuum first, as on a fresh archive.
        cursor.execute("VACUUM questions_question")
    write_documents(tmp_path, 40)

    status, output = run_import(tmp_path)

    assert "imported 40" in summary_line(output)
    assert "refreshed the planner's statistics" in output
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)", [list(TABLES)])
        rows_known = dict(cursor.fetchall())
        assert rows_known["questions_question"] == 40  # analysed after the commit, by either connection
        assert all(rows > 0 for rows in rows_known.values()), rows_known
        # Vacuumed too: the visibility map lets index-only reads skip the heap (a minister's figures).
        cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'questions_question'")
        pages, all_visible = cursor.fetchone()
        assert pages > 0 and all_visible == pages
        for index in gin_indexes():
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
            assert cursor.fetchone()[0] == 0, index


@pytest.mark.parametrize(
    "changed, known, expected",
    [(0, -1, False), (1, -1, True), (10_000, 10_000_000, True), (9_999, 1_000_000, False), (100, 1_000, True),
     (99, 1_000, False)],
)  # fmt: skip
def test_statistics_are_gathered_after_a_tenth_of_the_archive_or_ten_thousand_questions(changed, known, expected):
    from questions.importing.maintenance import needs_analyze

    assert needs_analyze(changed, known) is expected


@pytest.mark.parametrize(
    "changed, modified, known, expected",
    [(10_000, 10_000, -1, True), (10_000, 10_000, 1_000_000, False), (10_000, 250_000, 1_000_000, True),
     (10_000, 249_000, 1_000_000, False), (250_000, 0, 1_000_000, True), (25_000, 0, 100_000, True),
     (10_000, 10_000, 100_000, False)],
)  # fmt: skip
def test_word_statistics_are_gathered_after_a_quarter_of_the_archive_is_written(changed, modified, known, expected):
    from questions.importing.maintenance import words_statistics_stale

    assert words_statistics_stale(changed, modified, known) is expected


def common_words_known_to_planner() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT most_common_elems::text::text[] FROM pg_stats"
                       " WHERE tablename = 'questions_question' AND attname = 'search_vector'")  # fmt: skip
        row = cursor.fetchone()
    return set(row[0]) if row and row[0] else set()


def test_a_small_share_of_a_large_archive_keeps_the_word_statistics_and_refreshes_the_rest(tmp_path):
    """10,000 questions into a million: the table's size and the other columns' statistics are gathered again,
    the search vector's word statistics (a minute's work at that size) only once a quarter of the archive has
    been written since they were gathered."""
    from django.db import connection

    from questions.importing.maintenance import after_import

    write_documents(tmp_path, 20)
    assert run_import(tmp_path)[0] == 0  # into an empty archive: every statistic gathered
    Question.objects.update(title="Wegenwerken aan de zwaluwstraat")  # a word the statistics do not know yet
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pg_class SET reltuples = 1000000 WHERE relname = 'questions_question'")

    assert after_import(10_000) is True

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'questions_question'")
        assert cursor.fetchone()[0] == 20  # the size gathered again
    assert "zwaluwstrat" not in common_words_known_to_planner()

    with connection.cursor() as cursor:
        cursor.execute("UPDATE pg_class SET reltuples = 1000000 WHERE relname = 'questions_question'")
    assert after_import(250_000) is True  # a quarter of the archive: the words' statistics as well

    assert "zwaluwstrat" in common_words_known_to_planner()


def test_the_parser_worker_exits_when_the_importer_is_killed(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    import psutil

    script = (
        "import django, time\n"
        "django.setup()\n"
        "from questions.importing.runner import Document, _Parser\n"
        "parser = _Parser(parallel=True)\n"
        f"parser.submit([Document('seed.txt', lambda: {SEED_DOCUMENT.read_bytes()!r})])()\n"
        "print('parsing', flush=True)\n"
        "time.sleep(120)\n"
    )
    importer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "DJANGO_SETTINGS_MODULE": "archive.settings"})  # fmt: skip
    try:
        assert importer.stdout is not None and importer.stdout.readline().strip() == "parsing"
        children = psutil.Process(importer.pid).children(recursive=True)
        assert children  # the parser worker (and multiprocessing's resource tracker)

        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=10)

        gone, alive = psutil.wait_procs(children, timeout=10)
        assert alive == [], [child.cmdline() for child in alive]
    finally:
        if importer.poll() is None:
            importer.kill()


def _numbered_variants(count: int, *, member: str = "KARL VANLOUWE") -> list[Document]:
    text = SEED_DOCUMENT.read_text().replace("KARL VANLOUWE", member)
    return [
        Document(f"doc{number}.txt", text.replace("nr. 292", f"nr. {number}").replace("/1806581", f"/{number}").encode)
        for number in range(1, count + 1)
    ]


def test_the_first_batch_is_parsed_while_the_worker_starts_and_each_word_is_reported_once():
    """A large import parses its first batch itself while the parser worker starts, and tells the worker that
    batch's words: a later batch reports only the words new to the run, whichever process parsed before."""
    from questions.importing.runner import _Parser

    first, second = _numbered_variants(2)
    text = SEED_DOCUMENT.read_text().replace("nr. 292", "nr. 3").replace("/1806581", "/3")
    later = Document("later.txt", text.replace("Daar wil ik", "Daar wil ik de zeeleeuwenkolonie", 1).encode)
    parser = _Parser(parallel=True)
    try:
        parsed, words = parser.submit([first, second])()
        parsed_later, words_later = parser.submit([later])()
    finally:
        parser.close()

    assert [outcome.number for _document, outcome in parsed] == [1, 2]
    assert "arbeidsmarktbeleid" in words
    assert words_later == {"zeeleeuwenkolonie"}
    assert [outcome.number for _document, outcome in parsed_later] == [3]


@pytest.mark.django_db(transaction=True)
def test_a_large_import_stores_on_two_connections_and_reports_in_input_order():
    """Batches stored at once by two threads: a member new to the archive in every batch is created once, a
    document repeated in a later batch is found (not refused as a duplicate), and the reports keep the input's
    order whichever thread finished first."""
    from tests.test_derived_values import assert_derived_values_exact

    documents = _numbered_variants(9, member="NIEUW LID")
    documents.insert(6, Document("again.txt", documents[1].read))  # doc2 again, two batches later
    documents.insert(4, Document("bad.txt", lambda: b"nonsense"))

    summary = import_documents(documents, batch_size=2)

    assert summary.storing_connections == 2
    assert [report.name for report in summary.reports] == [document.name for document in documents]
    outcomes = {report.name: report.outcome.value for report in summary.reports}
    assert outcomes["again.txt"] == "unchanged" and outcomes["bad.txt"] == "failed"
    assert summary.line() == "imported 9, updated 0, unchanged 1, conflict 0, failed 1"
    assert Member.objects.filter(name="Nieuw Lid").count() == 1
    assert sorted(Question.objects.values_list("number", flat=True)) == list(range(1, 10))
    assert_derived_values_exact()


@pytest.mark.django_db(transaction=True)
def test_names_created_ahead_of_their_batch_are_only_those_of_new_documents():
    """Two storing threads create a batch's new members before its transaction (so that neither waits for the
    other's): only for documents new to the archive. One refused as another source's question leaves no member."""
    documents = _numbered_variants(9, member="NIEUW LID")
    import_documents(documents[:1])
    clash = SEED_DOCUMENT.read_text().replace("KARL VANLOUWE", "ANDER LID").replace("nr. 292", "nr. 1")
    refused = Document("clash.txt", clash.replace("/1806581", "/999").encode)

    summary = import_documents([*documents[1:5], refused, *documents[5:]], batch_size=2)

    assert summary.storing_connections == 2
    outcomes = {report.name: report.outcome.value for report in summary.reports}
    assert outcomes["clash.txt"] == "failed" and "already in the archive" in summary.reports[4].detail
    assert summary.line() == "imported 8, updated 0, unchanged 0, conflict 0, failed 1"
    assert not Member.objects.filter(name="Ander Lid").exists()
    assert Member.objects.filter(name="Nieuw Lid").count() == 1


def test_an_import_inside_a_transaction_stores_in_it_on_one_connection_and_resets_its_settings():
    """A caller that holds a transaction gets every batch stored in it (threads could not see it), and its
    connection's settings back as they were after the import's larger GIN pending list."""
    from django.db import connection

    def settings() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_bytes(current_setting('gin_pending_list_limit')),"
                           " pg_size_bytes(current_setting('work_mem'))")  # fmt: skip
            return cursor.fetchone()

    before = settings()
    seen_while_storing = []

    summary = import_documents(
        _numbered_variants(7), batch_size=2, on_report=lambda report: seen_while_storing.append(settings())
    )

    assert summary.storing_connections == 1
    assert summary.line() == "imported 7, updated 0, unchanged 0, conflict 0, failed 0"
    assert min(seen_while_storing[0]) >= 32 * 2**20
    assert seen_while_storing[0] != before
    assert settings() == before


def test_new_names_whose_addresses_clash_each_get_their_own():
    """Two new members whose names make the same address (slug) are two members with two addresses."""
    documents = _numbered_variants(1, member="JAN.PEETERS") + [
        Document("other.txt", _numbered_variants(2, member="JANPEETERS")[1].read)
    ]

    summary = import_documents(documents, batch_size=10)

    assert summary.line() == "imported 2, updated 0, unchanged 0, conflict 0, failed 0"
    assert sorted(Member.objects.values_list("slug", flat=True)) == ["janpeeters", "janpeeters-2"]


@pytest.mark.django_db(transaction=True)
def test_the_early_merge_empties_every_gin_pending_list_from_a_connection_of_its_own(tmp_path):
    """An import stores its last batch while another connection merges the GIN pending lists (maintenance.py):
    what the other connections committed is merged once it is done."""
    from django.db import connection

    from questions.importing.maintenance import EarlyMerge, gin_indexes

    write_documents(tmp_path, 40)
    status, output = run_import(tmp_path)
    assert "imported 40" in summary_line(output)

    def rewrite_the_vectors() -> None:  # committed: every question's vectors written anew, into the lists
        with connection.cursor() as cursor:
            cursor.execute("UPDATE questions_question SET search_vector = NULL")

    def merged_pages() -> dict[str, int]:
        with connection.cursor() as cursor:
            pages = {}
            for index in gin_indexes():
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
                pages[index] = cursor.fetchone()[0]
            return pages

    rewrite_the_vectors()
    assert merged_pages()["question_search_vector"] > 0  # the rewrite leaves pending entries to merge
    rewrite_the_vectors()
    EarlyMerge().wait()
    assert set(merged_pages().values()) == {0}


def test_an_import_without_a_background_worker_says_how_to_count_the_words():
    with connection.cursor() as cursor:  # a worker that stopped two minutes ago
        cursor.execute("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '2 minutes')")

    status, output = run_import(SEED_DOCUMENT)

    assert status == 0
    assert "no background worker is running" in output and "manage.py count_words" in output
    assert summary_line(output).startswith("imported 1,")
    status, output = run_import(SEED_DOCUMENT)  # nothing new: nothing waits for the worker
    assert "background worker" not in output


def test_an_import_leaves_the_word_counts_to_a_running_worker():
    with connection.cursor() as cursor:  # its heartbeat, as procrastinate writes it every ten seconds
        cursor.execute("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '5 seconds')")

    status, output = run_import(SEED_DOCUMENT)

    assert status == 0 and summary_line(output).startswith("imported 1,")
    assert "background worker" not in output
