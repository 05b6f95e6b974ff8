"""The public pages: home, question page, minister/member/theme pages, language switch."""

import gettext
import re
from pathlib import Path

import pytest
from django.utils import timezone

from questions.models import Minister, Question, Theme
from tests.conftest import SEED_DOCUMENT
from tests.factories import corpus, make_question
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


def test_names_with_markup_are_text_in_the_results_and_in_every_chart_and_its_table(client):
    """The list of results and the charts are written in Python (templatetags/archive.py, charts.py): a name is
    escaped in the result's line, and in a chart's bar (label and tooltip) and its table."""
    make_question(title="Over <i>fietsen</i> & meer", member="Jan <b>Vet</b>", minister="Jo Brouns",
                  themes=("Zorg & <u>welzijn</u>",), answer="Ja.")  # fmt: skip
    theme_page = client.get(Theme.objects.get().get_absolute_url()).content.decode()
    minister_page = client.get(Minister.objects.get().get_absolute_url()).content.decode()

    for page in (theme_page, minister_page):
        for markup in ("<b>Vet</b>", "<u>welzijn</u>", "<i>fietsen</i>"):
            assert markup not in page
        assert "Over &lt;i&gt;fietsen&lt;/i&gt; &amp; meer</a></h3>" in page  # the result's title
        assert "Jan &lt;b&gt;Vet&lt;/b&gt; → Jo Brouns" in page  # the result's names
    # The theme's chart of members: the bar's label, its tooltip ("name: count") and the table's row.
    assert theme_page.count("Jan &lt;b&gt;Vet&lt;/b&gt;") == 4
    assert "<title>Jan &lt;b&gt;Vet&lt;/b&gt;: 1</title>" in theme_page
    # The minister's chart of themes, the same way.
    assert minister_page.count("Zorg &amp; &lt;u&gt;welzijn&lt;/u&gt;") == 3


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
