"""How well questions/search/compounds.py splits Dutch compounds, on the hand-written word lists in
tests/fixtures/search-quality/ (compounds with their splits, and words that must stay whole).

    .venv/bin/python -m bench.compound_splits [--show-errors]

Prints precision and recall of the cut points (a cut is a position in the word where it splits), the share of
compounds split exactly as written, and the share of whole words left whole. docs/search-quality.md keeps them.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show-errors", action="store_true")
    options = parser.parse_args()
    quality = measure()
    print(f"{quality.compounds} compounds, {quality.whole_words} words that stay whole")
    print(f"cut points: precision {quality.cut_precision:.3f}, recall {quality.cut_recall:.3f}")
    print(f"compounds split exactly as written: {quality.compounds_exact:.1%}")
    print(f"whole words left whole: {quality.whole_kept:.1%}")
    if options.show_errors:
        print("\n".join(quality.errors))


if __name__ == "__main__":
    main()
