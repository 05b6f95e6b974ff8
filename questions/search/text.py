"""Full-text search: the text search configuration, translating what users type, and snippets.

Everything here names the configuration explicitly; nothing leans on the database's
``default_text_search_config``. The stored vector itself is PostgreSQL's (questions/triggers/question_derived.sql).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connections
from django.db.models import BooleanField, F, Func
from psycopg.pq import TransactionStatus

from archive.replicas import reading_connection
from questions.names import name_key

# Created by migration 0002: Dutch snowball stemming after unaccent, so "coordinatie" finds "coördinatie".
SEARCH_CONFIG = "archive_dutch"
# Created by migration 0017: unaccent without stemming, for the capitalised words as written (name_vector).
NAMES_CONFIG = "archive_names"
# Created by migration 0025: to_tsquery with SEARCH_CONFIG that keeps a prefix of stop-word letters ("onder*").
# Every statement reads what users typed (to_tsquery_text) through it.
QUERY_FUNCTION = "archive_tsquery"
MAX_QUERY_LENGTH = 500


class QueryTooLong(ValueError):
    pass


_PHRASE_OR_CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_TERM = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
# Quotes as phones and word processors type them: “…”, „…”, «…» always; single ‘…’ and ‚…’ only at the edge of
# a word, since ’ inside one is an apostrophe (D’Haese).
_DOUBLE_QUOTES = re.compile(r"[“”„‟«»]")
_SINGLE_QUOTES = re.compile(r"(?<!\w)[‘’‚‛]|[‘’‛](?!\w)")
# Between two terms, either word means OR: Dutch users type "of".
OR_WORDS = frozenset({"or", "of"})


# A question cited by its number, as journalists do: "292", "vraag 292", "nr. 292", "SV 292", "292 2023-2024",
# "schriftelijke vraag nr. 292 (2023-2024)"; quotes around it are ignored.
_QUESTION_NUMBER = re.compile(
    r"^\s*(?:(?:schriftelijke\s+)?vraag\s*)?(?:(?:nr|nummer|sv)\.?\s*)?(\d{1,6})"
    r"(?:\s*[,(]?\s*(\d{4}-\d{4})\s*\)?)?\s*$",
    re.IGNORECASE,
)


def question_number(typed: str) -> tuple[int, str | None] | None:
    """(number, parliamentary year or None) when ``typed`` cites a question by its number, else None."""
    match = _QUESTION_NUMBER.match(straight_quotes(typed).replace('"', " "))
    if match is None:
        return None
    return int(match.group(1)), match.group(2)


def straight_quotes(text: str) -> str:
    return _SINGLE_QUOTES.sub('"', _DOUBLE_QUOTES.sub('"', text))


def terms(text: str) -> list[str]:
    return _TERM.findall(text)


def _pieces(text: str) -> Iterator[tuple[str, str | None, str | None]]:
    """(minus sign or "", quoted phrase, other chunk) for each piece of what was typed, quotes straightened and
    slashes made spaces (PostgreSQL's parser reads "draaiboek/checklist" as one file-path token)."""
    for match in _PHRASE_OR_CHUNK.finditer(straight_quotes(text).replace("/", " ")):
        yield match.group(1), match.group(2), match.group(3)


def search_terms(text: str) -> list[str]:
    """The words and quoted phrases of what was typed, as typed: the candidates for synonyms."""
    found = []
    for _minus, quoted, chunk in _pieces(text):
        if quoted is not None:
            found.append(quoted)
        elif chunk is not None and chunk.lower() not in OR_WORDS:
            found.append(chunk.lstrip("-"))
    return found


def quoted_phrases(text: str) -> list[list[str]]:
    """The words of each quoted phrase that every match must hold (not excluded with a minus, and no ``or``
    beside it: a phrase in one branch of an OR binds only that branch), when it has two words or more."""
    pieces = list(_pieces(text))
    if any(chunk is not None and chunk.lower() in OR_WORDS for _minus, _quoted, chunk in pieces):
        return []
    return [words for minus, quoted, _chunk in pieces if quoted is not None and not minus
            and len(words := terms(quoted)) > 1]  # fmt: skip


def whole_text_names(text: str, alternatives: dict[str, list[str]]) -> list[str]:
    """The names searched beside the whole of what was typed: its synonyms ("Vlaamse Vervoermaatschappij" for
    "De Lijn"), unless it is one word (searched through that word's synonyms) or excludes something (-"De Lijn"
    OR the other name would find what it asks to leave out)."""
    excludes = any(minus or (chunk or "").startswith("-") for minus, _quoted, chunk in _pieces(text))
    if " " not in text.strip() or excludes:
        return []
    return alternatives.get(name_key(text), [])


def exact_pattern(words: list[str]) -> str:
    """A regular expression (PostgreSQL's, case-insensitive with ``~*``) for these words as written, adjacent
    and in this order: what a phrase must match when the index cannot tell (its stop words are not indexed:
    "De Lijn")."""
    return r"\m" + r"[^[:alnum:]]+".join(re.escape(word) for word in words) + r"\M"


@dataclass(frozen=True)
class TextCheck:
    """A part of a query that the index cannot decide, since it keeps no stop word: every match holds one of
    ``patterns`` as written in its title, question or answer (exact_pattern: a phrase with a stop word, quoted or a
    synonym searched in a part's place: "De Lijn"), or matches ``otherwise`` (to_tsquery syntax) in its vector."""

    patterns: tuple[str, ...]
    otherwise: str | None = None


def text_checks(text: str, alternatives: dict[str, list[str]], stop_words: set[str]) -> tuple[TextCheck, ...]:
    """What every match of ``text`` must hold beyond its to_tsquery_text form with ``alternatives``: for each part
    that is a quoted phrase with one of ``stop_words`` (lowercased), or may be replaced by a synonym that starts or
    ends with one, one of its forms (as written where it is such a phrase, else in the vector). The parts are those
    to_tsquery_text gives synonyms (quoted phrases, single words, the whole text), in a query of ANDs: in one branch
    of an OR a part binds only that branch, and the query is searched by its index alone."""
    pieces = list(_pieces(text))
    if any(chunk is not None and chunk.lower() in OR_WORDS for _minus, _quoted, chunk in pieces):
        return ()
    whole = whole_text_names(text, alternatives)

    def check(typed: list[list[str]], synonyms: list[list[str]]) -> TextCheck | None:
        # A quoted phrase with a stop word anywhere is checked (the vector reads "Raad van State" as "raad <2>
        # stat": any word between), a synonym only with a stop word at an edge, which the vector loses ("De Lijn"
        # is "lijn"): checking the long names of abbreviations ("OCMW": "Openbaar Centrum voor Maatschappelijk
        # Welzijn") would read every match of the abbreviation twice, for a word between that the index places.
        exact = [words for words in typed if any(word.lower() in stop_words for word in words)]
        exact += [words for words in synonyms if {words[0].lower(), words[-1].lower()} & stop_words]
        if not exact:
            return None
        loose = [phrase(words) for words in [*typed, *synonyms] if words not in exact]
        return TextCheck(tuple(dict.fromkeys(exact_pattern(words) for words in exact)),
                         " | ".join(dict.fromkeys(loose)) or None)  # fmt: skip

    def names(key: str) -> list[list[str]]:
        return [words for name in [*alternatives.get(key, []), *whole] if (words := terms(name))]

    checks: list[TextCheck | None] = []
    for minus, quoted, chunk in pieces:
        if quoted is not None and not minus and len(words := terms(quoted)) > 1:
            checks.append(check([words], names(name_key(quoted))))
        elif chunk is not None and not chunk.startswith("-") and not chunk.rstrip("\"'.,;:!?)").endswith("*"):
            if len(words := terms(chunk)) == 1 and alternatives.get(name_key(words[0])):
                checks.append(check([], [words, *names(name_key(words[0]))]))
    found = tuple(found for found in checks if found is not None)
    if found or not whole:
        return found
    # No part has a check, but the whole text's synonyms may: the typed text as translated is the other form.
    typed = to_tsquery_text(text, {key: names for key, names in alternatives.items() if key != name_key(text)})
    exact = check([], [words for name in whole if (words := terms(name))])
    if exact is None or typed is None:
        return ()
    return (TextCheck(exact.patterns, " | ".join(part for part in (typed, exact.otherwise) if part)),)


def any_alternative(alternatives: dict[str, list[str]]) -> str | None:
    """Every synonym of ``alternatives`` (lookups.py) ORed, in ``to_tsquery`` syntax; None without any. A match
    of the query with its synonyms that does not match the query as typed holds one of them."""
    others = [phrase(words) for names in alternatives.values() for other in names if (words := terms(other))]
    return " | ".join(dict.fromkeys(others)) or None


def phrase(words: list[str]) -> str:
    return "(" + " <-> ".join(words) + ")"


def to_tsquery_text(text: str, alternatives: dict[str, list[str]] | None = None) -> str | None:
    """Translate what a user typed into ``to_tsquery`` syntax, or None when nothing searchable is left.

    The syntax is websearch's -- ``"exact phrase"`` (curly and low quotes too), ``or`` (or the Dutch ``of``),
    ``-excluded`` -- plus a trailing star for a prefix (``toegankelijk*``). Every operand is reduced to letters,
    digits and inner hyphens, and every operator is ours, so the result is valid ``to_tsquery`` input whatever
    was typed. ``alternatives`` maps the key (questions.names.name_key) of a word, a quoted phrase or the whole
    text to other phrases it may be found by (lookups.py): each becomes an OR beside it.
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryTooLong(text)
    alternatives = alternatives or {}

    def with_alternatives(operand: str, typed: str) -> str:
        others = [phrase(words) for other in alternatives.get(name_key(typed), []) if (words := terms(other))]
        return "(" + " | ".join([operand, *others]) + ")" if others else operand

    groups: list[list[str]] = [[]]
    for minus, quoted, chunk in _pieces(text):
        if quoted is not None:
            words = terms(quoted)
            if words:
                operand = with_alternatives(phrase(words), quoted)
                groups[-1].append(f"!{operand}" if minus else operand)
            continue
        assert chunk is not None  # a piece is a quoted phrase or a chunk
        if chunk.lower() in OR_WORDS:
            if groups[-1]:
                groups.append([])
            continue
        excluded = chunk.startswith("-")
        prefix = chunk.rstrip("\"'.,;:!?)").endswith("*")
        words = terms(chunk)
        for position, word in enumerate(words):
            operand = f"{word}:*" if prefix and position == len(words) - 1 else word
            if not prefix and len(words) == 1:
                operand = with_alternatives(operand, word)
            groups[-1].append(f"!{operand}" if excluded else operand)
    # A word typed twice asks for nothing more, and each repetition is one more index look-up and test.
    groups = [list(dict.fromkeys(group)) for group in groups if group]
    if not groups:
        return None
    translated = " | ".join(dict.fromkeys("(" + " & ".join(group) + ")" for group in groups))
    whole = [phrase(words) for other in whole_text_names(text, alternatives) if (words := terms(other))]
    return " | ".join([translated, *whole])


def exclusions_only(tsquery: str) -> str | None:
    """For a query of exclusions alone (``-water -wegen``: ``(!water & !wegen)``), the query of what it leaves
    out (``water | wegen``); None for any other query. A GIN index cannot select what such a query keeps (nearly
    every question: it would read every question's vector, 1.2 s at 100,000 documents), but it can select what
    it leaves out, and the search keeps every other question."""
    if not (tsquery.startswith("(") and tsquery.endswith(")")):
        return None
    depth = 0
    for position, character in enumerate(tsquery):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth == 0 and position < len(tsquery) - 1:
            return None  # more than one group: an OR
    # Within a group, operands are joined by " & " alone: alternatives and phrases use "|" and "<->".
    operands = tsquery[1:-1].split(" & ")
    if not all(operand.startswith("!") for operand in operands):
        return None
    return " | ".join(operand[1:] for operand in operands)


@contextmanager
def index_scans_only(alias: str | None = None) -> Iterator[None]:
    """Plan the statements inside the block without sequential scans: a text query is then answered from the
    GIN index, whatever share of the archive it matches.

    The planner costs ``@@`` as a cheap operator, but on a sequential scan it reads every question's vector
    back from TOAST. Once it knows that a word is in most questions (see migration 0009), a scan of the whole
    table looks cheaper than the index and is ten times slower: 430 ms instead of 50 ms at 100,000 documents.
    """
    # Where the block's queries go: the request's (archive/replicas.py), or the alias a caller chose.
    connection = connections[alias] if alias else reading_connection()
    # JIT too: a scan left without an index (a small table) then costs the planner's penalty for disabled
    # plans, far above jit_above_cost, and a 20 ms search spent 1.4 s compiling (PostgreSQL's default, jit on).
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_seqscan', 'off', false), set_config('jit', 'off', false)")
    try:
        yield
    finally:
        # After an error inside a transaction nothing more can run; its rollback undoes the SET anyway.
        if connection.connection.info.transaction_status != TransactionStatus.INERROR:
            with connection.cursor() as cursor:
                cursor.execute("RESET enable_seqscan; RESET jit")


def tsquery_sql(placeholder: str) -> str:
    """SQL for the tsquery of ``to_tsquery_text`` output passed as ``placeholder``."""
    return f"{QUERY_FUNCTION}({placeholder})"


class ArchiveQuery(SearchQuery):
    """A query in ``to_tsquery_text`` syntax, for ``search_vector=…`` filters: read by QUERY_FUNCTION."""

    def __init__(self, tsquery: str) -> None:
        super().__init__(tsquery, search_type="raw")
        self.function = QUERY_FUNCTION


def search_query(text: str) -> SearchQuery | None:
    """The query for what a user typed (see :func:`to_tsquery_text`), or None for an empty one."""
    tsquery = to_tsquery_text(text)
    if tsquery is None:
        return None
    return ArchiveQuery(tsquery)


# --- snippets ----------------------------------------------------------------------------------------------

_MARK_START, _MARK_END = "\x02", "\x03"
_FRAGMENT_DELIMITER = " … "
_HEADLINE_OPTIONS = (
    f'StartSel={_MARK_START}, StopSel={_MARK_END}, MaxWords=40, MinWords=18, MaxFragments=2, '
    f'FragmentDelimiter="{_FRAGMENT_DELIMITER}"'
)
_TSQ = tsquery_sql("%s")
# One headline a row: from the answer when only the answer matches (weights: question B, answer C), else from
# the question; ts_filter reads the stored vector, which is far cheaper than a second headline. A question
# whose text holds none of the query's words (the match is in its title or names) shows its opening words, as
# ts_headline would, without parsing the text: on the page of a word found in titles that is most rows. The
# first character says which ("a" or "q"). VECTOR, QUESTION and ANSWER stand for the columns as the query names
# them. archive_snippet and archive_html_escaped (migration 0026) escape the text before ts_headline, which
# would drop anything that looks like a tag, and give it only the part of a long text where the match is.
# Where to cut that part comes from archive_snippet_places (migration 0044), a function of the query alone:
# given the query as a constant, PostgreSQL computes it once while planning, not once per row.
_START_MARK_SQL = f"E'\\x{ord(_MARK_START):02x}'"
_SNIPPET_SQL = f"""CASE WHEN ts_filter(VECTOR, '{{c}}') @@ {_TSQ} AND NOT ts_filter(VECTOR, '{{b}}') @@ {_TSQ}
    THEN 'a' || archive_snippet(coalesce(ANSWER, ''), {_TSQ}, %s, {_START_MARK_SQL}, %s,
                                archive_snippet_places({_TSQ}))
    WHEN ts_filter(VECTOR, '{{b}}') @@ {_TSQ}
    THEN 'q' || archive_snippet(QUESTION, {_TSQ}, %s, {_START_MARK_SQL}, %s,
                                archive_snippet_places({_TSQ}))
    ELSE 'q' || archive_html_escaped(coalesce(substring(QUESTION FROM %s), '')) END"""
# ts_headline's opening when nothing matches: its first MinWords words.
_OPENING_WORDS = r"^\s*((?:\S+\s+){0,17}\S*)"


def has_phrase(tsquery: str) -> bool:
    """Whether ``tsquery`` (``to_tsquery`` text) holds a phrase: a match the index cannot confirm alone."""
    return "<->" in tsquery


def phrase_candidates(tsquery: str) -> str | None:
    """What the index selects, without reading a vector, among which every match of ``tsquery`` is: its
    phrases loosened to their words in any order. None when a phrase is excluded (``-"a b"``): loosened, it
    would exclude more than the phrase does."""
    if re.search(r"!\s*\(", tsquery):
        return None
    return tsquery.replace("<->", "&")


class IdIn(Func):
    """``id = ANY (ARRAY(subquery))``: the subquery runs once and its ids are found through the primary key, a
    bitmap PostgreSQL combines with the others whatever it estimates. (``pk__in`` inside an OR becomes a
    hashed subplan, tested only on the rows the other conditions found.)"""

    arg_joiner = " = ANY (ARRAY"
    template = "(%(expressions)s))"
    output_field = BooleanField()


class VectorRead(Func):
    """The search vector, read from TOAST into memory once: a value that several functions can use, where the
    column itself is read again by each. (``setweight`` with no lexemes to weigh returns the vector unchanged,
    and copying it costs far less than reading it: PostgreSQL compresses a vector hardly at all, and one of
    ~7 KB takes four TOAST chunks.)"""

    template = "setweight(%(expressions)s, 'A', '{}'::text[])"
    output_field = SearchVectorField()

    def __init__(self) -> None:
        super().__init__(F("search_vector"))


def any_word(tsquery: str) -> str:
    """A query (``to_tsquery`` text) that matches where any of ``tsquery``'s words is, excluded ones too: where
    ts_headline would mark something. Every operand is a word (text.to_tsquery_text), so the operators can be
    rewritten as text."""
    return tsquery.replace("!", "").replace("<->", "|").replace("&", "|")


def snippet_sql(vector: str, question: str, answer: str) -> str:
    """The snippet's SQL over these columns (as the statement names them), to be read with :func:`snippet_from`;
    its parameters are :func:`snippet_params`."""
    return f"({_SNIPPET_SQL.replace('VECTOR', vector).replace('ANSWER', answer).replace('QUESTION', question)})"


def snippet_params(tsquery: str) -> list[str]:
    return [tsquery, tsquery, tsquery, _HEADLINE_OPTIONS, _FRAGMENT_DELIMITER, tsquery, any_word(tsquery), tsquery,
            _HEADLINE_OPTIONS, _FRAGMENT_DELIMITER, tsquery, _OPENING_WORDS]


@dataclass(frozen=True)
class Snippet:
    html: str
    source: str  # "question" or "answer"


def _marked(escaped_headline: str) -> str:
    return escaped_headline.replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>")


def snippet_from(annotated: str | None) -> Snippet | None:
    """The snippet in a value of :func:`snippet_sql`. The HTML is escaped document text with our own
    <mark> tags."""
    if not annotated:
        return None
    return Snippet(_marked(annotated[1:]), "answer" if annotated[0] == "a" else "question")


def plain_snippet(question_text: str, words: int = 40) -> Snippet:
    """The opening words of a question, for a page without a text query."""
    parts = question_text.split()
    shown = " ".join(parts[:words]) + (" …" if len(parts) > words else "")
    return Snippet(html.escape(shown), "question")
