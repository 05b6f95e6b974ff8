"""Row triggers find the rows they read by their keys, whatever the tables held when the session planned them.

PL/pgSQL keeps a statement's plan for the session. An import into a new archive plans its triggers' look-ups in
its first batch, while the tables are nearly empty, and a scan planned then stays a scan as the tables grow: the
look-up of each answer's question read the whole questions table for every answer imported after it (100,000
documents into the PostgreSQL 15 service: from 425 a second at the start to 237 at the end, 333 s in all; 201 s
with the look-ups by key).
"""

from __future__ import annotations

import pytest
from django.db import connection

from questions.importing.load import Outcome
from questions.importing.runner import import_documents
from questions.models import Answer
from tests.helpers import numbered_seed_documents

pytestmark = pytest.mark.django_db


def row_trigger_functions() -> set[str]:
    """The functions of the archive's row triggers (not its statement triggers)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT DISTINCT p.proname FROM pg_trigger AS t
               JOIN pg_proc AS p ON p.oid = t.tgfoid JOIN pg_class AS c ON c.oid = t.tgrelid
               WHERE NOT t.tgisinternal AND t.tgtype & 1 = 1 AND c.relname LIKE 'questions\\_%'"""
        )
        return {name for (name,) in cursor.fetchall()}


def test_row_triggers_look_rows_up_by_key_in_a_new_archive():
    functions = row_trigger_functions()
    assert {"questions_answer_dated", "questions_question_derive"} <= functions
    plans: list[tuple[str, str]] = []

    def keep(diagnostic) -> None:
        plans.append((diagnostic.context or "", diagnostic.message_primary or ""))

    connection.ensure_connection()
    connection.connection.add_notice_handler(keep)
    try:
        with connection.cursor() as cursor:
            cursor.execute("DISCARD PLANS")  # planned afresh, on these nearly empty tables
            cursor.execute("LOAD 'auto_explain'")
            for name, value in (("log_min_duration", "0"), ("log_nested_statements", "on"), ("log_level", "notice")):
                cursor.execute("SELECT set_config(%s, %s, true)", [f"auto_explain.{name}", value])
        summary = import_documents(numbered_seed_documents(8), batch_size=2)
        answer = Answer.objects.order_by("pk").first()
        assert answer is not None
        answer.text = "Een verbeterd antwoord."  # an editor's correction: the import snapshot keeps the old text
        answer.save()
        answer.delete()
    finally:
        connection.connection.remove_notice_handler(keep)

    assert summary.counts[Outcome.IMPORTED] == 8
    in_row_triggers = [plan for context, plan in plans if any(f"function {name}(" in context for name in functions)]
    looked_up = " ".join(in_row_triggers)
    for table in ("questions_question", "questions_answer", "questions_question_themes"):
        assert table in looked_up  # each look-up was seen
    assert not [plan for plan in in_row_triggers if "Seq Scan" in plan]
