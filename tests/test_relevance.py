"""The relevance test set: searches as journalists type them, over real documents, through /api/questions/ and
/search/ (tests/fixtures/search-quality/relevance.yaml says what each must find).

Fails on any miss. ``RELEVANCE_REPORT=path`` also writes recall@20 and MRR per kind of query to that file as
JSON (docs/search-quality.md keeps them).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from questions.models import Question
from tests.conftest import FLEMISH, SEED_DOCUMENT
from tests.factories import make_question
from tests.helpers import run_import

pytestmark = pytest.mark.django_db

SET = Path(__file__).resolve().parent / "fixtures" / "search-quality" / "relevance.yaml"
FRAGMENTS = FLEMISH / "fragments-flempar-2024.txt"
CHAMBER = FLEMISH.parent / "other-parliaments"


def _chamber_question(name: str) -> dict:
    """A Belgian Chamber question file: its date, title (the question's first line), question and answer."""
    header, _, rest = (CHAMBER / name).read_text(encoding="utf-8").partition("=== QUESTION ===")
    question, _, answer = rest.partition("=== ANSWER ===")
    fields = dict(line.split(": ", 1) for line in header.splitlines() if ": " in line)
    title, _, body = question.strip().partition("\n")
    answer = answer.strip()
    return {"title": title.strip(), "text": body.strip(), "answer": None if answer.startswith("<NA") else answer,
            "date": dt.date.fromisoformat(fields["depotdat"])}
TOP = 20


def build_archive() -> dict[str, int]:
    """The documents of the set, by their names in it, stored as users store them."""
    spec = yaml.safe_load(SET.read_text(encoding="utf-8"))
    status, output = run_import(SEED_DOCUMENT, FLEMISH / "sv-235-2024.pdf")
    assert status == 0, output
    ids = {"nr292": Question.objects.get(number=292).pk, "nr235": Question.objects.get(number=235).pk}
    fragments = [part.strip() for part in FRAGMENTS.read_text(encoding="utf-8").split("=====")]
    for name, document in spec["documents"].items():
        if "chamber" in document:
            stored = _chamber_question(document["chamber"])
        else:
            stored = {"title": document["title"], "text": fragments[document["fragment"]], "answer": None,
                      "date": dt.date(2024, 2, 26)}  # fmt: skip
        question = make_question(member=document["member"], minister=document["minister"], number=document["number"],
                                 **stored)  # fmt: skip
        ids[name] = question.pk
    return ids


@dataclass
class Outcome:
    kind: str
    recall: float
    reciprocal_rank: float
    problems: list[str]


def _api_ids(client, typed: str) -> tuple[list[int], str | None]:
    response = client.get("/api/questions/", {"q": typed})
    assert response.status_code == 200, typed
    body = response.json()
    return [row["id"] for row in body["results"]], body.get("suggestion")


def evaluate(client, case: dict, ids: dict[str, int]) -> Outcome:
    typed = case["q"]
    found, suggestion = _api_ids(client, typed)
    page = client.get("/search/", {"q": typed})
    assert page.status_code == 200, typed
    if case.get("via_suggestion") and suggestion:
        assert "Bedoelde u" in page.content.decode(), typed  # the page offers it too
        found, _ = _api_ids(client, suggestion)
    wanted = [ids[name] for name in case["find"]]
    top = found[:TOP]
    problems = [f"{typed!r} misses {name}" for name in case["find"] if ids[name] not in top]
    if "first" in case and (not found or found[0] != ids[case["first"]]):
        problems.append(f"{typed!r} does not put {case['first']} first")
    problems += [f"{typed!r} finds {name}" for name in case.get("not", []) if ids[name] in found]
    ranks = [position for position, pk in enumerate(top, start=1) if pk in wanted]
    return Outcome(
        kind=case["kind"],
        # A query that must find nothing (only "not") counts as found when it finds none of those.
        recall=sum(1 for pk in wanted if pk in top) / len(wanted) if wanted else float(not problems),
        reciprocal_rank=(1 / ranks[0] if ranks else 0.0) if wanted else float(not problems),
        problems=problems,
    )


def _report(outcomes: list[Outcome]) -> dict:
    kinds = sorted({outcome.kind for outcome in outcomes})
    report = {}
    for kind in [*kinds, "all"]:
        chosen = [outcome for outcome in outcomes if kind in ("all", outcome.kind)]
        report[kind] = {
            "queries": len(chosen),
            "recall_at_20": round(sum(outcome.recall for outcome in chosen) / len(chosen), 3),
            "mrr": round(sum(outcome.reciprocal_rank for outcome in chosen) / len(chosen), 3),
            "queries_with_a_miss": sum(1 for outcome in chosen if outcome.problems),
        }
    return report


def test_every_search_of_the_relevance_set_finds_what_it_must(client):
    cases = yaml.safe_load(SET.read_text(encoding="utf-8"))["queries"]
    assert len(cases) >= 60
    ids = build_archive()

    outcomes = [evaluate(client, case, ids) for case in cases]

    report = _report(outcomes)
    if os.environ.get("RELEVANCE_REPORT"):
        Path(os.environ["RELEVANCE_REPORT"]).write_text(json.dumps(report, indent=2), encoding="utf-8")
    problems = [problem for outcome in outcomes for problem in outcome.problems]
    assert problems == [], report["all"]
