"""Names as people read them, and keys that match the same name however it was typed.

Pure functions: the importer, the models and the admin all use them, so that ``KARL VANLOUWE``,
``Karl  Vanlouwe`` and ``karl vanlouwé`` are one member.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Particles that start a Flemish surname. The first of a run is capitalised (``Van den Berghe``), the ones
# after it are not; Flemish spelling capitalises the leading particle, unlike Dutch.
_PARTICLES = {"van", "de", "den", "der", "ter", "ten", "te", "het", "'t", "la", "le", "du", "des", "vanden", "vander"}

# Words that stay lower case inside a portfolio title.
_PORTFOLIO_SMALL_WORDS = {"van", "de", "het", "en", "voor", "der", "in", "op", "met", "tot", "bij", "aan", "'s"}
_PORTFOLIO_LOWER_WORDS = {"minister", "president", "viceminister", "minister-president"}

_APOSTROPHES = "'’‘`´"


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@functools.lru_cache(maxsize=4096)  # an import asks for the same few hundred names again and again
def name_key(name: str) -> str:
    """A matching key: lower case, no accents, no punctuation, single spaces."""
    folded = strip_accents(name).casefold()
    folded = re.sub(f"[{_APOSTROPHES}]", "", folded)
    return re.sub(r"[^0-9a-z]+", " ", folded).strip()


def _capitalise_word(word: str) -> str:
    """``D'HAESE`` -> ``D'Haese``, ``JAN-PETER`` -> ``Jan-Peter``, ``VAN`` -> ``Van``."""
    parts = re.split(r"(-)", word.lower())
    result = []
    for part in parts:
        match = re.match(rf"^([a-z])([{_APOSTROPHES}])(.+)$", part)
        if match:
            result.append(match.group(1).upper() + match.group(2) + match.group(3)[:1].upper() + match.group(3)[1:])
        else:
            result.append(part[:1].upper() + part[1:])
    return "".join(result)


def natural_case_name(name: str) -> str:
    """Turn a name printed in capitals into the way it is written: ``LIESBETH VAN DEN BERGHE`` ->
    ``Liesbeth Van den Berghe``. Names already in mixed case are only tidied."""
    words = name.split()
    if not words:
        return ""
    if any(char.islower() for char in name):
        return " ".join(words)
    result: list[str] = []
    previous_was_particle = False
    for index, word in enumerate(words):
        lower = word.lower()
        is_particle = index > 0 and lower in _PARTICLES
        if is_particle and previous_was_particle:
            result.append(lower)
        else:
            result.append(_capitalise_word(word))
        previous_was_particle = is_particle
    return " ".join(result)


def natural_case_portfolio(title: str) -> str:
    """``VLAAMS MINISTER VAN ECONOMIE, INNOVATIE EN LANDBOUW`` ->
    ``Vlaams minister van Economie, Innovatie en Landbouw``."""
    words = title.split()
    if not words:
        return ""
    if any(char.islower() for char in title):
        return " ".join(words)
    result = []
    for index, word in enumerate(words):
        core = word.lower().strip(",;:.()")
        if index > 0 and core in _PORTFOLIO_SMALL_WORDS:
            result.append(word.lower())
        elif core in _PORTFOLIO_LOWER_WORDS or core.startswith(("minister-", "viceminister-")):
            lowered = word.lower()
            result.append(lowered[:1].upper() + lowered[1:] if index == 0 else lowered)
        else:
            result.append(_capitalise_word(word))
    return " ".join(result)


def within_one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by at most one insertion, deletion, substitution or swap of neighbours."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        differ = [index for index, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(differ) == 1:
            return True
        first = differ[0]
        return len(differ) == 2 and differ[1] == first + 1 and a[first] == b[first + 1] and a[first + 1] == b[first]
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    for index in range(len(longer)):
        if longer[:index] + longer[index + 1 :] == shorter:
            return True
    return False


def typed_name_matches(typed: str, name: str) -> bool:
    """Whether what someone typed finds ``name``: a part of it, or one of its words (or the start of one)
    with at most one typo; case, accents and punctuation aside."""
    wanted, key = name_key(typed), name_key(name)
    if not wanted or wanted in key:
        return True
    if len(wanted) < 3:
        return False
    for word in key.split():
        if within_one_edit(wanted, word) or any(within_one_edit(wanted, word[:size])
                                                for size in (len(wanted) - 1, len(wanted), len(wanted) + 1)):
            return True
    return False
