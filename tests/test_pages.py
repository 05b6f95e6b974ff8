"""The public pages: home, question page, minister/member/theme pages, language switch."""

import gettext
import re
from pathlib import Path

import pytest
from django.utils import timezone

from questions.models import Question
from tests.conftest import SEED_DOCUMENT
from tests.factories import corpus
from tests.helpers import run_import

pytestmark = pytest.mark.django_db
LOCALE = Path(__file__).resolve().parent.parent / "locale"


@pytest.fixture
def questions():
    return corpus()


def test_home_has_a_search_box_newest_questions_answers_and_themes(client, questions):
    page = client.get("/").content.decode()

    assert 'role="search"' in page and 'name="q"' in page
    assert page.index("Beveiliging") < page.index("Uitwisseling van arbeidsmarktgegevens")
    assert "Nieuwste antwoorden" in page
    assert 'href="/themes/water/"' in page


def test_a_question_page_shows_every_field_with_numbered_sub_questions_as_a_list(client):
    run_import(SEED_DOCUMENT)
    question = Question.objects.get()

    page = client.get(question.get_absolute_url()).content.decode()

    assert '<h1 lang="nl">Werkgroep Institutionele Zaken - Versterking' in page
    assert 'href="/members/karl-vanlouwe/">Karl Vanlouwe</a>' in page
    assert 'href="/ministers/jo-brouns/">Jo Brouns</a>, Vlaams minister van Economie' in page
    assert 'href="/themes/werk/">Werk</a>' in page
    assert 'href="https://docs.vlaamsparlement.be/pfile?id=2051090"' in page
    assert 'href="https://www.vlaamsparlement.be/parlementaire-documenten/schriftelijke-vragen/1806581"' in page
    assert re.search(r'<ol class="numbered" start="1"><li value="1">Kan de minister een overzicht geven', page)
    assert '<li value="4">Hoe evalueert de minister' in page
    # The citation in the parliament's form, with the parliament's own page for the document.
    assert ("Schriftelijke vraag nr. 292 van 27 februari 2024 van Karl Vanlouwe aan Jo Brouns, Vlaams Parlement, "
            "zittingsjaar 2023-2024, https://www.vlaamsparlement.be/parlementaire-documenten/schriftelijke-vragen/"
            "1806581</p>") in page  # fmt: skip
    assert f"http://testserver{question.get_absolute_url()}" in page
    assert 'id="antwoord"' in page


def test_a_question_page_lists_related_questions_with_a_shared_theme_first(client, questions):
    page = client.get(questions["water"].get_absolute_url()).content.decode()

    related = page[page.index("Verwante vragen") :]
    assert questions["old"].title in related
    assert questions["data"].title not in related


def test_a_corrected_question_says_so(client, questions):
    question = questions["data"]
    question.edited_since_import = True
    question.edited_at = timezone.now()
    question.save()

    assert "Gecorrigeerd door de redactie op" in client.get(question.get_absolute_url()).content.decode()


def test_an_unanswered_question_says_so(client, questions):
    page = client.get(questions["school"].get_absolute_url()).content.decode()

    assert "Deze vraag is nog niet beantwoord." in page


@pytest.mark.parametrize(
    "url, name, total, share",
    [("/ministers/jo-brouns/", "Jo Brouns", 2, 100), ("/members/suzy-wouters/", "Suzy Wouters", 2, 100),
     ("/themes/onderwijs/", "Onderwijs", 1, 0), ("/ministers/ben-weyts/", "Ben Weyts", 2, 50)],
)  # fmt: skip
def test_minister_member_and_theme_pages(client, questions, url, name, total, share):
    response = client.get(url)
    page = response.content.decode()

    assert f"<h1>{name}</h1>" in page
    assert f"{total} vra" in page
    assert f"{share}% beantwoord" in page
    assert response.context["results"].total == total


def test_unknown_pages_are_404(client):
    assert client.get("/questions/999999/").status_code == 404
    assert client.get("/ministers/niemand/").status_code == 404


def test_the_site_speaks_english_on_request(client, questions):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/search/?q=water"})
    assert response.status_code == 302

    page = client.get("/search/", {"q": "wateroverlast"}).content.decode()

    assert '<html lang="en">' in page
    assert "Search the written questions" in page
    assert "2 questions" in page
    assert "answered" in page


SAME_IN_ENGLISH = {"Minister", "Status", "PDF", "minister", "ministers", "Links", "Home", "Ministers", "Filters",
                   "Import %(number)d", "import", "imports", "link", "status", "term"}


def test_every_string_has_a_compiled_english_translation():
    po = (LOCALE / "en/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    with open(LOCALE / "en/LC_MESSAGES/django.mo", "rb") as mo:
        catalog = gettext.GNUTranslations(mo)
    msgids = [m for m in re.findall(r'^msgid "(.+)"$', po, re.MULTILINE)]
    assert len(msgids) > 100
    untranslated = [m for m in msgids if catalog.gettext(m.replace('\\"', '"')) == m.replace('\\"', '"')
                    and m not in SAME_IN_ENGLISH]  # fmt: skip
    assert untranslated == []
    assert "#, fuzzy" not in po


def test_the_site_is_dutch_whatever_the_browser_asks(client, questions):
    page = client.get("/search/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()

    assert '<html lang="nl">' in page
    assert "Zoeken in de schriftelijke vragen" in page


@pytest.mark.parametrize(
    "url, present",
    [
        ("/ministers/",
         ["Ben Weyts", "Jo Brouns", "Zuhal Demir", "Vlaams minister van Zuhal Demir", "2021-2022 – 2023-2024"]),
        ("/members/", ["Annick De Ridder", "Jos D&#x27;Haese", "Karl Vanlouwe", "Suzy Wouters"]),
        ("/themes/", ["Binnenlands bestuur", "Digitalisering", "Economie", "Onderwijs", "Water", "Werk"]),
        ("/years/", ["2023-2024", "2022-2023", "2021-2022"]),
    ],
)
def test_index_pages_list_every_entry_alphabetically_with_its_questions(client, questions, url, present):
    page = client.get(url).content.decode()

    positions = [page.index(text) for text in present]
    if url != "/years/":
        assert positions[:4] == sorted(positions[:4])  # alphabetical
    else:
        assert positions == sorted(positions)  # newest first
    assert f'href="{url}"' in client.get("/").content.decode()  # linked from every page's header


def test_an_index_page_counts_what_each_entry_has(client, questions):
    page = client.get("/themes/").content.decode()
    row = page[page.index(">Water</a>") :].split("</tr>")[0]
    assert '<td class="number">2</td>' in row  # "water" and "old"
    ministers = client.get("/ministers/").content.decode()
    row = ministers[ministers.index(">Jo Brouns</a>") :].split("</tr>")[0]
    assert '<td class="number">2</td>' in row
