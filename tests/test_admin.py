"""The editors' workshop in the Django admin, through the test client, against the real database."""

import io
import zipfile

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.test import override_settings

from questions import tasks
from questions.models import Answer, ImportJob, Member, Minister, Question, Theme
from tests.conftest import SEED_DOCUMENT, SV235_EXTRACTIONS
from tests.factories import corpus
from tests.helpers import run_import, run_jobs, run_search, summary_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions():
    return corpus()


def change_form_data(question: Question, **changes) -> dict:
    answer = Answer.objects.filter(question=question).first()
    data = {
        "title": question.title,
        "number": question.number,
        "session": question.session,
        "date_asked": question.date_asked.isoformat(),
        "member": question.member_id,
        "minister": question.minister_id,
        "minister_title": question.minister_title,
        "themes": [theme.pk for theme in question.themes.all()],
        "question_text": question.question_text,
        "pdf_url": question.pdf_url,
        "source_url": question.source_url,
        "source_id": question.source_id or "",
        "answer-TOTAL_FORMS": "1" if answer else "0",
        "answer-INITIAL_FORMS": "1" if answer else "0",
        "answer-MIN_NUM_FORMS": "0",
        "answer-MAX_NUM_FORMS": "1",
    }
    if answer:
        data.update({
            "answer-0-id": answer.pk, "answer-0-question": question.pk, "answer-0-text": answer.text,
            "answer-0-minister": answer.minister_id, "answer-0-minister_title": answer.minister_title,
            "answer-0-answer_date": "",
        })  # fmt: skip
    data.update(changes)
    return data


def test_the_question_list_shows_the_columns_editors_need(client, editor, questions):
    page = client.get("/admin/questions/question/").content.decode()

    for text in ("Wateroverlast in het Demerbekken", "Suzy Wouters", "Zuhal Demir", "2023-2024"):
        assert text in page
    assert "Documenten importeren" in page


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"q": "wateroverlast"}, {"water", "old"}),
        ({"q": "uitwisselen"}, {"data"}),  # the full-text index, with stemming
        ({"themes__id__exact": "THEME"}, {"water", "old"}),
        ({"has_answer__exact": "0"}, {"school"}),
        ({"session__exact": "2021-2022"}, {"old"}),
        ({"edited_since_import__exact": "1"}, set()),
        ({"date_asked__year": "2023"}, {"school", "work"}),
    ],
)
def test_the_question_list_searches_and_filters(client, editor, questions, params, expected):
    params = {key: str(Theme.objects.get(name="Water").pk) if value == "THEME" else value
              for key, value in params.items()}  # fmt: skip

    response = client.get("/admin/questions/question/", params)

    shown = {q.pk for q in response.context["cl"].result_list}
    assert shown == {questions[key].pk for key in expected}


def test_the_question_list_finds_a_number(client, editor, questions):
    response = client.get("/admin/questions/question/", {"q": str(questions["school"].number)})

    assert questions["school"] in response.context["cl"].result_list


def test_correcting_a_minister_marks_the_question_edited_searchable_and_logged(client, editor, questions):
    question = questions["school"]
    other = Minister.objects.get(name="Zuhal Demir")

    response = client.post(f"/admin/questions/question/{question.pk}/change/",
                           change_form_data(question, minister=other.pk))  # fmt: skip

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    question.refresh_from_db()
    assert question.minister == other
    assert question.edited_since_import and question.edited_by == editor and question.edited_at
    assert question in run_search_results("minister=zuhal-demir&q=rolstoelgebruikers")
    assert LogEntry.objects.filter(object_id=str(question.pk), user=editor).exists()
    assert "Gecorrigeerd door de redactie" in client.get(question.get_absolute_url()).content.decode()


def run_search_results(query_string: str) -> list:
    from django.http import QueryDict

    return run_search(QueryDict(query_string)).questions


def test_editing_the_answer_inline_is_searchable_at_once(client, editor, questions):
    question = questions["data"]

    client.post(f"/admin/questions/question/{question.pk}/change/",
                change_form_data(question, **{"answer-0-text": "Een nieuw antwoord over zonnepanelen."}))  # fmt: skip

    question.refresh_from_db()
    assert question.answer.text == "Een nieuw antwoord over zonnepanelen."
    assert question.edited_since_import
    assert [q.pk for q in run_search({'q': "zonnepanelen"}).questions] == [question.pk]


def test_saving_without_changes_does_not_mark_the_question_edited(client, editor, questions):
    question = questions["data"]

    client.post(f"/admin/questions/question/{question.pk}/change/", change_form_data(question))

    question.refresh_from_db()
    assert not question.edited_since_import


def test_import_bookkeeping_is_read_only(client, editor):
    run_import(SEED_DOCUMENT)
    question = Question.objects.get()
    original = question.source_hash

    client.post(f"/admin/questions/question/{question.pk}/change/",
                change_form_data(question, source_hash="x" * 64, source_file="elders.txt"))  # fmt: skip

    question.refresh_from_db()
    assert question.source_hash == original
    page = client.get(f"/admin/questions/question/{question.pk}/change/").content.decode()
    assert original in page and "000_3766b604c4d8bdfa.txt" in page
    assert f'href="{question.get_absolute_url()}"' in page


def test_autocomplete_finds_ministers_by_name(client, editor, questions):
    response = client.get("/admin/autocomplete/", {"app_label": "questions", "model_name": "question",
                                                   "field_name": "minister", "term": "zuh"})  # fmt: skip

    assert [item["text"] for item in response.json()["results"]] == ["Zuhal Demir"]


def test_entity_lists_show_question_counts(client, editor, questions):
    response = client.get("/admin/questions/minister/")

    counts = {m.name: m.question_count for m in response.context["cl"].result_list}
    assert counts == {"Ben Weyts": 2, "Jo Brouns": 2, "Zuhal Demir": 2}


def merge(client, model: str, keep, others) -> str:
    ids = [str(keep.pk)] + [str(other.pk) for other in others]
    data = {"action": "merge_selected", "_selected_action": ids, "confirm": "yes", "keep": str(keep.pk)}
    response = client.post(f"/admin/questions/{model}/", data, follow=True)
    return " ".join(str(message) for message in response.context["messages"])


def test_merging_members_moves_their_questions_and_keeps_the_name_as_an_alias(client, editor, questions):
    keep = Member.objects.get(name="Suzy Wouters")
    duplicate = Member.objects.get_or_create_by_name("Suzy Wouters-Peeters")
    moved = questions["work"]
    moved.member = duplicate
    moved.save()

    page = client.post(
        "/admin/questions/member/", {"action": "merge_selected", "_selected_action": [keep.pk, duplicate.pk]}
    ).content.decode()
    assert 'name="keep"' in page  # the page that asks which record stays
    message = merge(client, "member", keep, [duplicate])

    assert "1 vragen" in message
    assert not Member.objects.filter(pk=duplicate.pk).exists()
    assert Question.objects.get(pk=moved.pk).member == keep
    assert Member.objects.by_name("SUZY WOUTERS-PEETERS") == keep
    assert [q.pk for q in run_search({'q': "Wouters-Peeters"}).questions] == []
    assert moved.pk in {q.pk for q in run_search({'q': "Suzy Wouters"}).questions}


def test_a_reimport_after_a_merge_maps_to_the_kept_record(client, editor, tmp_path):
    run_import(SEED_DOCUMENT)
    kept = Minister.objects.get_or_create_by_name("Johan Brouns")
    merge(client, "minister", kept, [Minister.objects.get(name="Jo Brouns")])
    changed = tmp_path / "changed.txt"
    changed.write_text(SEED_DOCUMENT.read_text().replace("Daar wil ik", "Zo wil ik"))

    status, output = run_import(SEED_DOCUMENT, changed)
    text = SEED_DOCUMENT.read_text().replace("/1806581", "/1806999").replace("nr. 292", "nr. 300")
    other = tmp_path / "other.txt"
    other.write_text(text)
    run_import(other)

    assert status == 0
    assert Minister.objects.count() == 1
    assert set(Question.objects.values_list("minister__name", flat=True)) == {"Johan Brouns"}
    assert Answer.objects.filter(minister__name="Jo Brouns").count() == 0


def test_merging_themes_keeps_one_link_per_question(client, editor, questions):
    keep = Theme.objects.get(name="Water")
    duplicate = Theme.objects.get(name="Binnenlands bestuur")

    merge(client, "theme", keep, [duplicate])

    assert list(questions["water"].themes.values_list("name", flat=True)) == ["Water"]
    assert ThemeAliasCount() == 1


def ThemeAliasCount() -> int:  # noqa: N802
    from questions.models import ThemeAlias

    return ThemeAlias.objects.count()


def test_merging_ministers_with_the_same_number_in_a_year_is_refused(client, editor):
    from tests.factories import make_question

    make_question(minister="Jo Brouns", number=7)
    make_question(minister="Johan Brouns", number=7)

    message = merge(
        client, "minister", Minister.objects.get(name="Jo Brouns"), [Minister.objects.get(name="Johan Brouns")]
    )

    assert "allebei een vraag nr. 7" in message
    assert Minister.objects.count() == 2


def test_an_editor_compares_with_the_last_import_and_reverts(client, editor):
    run_import(SEED_DOCUMENT)
    question = Question.objects.get()
    client.post(f"/admin/questions/question/{question.pk}/change/", change_form_data(question, title="Fout"))

    page = client.get(f"/admin/questions/question/{question.pk}/import/").content.decode()
    assert 'data-field="title"' in page and "Fout" in page and "Werkgroep Institutionele Zaken" in page

    client.post(f"/admin/questions/question/{question.pk}/import/")

    question.refresh_from_db()
    assert question.title.startswith("Werkgroep Institutionele Zaken")
    assert not question.edited_since_import


def test_a_rejected_import_is_shown_and_can_be_taken(client, editor, tmp_path):
    run_import(SEED_DOCUMENT)
    question = Question.objects.get()
    client.post(f"/admin/questions/question/{question.pk}/change/", change_form_data(question, title="Fout"))
    changed = tmp_path / "changed.txt"
    changed.write_text(SEED_DOCUMENT.read_text().replace("Daar wil ik", "Zo wil ik"))
    status, output = run_import(changed)
    assert "conflict 1" in summary_line(output)

    page = client.get(f"/admin/questions/question/{question.pk}/import/").content.decode()
    assert "Zo wil ik" in page
    client.post(f"/admin/questions/question/{question.pk}/import/")

    question.refresh_from_db()
    assert "Zo wil ik" in question.answer.text
    assert question.pending_snapshot is None
    assert run_import(changed)[1].strip().endswith("unchanged 1, conflict 0, failed 0")


def upload(client, *files, **extra):
    return client.post("/admin/questions/question/import/", {"files": list(files), **extra})


def upload_and_import(client, *files, **extra) -> ImportJob:
    """Upload, let the background worker import, and return the finished job (its page is checked too)."""
    response = upload(client, *files, **extra)
    assert response.status_code == 302, getattr(response, "context", {}) and response.context.get("refused")
    job = ImportJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert job.status == ImportJob.Status.QUEUED
    assert "in de wachtrij" in client.get(response["Location"]).content.decode().lower()
    run_jobs()
    job.refresh_from_db()
    return job


def named(name: str, data: bytes) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def zipped(name: str, members: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    buffer.seek(0)
    buffer.name = name
    return buffer


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_uploading_good_and_bad_files_reports_each(client, editor):
    job = upload_and_import(client, named("seed.txt", SEED_DOCUMENT.read_bytes()),
                            named("sv235.pdf", SV235_EXTRACTIONS["pdf"].read_bytes()), named("leeg.txt", b""),
                            named("foto.jpg", b"\xff\xd8"))  # fmt: skip

    page = client.get(job.get_absolute_url()).content.decode()
    assert job.summary == "imported 2, updated 0, unchanged 0, conflict 0, failed 1"
    assert job.status == ImportJob.Status.DONE and job.processed == job.documents == 3
    assert "leeg.txt" in page and "the file is empty" in page
    assert "foto.jpg" in page and "overgeslagen" in page
    assert 'http-equiv="refresh"' not in page  # finished: the page stops refreshing
    assert Question.objects.count() == 2
    # The report stays: the upload page lists the job.
    assert job.get_absolute_url() in client.get("/admin/questions/question/import/").content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_uploading_a_zip_imports_its_documents(client, editor):
    archive = zipped("export.zip", {"a/seed.txt": SEED_DOCUMENT.read_bytes(), "b/sv235.txt":
                                    SV235_EXTRACTIONS["pypdf"].read_bytes(), "__MACOSX/._x.txt": b"junk"})  # fmt: skip

    job = upload_and_import(client, archive)

    assert job.summary.startswith("imported 2,")
    assert Question.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_upload_may_bring_answer_dates_alongside(client, editor):
    import datetime as dt

    dates = b"nummer;zittingsjaar;antwoorddatum\n292;2023-2024;2024-03-19\n"
    archive = zipped("export.zip", {"seed.txt": SEED_DOCUMENT.read_bytes(), "antwoorden.csv": dates})

    job = upload_and_import(client, archive)

    assert job.summary == "imported 1, updated 1, unchanged 0, conflict 0, failed 0"
    assert Answer.objects.get().answer_date == dt.date(2024, 3, 19)
    assert "answer dates: 1 set" in client.get(job.get_absolute_url()).content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_run_twice_changes_nothing_the_second_time(client, editor):
    job = upload_and_import(client, named("seed.txt", SEED_DOCUMENT.read_bytes()))
    finished_at = job.finished_at

    tasks.import_upload.defer(job_id=job.pk)  # a retried or duplicated job
    run_jobs()

    job.refresh_from_db()
    assert job.finished_at == finished_at and job.summary.startswith("imported 1,")
    assert Question.objects.count() == 1


def lying_about_size(archive: io.BytesIO, member: str, declared: int) -> bytes:
    """The zip with ``member``'s uncompressed size lowered to ``declared`` in its local and central headers."""
    data = bytearray(archive.getvalue())
    local = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(member).header_offset
    data[local + 22:local + 26] = declared.to_bytes(4, "little")
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = int.from_bytes(data[at + 28:at + 30], "little")
        if bytes(data[at + 46:at + 46 + name_length]) == member.encode():
            data[at + 24:at + 28] = declared.to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_zip_member_larger_than_its_header_says_fails_the_job_and_imports_nothing(client, editor):
    archive = zipped("liar.zip", {"seed.txt": SEED_DOCUMENT.read_bytes(), "b.txt": b"x" * 50_000})

    job = upload_and_import(client, named("liar.zip", lying_about_size(archive, "b.txt", 100)))

    assert job.status == ImportJob.Status.FAILED and "liar.zip" in job.error
    assert Question.objects.count() == 0
    assert "er is niets geïmporteerd" in client.get(job.get_absolute_url()).content.decode()


def test_a_zip_with_a_path_traversal_name_is_refused_whole(client, editor):
    archive = zipped("evil.zip", {"seed.txt": SEED_DOCUMENT.read_bytes(), "../../etc/cron.d/x.txt": b"x"})

    response = upload(client, archive)

    assert "onveilige bestandsnaam" in response.context["refused"]
    assert Question.objects.count() == 0


def test_a_zip_bomb_is_refused(client, editor):
    archive = zipped("bom.zip", {"seed.txt": SEED_DOCUMENT.read_bytes(), "nul.txt": b"\0" * (20 * 2**20)})

    response = upload(client, archive)

    assert "zip-bom" in response.context["refused"]
    assert Question.objects.count() == 0


@override_settings(UPLOAD_MAX_BYTES=10_000)
def test_an_oversized_upload_is_refused_before_any_work(client, editor):
    response = upload(client, named("a.txt", SEED_DOCUMENT.read_bytes()), named("b.txt", SEED_DOCUMENT.read_bytes()))

    assert "te groot" in response.context["refused"]
    assert Question.objects.count() == 0


@override_settings(UPLOAD_MAX_FILES=2)
def test_too_many_files_are_refused(client, editor):
    response = upload(client, *(named(f"{i}.txt", b"x") for i in range(3)))

    assert "Te veel bestanden" in response.context["refused"]


def test_a_user_without_permission_cannot_upload(client):
    user = User.objects.create_user("lezer", password="a-long-enough-password-1", is_staff=True)
    client.force_login(user)

    assert client.get("/admin/questions/question/import/").status_code == 403
    assert upload(client, named("seed.txt", SEED_DOCUMENT.read_bytes())).status_code == 403
    assert Question.objects.count() == 0


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get("/admin/questions/question/import/")

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_editors_group_may_change_but_not_delete_questions():
    permissions = set(Group.objects.get(name="editors").permissions.values_list("codename", flat=True))

    assert {"view_question", "change_question", "add_question", "change_minister", "delete_answer"} <= permissions
    assert "delete_question" not in permissions


def test_failed_logins_are_rate_limited(client):
    User.objects.create_user("redacteur", password="the-right-password-123", is_staff=True)
    for _ in range(5):
        client.post("/admin/login/", {"username": "redacteur", "password": "wrong"})

    response = client.post(
        "/admin/login/?next=/admin/", {"username": "redacteur", "password": "the-right-password-123"}
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(UPLOAD_MAX_BYTES=100 * 2**20, UPLOAD_MAX_UNPACKED_BYTES=200 * 2**20)
def test_an_upload_at_the_limits_is_imported_in_bounded_memory(client, editor):
    import threading
    import tracemalloc

    import psutil

    # 200 MiB unpacked, the limit: 200 members of 1 MiB (below the size where the compression ratio is checked).
    line = b"Schriftelijke vraag over wegenwerken, mobiliteit en de lokale besturen in Vlaanderen.\n"
    member = line * (2**20 // len(line))
    archive = zipped("groot.zip", {f"map/{index:03d}.txt": member for index in range(200)})

    # The importer's parser worker is a process of its own: its resident memory, sampled while it runs.
    worker_peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal worker_peak
        while not done.wait(0.05):
            for child in psutil.Process().children(recursive=True):
                try:
                    if "spawn_main" in " ".join(child.cmdline()):
                        worker_peak = max(worker_peak, child.memory_info().rss)
                except psutil.Error:
                    pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    tracemalloc.start()
    try:
        job = upload_and_import(client, archive)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        done.set()
        sampler.join()

    assert job.status == ImportJob.Status.DONE and job.documents == 200
    assert peak < 300 * 2**20, f"{peak / 2**20:.0f} MiB held by the import at once"
    assert 0 < worker_peak < 300 * 2**20, f"{worker_peak / 2**20:.0f} MiB in the parser worker"
