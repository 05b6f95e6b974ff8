"""Synonyms that editors keep (questions.models.Synonym), applied to what a user typed.

A word, a quoted phrase or the whole text that is a synonym's term is also searched as its expansion, and the
other way round: ``VDAB`` also finds "Vlaamse Dienst voor Arbeidsbemiddeling en Beroepsopleiding". The page
says what was added ("ook gezocht op …") and offers the search without them (``synonyms=off``).
"""

from __future__ import annotations

from django.db.models import Q

from questions.models import Synonym
from questions.names import name_key
from questions.search.text import search_terms


def alternatives(typed: str) -> tuple[dict[str, list[str]], tuple[str, ...]]:
    """For what was typed: key -> the other names to search it by, and what was added, to show."""
    keys = {name_key(term) for term in [*search_terms(typed), typed]} - {""}
    if not keys:
        return {}, ()
    found: dict[str, list[str]] = {}
    added: list[str] = []
    for synonym in Synonym.objects.filter(Q(term_key__in=keys) | Q(expansion_key__in=keys)).order_by("term"):
        if synonym.term_key in keys:
            found.setdefault(synonym.term_key, []).append(synonym.expansion)
            added.append(synonym.expansion)
        if synonym.expansion_key in keys:
            found.setdefault(synonym.expansion_key, []).append(synonym.term)
            added.append(synonym.term)
    return found, tuple(dict.fromkeys(added))
