"""RSS and Atom feeds, read with a real parser (feedparser)."""

import datetime as dt
from xml.etree import ElementTree

import feedparser
import pytest
from django.utils import timezone

from questions.models import Answer, Question
from tests.factories import corpus, make_question

pytestmark = pytest.mark.django_db


def parse(client, url: str, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_latest_questions_feed_lists_newest_first(client, kind):
    questions = corpus()

    feed = parse(client, f"/feeds/questions.{kind}")

    order = ["xss", "data", "water", "school", "work", "old"]
    assert [entry.link for entry in feed.entries] == [
        f"http://testserver{questions[key].get_absolute_url()}" for key in order
    ]
    assert feed.entries[1].title.startswith(questions["data"].title)
    entry = feed.entries[2]
    assert entry.link == f"http://testserver{questions['water'].get_absolute_url()}"
    assert entry.id == entry.link  # stable GUID: the permalink
    assert entry.published_parsed[:3] == (2024, 1, 11)


def test_a_search_feed_takes_the_search_parameters(client):
    questions = corpus()

    feed = parse(client, "/feeds/questions.rss", {"q": "wateroverlast", "member": "suzy-wouters"})

    assert [entry.link.rsplit("/", 2)[-2] for entry in feed.entries] == [
        str(questions["water"].pk), str(questions["old"].pk),
    ]  # fmt: skip
    assert "wateroverlast" in feed.feed.title


def test_a_feed_of_a_phrase_with_stop_words_checks_the_text_in_batches_newest_first(client, monkeypatch):
    """The feed lists the newest questions holding "De Lijn" as written, and the text is checked a batch of the
    index's candidates at a time: never while walking the archive in date order (which tested every question
    on the way: 2.7 s at 100,000 documents for a phrase few questions hold)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from questions.search import results

    monkeypatch.setattr(results, "PHRASE_CHECK_BATCH", 1)  # several batches, even in a small archive
    day = dt.date(2024, 3, 1)
    for n in range(3):
        make_question(title=f"Bus {n}", text=f"De Lijn rijdt lijn {n}.", date=day + dt.timedelta(days=n))
    make_question(title="Lijn 9", text="Deze lijn rijdt niet meer.", date=day + dt.timedelta(days=10))
    make_question(title="Tram", text="Een andere lijn.", date=day + dt.timedelta(days=11), answer="De Lijn antwoordt.")

    with CaptureQueriesContext(connection) as queries:
        feed = parse(client, "/feeds/questions.rss", {"q": '"De Lijn"'})

    assert [entry.title.split(" (")[0] for entry in feed.entries] == ["Tram", "Bus 2", "Bus 1", "Bus 0"]
    checks = [query["sql"] for query in queries if "~*" in query["sql"]]
    assert len(checks) == 3  # batches of 1, 2 and 2 (of 4) candidates, newest first
    assert not any(" LIMIT " in sql.replace(" LIMIT 1)", "") for sql in checks)  # (LIMIT 1: the answer's subquery)


def test_a_feed_of_a_phrase_checks_the_candidates_of_its_words_in_batches_newest_first(client, monkeypatch):
    """A phrase of words that many questions hold apart and few side by side: the feed lists the newest that hold
    it, checking the index's candidates a batch at a time, never while walking the archive in date order
    (which tested every question's vector on the way: 1.3 s at 100,000 documents for "maand jarenlange")."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from questions.search import results

    monkeypatch.setattr(results, "PHRASE_CHECK_BATCH", 1)  # several batches, even in a small archive
    day = dt.date(2024, 3, 1)
    make_question(title="Wachten", text="De wachttijd in de kinderopvang blijft lang.", date=day)
    make_question(title="Stijging", text="De wachttijd kinderopvang stijgt.", date=day + dt.timedelta(days=1))
    make_question(title="Omgekeerd", text="Kinderopvang en wachttijd.", date=day + dt.timedelta(days=2))
    make_question(title="Antwoord", text="Een vraag.", date=day + dt.timedelta(days=3),
                  answer="Over de wachttijd kinderopvang: zie bijlage.")

    with CaptureQueriesContext(connection) as queries:
        feed = parse(client, "/feeds/questions.rss", {"q": '"wachttijd kinderopvang"'})

    assert [entry.title.split(" (")[0] for entry in feed.entries] == ["Antwoord", "Stijging"]
    checks = [query["sql"] for query in queries if "<->" in query["sql"] and "search_vector" in query["sql"]]
    assert len(checks) == 3  # batches of 1, 2 and 1 (of 4) candidates, newest first
    assert all('"questions_question"."id" IN (' in sql for sql in checks)


def test_the_answers_feed_is_ordered_and_dated_by_the_answer_date_never_by_the_import(client):
    questions = corpus()
    # Imported last, but asked in 2022 and with no answer date: listed by its question's date, after the
    # answer of a question asked in 2024.
    Answer.objects.filter(question=questions["old"]).update(recorded_at=timezone.now() + dt.timedelta(hours=1))

    feed = parse(client, "/feeds/answers.atom", {"minister": "zuhal-demir"})

    assert [entry.link for entry in feed.entries] == [
        f"http://testserver{questions['water'].get_absolute_url()}#antwoord",
        f"http://testserver{questions['old'].get_absolute_url()}#antwoord",
    ]
    assert feed.entries[1].published_parsed[:3] == (2022, 3, 1)
    assert "Antwoorddatum onbekend; vraag van 2022-03-01" in feed.entries[1].summary

    # An answer date, from a source or an editor, puts it where it belongs.
    Answer.objects.filter(question=questions["old"]).update(answer_date=dt.date(2024, 5, 2))
    feed = parse(client, "/feeds/answers.atom", {"minister": "zuhal-demir"})

    assert feed.entries[0].link.endswith(f"{questions['old'].get_absolute_url()}#antwoord")
    assert feed.entries[0].published_parsed[:3] == (2024, 5, 2)
    assert "Beantwoord op 2024-05-02" in feed.entries[0].summary


def test_feed_text_is_escaped(client):
    make_question(title="<script>alert(1)</script> titel", text="<img src=x onerror=alert(1)> tekst")

    response = client.get("/feeds/questions.rss")
    feed = feedparser.parse(response.content)

    assert b"<script>" not in response.content
    assert b"<img" not in response.content
    assert "<img src=x onerror=alert(1)>" in feed.entries[0].summary or "&lt;img" in feed.entries[0].summary


@pytest.mark.parametrize("path", ["/feeds/questions.rss", "/feeds/questions.atom", "/feeds/answers.rss",
                                  "/feeds/answers.atom"])
def test_a_feed_with_a_bad_parameter_says_why_with_a_400(client, path):
    response = client.get(path, {"theme": "bestaat-niet", "date_from": "gisteren"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "bestaat-niet" in body and "gisteren" in body


def test_pages_with_a_feed_announce_it(client):
    questions = corpus()
    for url in ("/", "/search/?q=water", "/ministers/zuhal-demir/", "/themes/water/", "/members/suzy-wouters/"):
        page = client.get(url).content.decode()
        assert 'rel="alternate" type="application/rss+xml"' in page, url
    page = client.get("/themes/water/").content.decode()
    assert 'href="/feeds/questions.rss?theme=water"' in page
    assert questions["water"].title in page


def test_feed_items_carry_their_themes_as_categories(client):
    make_question(title="Fietspaden langs kanalen", themes=("Mobiliteit", "Water"))

    (entry,) = parse(client, "/feeds/questions.rss", {"q": "fietspaden"}).entries

    assert [tag.term for tag in entry.tags] == ["Mobiliteit", "Water"]


BAD = "Wegen\x01 en\x0b bruggen\ufffe in\uffff Gent"


@pytest.mark.parametrize("path", ["/feeds/questions.rss", "/feeds/questions.atom", "/feeds/answers.rss",
                                  "/feeds/answers.atom"])  # fmt: skip
def test_characters_xml_cannot_carry_never_break_a_feed(client, path):
    # Written around the importer and the admin (raw data): the feed still parses, without them.
    make_question(title=BAD, text=BAD, answer=BAD, themes=(BAD,))

    response = client.get(path)

    assert response.status_code == 200
    ElementTree.fromstring(response.content)  # well-formed XML
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries and "Wegen en bruggen in Gent" in parsed.entries[0].title


def test_imports_and_admin_edits_drop_characters_xml_cannot_carry(client, editor, tmp_path):
    from tests.conftest import SEED_DOCUMENT
    from tests.helpers import run_import
    from tests.test_admin import change_form_data

    text = SEED_DOCUMENT.read_text(encoding="utf-8")
    text = text.replace("Werkgroep Institutionele", "Werkgroep\x07 Instit\ufffeutionele")
    (tmp_path / "seed.txt").write_text(text, encoding="utf-8")
    assert run_import(tmp_path / "seed.txt")[0] == 0
    question = Question.objects.get()
    assert "Werkgroep Institutionele" in question.title

    data = change_form_data(question, title="Nieuwe\x0b titel\uffff", question_text="Tekst\x1f met\ufffe fouten")
    assert client.post(f"/admin/questions/question/{question.pk}/change/", data).status_code == 302

    question.refresh_from_db()
    assert (question.title, question.question_text) == ("Nieuwe titel", "Tekst met fouten")
    assert not feedparser.parse(client.get("/feeds/questions.rss").content).bozo
