"""A backup taken with backup_archive and put back with restore_archive is the same archive: records, an
editor's correction, the search and the facet counts."""

from __future__ import annotations

import io

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from questions.models import Question
from tests.conftest import SEED_DOCUMENT, SV235_EXTRACTIONS
from tests.helpers import run_import

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

STATE_SQL = {
    "counts": "SELECT (SELECT count(*) FROM questions_question), (SELECT count(*) FROM questions_answer),"
              " (SELECT count(*) FROM questions_word), (SELECT count(*) FROM questions_synonym)",
    "correction": "SELECT title, edited_since_import FROM questions_question WHERE number = 292",
    "search": "SELECT array_agg(number ORDER BY number) FROM questions_question"
              " WHERE search_vector @@ to_tsquery('archive_dutch', 'overlast | Correctie')",
    "facets": "SELECT array_agg(ARRAY[dimension, value, facet, facet_value, count::text]"
              " ORDER BY dimension, value, facet, facet_value) FROM questions_facetcount WHERE count > 0",
}  # fmt: skip


def _state(dbname: str) -> dict:
    params = {**connection.get_connection_params(), "dbname": dbname}
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as db:
        return {name: db.execute(sql).fetchall() for name, sql in STATE_SQL.items()}


def test_a_backup_restores_the_same_archive(tmp_path):
    assert run_import(SEED_DOCUMENT, SV235_EXTRACTIONS["pypdf"])[0] == 0
    question = Question.objects.get(number=292)
    question.title = "Correctie door de redactie"
    question.mark_edited()
    question.save()
    dbname = connection.settings_dict["NAME"]
    before = _state(dbname)
    dump = tmp_path / "archive.dump"

    out = io.StringIO()
    call_command("backup_archive", "--output", str(dump), stdout=out)
    assert "backup written" in out.getvalue() and dump.stat().st_size > 0

    # Everything changes after the backup …
    Question.objects.all().delete()
    assert _state(dbname) != before
    connection.close()

    # … and the restore brings the archive back as it was.
    call_command("restore_archive", str(dump), "--yes", stdout=io.StringIO())
    assert _state(dbname) == before
    assert before["correction"] == [("Correctie door de redactie", True)]
    assert before["search"] == [([235, 292],)]


def test_restoring_a_file_that_is_not_a_backup_changes_nothing(tmp_path):
    assert run_import(SEED_DOCUMENT)[0] == 0
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"not a dump")

    with pytest.raises(CommandError, match="the database is as it was"):
        call_command("restore_archive", str(broken), "--yes", stdout=io.StringIO())

    assert Question.objects.count() == 1
