"""The search semantics, through the FilterSet and the /search/ page, against the real database."""

import datetime as dt
import html
import re
from urllib.parse import quote_plus, urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questions.deadlines import overdue_cutoff
from questions.models import Question
from questions.search import rows
from questions.search.text import snippet_params, to_tsquery_text
from tests.factories import corpus, make_question
from tests.helpers import plan_nodes, run_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions():
    return corpus()


def found(query_string: str) -> list[str]:
    results = run_search(QueryDict(query_string))
    return [question.title for question in results.questions]


def keys(questions, query_string: str) -> set[str]:
    titles = set(found(query_string))
    return {key for key, question in questions.items() if question.title in titles}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("q=wateroverlast", {"water", "old"}),
        ("q=%22zware+wateroverlast%22", {"water"}),  # phrase
        ("q=%22wateroverlast+zware%22", set()),  # phrase order matters
        ("q=werkloosheid+or+draaiboek", {"work", "water"}),  # OR
        ("q=wateroverlast+-checklist", {"water"}),  # exclusion (the checklist is in the old one's answer)
        ("q=toegankelijk*", {"school", "data"}),  # prefix: toegankelijk, toegankelijkheid
        ("q=uitwisselen", {"data"}),  # stemming: uitwisseling
        ("q=coordinatie", {"water"}),  # accent folding: coördinatie
        ("q=Wouters", {"water", "old"}),  # names
        ("q=Digitalisering", {"xss"}),  # themes
    ],
)
def test_text_search(questions, query, expected):
    assert keys(questions, query) == expected


def test_relevance_ranks_title_above_question_above_answer():
    title = make_question(title="Draaiboek wateroverlast", text="Iets anders.", answer="Niets.")
    question = make_question(title="Iets", text="Een draaiboek is nodig.", answer="Niets.")
    answer = make_question(title="Nog iets", text="Iets anders.", answer="Er is een draaiboek.")

    results = run_search(QueryDict("q=draaiboek"))

    assert [q.pk for q in results.questions] == [title.pk, question.pk, answer.pk]
    assert results.params.sort == "relevance"


@pytest.mark.parametrize("ranked_beyond_the_exact_limit", [False, True])
def test_a_phrase_is_ranked_title_above_question_above_answer_where_it_is_checked(monkeypatch,
                                                                                 ranked_beyond_the_exact_limit):
    from questions.search import paging

    if ranked_beyond_the_exact_limit:  # more matches than are ranked exactly: the title pass, then the rest
        monkeypatch.setattr(paging, "EXACT_RANKING_LIMIT", 2)
    title = make_question(title="Het draaiboek wateroverlast", text="Iets anders.", answer="Niets.",
                          date=dt.date(2020, 1, 1))  # fmt: skip
    question = make_question(title="Iets", text="Een draaiboek wateroverlast is nodig.", answer="Niets.",
                             date=dt.date(2021, 1, 1))  # fmt: skip
    answer = make_question(title="Nog iets", text="Iets anders.", answer="Er is een draaiboek wateroverlast.",
                           date=dt.date(2022, 1, 1))  # fmt: skip
    make_question(title="Apart", text="Een draaiboek, en ook wateroverlast.", date=dt.date(2023, 1, 1))

    results = run_search(QueryDict('q="draaiboek wateroverlast"'))

    # Beyond the limit, the title matches lead and the others follow newest first.
    expected = [title, answer, question] if ranked_beyond_the_exact_limit else [title, question, answer]
    assert [q.pk for q in results.questions] == [q.pk for q in expected]
    assert results.total == 3


@pytest.mark.parametrize("sort", ["relevance", "newest"])  # checked on the candidates' vectors, or by the index
@pytest.mark.parametrize(
    "typed, expected",
    [
        ('"draaiboek wateroverlast"', {"title", "question"}),
        ('"draaiboek wateroverlast" -"zware storm"', {"question"}),
        ('"draaiboek wateroverlast" -storm', {"question"}),
        ('"draaiboek wateroverlast" or storm', {"title", "question", "storm"}),
        ('"zware storm" -"draaiboek wateroverlast"', {"storm"}),
        ('"draaiboek wateroverlast"&date_from=2021-01-01', {"question"}),
        ('"draaiboek wateroverlast"&year=2019-2020', {"title"}),
    ],
)
def test_a_phrase_is_checked_with_everything_around_it(typed, expected, sort):
    made = {
        "title": make_question(title="Draaiboek wateroverlast", text="Na de zware storm.", date=dt.date(2020, 1, 6)),
        "question": make_question(title="Iets", text="Een draaiboek wateroverlast is nodig.", date=dt.date(2021, 1, 6)),
        "apart": make_question(title="Apart", text="Een draaiboek, en ook wateroverlast.", date=dt.date(2022, 1, 6)),
        "storm": make_question(title="Weer", text="Over de zware storm. Een draaiboek, en ook wateroverlast.",
                               date=dt.date(2023, 1, 6)),  # fmt: skip
    }

    results = run_search(QueryDict(f"q={typed}&sort={sort}"))

    assert {key for key, question in made.items() if question in results.questions} == expected
    assert results.total == len(expected)


def test_a_phrase_snippet_marks_the_phrase_where_its_first_word_starts_many_other_words():
    filler = "De persoon vroeg over de periode en het percentage van de personeelsleden. " * 30
    question = make_question(title="Beleid", text=filler + "Het gaat om perse speculeren <b>hier</b>. " + filler)

    results = run_search(QueryDict('q="perse speculeren"'))

    assert [q.pk for q in results.questions] == [question.pk]
    snippet = results.questions[0].snippet.html
    assert "<mark>perse</mark> <mark>speculeren</mark>" in snippet
    assert "&lt;b&gt;hier&lt;/b&gt;" in snippet  # the document's text escaped, only our marks live
    assert "<mark>persoon</mark>" not in snippet and "<mark>personeelsleden</mark>" not in snippet


def test_a_phrase_snippet_shows_the_phrase_and_not_the_first_place_of_its_last_word():
    filler = "De regering besliste over de begroting en het beleid van de regering in dit jaar. "
    text = filler * 20 + "Het antwoord van de Vlaamse regering volgt. " + filler * 20 + "Nogmaals de Vlaamse regering."
    make_question(title="Beleid", text=text)

    (question,) = run_search(QueryDict('q="vlaamse regering"')).questions

    # 'vlam' is the stem of "Vlaamse": the place is found with the vowel doubled as written
    fragments = question.snippet.html.split(" … ")
    assert len(fragments) == 2
    assert all("<mark>Vlaamse</mark> <mark>regering</mark>" in fragment for fragment in fragments)
    assert "antwoord van de <mark>Vlaamse</mark>" in fragments[0] and "Nogmaals" in fragments[1]


def test_a_snippet_finds_its_place_in_text_written_in_capitals():
    filler = "De regering besliste over de begroting en het beleid van de regering in dit jaar. "
    make_question(title="Beleid", text=filler * 30 + "HET ANTWOORD VAN DE VLAAMSE REGERING VOLGT. " + filler * 10)

    (question,) = run_search(QueryDict('q="vlaamse regering"')).questions

    assert "<mark>VLAAMSE</mark> <mark>REGERING</mark>" in question.snippet.html.split(" … ")[0]


def test_a_snippets_places_are_worked_out_once_per_page_not_once_per_row():
    params = [*snippet_params(to_tsquery_text('"vlaamse regering"')), [1]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (VERBOSE) " + rows.statement(with_snippet=True), params)
        plan = "\n".join(line for (line,) in cursor.fetchall())

    # archive_snippet_places of the query is a constant by the time the rows are read: the patterns themselves
    assert "archive_snippet(" in plan and "archive_snippet_places(" not in plan
    assert r"\\m(?:" in plan  # the pattern where the phrase starts a word, as a literal of the plan


def test_a_prefix_finds_the_words_that_start_as_typed_not_those_its_stem_starts():
    antenna = make_question(title="Antennes op daken", text="Een nieuwe antenne.")
    make_question(title="Antwoord", text="Het antwoord van de minister.")  # "anten" stems to "ant", as antwoord
    states = make_question(title="De Staten-Generaal", text="Vergaderingen van de staten.")  # stem "stat"

    assert [q.pk for q in run_search(QueryDict("q=anten*")).questions] == [antenna.pk]
    assert [q.pk for q in run_search(QueryDict("q=staten*")).questions] == [states.pk]  # through its stem
    assert {q.pk for q in run_search(QueryDict("q=ant*")).questions} == {antenna.pk} | {
        q.pk for q in Question.objects.filter(title="Antwoord")
    }


def test_sorting_newest_and_oldest(questions):
    newest = found("sort=newest")
    assert newest[0] == questions["xss"].title and newest[-1] == questions["old"].title
    assert found("sort=oldest") == list(reversed(newest))
    assert found("") == newest  # newest is the default without a query


@pytest.mark.parametrize(
    "query, expected",
    [
        ("theme=water", {"water", "old"}),
        ("theme=water&theme=werk", {"water", "old", "data", "work"}),  # OR within a facet
        ("theme=werk&minister=jo-brouns", {"data", "work"}),
        ("theme=water&minister=jo-brouns", set()),  # AND across facets
        ("member=suzy-wouters", {"water", "old"}),
        ("year=2023-2024", {"water", "data", "school", "xss"}),
        ("year=2022-2023&year=2021-2022", {"work", "old"}),
        ("answered=no", {"school"}),
        ("answered=yes&theme=werk", {"data", "work"}),
        ("date_from=2024-01-01&date_to=2024-02-27", {"water", "data"}),
        ("date_from=2024-02-28", {"xss"}),
        ("q=wateroverlast&year=2023-2024", {"water"}),
    ],
)
def test_facet_filters(questions, query, expected):
    assert keys(questions, query) == expected


def test_each_facet_counts_with_every_other_filter_but_its_own(questions):
    results = run_search(QueryDict("theme=werk&minister=jo-brouns"))
    facets = {name: {item.value: item.count for item in values} for name, values in results.facets.items()}

    assert results.total == 2
    # Themes are counted under the minister filter only: all of Jo Brouns's questions, per theme.
    assert facets["theme"] == {"werk": 2, "economie": 1}
    # Ministers are counted under the theme filter only.
    assert facets["minister"] == {"jo-brouns": 2}
    assert facets["member"] == {"karl-vanlouwe": 1, "jos-dhaese": 1}
    assert facets["year"] == {"2023-2024": 1, "2022-2023": 1}
    assert facets["answered"] == {"yes": 2}
    selected = {(name, item.value) for name, values in results.facets.items() for item in values if item.selected}
    assert selected == {("theme", "werk"), ("minister", "jo-brouns")}


def test_a_search_without_facet_filters_counts_every_facet_of_its_matches():
    today = dt.date.today()
    made = [
        make_question(title="Wateroverlast", answer="Ja.", minister="Jo Brouns", member="Karl Vanlouwe",
                      themes=("Water",), date=today - dt.timedelta(days=400)),
        make_question(title="Wateroverlast", minister="Jo Brouns", member="Jos D'Haese",
                      themes=("Water", "Werk"), date=today - dt.timedelta(days=90)),
        make_question(title="Wateroverlast", minister="Zuhal Demir", member="Karl Vanlouwe",
                      date=today - dt.timedelta(days=2)),
        make_question(title="Wateroverlast", answer="Nee.", minister="Zuhal Demir", member="Karl Vanlouwe",
                      themes=("Werk",), date=today - dt.timedelta(days=30)),
        make_question(title="Iets anders", answer="Nee.", minister="Zuhal Demir", member="Jos D'Haese",
                      themes=("Werk",), date=today - dt.timedelta(days=2)),
    ]  # fmt: skip

    results = run_search(QueryDict("q=wateroverlast&facet_limit=0"))
    counted = {name: {item.value: item.count for item in values} for name, values in results.facets.items()}

    matched = made[:4]
    assert results.total == 4
    assert counted["minister"] == {"jo-brouns": 2, "zuhal-demir": 2}
    assert counted["member"] == {"karl-vanlouwe": 3, "jos-dhaese": 1}
    assert counted["theme"] == {"water": 2, "werk": 2}
    assert counted["year"] == {session: sum(q.session == session for q in matched) for session in
                               {q.session for q in matched}}  # fmt: skip
    assert counted["answered"] == {"yes": 2, "no": 2}
    assert counted["status"] == {"answered": 2, "overdue": 1, "waiting": 1}


@pytest.mark.parametrize("chosen", [
    {}, {"minister": ["zuhal-demir"]}, {"answered": ["no"]}, {"status": ["waiting", "overdue"]},
    {"member": ["karl-vanlouwe"], "answered": ["yes"]},
    {"theme": ["werk"], "minister": ["zuhal-demir"], "status": ["overdue"]},
])  # fmt: skip
def test_with_text_each_facet_counts_its_matches_under_every_other_filter_but_its_own(chosen):
    today = dt.date.today()
    made = [
        make_question(title="Wateroverlast" if index % 5 else "Iets anders", answer="Ja." if index % 3 == 0 else None,
                      minister=("Jo Brouns", "Zuhal Demir", "Ben Weyts")[index % 3],
                      member=("Karl Vanlouwe", "Jos D'Haese")[index % 2],
                      themes=(("Water",), ("Werk",), ("Water", "Werk"), ())[index % 4],
                      date=today - dt.timedelta(days=(2, 30, 90, 400, 800)[index % 5] + index))
        for index in range(30)
    ]  # fmt: skip
    values = {
        "minister": lambda q: {q.minister.slug}, "member": lambda q: {q.member.slug},
        "theme": lambda q: {t.slug for t in q.themes.all()}, "year": lambda q: {q.session},
        "answered": lambda q: {"yes" if q.has_answer else "no"},
        "status": lambda q: {"answered" if q.has_answer else "overdue" if q.date_asked <= overdue_cutoff()
                             else "waiting"},
    }  # fmt: skip
    texts = [q for q in made if q.title == "Wateroverlast"]

    results = run_search(QueryDict(urlencode({"q": "wateroverlast", "facet_limit": "0", **chosen}, doseq=True)))

    def kept(question: Question, but: str | None) -> bool:
        return all(values[name](question) & set(wanted) for name, wanted in chosen.items() if name != but)

    assert results.total == sum(kept(q, None) for q in texts)
    for facet, value_of in values.items():
        expected: dict[str, int] = {}
        for question in (q for q in texts if kept(q, facet)):
            for value in value_of(question):
                expected[value] = expected.get(value, 0) + 1
        # (a chosen value is listed even where nothing has it, with 0)
        assert {item.value: item.count for item in results.facets[facet] if item.count} == expected, facet


def test_with_two_facets_chosen_only_the_matches_that_meet_one_of_them_are_selected():
    from questions.search import query
    from questions.search.params import SearchParams

    for index in range(40):
        make_question(title=f"Verkeer {index}", themes=("Mobiliteit",) if index < 4 else (),
                      minister="Lydia Peeters" if 3 <= index < 8 else "Jo Brouns")  # fmt: skip
    params = SearchParams.from_query(QueryDict("q=verkeer&theme=mobiliteit&minister=lydia-peeters"))
    with CaptureQueriesContext(connection) as queries:
        result = query.run(params, 0, 20)
    (statement,) = [q["sql"] for q in queries.captured_queries if "WITH base AS MATERIALIZED" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement)
        (plan,) = cursor.fetchone()[0]

    assert result.total == 1
    assert {item.value: item.count for item in result.facets["minister"]} == {"lydia-peeters": 1, "jo-brouns": 3}
    (selection,) = [node for node in plan_nodes(plan["Plan"]) if node.get("Subplan Name") == "CTE base"]
    assert selection["Actual Rows"] == 8  # the 40 matches of the word, less those that meet neither filter


def test_choosing_one_theme_still_shows_the_others_counts(questions):
    results = run_search(QueryDict("theme=water"))
    themes = {item.value: item.count for item in results.facets["theme"]}

    assert themes["water"] == 2
    assert themes["werk"] == 2
    assert themes["onderwijs"] == 1


def test_unknown_and_malformed_values_are_reported_not_errors(questions):
    results = run_search(QueryDict("theme=bestaat-niet&year=2024&answered=misschien&date_from=gisteren&sort=x&page=z"))

    assert results.total == 6
    text = " ".join(results.notices)
    for fragment in ("bestaat-niet", "2024", "misschien", "gisteren", "“x”", "“z”"):
        assert fragment in text


def test_swapped_dates_are_swapped_with_a_notice(questions):
    results = run_search(QueryDict("date_from=2024-02-27&date_to=2024-01-01"))

    assert {q.title for q in results.questions} == {questions["water"].title, questions["data"].title}
    assert any("omgewisseld" in notice for notice in results.notices)


def test_pagination_pages_of_twenty():
    for index in range(45):
        make_question(title=f"Vraag {index}", text="Over fietspaden.")

    first = run_search(QueryDict("q=fietspaden"))
    third = run_search(QueryDict("q=fietspaden&page=3"))
    beyond = run_search(QueryDict("q=fietspaden&page=99"))

    assert (first.total, first.num_pages, len(first.questions)) == (45, 3, 20)
    assert len(third.questions) == 5
    assert beyond.number == 3 and beyond.notices
    seen = {q.pk for page in (1, 2, 3) for q in run_search(QueryDict(f"q=fietspaden&page={page}")).questions}
    assert len(seen) == 45


def test_a_query_that_is_too_long_gets_a_clear_message(client, questions):
    response = client.get("/search/", {"q": "water " * 1000})

    assert response.status_code == 200
    assert "te lang" in response.content.decode()
    assert response.context["results"].total == 0


@pytest.mark.parametrize(
    "query",
    ['"', "***", "-", "- - -", "or or", "\x00\x07\x1b", "'; DROP TABLE questions_question; --", "a" * 5000,
     "(((", "!water", "water:*", "&|!<->", "🙂 emoji", "\\", "%", "_"],
)  # fmt: skip
def test_odd_input_gives_a_normal_page(client, questions, query):
    response = client.get("/search/", {"q": query, "theme": query, "page": query, "date_to": query})

    assert response.status_code == 200


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_any_typed_text_searches_without_error(questions, text):
    run_search(QueryDict(mutable=True) | {"q": text})


def test_snippets_highlight_matches_from_question_or_answer(questions):
    results = run_search(QueryDict("q=draaiboek"))
    (question,) = results.questions

    assert question.snippet.source == "answer"
    assert "<mark>draaiboek</mark>" in question.snippet.html


def test_a_match_outside_the_question_text_shows_its_opening_words_and_a_match_inside_is_marked(db):
    opening = "Het <b>eerste</b> woord &amp; de rest: " + " ".join(f"woord{number}" for number in range(30))
    title_only = make_question(title="Bijensterfte in Limburg", text=opening, number=901)
    in_text = make_question(title="Bijenvolken", text="Hoeveel bijenvolken stierven door bijensterfte? " * 3,
                            number=902)  # fmt: skip
    snippets = {question.pk: question.snippet for question in run_search(QueryDict("q=bijensterfte")).questions}

    # As ts_headline shows a text without a match: its first 18 words, escaped, nothing marked.
    shown = snippets[title_only.pk]
    assert shown.source == "question" and "<mark>" not in shown.html
    assert shown.html.startswith("Het &lt;b&gt;eerste&lt;/b&gt; woord &amp;amp; de rest:")
    assert shown.html.endswith(" woord11") and "woord12" not in shown.html
    assert "<mark>bijensterfte</mark>" in snippets[in_text.pk].html
    # Any word of the query in the text is marked, whatever the operators between them.
    page = run_search(QueryDict("q=bijenvolken+stierven+-limburg"))
    assert "<mark>bijenvolken</mark>" in page.questions[0].snippet.html


def test_a_long_answer_shows_the_places_that_match_escaped_and_cut_at_whole_words(db):
    filler = " ".join(f"woord{number}" for number in range(150))  # about 1,000 characters between matches
    answer = (f"{filler} Het <b>draaiboek</b> & de rest. {filler} Een tweede draaiboek volgt. {filler} "
              f"Nog een draaiboek. {filler}")
    make_question(title="Rampenplan", text="Iets anders.", answer=answer)

    (question,) = run_search(QueryDict("q=draaiboek")).questions

    assert question.snippet.source == "answer"
    fragments = question.snippet.html.split(" … ")
    assert len(fragments) == 2  # two places, as ts_headline shows them
    assert "&lt;b&gt;<mark>draaiboek</mark>&lt;/b&gt; &amp; de rest" in fragments[0]
    assert "tweede <mark>draaiboek</mark>" in fragments[1]
    words = set(html.escape(answer).split())
    for fragment in fragments:  # every word whole: none cut in two where the part shown begins or ends
        assert set(fragment.replace("<mark>", "").replace("</mark>", "").split()) <= words


def test_a_long_text_whose_match_differs_by_an_accent_is_still_marked(db):
    filler = " ".join(f"woord{number}" for number in range(300))
    make_question(title="Overleg", text="Iets anders.", answer=f"{filler} De coördinatie loopt. {filler}")

    (question,) = run_search(QueryDict("q=coordinatie")).questions

    assert "<mark>coördinatie</mark>" in question.snippet.html


def test_document_html_is_shown_as_text_everywhere_on_the_page(client, questions):
    for url in ("/search/?q=beveiliging", "/", questions["xss"].get_absolute_url(), "/themes/digitalisering/"):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page, url
        assert "<img src=x" not in page, url
        assert "<b>vet</b>" not in page, url
    page = client.get("/search/?q=beveiliging").content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<mark>" in page


def test_the_search_page_has_facets_chips_and_links_to_feeds_and_exports(client, questions):
    page = client.get("/search/", {"q": "wateroverlast", "theme": "water"}).content.decode()

    assert 'data-facet="theme" data-value="water"' in page
    assert "/feeds/questions.rss?q=wateroverlast&amp;theme=water" in page
    assert "/search/export.csv?q=wateroverlast&amp;theme=water" in page
    assert "/api/questions/?q=wateroverlast&amp;theme=water" in page
    assert 'rel="alternate" type="application/rss+xml"' in page
    assert 'class="chip" href="?q=wateroverlast"' in page  # removing the theme keeps the query


def test_a_facet_value_links_to_the_search_with_it_added_or_taken_out_and_the_rest_in_place(client):
    for theme in ("Water", "Milieu", "Wonen & bouwen"):
        make_question(title=f"Wateroverlast en {theme.lower()}", themes=(theme,), answer="Ja.")
    page = client.get("/search/?q=wateroverlast&theme=water&theme=milieu&sort=newest&page=1").content.decode()
    links = {
        html.unescape(value): html.unescape(href)
        for href, value in re.findall(r'<a href="([^"]*)" class="facet-value[^"]*" data-facet="theme" '
                                      r'data-value="([^"]*)"', page)
    }  # fmt: skip
    # A chosen theme's link takes only that theme out; the query and the sort stay where they were, the page goes.
    assert links["water"] == "?q=wateroverlast&theme=milieu&sort=newest"
    assert links["milieu"] == "?q=wateroverlast&theme=water&sort=newest"
    # Another theme is added after the chosen ones, its slug encoded.
    assert links["wonen-bouwen"] == "?q=wateroverlast&theme=water&theme=milieu&theme=wonen-bouwen&sort=newest"
    chosen = re.search(r'<a href="[^"]*" class="facet-value selected" data-facet="theme" data-value="water" '
                       r'aria-current="true">\s*<span class="check" aria-hidden="true">✓</span>', page)  # fmt: skip
    assert chosen
    assert '<span class="label">Wonen &amp; bouwen</span>' in page


def test_a_results_page_takes_a_fixed_number_of_queries(client):
    for index in range(30):
        make_question(title=f"Vraag {index} over fietspaden", themes=("Mobiliteit", f"Thema {index % 4}"),
                      answer="Ja.", member=f"Lid {index % 5}")  # fmt: skip

    with CaptureQueriesContext(connection) as small:
        client.get("/search/", {"q": "fietspaden", "theme": "mobiliteit", "member": "lid-1"})
    with CaptureQueriesContext(connection) as large:
        client.get("/search/", {"q": "fietspaden", "theme": "mobiliteit"})

    # theme and member look-ups, what the archive knows of the text (a name? synonyms? only stop words?), whether
    # its word's counts are kept (one facet chosen: word_counts.py), total and facets (between a SET and a RESET
    # of enable_seqscan), the rows with their themes and snippets; the search in a transaction of its own with
    # its time limit (here a savepoint: SAVEPOINT, set_config, RELEASE).
    assert len(large.captured_queries) <= 11, [q["sql"][:60] for q in large.captured_queries]
    # A second facet adds its look-up (and the word's counts are not asked for: two facets are counted live).
    assert len(small.captured_queries) <= len(large.captured_queries) + 1


def test_a_very_large_result_set_shows_title_matches_first_and_keeps_every_match_reachable(monkeypatch):
    from questions.search import paging

    monkeypatch.setattr(paging, "EXACT_RANKING_LIMIT", 5)
    monkeypatch.setattr(paging, "RANKING_CANDIDATES", 4)
    in_title = [
        make_question(title="Fietspaden in Gent", text="Over fietspaden, fietspaden en nog eens fietspaden."),
        make_question(title="Fietspaden en fietsstraten", text="Een vraag."),
        make_question(title="Onderhoud van fietspaden", text="Fietspaden zijn belangrijk."),
        make_question(title="Fietspaden langs kanalen", text="Nog een vraag."),
    ]
    in_text = [make_question(title=f"Mobiliteit {i}", text="Een zin over fietspaden.") for i in range(26)]

    pages = [run_search(QueryDict(f"q=fietspaden&page={page}")) for page in (1, 2)]

    assert pages[0].total == 30 and pages[0].num_pages == 2
    first_four = [q.pk for q in pages[0].questions[:4]]
    assert set(first_four) == {q.pk for q in in_title}
    assert first_four[0] == in_title[0].pk  # the title match that is also most about it in the text
    rest = pages[0].questions[4:]
    assert [q.date_asked for q in rest] == sorted((q.date_asked for q in rest), reverse=True)
    seen = [q.pk for page in pages for q in page.questions]
    assert sorted(seen) == sorted(q.pk for q in in_title + in_text)  # every match once, none lost


def test_pages_of_a_very_large_result_set_fit_together_at_every_offset(monkeypatch):
    from questions.search import paging, query
    from questions.search.params import SearchParams

    monkeypatch.setattr(paging, "EXACT_RANKING_LIMIT", 5)
    monkeypatch.setattr(paging, "RANKING_CANDIDATES", 4)
    for index in range(6):
        make_question(title=f"Fietspaden {index}", text="Fietspaden " * index, date=dt.date(2020, 1, 1 + index))
    for index in range(11):
        make_question(title=f"Mobiliteit {index}", text="Over fietspaden.", date=dt.date(2021, 1, 1 + index))

    def page(offset: int, limit: int, sort: str = "") -> list[int]:
        params = SearchParams.from_query(QueryDict(f"q=fietspaden&sort={sort}"))
        return query.run(params, offset, limit).page_ids

    for sort in ("", "newest", "oldest"):
        everything = page(0, 100, sort)
        assert len(everything) == len(set(everything)) == 17
        for limit in (1, 3, 4, 5):
            pieces = [pk for offset in range(0, 17, limit) for pk in page(offset, limit, sort)]
            assert pieces == everything, (sort, limit)
    by_relevance = page(0, 100)
    assert len(set(by_relevance[:4]) & {q.pk for q in Question.objects.filter(title__startswith="Fietspaden")}) == 4
    dates = list(Question.objects.filter(pk__in=by_relevance[4:]).order_by("-date_asked", "-id").values_list("pk"))
    assert by_relevance[4:] == [pk for (pk,) in dates]


def test_a_text_search_is_evaluated_once_per_request():
    for index in range(25):
        make_question(title=f"Vraag {index}", text="Over fietspaden.")

    with CaptureQueriesContext(connection) as captured:
        results = run_search(QueryDict("q=fietspaden&page=2&theme=&sort=newest"))

    assert len(results.questions) == 5
    matching = [query["sql"] for query in captured.captured_queries if '"search_vector" @@' in query["sql"]]
    assert len(matching) == 1


@pytest.mark.parametrize(
    "query_string, indexes",
    [
        ("minister=zuhal-demir", ("question_minister_newest",)),
        # Either of the minister's indexes reads the unanswered ones in order (the newest-questions index holds
        # the answered flag): on the fixture's one-page table their costs tie and the planner takes either.
        ("minister=zuhal-demir&answered=no", ("question_unanswered", "question_minister_newest")),
        ("member=suzy-wouters", ("question_member_newest",)),
        ("year=2023-2024", ("question_session_newest",)),
    ],
)
def test_browsing_reads_the_newest_questions_of_a_minister_member_or_year_in_order(questions, query_string, indexes):
    from questions.search import query
    from questions.search.params import SearchParams

    params = SearchParams.from_query(QueryDict(query_string))
    page = query.in_date_order(query.matching(params), params).values_list("id", flat=True)[:20]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        # No column statistics: not whatever earlier tests or the server's autovacuum (at a moment of its own)
        # left on these few rows, with which two indexes could tie and the planner take either. Undone with the
        # test's transaction.
        cursor.execute("DELETE FROM pg_statistic WHERE starelid = 'questions_question'::regclass")
        cursor.execute("UPDATE pg_class SET reltuples = 1000000, relpages = 100000 "
                       "WHERE oid = 'questions_question'::regclass")
        # As on a large archive, where reading the whole table is out of the question.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        # The fixture's few rows, with whatever statistics earlier tests left, would make sorting them cheapest;
        # at scale the newest rows of one value must come from an index in order.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert any(f" using {index} on " in plan for index in indexes), plan
    assert "Sort" not in plan, plan  # read in date order, not collected and sorted


def test_a_word_in_most_questions_is_read_from_the_index_not_by_reading_every_question():
    from questions.search import text as search

    for index in range(40):
        make_question(title=f"Vraag {index}", text="Over fietspaden en wegen." if index % 10 else "Over wegen.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE questions_question")

    with CaptureQueriesContext(connection) as captured:
        results = run_search(QueryDict("q=fietspaden"))
    statements = [query["sql"] for query in captured.captured_queries]
    counting = next(index for index, sql in enumerate(statements) if sql.startswith("WITH base"))

    assert results.total == 36
    assert "set_config('enable_seqscan', 'off', false)" in statements[counting - 1]
    assert "set_config('jit', 'off', false)" in statements[counting - 1]  # no 1.4 s of compiling (text.py)
    assert statements[counting + 1] == "RESET enable_seqscan; RESET jit"

    def plan() -> str:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + statements[counting])
            return "\n".join(row[0] for row in cursor.fetchall())

    # Left to itself the planner may read every question and test its vector (on a large archive, every vector
    # comes back from TOAST); inside the guard it takes the matches from the GIN index.
    with connection.cursor() as cursor:
        cursor.execute("SET enable_bitmapscan = off")  # as on a table where a scan looks cheap
    assert "Seq Scan on questions_question" in plan()
    with connection.cursor() as cursor:
        cursor.execute("RESET enable_bitmapscan")
    with search.index_scans_only():
        guarded = plan()
    assert "Seq Scan on questions_question" not in guarded
    assert "question_search_vector" in guarded


def test_an_error_inside_the_index_scans_guard_is_reported_as_itself():
    from django.db import DatabaseError, transaction

    from questions.search import text as search

    with pytest.raises(DatabaseError, match="no_such_table"), transaction.atomic():
        with search.index_scans_only(), connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone() == ("on",)  # the rollback undid the SET


def test_the_ranked_head_of_a_large_result_never_probes_the_table_once_per_match(monkeypatch):
    """The title matches come from the title index and meet the matches in a join of two materialised sets:
    even a planner pushed to nested loops (as by wrong statistics) reads no question row per match."""
    from questions.search import paging, query
    from questions.search.params import SearchParams

    monkeypatch.setattr(paging, "EXACT_RANKING_LIMIT", 5)
    monkeypatch.setattr(paging, "RANKING_CANDIDATES", 4)
    for index in range(60):
        make_question(title=f"Fietspaden {index}" if index % 6 == 0 else f"Vraag {index}", text="Over fietspaden.")
    params = SearchParams.from_query(QueryDict("q=fietspaden"))
    with CaptureQueriesContext(connection) as captured:
        result = query.run(params, 0, 20)
    statement = next(q["sql"] for q in captured.captured_queries if q["sql"].startswith("WITH base"))

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement)
        plan = cursor.fetchone()[0][0]["Plan"]

    assert result.total == 60 and len(result.page_ids) == 20
    probes = [node for node in plan_nodes(plan) if node.get("Relation Name") == "questions_question"
              and node["Node Type"] in ("Index Scan", "Index Only Scan", "Tid Scan")]  # fmt: skip
    assert probes, "the head reads its few candidates' vectors by their rows' addresses"
    assert all(node["Actual Loops"] * node["Actual Rows"] <= 4 for node in probes), [
        (node["Node Type"], node["Actual Loops"], node["Actual Rows"]) for node in probes]


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("“zware wateroverlast”", {"water"}),  # curly quotes, as phones and word processors type them
        ("„zware wateroverlast”", {"water"}),  # low-9 opening quote
        ("‘zware wateroverlast’", {"water"}),
        ("«wateroverlast zware»", set()),  # a phrase: the order counts
        ("werkloosheid of draaiboek", {"work", "water"}),  # the Dutch "of" is OR
        ("werkloosheid OF draaiboek", {"work", "water"}),
        ("D’Haese", {"work"}),  # an apostrophe inside a name is not a quote
    ],
)
def test_quotes_and_operators_as_dutch_users_type_them(questions, typed, expected):
    assert keys(questions, "q=" + quote_plus(typed)) == expected


@pytest.mark.parametrize("typed", ["de", "van de", "“van de”", "de of het"])
def test_a_query_of_stop_words_only_is_explained_not_a_silent_zero(client, questions, typed):
    results = run_search(QueryDict("q=" + quote_plus(typed)))

    assert results.total == 0
    assert any("alleen woorden die in bijna elke vraag staan" in notice for notice in results.notices)
    api = client.get("/api/questions/", {"q": typed})
    assert api.status_code == 400 and "bijna elke vraag" in api.json()["details"][0]


@pytest.mark.parametrize("typed", ["onder*", "Onder*", "önder*"])
def test_a_prefix_whose_letters_are_a_stop_word_finds_the_words_it_begins(client, typed):
    # "onder", "over", "voor" and "tegen" are Dutch stop words: stemming drops them, but a prefix asks for letters.
    school = make_question(title="Leerkrachten in het onderwijs", text="Het onderwijs mist leerkrachten.")
    research = make_question(title="Een studie naar fijn stof", text="Het onderzoek loopt nog.")
    make_question(title="Fietspaden", text="De fietspaden liggen onder water.")  # the stop word itself is not kept

    results = run_search(QueryDict("q=" + quote_plus(typed)))

    assert {q.pk for q in results.questions} == {school.pk, research.pk}
    assert not results.notices
    assert "<mark>onderwijs</mark>" in next(q for q in results.questions if q.pk == school.pk).snippet.html
    api = client.get("/api/questions/", {"q": typed})
    assert api.status_code == 200 and {row["id"] for row in api.json()["results"]} == {school.pk, research.pk}


def test_a_stop_word_prefix_combines_with_words_exclusions_and_or():
    school = make_question(title="Leerkrachten in het onderwijs", text="Het onderwijs mist leerkrachten.")
    research = make_question(title="Een studie naar fijn stof", text="Het onderzoek loopt nog.")
    nuisance = make_question(title="Wateroverlast in Gent", text="De overlast is groot.")

    def ids(typed: str) -> set[int]:
        return {q.pk for q in run_search(QueryDict("q=" + quote_plus(typed))).questions}

    assert ids("onder* leerkrachten") == {school.pk}
    assert ids("onder* -studie") == {school.pk}
    assert ids("studie of over*") == {research.pk, nuisance.pk}


def test_every_facet_value_is_reachable_from_the_search_page(client):
    for index in range(20):
        make_question(title=f"Fietspaden {index}", member=f"Lid Nummer {index:02d}", answer="Ja." if index else None)
    make_question(title="Fietspaden en Jansen", member="Jan Jansens")

    page = client.get("/search/", {"q": "fietspaden"}).content.decode()
    assert "toon alle (21)" in page
    link = re.search(r'href="(/search/facet/member/[^"]*)"', page).group(1).replace("&amp;", "&")
    everything = client.get(link).content.decode()
    assert everything.count('<td class="number">1</td>') == 21  # every member, with its count under the search
    assert "q=fietspaden" in link

    narrowed = client.get(link + "&facet_q=jans&order=alpha").content.decode()
    assert "Jan Jansens" in narrowed and "Lid Nummer 03" not in narrowed
    assert 'href="/search/?q=fietspaden&amp;member=jan-jansens"' in narrowed  # runs the search with that value


def test_the_api_gives_every_facet_value_or_those_matching_typed_text(client):
    for index in range(20):
        make_question(title=f"Vraag {index}", member=f"Lid {index:02d}")
    make_question(title="Nog een vraag", member="Jan Jansens")

    default = client.get("/api/questions/").json()["facets"]["member"]
    everything = client.get("/api/questions/", {"facet_limit": "0"}).json()["facets"]["member"]
    narrowed = client.get("/api/questions/", {"facet": "member", "facet_q": "JANS"}).json()["facets"]["member"]

    assert len(default) == 15 and len(everything) == 21
    assert [value["label"] for value in narrowed] == ["Jan Jansens"]
    assert client.get("/api/questions/", {"facet_limit": "veel"}).status_code == 400
    assert client.get("/api/questions/", {"facet": "kleur", "facet_q": "x"}).status_code == 400


@pytest.mark.parametrize("typed", ["292", "vraag 292", "nr. 292", "nr 292", "SV 292", "“nr. 292”",
                                   "schriftelijke vraag nr. 292 (2023-2024)", "292 2023-2024"])  # fmt: skip
def test_a_question_number_puts_the_questions_with_that_number_first(typed):
    cited = make_question(title="Fietspaden in Gent", number=292, date=dt.date(2024, 2, 27))
    other_year = make_question(title="Iets anders", number=292, date=dt.date(2021, 2, 1), minister="Ben Weyts")
    mentions = [make_question(title=f"Vervolg {index}", text="Zie vraag nr. 292 van 2023-2024 en 292 opnieuw.",
                              number=500 + index) for index in range(3)]  # fmt: skip

    results = run_search(QueryDict("q=" + quote_plus(typed)))

    ids = [question.pk for question in results.questions]
    assert ids[0] == cited.pk
    if "2023-2024" in typed:
        assert other_year.pk not in ids  # the year narrows the cited number
    else:
        assert ids[1] == other_year.pk
    assert set(ids) - {cited.pk, other_year.pk} <= {q.pk for q in mentions}  # then the text matches
    assert not results.notices


def test_pages_with_a_pinned_number_fit_together_at_every_offset(monkeypatch):
    from questions.search import paging, query
    from questions.search.params import SearchParams

    monkeypatch.setattr(paging, "EXACT_RANKING_LIMIT", 5)
    monkeypatch.setattr(paging, "RANKING_CANDIDATES", 3)
    pinned = [make_question(title=f"Vraag {index}", number=77, minister=f"Minister {index}",
                            date=dt.date(2020, 1, 1 + index)) for index in range(2)]  # fmt: skip
    for index in range(9):
        make_question(title=f"Over 77 {index}" if index % 3 == 0 else f"Iets {index}", text="Het getal 77.",
                      number=100 + index, date=dt.date(2021, 1, 1 + index))  # fmt: skip

    def page(offset: int, limit: int) -> list[int]:
        return query.run(SearchParams.from_query(QueryDict("q=77")), offset, limit).page_ids

    everything = page(0, 100)
    assert everything[:2] == [pinned[1].pk, pinned[0].pk]  # newest first
    assert len(everything) == len(set(everything)) == 11
    for limit in (1, 2, 3, 4, 5):
        assert [pk for offset in range(0, 11, limit) for pk in page(offset, limit)] == everything, limit


def _rows_read_to_rank(statement: str) -> list[dict]:
    """The plan nodes (EXPLAIN ANALYZE) that read the questions' rows for their rank: the table as ``v``."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement)
        plan = cursor.fetchone()[0]

    return [node for node in plan_nodes(plan[0]["Plan"]) if node.get("Alias", "").startswith("v")]


def test_a_page_past_the_best_title_matches_reads_no_vector_to_rank_them(monkeypatch):
    from questions.search import paging, query
    from questions.search.params import SearchParams

    monkeypatch.setattr(paging, "EXACT_RANKING_LIMIT", 2)  # the title pass, then the rest newest first
    monkeypatch.setattr(paging, "RANKING_CANDIDATES", 2)
    for index in range(6):
        make_question(title=f"Verkeer {index}" if index % 2 else f"Iets {index}", text="Over verkeer.",
                      date=dt.date(2020, 1, 1 + index))  # fmt: skip
    params = SearchParams.from_query(QueryDict("q=verkeer"))
    everything = query.run(params, 0, 100).page_ids

    with CaptureQueriesContext(connection) as queries:
        deep = query.run(params, 3, 2).page_ids
    (statement,) = [q["sql"] for q in queries.captured_queries if "WITH base AS MATERIALIZED" in q["sql"]]

    assert len(everything) == 6 and deep == everything[3:5]
    ranked_rows = _rows_read_to_rank(statement)
    assert ranked_rows and all(node["Actual Loops"] == 0 for node in ranked_rows)


def test_a_page_of_pinned_questions_ranks_none_of_the_other_matches():
    from questions.search import query
    from questions.search.params import SearchParams

    asked = [make_question(title=f"Over verkeer {index}", member="Suzy Wouters", date=dt.date(2020, 1, 1 + index))
             for index in range(3)]  # fmt: skip
    for index in range(4):
        make_question(title=f"Wouters {index}", text="Collega Suzy Wouters vroeg het al.", member="Karl Vanlouwe",
                      date=dt.date(2024, 1, 1 + index))  # fmt: skip
    params = SearchParams.from_query(QueryDict("q=Suzy+Wouters"))

    with CaptureQueriesContext(connection) as queries:
        first = query.run(params, 0, 2)
    (statement,) = [q["sql"] for q in queries.captured_queries if "WITH base AS MATERIALIZED" in q["sql"]]

    assert first.page_ids == [asked[2].pk, asked[1].pk]
    assert first.total == 7
    # The other matches' rows are read for ranking only when the page needs them.
    ranked_rows = _rows_read_to_rank(statement)
    assert ranked_rows and all(node["Actual Loops"] == 0 for node in ranked_rows)
    assert query.run(params, 2, 2).page_ids[0] == asked[0].pk  # the next page goes on past them


def test_the_exact_ranking_reads_each_match_by_its_address_whatever_the_planner_expects():
    """A facet filter makes the planner expect far more matches to rank than there are (a word in 44 % of
    100,000 questions and one theme: 11,079 expected, 1,184 found), and it joined them to the table by walking
    its primary key from the first match to the last. Each match's rank now reads that match's row alone, at
    the address the statement's scan found it (a TID scan: no index walked)."""
    from questions.search import query
    from questions.search.params import SearchParams

    for index in range(40):  # the matches spread among questions that do not match
        make_question(title=f"Vraag {index}", text="Over verkeer." if index % 8 == 0 else "Over onderwijs.",
                      themes=("Mobiliteit",) if index % 16 == 0 else ())  # fmt: skip
    params = SearchParams.from_query(QueryDict("q=verkeer&theme=mobiliteit"))
    with CaptureQueriesContext(connection) as queries:
        result = query.run(params, 0, 20)
    (statement,) = [q["sql"] for q in queries.captured_queries if "WITH base AS MATERIALIZED" in q["sql"]]

    with connection.cursor() as cursor:  # as a wrong estimate would push the planner: no nested loops
        cursor.execute("SET LOCAL enable_nestloop = off")
        ranked_rows = _rows_read_to_rank(statement)

    assert result.total == 3 and len(result.page_ids) == 3
    assert ranked_rows and all(node["Node Type"] == "Tid Scan" for node in ranked_rows)
    assert sum(node["Actual Loops"] * node["Actual Rows"] for node in ranked_rows) == 3, [
        (node["Node Type"], node["Actual Loops"], node["Actual Rows"]) for node in ranked_rows]


@pytest.mark.parametrize("typed", ["Wouters", "Suzy Wouters", "suzy wouters", "WOUTERS"])
def test_a_members_name_lists_the_questions_they_asked_first(typed):
    asked = [make_question(title=f"Over verkeer {index}", member="Suzy Wouters", date=dt.date(2020, 1, 1 + index))
             for index in range(3)]  # fmt: skip
    # Newer questions whose text merely mentions the name (and "Wouter", which the name does not match).
    for index in range(4):
        make_question(title=f"Wouters en Wouter {index}", text="Collega Wouters vroeg het al; ook Wouter Vermeersch.",
                      member="Karl Vanlouwe", date=dt.date(2024, 1, 1 + index))  # fmt: skip

    results = run_search(QueryDict("q=" + quote_plus(typed)))

    assert [q.pk for q in results.questions[:3]] == [q.pk for q in reversed(asked)]  # theirs first, newest first
    assert results.total == (3 if " " in typed else 7)  # the full name is in their questions only


def test_a_full_name_that_is_one_word_without_its_stop_words_is_not_checked_twice():
    """"Ben Smets" ("ben" is a stop word) asks for "smets", and the words side by side are then that word alone:
    the same questions as asking for it, theirs first, without a second test of every match's vector (which read
    each vector back from TOAST: 200 ms for a common surname at 100,000 documents)."""
    from questions.search import query
    from questions.search.params import SearchParams

    asked = [make_question(title=f"Over verkeer {index}", member="Ben Smets", date=dt.date(2020, 1, 1 + index))
             for index in range(2)]  # fmt: skip
    mention = make_question(title="Een vraag", text="Collega Smets vroeg het al.", member="Karl Vanlouwe",
                            date=dt.date(2024, 1, 1))  # fmt: skip
    make_question(title="Ben je er?", text="Ben Vermeersch vroeg het.", member="Karl Vanlouwe",
                  date=dt.date(2024, 2, 1))

    params = SearchParams.from_query(QueryDict("q=Ben+Smets"))
    results = run_search(QueryDict("q=Ben+Smets"))

    assert [q.pk for q in results.questions] == [asked[1].pk, asked[0].pk, mention.pk]
    assert "<->" not in str(query.matching(params).query)
    # A name of two words the index keeps is still asked for side by side.
    assert "<->" in str(query.matching(SearchParams.from_query(QueryDict("q=Karl+Vanlouwe"))).query)


def test_a_surname_is_selected_with_the_text_in_each_part_not_tested_on_every_named_question():
    """"Ben Coppens" and "Coppens" ask for "coppen": the member's questions and those where "Coppens" is written as a
    name. Each part is selected with the text in a subquery of its own (where PostgreSQL intersects the name's
    index with the text's), the statement takes their ids: under an OR of the parts, the text was tested on
    every question naming Coppens, each vector read back from TOAST (16 of 20 ms at 100,000 documents)."""
    from questions.search import query
    from questions.search.params import SearchParams

    theirs = [make_question(title=f"Over verkeer {index}", member="Ben Coppens", date=dt.date(2020, 1, 1 + index))
              for index in range(2)]  # fmt: skip
    named = make_question(title="Een vraag", text="Collega Coppens vroeg het al.", date=dt.date(2024, 1, 1))
    make_question(title="Klein", text="De coppens van de bakker.", date=dt.date(2024, 2, 1))  # not a name
    make_question(title="Ander", text="Over verkeer.", member="Karl Vanlouwe", date=dt.date(2024, 3, 1))

    for typed in ("Ben Coppens", "Coppens"):
        results = run_search(QueryDict("q=" + quote_plus(typed)))
        assert [q.pk for q in results.questions] == [theirs[1].pk, theirs[0].pk, named.pk], typed

        sql = str(query.matching(SearchParams.from_query(QueryDict("q=" + quote_plus(typed)))).query)
        where = sql[sql.index(" WHERE ") :]
        selected = where[where.index("= ANY (ARRAY(") :]
        assert where.startswith(' WHERE ("questions_question"."id" = ANY (ARRAY('), where  # ids, nothing else
        assert " UNION ALL " in selected
        assert selected.count('"search_vector" @@') == selected.count(" UNION ALL ") + 1  # the text in each part


def test_a_full_name_matches_other_questions_only_where_it_is_written_as_a_name():
    """"Elke Van de Velde": other questions match where the name stands as written ("elke van de velden", each
    of the fields, has the same stems side by side and is not the member); the written name is found through
    the name index by id, so that the words' adjacency is checked on those questions only."""
    from questions.search import query
    from questions.search.params import SearchParams

    asked = make_question(title="Over verkeer", member="Elke Van de Velde", date=dt.date(2020, 1, 1))
    mention = make_question(title="Een vraag", text="Zoals Elke Van de Velde al vroeg.", date=dt.date(2024, 1, 1))
    make_question(title="Landbouw", text="Hoeveel mest kreeg elke van de velden?", date=dt.date(2024, 2, 1))
    hyphenated = make_question(title="Anders", text="Collega Anne-Marie Smits vroeg het.", date=dt.date(2023, 1, 1))
    make_question(title="Nog", text="Anne Marie en Smits.", member="Anne-Marie Smits", date=dt.date(2019, 1, 1))

    results = run_search(QueryDict("q=" + quote_plus("Elke Van de Velde")))

    assert [q.pk for q in results.questions] == [asked.pk, mention.pk]
    assert "= ANY (ARRAY(" in str(query.matching(SearchParams.from_query(QueryDict("q=Elke+Van+de+Velde"))).query)
    assert hyphenated.pk in [q.pk for q in run_search(QueryDict("q=Anne-Marie+Smits")).questions]


def test_a_full_name_that_leaves_one_word_matches_other_questions_where_that_word_is_written():
    """"Ben Van de Velde" asks for "veld" alone ("ben", "van" and "de" are stop words): other questions match
    where "Velde" stands as written, not every question about fields ("velden")."""
    asked = make_question(title="Over verkeer", member="Ben Van de Velde", date=dt.date(2020, 1, 1))
    mention = make_question(title="Een vraag", text="Collega Van de Velde vroeg het al.", date=dt.date(2024, 1, 1))
    make_question(title="Landbouw", text="Hoeveel velden liggen braak?", date=dt.date(2024, 2, 1))

    results = run_search(QueryDict("q=" + quote_plus("Ben Van de Velde")))

    assert [q.pk for q in results.questions] == [asked.pk, mention.pk]


def test_a_shared_surname_leads_with_the_newest_questions_of_everyone_who_bears_it(monkeypatch):
    """Two members and a minister named Peeters: their newest questions lead, asked, put to or answered by them,
    newest first across all of them, as many as the search pins."""
    from questions.models import Answer, Minister
    from questions.search import query
    from questions.search.params import SearchParams

    monkeypatch.setattr(query, "PINNED_NAMED_LIMIT", 4)
    by_an = [make_question(title=f"Verkeer {index}", member="An Peeters", date=dt.date(2020, 1, 1 + index))
             for index in range(3)]  # fmt: skip
    by_bert = [make_question(title=f"Water {index}", member="Bert Peeters", date=dt.date(2021, 1, 1 + index))
               for index in range(2)]  # fmt: skip
    make_question(title="Onderwijs", minister="Jan Peeters", date=dt.date(2019, 6, 1))  # put to him, the oldest
    answered = make_question(title="Wegen", minister="Hilde Crevits", answer="Het antwoord.", date=dt.date(2022, 3, 1))
    Answer.objects.filter(question=answered).update(minister=Minister.objects.get(name="Jan Peeters"))
    mention = make_question(title="Elders", text="Zoals Peeters al zei.", date=dt.date(2024, 1, 1))

    expected = [answered.pk, by_bert[1].pk, by_bert[0].pk, by_an[2].pk]
    assert list(query._pinned(SearchParams.from_query(QueryDict("q=Peeters")))) == expected
    ids = [q.pk for q in run_search(QueryDict("q=Peeters")).questions]
    assert ids[:4] == expected and mention.pk in ids


def test_a_ministers_full_name_finds_the_questions_they_answered_for_another_minister():
    """A question put to one minister and answered by another is found by either's name; when the answer passes
    to a third minister, by the third's and no longer by the second's."""
    from questions.models import Answer, Minister
    from questions.search import query
    from questions.search.params import SearchParams

    passed_on = make_question(title="Wegen", minister="Hilde Crevits", answer="Het antwoord.")
    other = make_question(title="Onderwijs", minister="Ben Weyts", answer="Een ander antwoord.")
    Answer.objects.filter(question=passed_on).update(minister=Minister.objects.get(name="Ben Weyts"))

    def found(name: str) -> set[int]:
        return {q.pk for q in run_search(QueryDict("q=" + quote_plus(name))).questions}

    assert found("Ben Weyts") == {passed_on.pk, other.pk}
    assert found("Hilde Crevits") == {passed_on.pk}
    # From the question's own columns: no answer is read to select them.
    for name in ("Ben Weyts", "Weyts"):
        params = SearchParams.from_query(QueryDict("q=" + quote_plus(name)))
        assert "questions_answer" not in str(query.matching(params).query), name
    assert "questions_answer" not in query._NAMED_PINNED_SQL
    Answer.objects.filter(question=passed_on).update(minister=Minister.objects.get_or_create_by_name("Jan Jambon"))
    assert found("Ben Weyts") == {other.pk}
    assert found("Jan Jambon") == {passed_on.pk}


def test_a_ministers_name_lists_the_questions_put_to_them_first(questions):
    ids = [q.pk for q in run_search(QueryDict("q=zuhal+demir")).questions]

    assert set(ids[:2]) == {questions["water"].pk, questions["old"].pk}


@pytest.mark.parametrize(
    "typed, name, expected",
    [
        ("jans", "Jan Jansens", True),  # a part of the name
        ("jnasens", "Jan Jansens", True),  # two letters swapped
        ("jansen", "Jan Jansens", True),  # the start of a word
        ("janssens", "Jan Jansens", True),  # one letter too many
        ("wouetrs", "Suzy Wouters", True),
        ("demri", "Zuhal Demir", True),
        ("weyst", "Ben Weyts", True),
        ("vanlowe", "Karl Vanlouwe", True),  # one letter missing
        ("brouwers", "Jo Brouns", False),
        ("xy", "Jan Jansens", False),
    ],
)
def test_a_name_is_found_by_typing_with_one_typo(typed, name, expected):
    from questions.names import typed_name_matches

    assert typed_name_matches(typed, name) is expected


def test_the_member_facet_finds_a_name_typed_with_a_typo(client):
    make_question(title="Een", member="Jan Jansens")
    make_question(title="Twee", member="Suzy Wouters")

    narrowed = client.get("/api/questions/", {"facet": "member", "facet_q": "Jnasens"}).json()["facets"]["member"]

    assert [value["label"] for value in narrowed] == ["Jan Jansens"]


@pytest.mark.parametrize("typed", ['"De Lijn"', "“De Lijn”", '"de lijn" bussen'])
def test_stop_words_count_inside_a_phrase(typed):
    company = make_question(title="Bussen", text="De bussen van De Lijn rijden te laat.")
    make_question(title="Bussen", text="Deze lijn van bussen rijdt te laat; de bus op lijn 5 ook.")
    make_question(title="Lijnen", text="Hoeveel lijnen werden afgeschaft?")

    assert [q.pk for q in run_search({"q": typed}).questions] == [company.pk]


def test_a_phrase_with_stop_words_is_found_in_the_answer_and_in_an_or_without_the_check():
    answered = make_question(title="Vervoer", text="Hoe loopt het vervoer?", answer="De Lijn legt extra bussen in.")
    other = make_question(title="Treinen", text="Rijden er genoeg treinen op deze lijn?")

    assert [q.pk for q in run_search({"q": '"De Lijn"'}).questions] == [answered.pk]
    # An OR binds the phrase to its own branch; there the index decides, as for any phrase.
    assert {q.pk for q in run_search({"q": '"De Lijn" of treinen'}).questions} == {answered.pk, other.pk}


def test_a_phrase_with_stop_words_reads_the_answers_of_the_selected_questions_only():
    """The phrase's letters are checked in the answers of the questions the index selects, each through its
    question's key, not by running the expression over every answer in the archive (a hashed subplan: 2.9 s at
    100,000 documents)."""
    answered = make_question(title="Vervoer", text="Hoe rijdt lijn 5?", answer="De Lijn legt extra bussen in.")
    for number in range(150):  # questions the index selects ("lijn"), enough that hashing every answer looks cheap
        make_question(title=f"Vraag {number}", text=f"Over lijn {number}.", answer=f"Antwoord {number} over de bus.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE questions_question, questions_answer")  # as after an import

    with CaptureQueriesContext(connection) as queries:
        found = run_search({"q": '"De Lijn"'}).questions
    statement = next(query["sql"] for query in queries if query["sql"].startswith("WITH base AS MATERIALIZED"))
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # as the search plans it (text.index_scans_only)
        cursor.execute("EXPLAIN " + statement)
        plan = "\n".join(line for (line,) in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")

    assert [q.pk for q in found] == [answered.pk]
    assert "~*" in plan and "Seq Scan on questions_answer" not in plan
    assert "Index Scan using questions_answer_question_id_key" in plan  # one answer per selected question


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("-water", {"wegen", "scholen"}), ("-water -wegen", {"scholen"}), ("-water*", {"wegen", "scholen"}),
     ('-"De Lijn"', {"wegen", "scholen"})],
)  # fmt: skip
def test_a_search_of_exclusions_alone_keeps_every_other_question_without_reading_every_vector(typed, expected):
    """The index finds what is left out; every other question matches. Asked as it is typed ("!water"), the
    index would hand over every question and each vector would be read to test it (1.2 s at 100,000)."""
    make_question(title="Water", text="Wateroverlast in de Demervallei, met waterbekkens. De Lijn rijdt om.")
    make_question(title="Wegen", text="Het onderhoud van de wegen.")
    make_question(title="Scholen", text="Nieuwe scholen in Gent.")

    with CaptureQueriesContext(connection) as queries:
        found = run_search({"q": typed})
    statements = [query["sql"] for query in queries if "questions_question" in query["sql"]]

    assert {question.title.lower() for question in found.questions} == expected
    assert found.total == len(expected)
    # The exclusion is not what the index is asked, in the count or in the page.
    assert statements and not [sql for sql in statements if "@@ archive_tsquery('(!" in sql]


def test_a_word_typed_many_times_is_asked_of_the_index_once():
    water = make_question(title="Water", text="Wateroverlast in de Demervallei.")
    make_question(title="Wegen", text="Het onderhoud van de wegen.")

    with CaptureQueriesContext(connection) as queries:
        found = run_search({"q": " ".join(["water"] * 60) + " of water"})
    statement = next(query["sql"] for query in queries if query["sql"].startswith("WITH base AS MATERIALIZED"))

    assert [question.pk for question in found.questions] == [water.pk]
    assert "archive_tsquery('(water)')" in statement


def test_a_name_matches_as_typed_not_stemmed():
    theirs = make_question(title="Over verkeer", member="Suzy Wouters")
    mentions = make_question(title="Vraag", text="Collega Wouters vroeg het al.", member="Karl Vanlouwe")
    make_question(title="Vraag", text="Ook Wouter Vermeersch vroeg het.", member="Karl Vanlouwe")

    assert {q.pk for q in run_search({"q": "Wouters"}).questions} == {theirs.pk, mentions.pk}


@pytest.mark.parametrize(("typed", "suggested"), [("wateroverlats", "wateroverlast"), ("wateroverlats Demerbekken",
                                                   "wateroverlast Demerbekken"), ("vanlouwe", None)])  # fmt: skip
def test_a_misspelt_search_suggests_the_archives_own_word(client, typed, suggested):
    for index in range(3):
        make_question(title=f"Wateroverlast {index}", text="Wateroverlast in het Demerbekken.", member="Karl Vanlouwe")

    results = run_search({"q": typed})

    assert results.suggestion == suggested
    response = client.get("/api/questions/", {"q": typed}).json()
    assert response["suggestion"] == suggested
    page = client.get("/search/", {"q": typed, "answered": "no"}).content.decode()
    if suggested:
        assert "Bedoelde u" in page and "q=" + quote_plus(suggested) in page and "answered=no" in page
        assert run_search({"q": suggested}).total == 3


def test_a_misspelt_name_suggests_the_name():
    make_question(title="Verkeer", member="Karl Vanlouwe")

    assert run_search({"q": "Vanlouwe"}).total == 1
    assert run_search({"q": "vanluowe"}).suggestion == "vanlouwe"


def test_no_suggestion_when_the_search_finds_enough():
    for index in range(3):
        make_question(title=f"Wateroverlast {index}", text="Wateroverlast.")
    make_question(title="Wateroverlat", text="Een tikfout.")

    assert run_search({"q": "wateroverlast"}).suggestion is None
