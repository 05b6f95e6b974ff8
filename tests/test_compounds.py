"""Dutch compounds are found by their parts: "armoede" finds "kinderarmoede", and the exact word comes first."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from bench.compound_splits import measure
from questions.search.compounds import _WORD, MAX_WORD_LENGTH, MIN_WORD_LENGTH, compound_parts, split_compound, words_in
from tests.conftest import SEED_DOCUMENT
from tests.factories import make_question
from tests.helpers import run_import, run_search


def found(query: str | dict) -> list[int]:
    return [question.pk for question in run_search(query if isinstance(query, dict) else {"q": query}).questions]


@pytest.mark.parametrize(
    ("compound", "part"),
    [("kinderarmoede", "armoede"), ("wateroverlast", "overlast"), ("kinderopvangtoeslag", "toeslag"),
     ("kinderopvangtoeslag", "kinderopvang"), ("arbeidsmarktbeleid", "beleid"), ("arbeidsmarktbeleid", "arbeidsmarkt"),
     ("verkeersveiligheid", "veiligheid"), ("verkeersveiligheid", "verkeer")],
)  # fmt: skip
def test_a_compound_is_found_by_its_heads_and_tails(compound, part):
    assert part in compound_parts(compound)


@pytest.mark.parametrize("word", ["minister", "onderzoek", "onderwijs", "beleid", "overheid", "kinderen",
                                  "onderdelen", "voorwaarden", "besturen", "maatregelen"])  # fmt: skip
def test_ordinary_words_stay_whole(word):
    assert split_compound(word) == (word,)
    assert compound_parts(word) == ()


def test_the_word_frequencies_are_wordfreqs_own():
    """The splitter reads wordfreq's data file itself (for speed): the frequencies it uses must be exactly those
    of wordfreq's own function, for every word frequent enough to matter, so a new wordfreq cannot change
    the splits unnoticed."""
    import math

    import wordfreq

    from questions.search import compounds

    expected = {word: math.log10(share) + 9 for word, share in wordfreq.get_frequency_dict("nl", "large").items()}
    frequent = {word: zipf for word, zipf in expected.items() if zipf >= compounds._LEAST_ZIPF}
    assert compounds._zipf() == frequent
    assert len(frequent) > 50_000


def test_the_vocabulary_learns_exactly_the_words_of_the_texts():
    """The importer's words (collected token by token, for speed) are the plain pattern's words, whatever the
    punctuation, digits, accents or white space around them; words reported before are left out."""
    fixtures = sorted((Path(__file__).parent / "fixtures" / "vlaams-parlement").glob("*.txt"))
    texts = [path.read_text(encoding="utf-8") for path in fixtures] + [
        "kinder-armoede,(wateroverlast)\u00a0Overlast.\tbeleid/checklist 2024Wouters café's naïef\n\nDE LIJN",
        "a1b2c3 abc_defg ééné\u2028tweee—drieë …vier… «vijfje» x" + "y" * 70,
    ]
    expected = {word.lower() for text in texts for word in _WORD.findall(text)
                if MIN_WORD_LENGTH <= len(word) <= MAX_WORD_LENGTH}  # fmt: skip
    learnt = words_in(texts)
    assert set(learnt) == expected and "wateroverlast" in learnt and "checklist" in learnt
    assert learnt["wateroverlast"] == compound_parts("wateroverlast")
    assert set(words_in(texts, besides={"wateroverlast", "beleid"})) == expected - {"wateroverlast", "beleid"}


def test_the_splits_are_right_on_the_hand_written_word_lists():
    quality = measure()

    assert quality.compounds >= 300 and quality.whole_words >= 300
    assert quality.cut_precision >= 0.95, quality.errors
    assert quality.cut_recall >= 0.93, quality.errors


@pytest.mark.django_db
def test_a_search_finds_compounds_and_ranks_the_exact_word_first():
    inside = make_question(title="Cijfers", text="Hoeveel gezinnen kennen kinderarmoede in Limburg?")
    exact = make_question(title="Cijfers", text="Hoeveel gezinnen leven in armoede in Limburg?")
    make_question(title="Iets anders", text="Over wegenwerken.")

    assert found("armoede") == [exact.pk, inside.pk]
    assert found("kinderarmoede") == [inside.pk]


@pytest.mark.django_db
def test_a_head_without_a_star_finds_the_longer_compound():
    toeslag = make_question(title="Toeslagen", text="De kinderopvangtoeslag wordt laat uitbetaald.")
    opvang = make_question(title="Opvang", text="Er is te weinig kinderopvang.")

    assert set(found("kinderopvang")) == {toeslag.pk, opvang.pk}
    assert found("toeslag") == [toeslag.pk]
    assert found("arbeidsmarktbeleid") == []


@pytest.mark.django_db
def test_a_phrase_does_not_match_a_part_inside_a_compound():
    make_question(title="Water", text="De wateroverlast in Diest was groot.")

    assert found('"zware overlast"') == []
    assert len(found("overlast")) == 1


@pytest.mark.django_db
def test_imported_documents_are_found_by_their_compounds_parts():
    status, _output = run_import(SEED_DOCUMENT)
    assert status == 0

    # The reference document (question nr. 292) speaks of "arbeidsmarktbeleid" and "datastromen".
    assert len(found("stromen")) == 1
    assert len(found("beleid")) == 1


@pytest.mark.django_db
def test_an_import_splits_only_the_words_the_vocabulary_lacks():
    """Splitting is most of the parser's work for a small import into a large archive: a known word keeps the
    parts it was learnt with (an editor's or an older splitter's) until reindex_words reads the archive."""
    from questions.models import Word
    from questions.search import vocabulary

    vocabulary.learn({"arbeidsmarktbeleid": ("arbeidsmarkt",)})

    assert run_import(SEED_DOCUMENT)[0] == 0

    assert Word.objects.get(word="arbeidsmarktbeleid").parts == ["arbeidsmarkt"]
    assert Word.objects.get(word="datastromen").parts == list(compound_parts("datastromen"))  # learnt now
    call_command("reindex_words", stdout=io.StringIO(), stderr=io.StringIO())
    assert Word.objects.get(word="arbeidsmarktbeleid").parts == list(compound_parts("arbeidsmarktbeleid"))
    assert len(found("beleid")) == 1


@pytest.mark.django_db
def test_a_compound_learnt_later_reaches_the_questions_that_hold_it():
    question = make_question(title="Schade", text="Hoeveel gezinnen kregen hagelschade vergoed?", learn_words=False)
    assert found("hagel") == []  # written without the importer or the admin: the vocabulary did not learn it

    out = io.StringIO()
    call_command("reindex_words", stdout=out, stderr=io.StringIO())

    assert "compounds learnt" in out.getvalue()
    assert found("hagel") == [question.pk]


@pytest.mark.django_db
def test_a_compound_split_otherwise_changes_the_vectors_that_hold_it():
    question = make_question(title="Schade", text="Hoeveel hagelschade?")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE questions_word SET parts = '{schade}' WHERE word = 'hagelschade'")

    assert found("hagel") == []
    assert found("schade") == [question.pk]


@pytest.mark.django_db
def test_an_editor_adding_a_compound_makes_it_findable(client, editor):
    from tests.test_admin import change_form_data

    question = make_question(title="Schade", text="Hoeveel schade?")
    data = change_form_data(question, question_text="Hoeveel stormschade in Oostende?")
    response = client.post(f"/admin/questions/question/{question.pk}/change/", data)

    assert response.status_code == 302
    assert found("storm") == [question.pk]
