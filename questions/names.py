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
