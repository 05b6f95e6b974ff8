"""A phrase's candidates come from the word pairs of each question (questions/search/phrase_pairs.py): the
pairs are kept unknown by the triggers until the worker computes them, and a phrase search finds the same
questions whether they are known, unknown, or stale after a write."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.http import QueryDict

from questions import tasks
from questions.models import Answer, PhrasePairs, Question
from questions.search import phrase_pairs, query, results
from questions.search.params import SearchParams
from tests.conftest import SEED_DOCUMENT
from tests.factories import make_question
from tests.helpers import run_import

pytestmark = pytest.mark.django_db


def _found(typed: str, sort: str = "relevance") -> tuple[int, set[int]]:
    params = SearchParams.from_query(QueryDict(f"q={typed}&sort={sort}"))
    result = query.run(params, 0, 50)
    return result.total, set(result.page_ids)


def _key(left: str, right: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT questions_pair_key(%s, %s)", [left, right])
        return cursor.fetchone()[0]


def _query_keys(typed_tsquery: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT questions_phrase_keys(archive_tsquery(%s))", [typed_tsquery])
        return cursor.fetchone()[0]


def _keys_of(question: Question) -> set[int]:
    pairs = PhrasePairs.objects.get(pk=question.pk).pairs
    assert pairs is not None
    return set(pairs)


def test_a_written_question_has_its_pairs_unknown_until_the_worker_computes_them() -> None:
    question = make_question(title="Wegen", text="De militaire ellende van de oorlog.")
    assert PhrasePairs.objects.get(pk=question.pk).pairs is None
    assert phrase_pairs.unknown() == 1

    assert phrase_pairs.refresh() == 1
    keys = _keys_of(question)
    # "militaire ellende" stands side by side; "van de" are stop words, so "ellende" and "oorlog" do not.
    assert _key("militair", "ellend") in keys
    assert _key("ellend", "oorlog") not in keys
    assert phrase_pairs.unknown() == 0

    Question.objects.filter(pk=question.pk).update(question_text="Een andere tekst.")
    assert PhrasePairs.objects.get(pk=question.pk).pairs is None
    phrase_pairs.refresh()
    Question.objects.filter(pk=question.pk).update(edited_since_import=True)  # the vector stays: the pairs too
    assert PhrasePairs.objects.get(pk=question.pk).pairs is not None

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM questions_question WHERE id = %s", [question.pk])
    assert not PhrasePairs.objects.filter(pk=question.pk).exists()


def test_the_worker_leaves_no_keys_waiting_in_the_index_pending_list() -> None:
    for number in range(3):
        make_question(title=f"Oorlog {number}", text="Over de militaire ellende in het land.")
    assert phrase_pairs.refresh() == 3
    with connection.cursor() as cursor:
        # The pages it would still merge: none. Left pending, every phrase search would read them one by one.
        cursor.execute("SELECT gin_clean_pending_list('phrasepairs_pairs'::regclass)")
        assert cursor.fetchone()[0] == 0
    assert _found('"militaire ellende"')[0] == 3


def test_a_worker_that_does_not_own_the_index_still_computes_the_pairs() -> None:
    make_question(title="Oorlog", text="Over de militaire ellende in het land.")
    with connection.cursor() as cursor:
        # A role that may write the tables but did not create them (the migrations ran as another).
        cursor.execute("CREATE ROLE archive_worker_test NOLOGIN")
        cursor.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO archive_worker_test")
        cursor.execute("SET LOCAL ROLE archive_worker_test")
        assert phrase_pairs.refresh() == 1
        cursor.execute("RESET ROLE")
    assert _found('"militaire ellende"')[0] == 1


def test_the_keys_of_a_query_are_only_those_every_match_must_hold() -> None:
    assert _query_keys("(militaire <-> ellende)") == [_key("militair", "ellend")]
    assert sorted(_query_keys("(a1 <-> b1 <-> c1) & d1")) == sorted({_key("a1", "b1"), _key("b1", "c1")})
    assert _query_keys("(militaire <-> ellende) | oorlog") == []  # an OR: the other branch matches without it
    assert _query_keys("(militaire <-> ellende) & !oorlog") == []
    assert _query_keys("(militaire:* <-> ellende)") == []  # a prefix stands for several words
    assert _query_keys("(minister <-> van <-> onderwijs)") == []  # a stop word between: <2>, no neighbours


def test_common_words_seldom_side_by_side_leave_few_candidates() -> None:
    apart = [make_question(title=f"Verslag {index}", text="De vraag is of de minister het nieuwe beleid steunt.",
                           learn_words=False)  # fmt: skip
             for index in range(12)]  # fmt: skip
    together = make_question(title="Verslag", text="Over het nieuwe beleid van de minister.", learn_words=False)
    phrase_pairs.refresh()
    params = SearchParams.from_query(QueryDict('q="minister nieuwe"'))
    assert params.text is not None and params.text.phrase_keys
    candidates = phrase_pairs.candidates(params.text.phrase_keys, "minister & nieuwe")
    # The twelve questions hold both words, not side by side: none is a candidate, and none is read.
    assert set(Question.objects.filter(candidates).values_list("pk", flat=True)) == set()
    assert _found('"nieuwe beleid"') == (13, {question.pk for question in [*apart, together]})
    assert _found('"beleid van de minister"')[0] == 1


def test_a_phrase_finds_the_same_whether_pairs_are_known_unknown_or_stale() -> None:
    adjacent = make_question(title="Oorlog", text="Over de militaire ellende in het land.")
    apart = make_question(title="Oorlog", text="Militaire steun maakt een einde aan de ellende.")
    elsewhere = make_question(title="Ellende", text="Geen leger, wel militaire bases.")

    for sort in ("relevance", "newest"):
        assert _found('"militaire ellende"', sort) == (1, {adjacent.pk})
    phrase_pairs.refresh()
    for sort in ("relevance", "newest"):
        assert _found('"militaire ellende"', sort) == (1, {adjacent.pk})
        assert _found('"militaire ellende" oorlog', sort) == (1, {adjacent.pk})
        assert _found('"militaire ellende" -land', sort) == (0, set())

    # Written after the worker's run: its pairs are unknown, and the next search finds it by its words.
    Question.objects.filter(pk=apart.pk).update(question_text="Nog meer militaire ellende, zegt het rapport.")
    assert PhrasePairs.objects.get(pk=apart.pk).pairs is None
    for sort in ("relevance", "newest"):
        assert _found('"militaire ellende"', sort) == (2, {adjacent.pk, apart.pk})
    phrase_pairs.refresh()
    assert _found('"militaire ellende"') == (2, {adjacent.pk, apart.pk})
    assert elsewhere.pk not in _found('"militaire ellende"')[1]


def test_a_question_written_without_the_triggers_is_a_candidate_once_the_worker_lists_it() -> None:
    question = make_question(title="Oorlog", text="Over de militaire ellende in het land.")
    phrase_pairs.refresh()
    PhrasePairs.objects.filter(pk=question.pk).delete()  # as after writes with the triggers disabled
    phrase_pairs.refresh()
    assert PhrasePairs.objects.get(pk=question.pk).pairs is not None
    assert _found('"militaire ellende"') == (1, {question.pk})


def test_the_feed_and_export_find_a_phrase_through_its_pairs() -> None:
    first = make_question(title="Oorlog", text="Over de militaire ellende in het land.")
    make_question(title="Oorlog", text="Militaire steun maakt een einde aan de ellende.")
    phrase_pairs.refresh()
    params = SearchParams.from_query(QueryDict('q="militaire ellende"'))
    assert [question.pk for question in results.newest_matches(params, 10)] == [first.pk]
    assert list(results.every_match(params).values_list("pk", flat=True)) == [first.pk]


def test_a_phrase_brings_its_keys_unless_synonyms_or_an_or_join_it() -> None:
    def keys(typed: str) -> tuple[int, ...]:
        found = SearchParams.from_query(QueryDict(f"q={typed}")).text
        assert found is not None
        return found.phrase_keys

    assert keys('"militaire ellende"') == (_key("militair", "ellend"),)
    assert keys('"militaire ellende" of oorlog') == ()
    assert keys("militaire ellende") == ()


def _stop_word_keys(phrase: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT questions_stop_word_pairs(%s)", [phrase])
        return set(cursor.fetchone()[0])


def test_the_texts_give_keys_for_a_stop_word_beside_another_word() -> None:
    question = make_question(title="Bussen", text="Waarom rijdt De Lijn-bus niet?",
                             answer="De Raad van State oordeelde anders.", learn_words=False)  # fmt: skip
    phrase_pairs.refresh()
    keys = _keys_of(question)
    # The words as the phrase check sees them: lowercased, split at hyphens and punctuation, accents kept.
    for left, right in [("de", "lijn"), ("bus", "niet"), ("raad", "van"), ("van", "state")]:
        assert _key(left, right) in keys
    assert _key("oordeelde", "anders") not in keys  # no stop word: the vector's pairs have it, stemmed
    assert _key("niet", "de") not in keys  # two stop words side by side: nearly every question has such pairs
    assert _stop_word_keys("Raad van State") == {_key("raad", "van"), _key("van", "state")}
    assert _stop_word_keys("militaire ellende") == set()


def test_a_phrase_with_a_stop_word_is_checked_on_the_questions_holding_its_pairs() -> None:
    holding = make_question(title="Vervoer", text="De bussen van De Lijn rijden laat.", learn_words=False)
    in_answer = make_question(title="Vervoer", text="Hoe laat rijdt de tram?", answer="Volgens de lijn van De Lijn.",
                              learn_words=False)  # fmt: skip
    apart = [make_question(title=f"Vervoer {index}", text="Een nieuwe lijn naar de kust.", learn_words=False)
             for index in range(10)]  # fmt: skip
    phrase_pairs.refresh()
    params = SearchParams.from_query(QueryDict('q="De Lijn"&synonyms=off'))
    assert params.text is not None and params.text.text_checks
    assert params.text.phrase_keys == (_key("de", "lijn"),)
    candidates = phrase_pairs.candidates(params.text.phrase_keys, "lijn")
    # "lijn" is in twelve questions; only two hold it after "de", so only their texts are matched.
    assert set(Question.objects.filter(candidates).values_list("pk", flat=True)) == {holding.pk, in_answer.pk}
    for sort in ("relevance", "newest"):
        assert _found('"De Lijn"&synonyms=off', sort) == (2, {holding.pk, in_answer.pk})
        assert _found('"Raad van State"', sort) == (0, set())
    assert [question.pk for question in results.newest_matches(params, 10)] == [in_answer.pk, holding.pk]
    assert apart[0].pk in _found("lijn")[1]


def test_a_phrase_with_a_stop_word_finds_its_synonyms_too() -> None:
    # "De Lijn" and "Vlaamse Vervoermaatschappij" are synonyms from the start (migration 0014).
    named = make_question(title="Vervoer", text="De bussen van De Lijn rijden laat.")
    other_name = make_question(title="Vervoer", text="De Vlaamse Vervoermaatschappij rijdt laat.")
    make_question(title="Vervoer", text="Een nieuwe lijn naar de kust.")
    for refreshed in (False, True):
        if refreshed:
            phrase_pairs.refresh()
        for sort in ("relevance", "newest"):
            assert _found('"De Lijn"', sort) == (2, {named.pk, other_name.pk})
            assert _found('"De Lijn" bussen', sort) == (1, {named.pk})
    params = SearchParams.from_query(QueryDict('q="De Lijn"'))
    assert params.text is not None and params.text.phrase_keys == (_key("de", "lijn"),)
    assert params.text.phrase_keys_otherwise == "(Vlaamse <-> Vervoermaatschappij)"
    assert [question.pk for question in results.newest_matches(params, 10)] == [other_name.pk, named.pk]
    assert _found('"De Lijn"&synonyms=off') == (1, {named.pk})


def test_a_stop_word_changed_in_a_text_or_an_answer_makes_the_pairs_unknown() -> None:
    question = make_question(title="Vervoer", text="Het lijn is laat.", answer="Een antwoord.", learn_words=False)
    phrase_pairs.refresh()
    assert _found('"De Lijn"') == (0, set())

    # Only a stop word differs: the vector stays as it was, the texts' pairs do not.
    Question.objects.filter(pk=question.pk).update(question_text="De lijn is laat.")
    assert PhrasePairs.objects.get(pk=question.pk).pairs is None
    assert _found('"De Lijn"') == (1, {question.pk})
    phrase_pairs.refresh()
    assert _found('"De Lijn"') == (1, {question.pk})

    assert _found('"van een antwoord"') == (0, set())
    Answer.objects.filter(question_id=question.pk).update(text="Van een antwoord.")
    assert PhrasePairs.objects.get(pk=question.pk).pairs is None
    assert _found('"van een antwoord"') == (1, {question.pk})
    phrase_pairs.refresh()
    assert _found('"van een antwoord"') == (1, {question.pk})

    other = make_question(title="Vervoer", text="Over de tram.", learn_words=False)
    phrase_pairs.refresh()
    Answer.objects.create(question=other, text="Nog geen antwoord.", minister=other.minister, minister_title="x")
    assert PhrasePairs.objects.get(pk=other.pk).pairs is None
    assert _found('"geen antwoord"') == (1, {other.pk})


def test_short_texts_keep_their_few_keys_out_of_the_row() -> None:
    question = make_question(title="Kort", text="Militaire ellende.", learn_words=False)
    phrase_pairs.refresh()
    pairs = PhrasePairs.objects.get(pk=question.pk).pairs
    assert pairs is not None and len(pairs) == 256  # repeated: an array of 2 KB leaves the row
    assert {_key("militair", "ellend"), _key("kort", "militair")} <= set(pairs) and len(set(pairs)) < 20
    assert _found('"militaire ellende"') == (1, {question.pk})


@pytest.mark.django_db(transaction=True)
def test_the_worker_leaves_the_pairs_to_its_next_run_while_an_import_writes(monkeypatch) -> None:
    question = make_question(title="Oorlog", text="Over de militaire ellende in het land.")
    monkeypatch.setattr(phrase_pairs, "LOCK_TIMEOUT", "100ms")
    writer = connections.create_connection("default")
    try:
        with writer.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("UPDATE questions_question SET edited_since_import = true WHERE id = %s", [question.pk])
            assert phrase_pairs.refresh() == 0  # not kept waiting behind the writer, nor holding others up
            cursor.execute("ROLLBACK")
    finally:
        writer.close()
    assert phrase_pairs.unknown() == 1
    assert phrase_pairs.refresh() == 1


@pytest.mark.django_db(transaction=True)  # the worker's task closes its connection when done
def test_an_import_asks_the_worker_for_the_pairs_and_the_command_computes_them(capsys) -> None:
    assert run_import(SEED_DOCUMENT)[0] == 0
    assert phrase_pairs.unknown() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_jobs WHERE task_name LIKE %s AND status = 'todo'",
                       ["%refresh_phrase_pairs"])  # fmt: skip
        assert cursor.fetchone()[0] == 1
    tasks.refresh_phrase_pairs()  # what the worker runs
    assert phrase_pairs.unknown() == 0

    Question.objects.update(question_text="Een nieuwe tekst over de militaire ellende.")
    call_command("pair_words")
    assert "word pairs computed for 1 questions" in capsys.readouterr().out
    assert _found('"militaire ellende"')[0] == 1
