"""Deadlines (20 working days, Belgian holidays and 11 July), the status facet, /overdue/ and its feed, and the
answer dates that order the newest answers."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest

from questions import copy_export, deadlines
from questions.importing.parse import parse_document
from questions.models import Answer
from tests.conftest import SEED_DOCUMENT
from tests.factories import make_question
from tests.helpers import run_import, run_search

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "asked, due",
    [
        # Karl Vanlouwe's nr. 292: four plain weeks.
        (dt.date(2024, 2, 27), dt.date(2024, 3, 26)),
        # 1 May, Ascension (9 May) and Whit Monday (20 May 2024) do not count.
        (dt.date(2024, 4, 25), dt.date(2024, 5, 28)),
        # 11 July (the Flemish Community's day) and 21 July 2025 (a Monday) do not count.
        (dt.date(2025, 7, 1), dt.date(2025, 7, 31)),
        # Christmas and New Year; asked on a Saturday, counted from the Monday.
        (dt.date(2023, 12, 16), dt.date(2024, 1, 16)),
        # Easter Monday 2024 (1 April).
        (dt.date(2024, 3, 20), dt.date(2024, 4, 18)),
        # 1 and 11 November 2024 (a Friday and a Monday).
        (dt.date(2024, 10, 25), dt.date(2024, 11, 26)),
    ],
)
def test_the_deadline_is_twenty_working_days_later(asked, due):
    assert deadlines.deadline(asked) == due


def test_the_holidays_are_belgian_plus_the_eleventh_of_july():
    found = deadlines.holidays_between(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert dt.date(2024, 7, 11) in found and dt.date(2024, 7, 21) in found and dt.date(2024, 5, 20) in found
    assert dt.date(2024, 2, 14) not in found


def test_overdue_is_a_bound_on_the_date_asked():
    today = dt.date(2024, 3, 27)
    cutoff = deadlines.last_overdue_asked(today)
    assert deadlines.deadline(cutoff) < today <= deadlines.deadline(cutoff + dt.timedelta(days=1))
    assert deadlines.status_of(dt.date(2024, 2, 27), False, today) == "overdue"
    assert deadlines.status_of(dt.date(2024, 2, 28), False, today) == "waiting"
    assert deadlines.status_of(dt.date(2024, 2, 27), True, today) == "answered"


@pytest.fixture
def statuses():
    today = deadlines.today()
    return {
        "answered": make_question(title="Beantwoord", answer="Ja.", date=today - dt.timedelta(days=200)),
        "overdue": make_question(title="Te laat", minister="Zuhal Demir", date=today - dt.timedelta(days=90)),
        "waiting": make_question(title="Nog binnen termijn", date=today - dt.timedelta(days=2)),
    }


def test_the_status_facet_filters_and_counts_on_the_page_api_and_csv(client, statuses):
    page = run_search({})
    assert {item.value: item.count for item in page.facets["status"]} == {"answered": 1, "waiting": 1, "overdue": 1}

    for status, question in statuses.items():
        data = client.get("/api/questions/", {"status": status}).json()
        assert [row["id"] for row in data["results"]] == [question.pk]
        assert data["results"][0]["status"] == status
        assert data["results"][0]["deadline"] == deadlines.deadline(question.date_asked).isoformat()

    both = client.get("/api/questions/", {"status": ["waiting", "overdue"], "q": "termijn"}).json()
    assert [row["id"] for row in both["results"]] == [statuses["waiting"].pk]
    html = client.get("/search/", {"status": "overdue"}).content.decode()
    assert "Te laat" in html and "Nog binnen termijn" not in html
    csv_text = client.get("/search/export.csv", {"status": "overdue"}).getvalue().decode("utf-8-sig")
    assert "Te laat" in csv_text and "Beantwoord" not in csv_text.split("\n", 1)[1]


def test_an_unknown_status_is_refused_clearly(client, statuses):
    response = client.get("/api/questions/", {"status": "late"})
    assert response.status_code == 400
    assert "late" in response.json()["details"][0]
    page = client.get("/search/", {"status": "late"})
    assert page.status_code == 200 and "“late”" in page.content.decode()


def test_the_overdue_page_lists_late_questions_by_minister_with_days_overdue(client, statuses):
    html = client.get("/overdue/").content.decode()

    assert "Zuhal Demir" in html and "Te laat" in html
    assert "Beantwoord" not in html and "Nog binnen termijn" not in html
    days = (deadlines.today() - deadlines.deadline(statuses["overdue"].date_asked)).days
    assert f'<td class="number">{days}</td>' in html


def test_the_overdue_page_shows_each_ministers_newest_ten_in_a_few_statements():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from questions.overdue import SHOWN_PER_MINISTER, overdue_report

    first = dt.date(2022, 1, 3)
    many = [make_question(title=f"Laat {n}", minister="Jo Brouns", date=first + dt.timedelta(days=n))
            for n in range(12)]  # fmt: skip
    few = [make_question(title=f"Ook laat {n}", minister=f"Minister {n}", date=first) for n in range(3)]

    with CaptureQueriesContext(connection) as queries:
        report = overdue_report()

    shown = {entry.minister.name: [question.pk for question in entry.newest] for entry in report.ministers}
    assert shown["Jo Brouns"] == [question.pk for question in reversed(many)][:SHOWN_PER_MINISTER]
    assert all(shown[f"Minister {n}"] == [few[n].pk] for n in range(3))
    assert report.total == 15 and [entry.count for entry in report.ministers][0] == 12
    assert len(queries) <= 4  # not one statement per minister


def test_the_overdue_feed_lists_questions_once_their_deadline_passed(client, statuses):
    feed = feedparser.parse(client.get("/feeds/overdue.atom").content)

    assert [entry.title for entry in feed.entries] == [f"Te laat: Te laat (nr. {statuses['overdue'].number}, "
                                                       f"{statuses['overdue'].session})"]  # fmt: skip
    overdue_since = deadlines.deadline(statuses["overdue"].date_asked) + dt.timedelta(days=1)
    assert feed.entries[0].published_parsed[:3] == overdue_since.timetuple()[:3]
    assert feedparser.parse(client.get("/feeds/overdue.rss", {"minister": "jo-brouns"}).content).entries == []


def test_an_answer_date_in_the_header_is_read_and_ordered_by(tmp_path, client):
    text = SEED_DOCUMENT.read_text(encoding="utf-8")
    dated = text.replace("pdf link:", "antwoorddatum: 19 maart 2024\npdf link:", 1)
    assert parse_document(dated).answer_date == dt.date(2024, 3, 19)
    assert parse_document(text).answer_date is None
    wrong = text.replace("pdf link:", "antwoorddatum: 1 januari 2020\npdf link:", 1)
    assert parse_document(wrong).answer_date is None
    assert any("before the question's date" in warning for warning in parse_document(wrong).warnings)

    (tmp_path / "dated.txt").write_text(dated, encoding="utf-8")
    run_import(tmp_path / "dated.txt")
    answer = Answer.objects.get()
    assert answer.answer_date == dt.date(2024, 3, 19) and answer.dated == dt.date(2024, 3, 19)
    home = client.get("/").content.decode()
    assert "beantwoord op 19 Mrt 2024" in home

    # Imported again without the line: the date stays.
    (tmp_path / "dated.txt").write_text(text.replace("grondige reflectie", "diepgaande reflectie"), encoding="utf-8")
    code, output = run_import(tmp_path / "dated.txt")
    assert "updated" in output
    assert Answer.objects.get().answer_date == dt.date(2024, 3, 19)


def test_answer_dates_from_a_metadata_file_imported_alongside(tmp_path, client):
    first = SEED_DOCUMENT.read_text(encoding="utf-8")
    second = first.replace("/1806581", "/1806999").replace("nr. 292", "nr. 300").replace(
        "op vraag nr. 292", "op vraag nr. 300")
    (tmp_path / "a.txt").write_text(first, encoding="utf-8")
    (tmp_path / "b.txt").write_text(second, encoding="utf-8")
    (tmp_path / "antwoorden.csv").write_text(
        "nummer;zittingsjaar;minister;antwoorddatum\n"
        "292;2023-2024;Jo Brouns;19 maart 2024\n"
        "999;2023-2024;;2024-03-20\n"
        "300;2023-2024;;gisteren\n", encoding="utf-8")  # fmt: skip

    code, output = run_import(tmp_path)

    assert "answer dates: 1 set, 0 unchanged, 2 not applied" in output
    assert "line 3: nr. 999 (2023-2024): no such question" in output
    assert "line 4: cannot read the date 'gisteren'" in output
    assert Answer.objects.get(question__number=292).answer_date == dt.date(2024, 3, 19)
    assert Answer.objects.get(question__number=300).answer_date is None

    opendata = tmp_path / "schv.json"
    opendata.write_text(
        '{"items": [{"id": 1806999, "vraagnummer": 300, "zittingsjaar": "2023-2024",'
        ' "minister": {"voornaam": "Jo", "naam": "Brouns"},'
        ' "procedureverloop": [{"status": "Ingediend", "datum": "2024-02-27"},'
        ' {"status": "Beantwoord", "datum": "2024-04-02T00:00:00"}]}]}', encoding="utf-8")  # fmt: skip
    code, output = run_import(opendata)
    assert "answer dates: 1 set" in output
    answer = Answer.objects.get(question__number=300)
    assert answer.answer_date == dt.date(2024, 4, 2) and answer.dated == dt.date(2024, 4, 2)
    newest = client.get("/").content.decode()
    assert newest.index("beantwoord op 2 Apr 2024") < newest.index("beantwoord op 19 Mrt 2024")

    (tmp_path / "kapot.json").write_text("{niet: json", encoding="utf-8")
    code, output = run_import(tmp_path / "kapot.json")
    assert code == 1 and "kapot.json: not JSON" in output


def test_the_calendar_an_export_hands_to_postgresql_agrees_with_each_deadline():
    first, last = dt.date(2023, 12, 1), dt.date(2025, 1, 31)  # Christmas, Easter, Ascension, July, November

    days = deadlines.days_to_deadlines(first, last)

    asked = [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]
    assert len(days) == len(asked)
    assert [day + dt.timedelta(days=count) for day, count in zip(asked, days, strict=True)] == [
        deadlines.deadline(day) for day in asked
    ]


def test_the_overdue_page_reads_each_ministers_newest_from_the_index_of_unanswered_questions():
    from django.db import connection

    from questions.overdue import _NEWEST_OVERDUE_SQL
    from tests.helpers import plan_nodes

    minister = make_question(title="Laat", minister="Jo Brouns", date=dt.date(2022, 1, 3)).minister
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a table this small is otherwise scanned whole
        cursor.execute("EXPLAIN (FORMAT JSON) " + _NEWEST_OVERDUE_SQL, ([minister.pk], dt.date(2026, 1, 1), 10))
        plan = cursor.fetchone()[0][0]["Plan"]
        cursor.execute("RESET enable_seqscan")
    # A few entries of the minister's part of an index by minister and date (which one is the planner's to
    # choose from its statistics), cut off at ten: not every overdue question ranked.
    nodes = list(plan_nodes(plan))
    limits = [node for node in nodes if node["Node Type"] == "Limit"]
    assert limits and all(node["Node Type"] != "WindowAgg" for node in nodes)
    assert any(node.get("Index Name") in ("question_unanswered", "question_minister_newest")
               for limit in limits for node in plan_nodes(limit)), [  # fmt: skip
        (node["Node Type"], node.get("Index Name")) for node in nodes]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_overdue_pages_dates_read_as_the_date_filter_writes_them(language):
    from django.template import Context, Template
    from django.utils import translation

    days = [dt.date(2024, 3, 1), dt.date(2023, 10, 5), dt.date(2025, 12, 31)]
    with translation.override(language):
        context = Context({"days": days})
        ours = Template("{% load archive %}{% for d in days %}{{ d|short_date }};{% endfor %}").render(context)
        django = Template('{% for d in days %}{{ d|date:"j M Y" }};{% endfor %}').render(context)
    assert ours == django and "2024" in ours


def test_an_exports_calendar_of_whole_years_gives_each_days_deadline_across_the_new_year():
    years = (2023, 2024)  # 2024 a leap year; a question of late December is due in January
    days = [int(count) for count in ",".join(copy_export.days_to_deadline_text(year) for year in years).split(",")]
    first = dt.date(2023, 1, 1)
    assert len(days) == 365 + 366
    for offset, count in enumerate(days):
        asked = first + dt.timedelta(days=offset)
        assert asked + dt.timedelta(days=count) == deadlines.deadline(asked), asked
