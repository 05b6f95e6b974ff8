"""Synonyms that editors keep: an abbreviation also finds what it stands for, and the other way round."""

import pytest

from questions.models import Synonym
from questions.search import text
from tests.factories import make_question
from tests.helpers import run_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents():
    return {
        "short": make_question(title="Wachttijden bij de VDAB", text="Hoe lang wacht men?"),
        "long": make_question(title="Opleidingen", text="De Vlaamse Dienst voor Arbeidsbemiddeling en "
                                                         "Beroepsopleiding organiseert cursussen."),
        "other": make_question(title="Iets anders", text="Over wegenwerken."),
    }


def found(query: str) -> set[int]:
    return {question.pk for question in run_search(query).questions}


def test_the_seeded_list_holds_the_flemish_agencies():
    assert Synonym.objects.count() >= 40
    assert Synonym.objects.filter(term="VDAB", expansion__startswith="Vlaamse Dienst voor").exists()


def test_an_abbreviation_also_finds_what_it_stands_for_and_says_so(client, documents):
    results = run_search({"q": "vdab"})

    assert {q.pk for q in results.questions} == {documents["short"].pk, documents["long"].pk}
    assert results.params.expanded == ("Vlaamse Dienst voor Arbeidsbemiddeling en Beroepsopleiding",)
    page = client.get("/search/", {"q": "VDAB"}).content.decode()
    assert "Ook gezocht op" in page and "synonyms=off" in page
    assert client.get("/api/questions/", {"q": "VDAB"}).json()["expanded_with"] == [
        "Vlaamse Dienst voor Arbeidsbemiddeling en Beroepsopleiding"]


def test_the_full_name_also_finds_the_abbreviation(documents):
    assert found({"q": "Vlaamse Dienst voor Arbeidsbemiddeling en Beroepsopleiding"}) == {
        documents["short"].pk, documents["long"].pk}
    assert found({"q": '"Vlaamse Dienst voor Arbeidsbemiddeling en Beroepsopleiding" cursussen'}) == {
        documents["long"].pk}


def test_synonyms_can_be_switched_off_per_search(documents):
    assert found({"q": "VDAB", "synonyms": "off"}) == {documents["short"].pk}
    assert run_search({"q": "VDAB", "synonyms": "misschien"}).notices


def test_a_synonym_an_editor_adds_is_used_at_once(documents):
    Synonym.objects.create(term="wegenwerken", expansion="werkzaamheden aan de weg")
    make_question(title="Hinder", text="Werkzaamheden aan de weg in Gent.")

    assert len(found({"q": "wegenwerken"})) == 2


def test_excluding_a_name_leaves_out_its_other_names_too(documents):
    """-"Vlaamse Dienst voor Arbeidsbemiddeling en Beroepsopleiding" leaves out the VDAB as well; the other
    name is not searched beside the exclusion (that would find what the search asks to leave out)."""
    left = found({"q": '-"Vlaamse Dienst voor Arbeidsbemiddeling en Beroepsopleiding"'})

    assert left == {documents["other"].pk}
    assert found({"q": "-vdab"}) == {documents["other"].pk}


def test_a_name_with_a_stop_word_is_checked_as_written_whichever_name_is_typed():
    """"De Lijn" is "lijn" to the index, which keeps no stop word: searched in place of its synonym "Vlaamse
    Vervoermaatschappij", it stands as written, like the quoted phrase itself."""
    named = make_question(title="Vervoer", text="De bussen van De Lijn rijden laat.")
    other_name = make_question(title="Vervoer", text="De Vlaamse Vervoermaatschappij rijdt laat.")
    make_question(title="Vervoer", text="Een nieuwe lijn naar de kust.")

    for typed in ('"De Lijn"', "Vlaamse Vervoermaatschappij", '"Vlaamse Vervoermaatschappij"'):
        assert found({"q": typed}) == {named.pk, other_name.pk}, typed
    assert found({"q": '"De Lijn"', "synonyms": "off"}) == {named.pk}
    assert len(found({"q": "lijn"})) == 2


def test_the_text_checks_of_a_query_name_each_part_that_may_be_a_phrase_with_a_stop_word():
    synonyms = {"de lijn": ["Vlaamse Vervoermaatschappij"], "vlaamse vervoermaatschappij": ["De Lijn"],
                "vdab": ["Vlaamse Dienst voor Arbeidsbemiddeling en Beroepsopleiding"]}
    stop_words = {"de", "voor", "en"}
    de_lijn = text.exact_pattern(["De", "Lijn"])

    assert text.text_checks('"De Lijn"', synonyms, stop_words) == (
        text.TextCheck((de_lijn,), "(Vlaamse <-> Vervoermaatschappij)"),)
    assert text.text_checks("Vlaamse Vervoermaatschappij", synonyms, stop_words) == (
        text.TextCheck((de_lijn,), "(Vlaamse & Vervoermaatschappij)"),)
    # Stop words between the words of a synonym: the vector places them (<2>), so no check reads the texts.
    assert text.text_checks("VDAB", synonyms, stop_words) == ()
    assert text.text_checks('"Dienst voor Arbeidsbemiddeling"', synonyms, stop_words) == (
        text.TextCheck((text.exact_pattern(["Dienst", "voor", "Arbeidsbemiddeling"]),)),)
    assert text.text_checks("lijnen", {"lijnen": ["De Lijn"]}, stop_words) == (
        text.TextCheck((de_lijn,), "(lijnen)"),)
    assert text.text_checks('"De Lijn" of tram', synonyms, stop_words) == ()  # an OR: the index alone
    assert text.text_checks('-"De Lijn"', synonyms, stop_words) == ()  # left out, not checked
    assert text.text_checks('"nieuwe lijn"', synonyms, stop_words) == ()
