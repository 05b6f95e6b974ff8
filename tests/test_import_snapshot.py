"""What the last import set stays known, whatever changes the question afterwards.

An import keeps its record of a question (the import snapshot) with the question's and the answer's texts named
by their md5: the texts themselves are in the question and its answer, where the import wrote them. The moment
either changes or goes, by any write path, PostgreSQL copies the imported text into the snapshot
(questions/triggers/import_snapshot.sql). These tests change the texts every way an editor or a script can, and
check that comparing with the import and reverting to it still show and restore the imported texts."""

from __future__ import annotations

import pytest
from django.db import connection

from questions.editing import compare_with_import, last_import, revert_to_import
from questions.models import Answer, Question
from tests.conftest import SEED_DOCUMENT
from tests.helpers import run_import

pytestmark = pytest.mark.django_db

@pytest.fixture
def imported() -> Question:
    run_import(SEED_DOCUMENT)
    return Question.objects.get()


def differing(question: Question) -> dict[str, tuple]:
    question.refresh_from_db()
    return {row["field"]: (row["current"], row["imported"]) for row in compare_with_import(question) if row["differs"]}


def test_an_import_keeps_the_texts_in_the_question_not_twice(imported):
    snapshot = imported.import_snapshot
    answer_text = imported.answer.text

    assert "question_text" not in snapshot and "answer_text" not in snapshot
    assert len(str(snapshot)) < 2_000 < len(imported.question_text) + len(answer_text)
    record = last_import(imported)
    assert record["question_text"] == imported.question_text and record["answer_text"] == answer_text
    assert differing(imported) == {}


def _edit_question_by_save(question: Question, text: str) -> None:
    question.question_text = text
    question.mark_edited()
    question.save()


def _edit_question_by_update(question: Question, text: str) -> None:
    Question.objects.filter(pk=question.pk).update(question_text=text)


def _edit_question_by_sql(question: Question, text: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE questions_question SET question_text = %s WHERE id = %s", [text, question.pk])


@pytest.mark.parametrize("edit", [_edit_question_by_save, _edit_question_by_update, _edit_question_by_sql])
def test_the_imported_question_text_survives_every_edit(imported, edit):
    original = imported.question_text

    edit(imported, "Een andere tekst.")
    edit(Question.objects.get(pk=imported.pk), "Een derde tekst.")  # a second edit keeps the first import's

    assert differing(imported) == {"question_text": ("Een derde tekst.", original)}
    revert_to_import(imported)
    assert Question.objects.get(pk=imported.pk).question_text == original
    assert differing(imported) == {}


@pytest.mark.parametrize("edit", ["save", "update", "sql", "delete", "delete_sql"])
def test_the_imported_answer_text_survives_every_edit_and_deletion(imported, edit):
    original = imported.answer.text
    answer = Answer.objects.get(question=imported)

    if edit == "save":
        answer.text = "Nee."
        answer.save()
    elif edit == "update":
        Answer.objects.filter(pk=answer.pk).update(text="Nee.")
    elif edit == "sql":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE questions_answer SET text = 'Nee.' WHERE id = %s", [answer.pk])
    elif edit == "delete":
        Answer.objects.filter(pk=answer.pk).delete()
    else:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM questions_answer WHERE id = %s", [answer.pk])

    now = None if edit.startswith("delete") else "Nee."
    assert differing(imported)["answer_text"] == (now, original)
    revert_to_import(imported)
    assert Answer.objects.get(question=imported).text == original
    assert differing(imported) == {}


def test_a_new_import_of_a_changed_source_names_its_own_texts(imported, tmp_path):
    changed = tmp_path / "changed.txt"
    changed.write_text(SEED_DOCUMENT.read_text().replace("Daar wil ik", "Zo wil ik"))

    run_import(changed)

    question = Question.objects.get()
    assert "Zo wil ik" in question.answer.text
    assert "answer_text" not in question.import_snapshot  # the old text was not kept as the import's
    assert differing(question) == {}
    Answer.objects.filter(question=question).update(text="Nee.")
    assert "Zo wil ik" in differing(question)["answer_text"][1]


def test_a_snapshot_written_before_keeps_its_texts(imported):
    """Archives imported before the fingerprints keep full snapshots; they read as they are."""
    record = last_import(imported)
    Question.objects.filter(pk=imported.pk).update(import_snapshot={**record, "question_text": "Zoals toen."})

    assert differing(imported)["question_text"][1] == "Zoals toen."
