"""The stored full-text vector: Dutch stemming with accent folding, weights, and refresh on every change."""

import pytest
from django.db import connection

from questions.models import Answer, Member, Minister, Question, Theme
from questions.search.text import SEARCH_CONFIG
from tests.conftest import SEED_DOCUMENT, SV235_EXTRACTIONS
from tests.helpers import found_numbers, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def samples():
    run_import(SEED_DOCUMENT, SV235_EXTRACTIONS["pdf"])
    return Question.objects.get(number=292), Question.objects.get(number=235)


def titles(queryset):
    return [question.number for question in queryset]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("coordinatie", [292]),  # accent folding: the text says "coördinatie"
        ("coordinerende", [235]),  # and "coördinerende"
        ("uitwisselen", [292]),  # stemming: the text says "uitwisseling"
        ("Demerbekken", [235]),
        ('"zware wateroverlast"', [235]),
        ('"wateroverlast zware"', []),
        ("Demerbekken or arbeidsmarktbeleid", [292, 235]),
        ("wateroverlast -Limburg", []),
        ("Vanlouwe", [292]),  # names are in the index
        ("Staatshervorming", [292]),  # so are themes
        ("", [292, 235]),
    ],
)
def test_search_finds_words_as_journalists_type_them(samples, query, expected):
    assert sorted(found_numbers(query), reverse=True) == expected


def test_title_matches_rank_above_answer_matches(samples):
    seed, sv235 = samples
    # "draaiboek" is in sv235's title; in the seed it is nowhere. "datastromen" is in the seed's title.
    Answer.objects.filter(question=seed).update(text="Een draaiboek draaiboek draaiboek is er niet.")

    assert found_numbers("draaiboek") == [235, 292]


def test_an_edit_of_the_question_is_searchable_at_once(samples):
    seed, _ = samples
    seed.title = "Zeldzaamwoord in de titel"
    seed.save()

    assert found_numbers("zeldzaamwoord") == [292]


def test_an_edit_of_the_answer_is_searchable_at_once(samples):
    seed, _ = samples
    seed.answer.text += " Een kwakkelwoord."
    seed.answer.save()

    assert found_numbers("kwakkelwoord") == [292]


def test_adding_and_removing_a_theme_is_searchable_at_once(samples):
    _, sv235 = samples
    theme = Theme.objects.get_or_create_by_name("Waterbeleid")
    sv235.themes.add(theme)
    assert found_numbers("waterbeleid") == [235]

    sv235.themes.remove(theme)
    assert found_numbers("waterbeleid") == []

    theme.questions.add(sv235)
    assert found_numbers("waterbeleid") == [235]
    assert list(Question.objects.filter(theme_ids__contains=[theme.pk]).values_list("number", flat=True)) == [235]
    theme.questions.clear()
    assert found_numbers("waterbeleid") == []
    assert not Question.objects.filter(theme_ids__contains=[theme.pk]).exists()


def test_renaming_a_member_or_minister_is_searchable_at_once(samples):
    member = Member.objects.get(name="Suzy Wouters")
    member.name = "Suzy Wouters-Peeters"
    member.save()
    minister = Minister.objects.get(name="Jo Brouns")
    minister.name = "Johannes Brouns"
    minister.save()

    assert found_numbers("Peeters") == [235]
    assert found_numbers("Johannes") == [292]


def test_deleting_the_answer_takes_it_out_of_the_index(samples):
    seed, _ = samples
    seed.answer.delete()

    assert found_numbers("samenwerkingsakkoord") == []
    assert not Question.objects.get(pk=seed.pk).has_answer


def test_nothing_leans_on_the_databases_default_configuration(samples):
    seed, _ = samples
    with connection.cursor() as cursor:
        cursor.execute("SET default_text_search_config = 'pg_catalog.simple'")
    seed.title = seed.title + " uitwisselingen"
    seed.save()

    assert found_numbers("uitwisselen") == [292]
    assert found_numbers("coordinerende") == [235]


def test_the_search_configuration_stems_dutch_and_folds_accents():
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector(%s::regconfig, 'coördinatie uitwisseling')::text", [SEARCH_CONFIG])
        (vector,) = cursor.fetchone()
    assert vector == "'coordinatie':1 'uitwissel':2"


def test_the_vector_uses_the_gin_index():
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM questions_question WHERE search_vector @@ "
            "websearch_to_tsquery(%s::regconfig, 'water')",
            [SEARCH_CONFIG],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "question_search_vector" in plan


def test_words_joined_by_a_slash_are_found_on_their_own(samples):
    assert found_numbers("checklist") == [235]


def test_the_planner_knows_how_common_a_word_is_beyond_the_thousand_most_common():
    """With the default statistics the planner knew the frequency of 1,000 words only and took any other word
    for one in 200 questions: a word in one question of twenty was then fetched in full and sorted, rather than
    read newest first from the date index (feeds and date-sorted searches of common words)."""
    member = Member.objects.get_or_create_by_name("Karl Vanlouwe")
    minister = Minister.objects.get_or_create_by_name("Jo Brouns")
    Question.objects.bulk_create(
        Question(number=number, session="2024-2025", date_asked="2025-01-01", title=f"Vraag {number}",
                 question_text="", member=member, minister=minister, minister_title="minister")
        for number in range(1, 401)
    )  # fmt: skip
    filler = " ".join(f"w{index:04d}" for index in range(1200))  # 1,200 words in every question
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE questions_question SET question_text = %s || CASE WHEN number %% 20 = 0"
            " THEN ' waterzuivering' ELSE '' END",
            [filler],
        )
        cursor.execute("ANALYZE questions_question")
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT id FROM questions_question "
            "WHERE search_vector @@ to_tsquery(%s::regconfig, 'waterzuivering')",
            [SEARCH_CONFIG],
        )
        estimate = cursor.fetchone()[0][0]["Plan"]["Plan Rows"]

    assert 10 <= estimate <= 40  # 20 questions hold the word


def test_the_long_columns_are_compressed_with_lz4_where_the_server_offers_it():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        (offered,) = cursor.fetchone()
        cursor.execute(
            """SELECT attrelid::regclass::text || '.' || attname, attcompression FROM pg_attribute
               WHERE attrelid IN ('questions_question'::regclass, 'questions_answer'::regclass)
                 AND attname IN ('question_text', 'search_vector', 'import_snapshot', 'text')"""
        )
        compression = dict(cursor.fetchall())

    assert len(compression) == 4
    assert set(compression.values()) == ({"l"} if offered else {""})  # "" is the server's default, pglz


def test_the_search_vector_is_stored_out_of_line_uncompressed():
    from tests.factories import make_question

    # Hundreds of long words that differ only in their last letters: a vector lz4 shrinks by half. (pglz gives
    # up on any vector: it stops when the first kilobyte, the lexemes' offsets, does not compress.)
    letters = "abcdefghijklmnopqrstuvwxyz"
    question = make_question(text=" ".join(f"rioolwaterzuiveringsinstallatie{a}{b}" for a in letters for b in letters))
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT attstorage FROM pg_attribute
               WHERE attrelid = 'questions_question'::regclass AND attname = 'search_vector'"""
        )
        (storage,) = cursor.fetchone()
        cursor.execute(
            "SELECT pg_column_size(search_vector), pg_column_compression(search_vector) FROM questions_question"
            " WHERE id = %s",
            [question.pk],
        )
        stored_size, compression = cursor.fetchone()
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        (lz4_offered,) = cursor.fetchone()
        if lz4_offered:  # the column's own compression (migration 0023) would have shrunk it
            cursor.execute("CREATE TEMPORARY TABLE compressible (v tsvector COMPRESSION lz4)")
            cursor.execute("INSERT INTO compressible SELECT search_vector FROM questions_question WHERE id = %s",
                           [question.pk])
            cursor.execute("SELECT pg_column_compression(v), pg_column_size(v) FROM compressible")
            assert cursor.fetchone()[0] == "lz4"

    assert storage == "e"
    assert compression is None and stored_size > 20_000  # out of line (TOAST), as it is
