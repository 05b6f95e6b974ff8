"""How well questions/search/compounds.py splits Dutch compounds, on the hand-written word lists in
tests/fixtures/search-quality/ (compounds with their splits, and words that must stay whole).

    .venv/bin/python -m bench.compound_splits [--show-errors] [--hunspell postgres://…]

Prints precision and recall of the cut points (a cut is a position in the word where it splits), the share of
compounds split exactly as written, and the share of whole words left whole. docs/search-quality.md keeps them.

``--hunspell`` measures the other option the same way: PostgreSQL's Ispell dictionary ``nl_ispell`` built
from the OpenTaal Hunspell files (Debian's hunspell-nl), in the database the URL names. Setting it up is in
docs/search-quality.md; the archive does not use it.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from questions.search.compounds import split_compound

WORD_LISTS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "search-quality"


def _entries(name: str) -> list[str]:
    lines = (WORD_LISTS / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _cuts(pieces: list[str] | tuple[str, ...]) -> set[int]:
    positions, at = set(), 0
    for piece in pieces[:-1]:
        at += len(piece)
        positions.add(at)
    return positions


@dataclass(frozen=True)
class SplitQuality:
    compounds: int
    whole_words: int
    cut_precision: float
    cut_recall: float
    compounds_exact: float  # share of compounds split exactly as written
    whole_kept: float  # share of whole words left whole
    errors: tuple[str, ...]


def measure(split=split_compound) -> SplitQuality:  # type: ignore[no-untyped-def]
    true_cuts = predicted_cuts = right_cuts = exact = kept = 0
    errors = []
    compounds = _entries("compounds.txt")
    for written in compounds:
        gold = _cuts(written.split("|"))
        found = _cuts(split(written.replace("|", "")))
        true_cuts += len(gold)
        predicted_cuts += len(found)
        right_cuts += len(gold & found)
        exact += gold == found
        if gold != found:
            errors.append(f"{written}: {'|'.join(split(written.replace('|', '')))}")
    whole_words = _entries("noncompounds.txt")
    for word in whole_words:
        pieces = split(word)
        predicted_cuts += len(pieces) - 1
        kept += len(pieces) == 1
        if len(pieces) > 1:
            errors.append(f"{word} (whole): {'|'.join(pieces)}")
    return SplitQuality(
        compounds=len(compounds),
        whole_words=len(whole_words),
        cut_precision=right_cuts / predicted_cuts if predicted_cuts else 1.0,
        cut_recall=right_cuts / true_cuts,
        compounds_exact=exact / len(compounds),
        whole_kept=kept / len(whole_words),
        errors=tuple(errors),
    )


def _tiled(word: str, lexemes: list[str]) -> tuple[str, ...]:
    """The surface pieces of ``word`` when Hunspell's lexemes, in order, cover it end to end (a linker of up to
    two letters may follow a part); the whole word otherwise (Hunspell also returns a word's other forms)."""
    if word in lexemes or len(lexemes) < 2:
        return (word,)
    at, starts = 0, []
    for lexeme in lexemes:
        found = word.find(lexeme, at)
        if found < 0 or found - at > 2:
            return (word,)
        starts.append(found)  # a linker stays with the piece before it, as in the word lists
        at = found + len(lexeme)
    if len(word) - at > 2 or starts[0] != 0:
        return (word,)
    edges = [0, *starts[1:], len(word)]
    return tuple(word[a:b] for a, b in zip(edges, edges[1:], strict=False))


def hunspell_splitter(dsn: str):  # type: ignore[no-untyped-def]
    """A splitter over PostgreSQL's ``nl_ispell`` dictionary, with every word of the lists looked up at once."""
    import psycopg

    words = [line.replace("|", "") for line in _entries("compounds.txt")] + _entries("noncompounds.txt")
    with psycopg.connect(dsn) as connection:
        rows = connection.execute(
            "SELECT w, coalesce(ts_lexize('nl_ispell', w), '{}') FROM unnest(%s::text[]) AS w", [words]
        ).fetchall()
    lexemes = dict(rows)
    return lambda word: _tiled(word, lexemes.get(word, []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--hunspell", metavar="DATABASE_URL", help="measure the nl_ispell dictionary in that database")
    options = parser.parse_args()
    quality = measure(hunspell_splitter(options.hunspell)) if options.hunspell else measure()
    print(f"{quality.compounds} compounds, {quality.whole_words} words that stay whole")
    print(f"cut points: precision {quality.cut_precision:.3f}, recall {quality.cut_recall:.3f}")
    print(f"compounds split exactly as written: {quality.compounds_exact:.1%}")
    print(f"whole words left whole: {quality.whole_kept:.1%}")
    if options.show_errors:
        print("\n".join(quality.errors))


if __name__ == "__main__":
    main()
