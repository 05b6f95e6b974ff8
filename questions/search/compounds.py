"""Dutch compounds and their parts: "kinderarmoede" is "kinder" + "armoede", so a search for ``armoede`` finds it.

Dutch writes compounds as one word, and PostgreSQL's Dutch stemmer leaves them whole. The parts are found here,
at index time, with a word list of the language and how often each word occurs (wordfreq's Dutch list, pinned:
the splits depend on it). A word is split where every part is a known word of at least four letters (a linking
``s``, ``e`` or ``en`` may follow a part: ``arbeid·s·markt``); a word frequent enough to be a word of its own
(``onderzoek``, ``overheid``, ``kinderen``) stays whole, and so do parts that are too rare to be trusted.
The thresholds were chosen on the hand-written word lists in tests/fixtures/search-quality/ (precision and recall
in docs/search-quality.md).

Pure functions: the importer runs them in its parser worker, and questions/search/vocabulary.py keeps what they
found in the table that the search vector's trigger reads (questions/triggers/question_derived.sql).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Set
from functools import cache, lru_cache
from pathlib import Path

MIN_PART_LENGTH = 4
# Zipf frequencies (log10 of occurrences per billion words; 3 is once in a million words) a part needs, by its
# length: a short word turns up by accident inside longer ones ("bela" + "sting"), a long one hardly ever.
MIN_PART_ZIPF = {4: 3.5, 5: 3.0, 6: 2.5}
LONG_PART_ZIPF = 2.0
# A word at least this frequent is a word of its own ("ziekenhuis", "onderwijs"), whatever its parts.
WHOLE_WORD_ZIPF = 4.2
LINKERS = ("en", "s", "e")
# Prepositions and adverbs begin derived words, not compounds ("over|heden", "onder|steunen", "voor|waarden");
# suffixes and pronominal adverbs look like words but end or join them ("hoofdzake|lijk", "kind|erbij|slag").
_PRONOMINAL_ADVERBS = "erbij erop eraan ervoor erin eruit erover ermee erna erom ertoe erdoor"
NOT_A_HEAD = frozenset(
    "over onder voor achter door tegen boven binnen buiten vooruit voort mede samen terug omhoog "
    f"psycho vers best beste alle inge inter daar waar hier {_PRONOMINAL_ADVERBS}".split()
)
NOT_A_TAIL = frozenset(
    "lijk lijke lijken lijks ling lingen ring ringen schap schappen heden heid baar bare loos loze ische isch "
    "tische aris enge eren ieren iert ende enden rende erende eerde eerden ding dingen king having deels "
    f"logisch logische {_PRONOMINAL_ADVERBS}".split()
)
# A split with more pieces must be this much better (in Zipf) than one with fewer, and the pieces of a tail that
# is cut again must be common words ("buit|enge|woon" is not a compound).
EXTRA_PIECE_PENALTY = 1.5
MIN_INNER_ZIPF = 3.5

_WORD = re.compile(r"[^\W\d_]+")


# No threshold below asks for a word rarer than this: rarer words are left out of the list.
_LEAST_ZIPF = min(LONG_PART_ZIPF, *MIN_PART_ZIPF.values())


@cache
def _zipf() -> dict[str, float]:
    """The Zipf frequency of each Dutch word that is frequent enough for a threshold here (about 100,000 words),
    as wordfreq's ``zipf_frequency`` would give it unrounded.

    Read from wordfreq's data file directly: ``import wordfreq`` (language matching, tokenisers) and its
    ``get_frequency_dict`` (a float power for each of 311,000 words) took 0.8 s, paid by the first batch of
    every import; reading the file takes a fifth of that. tests/test_compounds.py checks the result against
    wordfreq's own function."""
    import gzip
    import importlib.util

    import msgpack  # type: ignore[import-untyped]  # wordfreq's own dependency, without type hints

    spec = importlib.util.find_spec("wordfreq")
    assert spec is not None and spec.submodule_search_locations, "the wordfreq package is not installed"
    path = Path(spec.submodule_search_locations[0]) / "data" / "large_nl.msgpack.gz"
    with gzip.open(path, "rb") as data:
        header, *buckets = msgpack.load(data, raw=False, strict_map_key=False)
    if header != {"format": "cB", "version": 1}:
        raise ValueError(f"{path}: not a wordfreq word list of a known version ({header!r})")
    # Bucket i holds the words whose frequency is 10^(-i/100) (wordfreq's "cBpack" format): each word once.
    zipf: dict[str, float] = {}
    for index, bucket in enumerate(buckets):
        score = math.log10(10 ** (-index / 100)) + 9  # as wordfreq computes the frequency, then its logarithm
        if score < _LEAST_ZIPF:
            break
        zipf.update(dict.fromkeys(bucket, score))
    return zipf


def _known(word: str) -> float | None:
    """The word's Zipf frequency when it may be a part, else None."""
    if len(word) < MIN_PART_LENGTH:
        return None
    zipf = _zipf().get(word)
    return zipf if zipf is not None and zipf >= MIN_PART_ZIPF.get(len(word), LONG_PART_ZIPF) else None


def _as_head(surface: str) -> float | None:
    """How good ``surface`` is as the first part of a compound: a known word, or one followed by a linker."""
    if surface in NOT_A_HEAD:
        return None
    scores = [_known(surface)]
    scores += [_known(surface[: -len(linker)]) for linker in LINKERS if surface.endswith(linker)]
    found = [score for score in scores if score is not None]
    return max(found) if found else None


@lru_cache(maxsize=100_000)
def _best_split(word: str) -> tuple[float, tuple[str, ...]] | None:
    """The best way to cut ``word`` into two or more known parts: (score, surface pieces), or None.

    A piece keeps its linker ("arbeids", "markt"). The score is that of the weakest part, so one rare part
    ("spel" + "ling") sinks a split however common the other is; a tail that is itself split scores below its
    weakest piece, so two known halves beat three pieces ("audit" + "rapport", not "audi" + "trap" + "port").
    A part that is a word is not cut again: "wateroverlast" is "water" + "overlast", not "over" + "last".
    """
    best: tuple[float, tuple[str, ...]] | None = None
    for cut in range(MIN_PART_LENGTH, len(word) - MIN_PART_LENGTH + 1):
        head, tail = word[:cut], word[cut:]
        head_score = _as_head(head)
        if head_score is None:
            continue
        if tail in NOT_A_TAIL:
            continue
        tail_score = _known(tail)
        tail_pieces: tuple[str, ...] = (tail,)
        if tail_score is None:
            deeper = _best_split(tail)
            if deeper is None or deeper[0] < MIN_INNER_ZIPF:
                continue
            tail_score, tail_pieces = deeper[0] - EXTRA_PIECE_PENALTY, deeper[1]
        candidate = (min(head_score, tail_score), (head, *tail_pieces))
        if best is None or candidate[0] > best[0]:
            best = candidate
    return best


_VOWELS = "aeiou"


def _base_forms(word: str) -> set[str]:
    """The word and its likely singular or base forms: "basisscholen" -> "basisschool", "bedden" -> "bed",
    "fietsers" -> "fietser". A plural is as much a word of its own as its singular: the frequency that keeps a
    word whole is that of its commonest form, so the forms of one word are split alike."""
    forms = {word}
    if word.endswith("en") and len(word) > 4:
        stem = word[:-2]
        forms.add(stem)
        if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
            forms.add(stem[:-1])  # bedden -> bed
        if len(stem) > 2 and stem[-1] not in _VOWELS and stem[-2] in _VOWELS and stem[-3] not in _VOWELS:
            forms.add(stem[:-1] + stem[-2] + stem[-1])  # scholen -> school
    for ending in ("s", "e", "'s"):
        if word.endswith(ending) and len(word) > len(ending) + 3:
            forms.add(word[: -len(ending)])
    return forms


def _whole_word_zipf(word: str) -> float:
    zipf = _zipf()
    return max(zipf.get(form, 0.0) for form in _base_forms(word))


@lru_cache(maxsize=200_000)
def split_compound(word: str) -> tuple[str, ...]:
    """The surface pieces of a Dutch compound, linkers kept with the piece before them, or ``(word,)``.

    >>> split_compound("arbeidsmarktbeleid")
    ('arbeids', 'markt', 'beleid')
    >>> split_compound("onderzoek")
    ('onderzoek',)
    """
    word = word.lower()
    if len(word) < 2 * MIN_PART_LENGTH or _whole_word_zipf(word) >= WHOLE_WORD_ZIPF:
        return (word,)
    best = _best_split(word)
    return (word,) if best is None else best[1]


def _without_linker(piece: str) -> str:
    """"arbeids" -> "arbeid": a piece is searched as the word it is with its linker dropped, if that is a word."""
    for linker in LINKERS:
        if piece.endswith(linker) and _known(piece[: -len(linker)]) is not None:
            return piece[: -len(linker)]
    return piece


@lru_cache(maxsize=200_000)  # a document's words are mostly words seen before: the import asks ~450 a document
def compound_parts(word: str) -> tuple[str, ...]:
    """What a compound is found by besides itself: each part, and each run of neighbouring parts that is shorter
    than the whole ("kinderopvang" and "opvangtoeslag" in "kinderopvangtoeslag"). Empty for a word that
    stays whole."""
    pieces = split_compound(word)
    if len(pieces) < 2:
        return ()
    found = []
    for start in range(len(pieces)):
        for end in range(start + 1, len(pieces) + 1):
            if end - start == len(pieces):
                continue
            found.append(_without_linker("".join(pieces[start:end])))
    return tuple(dict.fromkeys(found))


MIN_WORD_LENGTH = 4
MAX_WORD_LENGTH = 60


def words_in(texts: Iterable[str], *, besides: Set[str] = frozenset()) -> dict[str, tuple[str, ...]]:
    """The words of the texts (four letters or more, lower case), each with its compound parts (empty for a
    word that stays whole): what the archive's vocabulary learns from a question. Words in ``besides`` are
    left out."""
    return with_parts(distinct_words(texts, besides=besides))


def distinct_words(texts: Iterable[str], *, besides: Set[str] = frozenset()) -> set[str]:
    """The words of :func:`words_in`, without their parts."""
    # The same words as _WORD.findall(text), many times faster: white space is never part of a word, so the
    # distinct white-space tokens are collected first (a batch of 200 documents has about 100,000 tokens and a
    # tenth of them distinct); a token of letters only is one word (most are).
    tokens: set[str] = set()
    for text in texts:
        tokens.update(text.split())
    found: set[str] = set()
    for token in tokens:
        if token.isalpha():
            found.add(token)
        else:
            found.update(_WORD.findall(token))
    return {word.lower() for word in found if MIN_WORD_LENGTH <= len(word) <= MAX_WORD_LENGTH} - besides


def with_parts(words: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each word with its compound parts, in alphabetical order. About 40 µs a word of eight letters or more
    that was not split before in this process."""
    return {word: compound_parts(word) for word in sorted(words)}
