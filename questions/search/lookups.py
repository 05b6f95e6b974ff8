"""What the archive knows about the words of a query, in one round trip before the search statement.

Whether the text keeps a word once stop words are dropped (``de``, ``van de`` keep none), whether it is the
name, surname or merged name of members or ministers (their questions lead the results: query.py), the
editors' synonyms of its words, quoted phrases or whole text, as alternatives to search them by, and which
words of its quoted phrases are stop words (such a phrase is checked against the text: "De Lijn"), and the keys
of the word pairs its phrases require (phrase_pairs.py), those of their stop words included.
"""

from __future__ import annotations

from dataclasses import dataclass

from archive.replicas import reading_connection
from questions.names import name_key
from questions.search import phrase_pairs
from questions.search.text import (
    OR_WORDS,
    SEARCH_CONFIG,
    TextCheck,
    phrase,
    quoted_phrases,
    search_terms,
    terms,
    text_checks,
    tsquery_sql,
)

MAX_NAME_WORDS = 4

_LOOKUP_SQL = f"""
SELECT 'searchable', NULL::bigint, (numnode({tsquery_sql("%(tsquery)s")}) > 0)::text,
       NULL, NULL, NULL
UNION ALL
SELECT 'member', m.id, NULL, NULL, NULL, NULL FROM questions_member AS m
WHERE %(name)s <> '' AND (m.key = %(name)s OR m.key LIKE %(surname)s
      OR m.id IN (SELECT a.entity_id FROM questions_memberalias AS a WHERE a.key = %(name)s))
UNION ALL
SELECT 'minister', m.id, NULL, NULL, NULL, NULL FROM questions_minister AS m
WHERE %(name)s <> '' AND (m.key = %(name)s OR m.key LIKE %(surname)s
      OR m.id IN (SELECT a.entity_id FROM questions_ministeralias AS a WHERE a.key = %(name)s))
UNION ALL
SELECT 'name phrase implied', NULL, NULL, NULL, NULL, NULL
WHERE %(name_phrase)s <> '' AND numnode({tsquery_sql("%(name_phrase)s")}) = 1
      AND {tsquery_sql("%(tsquery)s")} @> {tsquery_sql("%(name_phrase)s")}
UNION ALL
SELECT 'stop word', NULL, w.word, NULL, NULL, NULL FROM unnest(%(phrase_words)s::text[]) AS w (word)
WHERE numnode(plainto_tsquery('{SEARCH_CONFIG}'::regconfig, w.word)) = 0
UNION ALL
SELECT DISTINCT 'stop word', NULL::bigint, w.word, NULL, NULL, NULL FROM questions_synonym AS s
CROSS JOIN LATERAL regexp_split_to_table(lower(s.term || ' ' || s.expansion), '[^[:alnum:]]+') AS w (word)
WHERE (s.term_key = ANY(%(keys)s) OR s.expansion_key = ANY(%(keys)s)) AND w.word <> ''
      AND numnode(plainto_tsquery('{SEARCH_CONFIG}'::regconfig, w.word)) = 0
UNION ALL
SELECT 'synonym', s.id, s.term, s.expansion, s.term_key, s.expansion_key FROM questions_synonym AS s
WHERE s.term_key = ANY(%(keys)s) OR s.expansion_key = ANY(%(keys)s)
UNION ALL
SELECT 'pair keys', NULL, questions_phrase_keys({tsquery_sql("%(tsquery)s")})::text, NULL, NULL, NULL
WHERE %(pairs)s
UNION ALL
SELECT 'stop word pair keys', p.place, questions_stop_word_pairs(p.phrase)::text, NULL, NULL, NULL
FROM unnest(%(phrases)s::text[]) WITH ORDINALITY AS p (phrase, place)
"""


@dataclass(frozen=True)
class Lookups:
    searchable: bool  # a word is left once stop words are dropped
    member_ids: tuple[int, ...]
    minister_ids: tuple[int, ...]
    alternatives: dict[str, list[str]]  # a key of the typed text -> other names to search it by
    expanded: tuple[str, ...]  # those names, to show
    # The parts of the query that are, or may be replaced by, a phrase with a stop word: the index does not keep
    # stop words, so "De Lijn" is checked against the text itself (text.text_checks).
    text_checks: tuple[TextCheck, ...] = ()
    # The words of the name, side by side, leave one word once stop words are dropped ("Ben Smets": "smet"),
    # and the query asks for that word anyway: checking that they stand side by side adds nothing.
    name_phrase_implied: bool = False
    # The keys of the word pairs every match of the query as typed holds (phrase_pairs.py): of a query of ANDs and
    # phrases, and of the stop words of the phrases checked against the texts. With synonyms ORed in, their
    # matches are candidates beside them (filters.TextQuery.phrase_keys_otherwise).
    phrase_keys: tuple[int, ...] = ()


def look_up(typed: str, tsquery: str, *, synonyms: bool) -> Lookups:
    key = name_key(typed)
    named = bool(key) and len(key.split()) <= MAX_NAME_WORDS and key not in OR_WORDS
    # A query of words alone (no alternatives, exclusions or prefixes) requires each of its words.
    conjunction = not any(operator in tsquery for operator in ("|", "!", ":*", "<"))
    keys = sorted({name_key(term) for term in [*search_terms(typed), typed]} - {""}) if synonyms else []
    phrases = quoted_phrases(typed)
    with reading_connection().cursor() as cursor:
        cursor.execute(_LOOKUP_SQL, {
            "tsquery": tsquery, "name": key if named else "", "keys": keys,
            "phrase_words": sorted({word.lower() for words in phrases for word in words}),
            "surname": "% " + key.replace("%", "").replace("_", "") if named else "",
            "name_phrase": phrase(terms(typed)) if named and conjunction else "",
            "pairs": phrase_pairs.may_have_keys(tsquery),
            "phrases": [" ".join(words) for words in phrases],
        })  # fmt: skip
        rows = cursor.fetchall()
    alternatives: dict[str, list[str]] = {}
    expanded: list[str] = []
    stop_words = {word for kind, _pk, word, *_rest in rows if kind == "stop word"}
    pair_keys = next((phrase_pairs.parse_keys(keys) for kind, _pk, keys, *_rest in rows if kind == "pair keys"), ())
    checked_in_text = [words for words in phrases if {word.lower() for word in words} & stop_words]
    # The stop-word pairs of the phrases checked against the texts (phrase_pairs.sql): every match holds them.
    stop_word_pair_keys = {key for kind, place, keys, *_rest in rows
                           if kind == "stop word pair keys" and phrases[place - 1] in checked_in_text
                           for key in phrase_pairs.parse_keys(keys)}  # fmt: skip
    for kind, _pk, term, expansion, term_key, expansion_key in sorted(rows, key=lambda row: (row[0], row[2] or "")):
        if kind != "synonym":
            continue
        if term_key in keys:
            alternatives.setdefault(term_key, []).append(expansion)
            expanded.append(expansion)
        if expansion_key in keys:
            alternatives.setdefault(expansion_key, []).append(term)
            expanded.append(term)
    return Lookups(
        searchable=any(kind == "searchable" and flag == "true" for kind, _pk, flag, *_rest in rows),
        member_ids=tuple(sorted(pk for kind, pk, *_rest in rows if kind == "member")),
        minister_ids=tuple(sorted(pk for kind, pk, *_rest in rows if kind == "minister")),
        alternatives=alternatives,
        expanded=tuple(dict.fromkeys(expanded)),
        text_checks=text_checks(typed, alternatives, stop_words),
        name_phrase_implied=any(kind == "name phrase implied" for kind, *_rest in rows),
        phrase_keys=tuple(sorted(set(pair_keys) | stop_word_pair_keys)),
    )
