"""The CSV export: every matching question, streamed, safe against spreadsheet formulas."""

import csv
import io

import pytest

from questions.export import safe_cell
from tests.factories import corpus, make_question

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


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
    assert rows[1]["answered"] == "yes"
    assert rows[1]["question_text"] == questions["data"].question_text


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
