"""Synonyms that editors keep: an abbreviation also finds what it stands for, and the other way round."""

import pytest

from questions.models import Synonym
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
