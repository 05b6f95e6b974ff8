"""The read-only JSON API: same filters as /search/, errors as JSON with status 400."""

import datetime as dt

import pytest

from tests.factories import corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions():
    return corpus()


def test_the_list_has_count_pages_results_and_facets(client, questions):
    data = client.get("/api/questions/", {"q": "wateroverlast"}).json()

    assert data["count"] == 2
    assert data["next"] is None and data["previous"] is None
    assert set(data["facets"]) == {"theme", "minister", "member", "year", "answered", "status"}
    assert {"value": "water", "label": "Water", "count": 2} in data["facets"]["theme"]
    first = data["results"][0]
    assert set(first) == {"id", "url", "api_url", "number", "session", "date", "title", "member", "minister",
                          "minister_title", "themes", "answered", "status", "deadline", "answer_date",
                          "snippet"}  # fmt: skip
    assert first["url"].startswith("http://testserver/questions/")
    assert first["date"] == "2024-01-11"
    assert first["themes"] == ["Binnenlands bestuur", "Water"]
    assert "<mark>wateroverlast</mark>" in first["snippet"]


def test_facet_values_are_what_you_pass_back(client, questions):
    data = client.get("/api/questions/").json()
    minister = next(item for item in data["facets"]["minister"] if item["label"] == "Zuhal Demir")

    narrowed = client.get("/api/questions/", {"minister": minister["value"]}).json()

    assert narrowed["count"] == minister["count"] == 2


def test_next_and_previous_are_absolute_links(client):
    from tests.factories import make_question

    for index in range(25):
        make_question(title=f"Vraag {index}", text="Over fietspaden.")

    first = client.get("/api/questions/", {"q": "fietspaden"}).json()
    second = client.get(first["next"]).json()

    assert first["next"] == "http://testserver/api/questions/?q=fietspaden&page=2"
    assert len(second["results"]) == 5
    assert second["previous"].endswith("page=1")


def test_a_question_in_full(client, questions):
    question = questions["data"]

    data = client.get(f"/api/questions/{question.pk}/").json()

    assert data["question_text"] == question.question_text
    assert data["answer_text"].startswith("De uitwisseling van data")
    assert data["answer_date"] is None
    assert data["pdf_url"] is None and data["source_url"] is None


def test_an_unanswered_question_has_a_null_answer(client, questions):
    data = client.get(f"/api/questions/{questions['school'].pk}/").json()

    assert data["answered"] is False
    assert data["answer_text"] is None


@pytest.mark.parametrize(
    "params",
    [{"theme": "bestaat-niet"}, {"date_from": "gisteren"}, {"year": "2024"}, {"sort": "random"}, {"page": "x"},
     {"q": "x" * 600}, {"answered": "misschien"}],
)  # fmt: skip
def test_bad_parameters_are_a_400_with_a_message(client, questions, params):
    response = client.get("/api/questions/", params)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]
    assert response.json()["details"]


def test_an_unknown_question_is_a_404(client):
    assert client.get("/api/questions/999999/").status_code == 404


def test_theme_names_follow_renamed_and_changed_themes(client):
    from questions.models import Theme
    from tests.factories import make_question

    question = make_question(title="Fietspaden langs kanalen", themes=("Verkeer", "Mobiliteit"))
    bare = make_question(title="Fietspaden zonder thema")

    def themes_shown() -> dict[int, list[str]]:
        results = client.get("/api/questions/", {"q": "fietspaden"}).json()["results"]
        return {item["id"]: item["themes"] for item in results}

    assert themes_shown() == {question.pk: ["Mobiliteit", "Verkeer"], bare.pk: []}

    verkeer = Theme.objects.get(name="Verkeer")
    verkeer.name = "Verkeersveiligheid"
    verkeer.save()
    question.themes.remove(Theme.objects.get(name="Mobiliteit"))
    question.themes.add(Theme.objects.get_or_create_by_name("Water"))

    assert themes_shown() == {question.pk: ["Verkeersveiligheid", "Water"], bare.pk: []}
    detail = client.get(f"/api/questions/{question.pk}/").json()
    assert detail["themes"] == ["Verkeersveiligheid", "Water"]


@pytest.mark.parametrize("page", ["9223372036854775808", "99999999999999999999999", "100001", "-5", "1e3"])
def test_huge_or_odd_page_numbers_are_explained_never_an_error(client, questions, page):
    api = client.get("/api/questions/", {"page": page, "q": "wateroverlast"})
    assert api.status_code == 400 and api.json()["details"]

    for path in ("/search/", "/ministers/zuhal-demir/", "/themes/water/"):
        response = client.get(path, {"page": page})
        assert response.status_code == 200, path
        assert 'class="notices"' in response.content.decode(), path


def test_the_same_problem_reads_the_same_in_every_output(client, questions):
    params = {"theme": "bestaat-niet"}
    page = client.get("/search/", params).content.decode()
    api = client.get("/api/questions/", params).json()["details"]
    csv_body = client.get("/search/export.csv", params).content.decode()
    feed = client.get("/feeds/answers.atom", params).content.decode()

    (message,) = api
    assert message in page
    assert message in csv_body and message in feed


def test_a_question_number_selects_the_questions_with_that_number(client):
    from tests.factories import make_question

    wanted = make_question(title="Gezocht", number=292, minister="Jo Brouns")
    other_minister = make_question(title="Ook 292", number=292, minister="Ben Weyts", date=dt.date(2022, 3, 1))
    make_question(title="Iets anders", number=293)

    found = client.get("/api/questions/", {"number": "292"}).json()
    cited = client.get("/api/questions/", {"number": "nr. 292", "year": wanted.session}).json()

    assert {row["id"] for row in found["results"]} == {wanted.pk, other_minister.pk} and found["count"] == 2
    assert [row["id"] for row in cited["results"]] == [wanted.pk]
    page = client.get("/search/", {"number": "292"}).content.decode()
    assert "nr. 292" in page and "Gezocht" in page and "Iets anders" not in page
    assert client.get("/api/questions/", {"number": "twee"}).status_code == 400
