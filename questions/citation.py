"""How to cite a question, in the parliament's own form (always in Dutch, as the document is)."""

from __future__ import annotations

from django.utils import formats, translation

from questions.models import Question


def citation(question: Question) -> str:
    """``Schriftelijke vraag nr. 292 van 27 februari 2024 van Karl Vanlouwe aan Jo Brouns, Vlaams Parlement,
    zittingsjaar 2023-2024``."""
    with translation.override("nl"):
        asked = formats.date_format(question.date_asked, "j F Y")
    return (f"Schriftelijke vraag nr. {question.number} van {asked} van {question.member.name} aan "
            f"{question.minister.name}, Vlaams Parlement, zittingsjaar {question.session}")  # fmt: skip


def document_link(question: Question) -> str:
    """The parliament's page for the document, else its PDF; empty when the source gave neither."""
    return question.source_url or question.pdf_url
