"""Citing, sharing, printing and reading on a phone; scorecards and timelines; the page about the archive."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation

from questions import deadlines
from questions.citation import citation
from questions.models import Answer
from tests.conftest import SEED_DOCUMENT
from tests.factories import corpus, make_question
from tests.helpers import run_import

pytestmark = pytest.mark.django_db


def test_a_question_page_can_be_cited_shared_and_printed(client):
    run_import(SEED_DOCUMENT)
    from questions.models import Question

    question = Question.objects.get()
    html = client.get(question.get_absolute_url()).content.decode()

    assert '<meta property="og:title" content="Werkgroep Institutionele Zaken' in html
    assert re.search(r'<meta property="og:description" content="Schriftelijke vraag nr. 292 van 27 februari 2024', html)
    assert f'<meta property="og:url" content="http://testserver{question.get_absolute_url()}">' in html
    assert '<meta name="description" content="Schriftelijke vraag nr. 292' in html
    assert 'data-copy="citation-text"' in html and "hidden>Kopiëren</button>" in html  # shown by the script
    assert '/static/js/copy.js' in html
    stylesheet = client.get("/static/css/archive.css")
    css = b"".join(stylesheet.streaming_content).decode()
    assert "@media print" in css and ".site-header" in css.split("@media print", 1)[1]


def test_the_citation_is_dutch_whatever_the_interface():
    question = make_question(title="T", date=dt.date(2024, 2, 27), member="Karl Vanlouwe", minister="Jo Brouns",
                             number=292)  # fmt: skip
    with translation.override("en"):
        assert citation(question) == ("Schriftelijke vraag nr. 292 van 27 februari 2024 van Karl Vanlouwe aan Jo "
                                      "Brouns, Vlaams Parlement, zittingsjaar 2023-2024")  # fmt: skip


def test_document_text_is_marked_dutch_in_the_english_interface(client):
    question = make_question(title="Wachtlijsten", text="Hoe lang zijn de wachtlijsten?", answer="Drie maanden.")
    client.cookies["django_language"] = "en"

    html = client.get(question.get_absolute_url()).content.decode()

    assert '<html lang="en">' in html
    assert '<h1 lang="nl">Wachtlijsten</h1>' in html
    assert re.search(r'<section aria-labelledby="vraag" lang="nl">', html)
    assert '<div lang="nl">' in html
    results = client.get("/search/", {"q": "wachtlijsten"}).content.decode()
    assert '<h3 lang="nl">' in results and 'class="snippet" lang="nl"' in results


def test_results_have_numbered_pages_with_first_and_last_and_a_way_to_the_filters(client):
    for index in range(200):
        make_question(title=f"Fietspaden {index}", text="Over fietspaden.", learn_words=False)

    html = client.get("/search/", {"q": "fietspaden", "page": 4}).content.decode()

    nav = html[html.index('class="pagination"'):]
    assert '<a aria-current="page" href="?q=fietspaden&amp;page=4">4</a>' in nav
    for number in (1, 2, 3, 5, 6, 10):
        assert f'page={number}"' in nav
    assert "« Eerste" in nav and "Laatste »" in nav and "…" in nav
    assert 'href="#filters" class="filters-link"' in html and 'id="filters"' in html
    assert 'href="#results-heading" class="skip-to-results"' in html


def test_a_search_shows_its_matches_per_year_and_per_month_within_a_year(client):
    corpus()
    html = client.get("/search/").content.decode()
    chart = html[html.index('<figure class="chart">'):]
    assert "Resultaten per zittingsjaar" in chart
    assert 'href="/search/?year=2023-2024"' in chart and "<table" in chart

    narrowed = client.get("/search/", {"year": "2023-2024"}).content.decode()
    assert "Resultaten per maand" in narrowed
    assert 'href="/search/?year=2023-2024&amp;date_from=2024-01-01&amp;date_to=2024-01-31"' in narrowed


def test_a_ministers_page_has_a_scorecard(client):
    today = deadlines.today()
    minister = "Zuhal Demir"
    for year in (2021, 2022, 2023):
        make_question(title=f"Vraag {year}", minister=minister, themes=("Water",), answer="Ja.",
                      date=dt.date(year, 3, 1))  # fmt: skip
    late = make_question(title="Te laat", minister=minister, themes=("Milieu",), date=today - dt.timedelta(days=80))
    answered = make_question(title="Gedateerd", minister=minister, themes=("Water",), date=dt.date(2024, 1, 8))
    Answer.objects.create(question=answered, text="Ja.", minister=answered.minister, minister_title="minister",
                          answer_date=dt.date(2024, 1, 18))  # fmt: skip

    html = client.get("/ministers/zuhal-demir/").content.decode()

    figures = html[html.index('class="scorecard"'):]
    assert re.search(r'<span class="figure">5</span> vragen ontvangen', figures)
    assert re.search(r'<span class="figure">80%</span> beantwoord', figures)
    assert 'status=overdue">1</a>' in figures
    assert re.search(r'<span class="figure">10</span> dagen tot het antwoord \(mediaan, 1 antwoord met datum\)',
                     figures)  # fmt: skip
    assert "Vragen per zittingsjaar" in figures and 'href="/search/?minister=zuhal-demir&amp;year=2020-2021"' in figures
    assert "Meeste vragen per thema" in figures and 'href="/themes/water/"' in figures
    assert late.title in html


def test_member_and_theme_pages_have_theirs(client):
    corpus()
    member = client.get("/members/suzy-wouters/").content.decode()
    assert "Ondervraagde ministers" in member and "Meeste vragen per thema" in member
    theme = client.get("/themes/water/").content.decode()
    assert "Meeste vragen per parlementslid" in theme and "Vragen per zittingsjaar" in theme


@pytest.mark.parametrize("facet", ["minister", "member", "theme"])
def test_a_scorecard_read_from_the_page_search_equals_the_stored_counts(facet):
    """An entity page without filters takes its figures from its own search; they are the stored counts'."""
    from django.http import QueryDict

    from questions import scorecards
    from questions.models import Member, Minister, Theme
    from questions.search.params import SearchParams
    from questions.search.results import search

    corpus()
    for index in range(12):  # more members and themes than the scorecard shows, with different counts
        for repeat in range(index % 4 + 1):
            make_question(title=f"Vraag {index} {repeat}", member=f"Lid Nummer{index}", minister="Zuhal Demir",
                          themes=(f"Thema{index}", "Water"), answer="Ja." if repeat % 2 else None,
                          date=dt.date(2021 + repeat % 3, 3, 1 + index))  # fmt: skip
    entity = {"minister": Minister.objects.get(name="Zuhal Demir"), "member": Member.objects.get(name="Suzy Wouters"),
              "theme": Theme.objects.get(name="Water")}[facet]  # fmt: skip
    results = search(SearchParams.from_query(QueryDict(f"{facet}={entity.slug}")))
    years = {item.value: item.count for item in results.years}
    url = f"/search/?{facet}={entity.slug}"

    from_search = scorecards.scorecard(facet, entity, url, years, results)
    stored = scorecards.scorecard(facet, entity, url, years)

    assert from_search == stored
    assert from_search.total == results.total > 0 and all(len(bars) <= scorecards.TOP for bars in stored.top.values())


def test_the_about_page_says_what_the_archive_covers(client):
    assert "nog niets geïmporteerd" in client.get("/about/").content.decode()
    corpus()
    run_import(SEED_DOCUMENT)

    html = client.get("/about/").content.decode()

    assert "Over dit archief" in html
    assert '<a href="/search/?year=2023-2024">2023-2024</a></td><td class="number">' in html
    assert "Laatst bijgewerkt" in html and "nog niets geïmporteerd" not in html
    assert "11 juli" in html
