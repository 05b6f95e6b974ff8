"""Turn extracted PDF lines into clean running text.

Pure functions. Every extraction of the same document (pypdf, pdftotext, pdftotext -layout, the scraper's
text) breaks lines in different places and pads them differently; what comes out of here is the same for all
of them: single spaces, line-break hyphenation joined, real hyphens kept, and one paragraph per numbered
sub-question or sub-answer, so that those can be shown as a list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

SOFT_HYPHEN = "\u00ad"
# Control characters (but line ends), zero-width characters that are never content, and what XML 1.0 cannot
# carry (U+FFFE, U+FFFF, lone surrogates): every output (HTML, feeds, CSV) can then show the text.
_DROPPED = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u200b\u200c\u200d\u2060\ufeff\ufffe\uffff\ud800-\udfff]")
# What XML 1.0 allows (https://www.w3.org/TR/xml/#charsets).
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Words that follow a hyphen with a space in "bestuurs- of regeringsdocumenten", "Dender- en IJzerbekken".
_CONJUNCTIONS = {"en", "of", "tot", "noch", "als", "maar", "dan", "and", "or"}
_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_END = ".?!:;"


def clean_characters(text: str) -> str:
    """Unify line ends and spaces, and drop characters that are never content."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\t", " ").replace("\u00a0", " ").replace("\u202f", " ")
    return _DROPPED.sub("", text)


def xml_safe(text: str) -> str:
    """The text without the characters XML 1.0 cannot carry (feeds are XML)."""
    return _NOT_XML.sub("", text)


def collapse_spaces(text: str) -> str:
    return " ".join(text.split())  # str.split() splits on what \s matches, several times faster than re.sub


def _joiner(previous: str, following: str) -> tuple[str, str]:
    """How to join two lines: returns the (possibly shortened) previous line and the separator."""
    if previous.endswith(SOFT_HYPHEN):
        return previous[:-1], ""
    if previous.endswith("-") and len(previous) > 1:
        next_word = following.split(" ", 1)[0].lower().strip(",.;:")
        starts_lower = following[:1].islower()
        if previous[-2].isspace():
            # "wateroverlast en -" + "schade": a truncated compound joins on; "Zaken -" + "Versterking" is a dash.
            return previous, "" if starts_lower else " "
        if previous[-2].isalpha() or previous[-2].isdigit():
            # "data-" + "uitwisseling", "Vlaams-" + "Brabant": keep the hyphen, no space; but
            # "bestuurs-" + "of regeringsdocumenten" keeps its space.
            return previous, " " if next_word in _CONJUNCTIONS else ""
    return previous, " "


def flow_lines(lines: list[str]) -> str:
    """Join lines into running text, one paragraph per numbered item, paragraphs separated by newlines."""
    text = ""
    for raw in lines:
        line = collapse_spaces(raw)
        if not line:
            continue
        if not text:
            text = line
            continue
        text, separator = _joiner(text, line)
        text = f"{text}{separator}{line}"
    text = text.replace(SOFT_HYPHEN, "")
    return _split_numbered_items(text).strip()


def _split_numbered_items(text: str) -> str:
    """Start a new paragraph at each numbered item. An item counts when it follows the end of a sentence
    ("... maken. 1. Is de minister"), or when it is the next number of the list ("deliberations/ 2. Op mijn"),
    so that "versie 2.0. Het" or "punt 3. Daar" stay in their sentence."""
    pieces: list[str] = []
    position = 0
    leading = re.match(r"(\d{1,2})\.\s", text)
    expected = int(leading.group(1)) + 1 if leading else 1
    for number_at, number in _numbered_candidates(text):
        start = _item_start(text, number_at)
        if start is None or start == 0:  # what stands before the item: never white space (see _item_start)
            continue
        after_sentence = text[start - 1] in _SENTENCE_END
        if not (after_sentence and number in (1, expected) or number == expected > 1):
            continue
        pieces.append(text[position:start].rstrip())
        position = number_at
        expected = number + 1
    pieces.append(text[position:])
    return "\n".join(piece for piece in pieces if piece)


def _numbered_candidates(text: str) -> Iterator[tuple[int, int]]:
    r"""Each candidate numbered item ("2. Welke stappen ..."), left to right, as the pattern
    ``(\d{1,2})\.\s+[^\W\d_]`` finds them: where its number starts, and the number. Found from the full stops,
    which are few, with a few character tests each: a pattern tried at every character of a document cost a
    quarter of a millisecond, with the context first, and half as much still with the number first.
    :func:`_item_start` then checks what comes before the number."""
    dot = text.find(".")
    while dot != -1:
        if dot >= 1 and text[dot - 1].isdecimal():  # str.isdecimal() is what \d matches
            number_at = dot - 2 if dot >= 2 and text[dot - 2].isdecimal() else dot - 1
            after = dot + 1
            while after < len(text) and text[after].isspace():
                after += 1
            if after > dot + 1 and after < len(text) and _LETTER.match(text[after]):
                yield number_at, int(text[number_at:dot])
        dot = text.find(".", dot + 1)


def _item_start(text: str, number_at: int) -> int | None:
    """Where the item whose number begins at ``number_at`` starts: at the white space before the number, or at
    the number when the extraction glued it to the end of a sentence (a letter or a closing parenthesis, then
    one of ?.!:;). None when the number does not stand on its own ("versie2. Het", "123. Het")."""
    if number_at == 0:
        return None
    if text[number_at - 1].isspace():  # str.isspace() is what \s matches
        start = number_at - 1
        while start > 0 and text[start - 1].isspace():
            start -= 1
        return start
    if number_at >= 2 and text[number_at - 1] in _SENTENCE_END:
        glued_to = text[number_at - 2]
        if glued_to == ")" or _LETTER.match(glued_to):
            return number_at
    return None


def paragraphs(text: str) -> list[str]:
    return [paragraph for paragraph in text.split("\n") if paragraph.strip()]
