"""The CSV export: every matching question, streamed, safe against spreadsheet formulas."""

import csv
import io

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from questions.export import column_labels, safe_cell
from tests.factories import corpus, make_question
from tests.helpers import plan_nodes

pytestmark = pytest.mark.django_db


def read_csv(response, delimiter: str = ";", language: str = "nl") -> list[dict]:
    """The rows by field name (the API's), read from the headers in ``language``."""
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(body), delimiter=delimiter)
    with translation.override(language):
        fields = {label: name for name, label in column_labels().items()}
    return [dict(zip([fields[label] for label in header], row, strict=True)) for row in rows]


def test_it_exports_every_match_beyond_one_page(client):
    for index in range(45):
        make_question(title=f"Vraag {index}", text="Over fietspaden.", themes=("Mobiliteit",))
    make_question(title="Iets anders", text="Over treinen.")

    response = client.get("/search/export.csv", {"q": "fietspaden"})

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert len(rows) == 45
    assert rows[0]["themes"] == "Mobiliteit"
    assert rows[0]["url"].startswith("http://testserver/questions/")


def test_it_has_the_api_fields_and_the_texts(client):
    questions = corpus()

    rows = read_csv(client.get("/search/export.csv", {"theme": "werk", "sort": "oldest"}))

    assert [row["title"] for row in rows] == [questions["work"].title, questions["data"].title]
    assert rows[1]["answer_text"].startswith("De uitwisseling van data")
    assert rows[1]["answered"] == "ja"
    assert rows[1]["status"] == "beantwoord"
    assert rows[1]["question_text"] == questions["data"].question_text


@pytest.mark.parametrize(("language", "separator"), [("nl", ";"), ("en", ","), ("en", "tab")])
def test_every_cell_is_what_the_api_says_of_the_question(client, language, separator):
    """PostgreSQL writes the rows (questions/copy_export.py); the API's records are built in Python. They agree,
    cell by cell, in both languages and with every separator."""
    import datetime as dt

    from questions.export import localised
    from questions.models import Answer
    from questions.search.params import SearchParams
    from questions.search.records import question_record
    from questions.search.results import every_match

    corpus()
    make_question(title='Tekst met "aanhalingstekens"; puntkomma, komma\nen regel', text="-1 is een getal\r\nnieuw",
                  themes=("Zorg", "Armoede", "Ämter"), date=dt.date(2024, 12, 20))  # fmt: skip
    dated = make_question(title="Beantwoord op een dag", answer="=SUM(A1)", date=dt.date(2024, 7, 1))
    Answer.objects.filter(question=dated).update(answer_date=dt.date(2024, 7, 30))
    make_question(title="Nog binnen de termijn", date=dt.date.today() - dt.timedelta(days=2))
    client.cookies["django_language"] = language
    delimiter = "\t" if separator == "tab" else separator

    rows = read_csv(client.get("/search/export.csv", {"sep": separator}), delimiter=delimiter, language=language)

    with translation.override(language):
        expected = [
            {column: safe_cell(localised(column, value)) for column, value in
             question_record(question, "http://testserver", full=True).items()}
            for question in every_match(SearchParams.from_query({})).select_related("answer")
        ]  # fmt: skip
    assert len(rows) == 9
    assert rows == expected
    statuses = {row["status"] for row in rows}
    assert len(statuses) == 3  # answered, waiting and overdue all occur


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(client):
    make_question(title='=HYPERLINK("http://evil")', text="+cmd|' /C calc'!A0", answer="@SUM(1+1)")

    (row,) = read_csv(client.get("/search/export.csv"))

    assert row["title"] == '\'=HYPERLINK("http://evil")'
    assert row["question_text"] == "'+cmd|' /C calc'!A0"
    assert row["answer_text"] == "'@SUM(1+1)"


@pytest.mark.parametrize(
    "value, expected", [("-1", "'-1"), ("\tx", "'\tx"), ("gewoon", "gewoon"), (None, ""), (5, "5")]
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_a_text_search_is_exported_newest_first_not_ranked(client):
    import datetime as dt

    in_title = make_question(title="Fietspaden", text="Fietspaden, fietspaden.", date=dt.date(2020, 1, 1))
    newer = make_question(title="Mobiliteit", text="Over fietspaden.", date=dt.date(2024, 1, 1))

    rows = read_csv(client.get("/search/export.csv", {"q": "fietspaden"}))
    oldest_first = read_csv(client.get("/search/export.csv", {"q": "fietspaden", "sort": "oldest"}))

    assert [row["id"] for row in rows] == [str(newer.pk), str(in_title.pk)]
    assert [row["id"] for row in oldest_first] == [str(in_title.pk), str(newer.pk)]


@pytest.mark.parametrize(
    "params, reason",
    [({"theme": "does-not-exist"}, "does-not-exist"), ({"date_to": "morgen"}, "morgen"),
     ({"minister": "zuhal-demir", "year": "2024"}, "2024"), ({"q": "x" * 600}, "te lang")],
)  # fmt: skip
def test_a_search_with_an_unusable_parameter_is_refused_not_exported_whole(client, params, reason):
    corpus()

    response = client.get("/search/export.csv", params)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert reason in response.content.decode()


def test_the_csv_is_made_for_the_readers_spreadsheet(client):
    make_question(title="Wateroverlast; een vraag", text="Over wateroverlast, en meer.", themes=("Water", "Milieu"))

    dutch = client.get("/search/export.csv", {"q": "wateroverlast"})
    body = b"".join(dutch.streaming_content).decode("utf-8-sig")
    header = body.splitlines()[0]
    assert header.startswith("id;link;API-link;nummer;zittingsjaar;datum;titel;vraagsteller;minister")
    assert f'filename="vragen-wateroverlast-{timezone.localdate().isoformat()}.csv"' in dutch["Content-Disposition"]
    (row,) = read_csv(client.get("/search/export.csv", {"q": "wateroverlast"}))
    assert row["title"] == "Wateroverlast; een vraag" and row["themes"] == "Milieu; Water"

    client.cookies["django_language"] = "en"
    english = client.get("/search/export.csv", {"q": "wateroverlast"})
    assert 'filename="questions-wateroverlast-' in english["Content-Disposition"]
    (row,) = read_csv(english, delimiter=",", language="en")
    assert row["answered"] == "no" and row["status"] == "answer overdue"
    assert read_csv(client.get("/search/export.csv", {"q": "wateroverlast", "sep": ";"}), language="en")
    assert read_csv(client.get("/search/export.csv", {"q": "wateroverlast", "sep": "tab"}), delimiter="\t",
                    language="en")  # fmt: skip
    refused = client.get("/search/export.csv", {"sep": "|"})
    assert refused.status_code == 400 and "sep" in refused.content.decode()


def test_the_excel_export_holds_the_same_rows(client):
    made = [make_question(title=f"Vraag {index}", text="Over fietspaden.") for index in range(3)]
    make_question(title='=HYPERLINK("http://evil")', text="fietspaden")

    response = client.get("/search/export.xlsx", {"q": "fietspaden", "sort": "oldest"})

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "vragen-fietspaden-" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("id", "link", "API-link")
    assert [row[0] for row in rows[1:4]] == [question.pk for question in made]
    assert rows[4][6] == '\'=HYPERLINK("http://evil")'


def test_the_texts_are_read_after_the_rows_are_sorted_not_sorted_with_them(client, monkeypatch):
    """Whatever PostgreSQL estimates, the export's sort carries the texts' pointers, not the texts: sorted with
    the rows, 14,159 questions' texts went to disk (114 MB) for one common word at 100,000 documents."""
    import psycopg
    from django.db import connection

    # Statistics from before the matches came: PostgreSQL expects next to none.
    for index in range(200):
        make_question(title=f"Andere vraag {index}", text="Over treinen.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE questions_question")
    long_text = "Over fietspaden in de gemeente. " * 600  # about 19 KB a question, stored out of line
    for index in range(20):
        make_question(title=f"Vraag {index}", text=long_text, answer=long_text)
    statements: list[tuple[str, list]] = []
    copy, execute = psycopg.Cursor.copy, psycopg.ServerCursor.execute

    def kept_copy(self, statement, params=None, **kwargs):
        statements.append((statement, params))
        return copy(self, statement, params, **kwargs)

    def kept_execute(self, statement, params=None, **kwargs):
        if "WITH matched AS MATERIALIZED" in str(statement):
            statements.append((statement, params))
        return execute(self, statement, params, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "copy", kept_copy)
    monkeypatch.setattr(psycopg.ServerCursor, "execute", kept_execute)  # the ids wait in a cursor
    rows = read_csv(client.get("/search/export.csv", {"q": "fietspaden"}))
    assert len(rows) == 20 and rows[0]["question_text"].strip() == long_text.strip()

    (ids_statement, ids_params), (rows_statement, rows_params) = statements
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64kB'")  # a sort of the texts could not stay in memory
        cursor.execute("SET LOCAL enable_seqscan = off")
        select = rows_statement[len("COPY (") : rows_statement.rindex(") TO STDOUT")]
        for statement, params in ((ids_statement, ids_params), (select, rows_params[:-1])):
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params)
            plans.append(cursor.fetchone()[0][0]["Plan"])

    nodes = [node for plan in plans for node in plan_nodes(plan)]
    # Nor is any question's vector tested row by row (as when the date index is walked for the order).
    assert not [node for node in nodes if "@@" in node.get("Filter", "")]
    sorts = [node for node in nodes if "Sort" in node["Node Type"]]  # a chunk's rows may need none
    assert sorts  # the ids at least are sorted

    def space(node: dict) -> int:
        return node.get("Sort Space Used") or node.get("Full-sort Groups", {}).get("Peak Sort Space Used", 0)

    texts_kb = 20 * 2 * len(long_text) / 1024
    assert all(space(node) < texts_kb / 10 for node in sorts), [(node["Node Type"], space(node)) for node in sorts]
