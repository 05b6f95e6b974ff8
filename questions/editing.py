"""What editors do to records: merge duplicates, compare with the last import, revert to it.

Each operation runs in one transaction; PostgreSQL's triggers keep the search index and the counts in step
(questions/triggers/).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from questions.importing.load import EntityCache, apply_parsed
from questions.importing.parse import ANSWER_TEXT_MD5, QUESTION_TEXT_MD5, ParsedQuestion
from questions.models import Answer, Member, Minister, NamedEntity, Question, Theme


class MergeError(Exception):
    """The records cannot be merged; the message says why. Nothing was changed."""


@dataclass(frozen=True)
class MergeReport:
    kept: NamedEntity
    merged_names: list[str]
    questions_moved: int
    answers_moved: int

    def message(self) -> str:
        return _(
            "%(names)s samengevoegd met %(kept)s: %(questions)d vragen en %(answers)d antwoorden verplaatst; "
            "de oude namen blijven bewaard, zodat latere imports ze aan %(kept)s koppelen."
        ) % {
            "names": ", ".join(self.merged_names),
            "kept": self.kept.name,
            "questions": self.questions_moved,
            "answers": self.answers_moved,
        }


def merge_entities(keep: NamedEntity, others: list[NamedEntity]) -> MergeReport:
    """Move every question and answer of ``others`` to ``keep``, keep their names as aliases of ``keep``
    (so later imports map to it), and delete them. One transaction: all of it, or nothing."""
    model = type(keep)
    others = [other for other in others if other.pk != keep.pk]
    if not others:
        raise MergeError(_("Kies minstens twee verschillende records om samen te voegen."))
    if any(type(other) is not model for other in others):
        raise MergeError(_("Alleen records van dezelfde soort kunnen samengevoegd worden."))
    with transaction.atomic():
        questions_moved = answers_moved = 0
        if model is Minister:
            _refuse_number_clashes(cast(Minister, keep), cast(list[Minister], others))
            questions_moved = Question.objects.filter(minister__in=others).update(minister=keep)
            answers_moved = Answer.objects.filter(minister__in=others).update(minister=keep)
        elif model is Member:
            questions_moved = Question.objects.filter(member__in=others).update(member=keep)
        elif model is Theme:
            questions_moved = _move_theme_links(cast(Theme, keep), cast(list[Theme], others))
        # The alias model matches the record's model, which the type checker cannot follow through the union.
        alias_model: Any = model.alias_model()._default_manager
        for other in others:
            alias_model.filter(entity=other).update(entity=keep)
            alias_model.create(entity=keep, name=other.name)
        merged_names = [other.name for other in others]
        model.objects.filter(pk__in=[other.pk for other in others]).delete()
    return MergeReport(keep, merged_names, questions_moved, answers_moved)


def _refuse_number_clashes(keep: Minister, others: list[Minister]) -> None:
    """Numbers are per minister per year: two records with the same number and year cannot become one."""
    seen: dict[tuple[str, int], str] = {}
    for minister in [keep, *others]:
        for session, number in Question.objects.filter(minister=minister).values_list("session", "number"):
            if (session, number) in seen:
                raise MergeError(
                    _("%(a)s en %(b)s hebben allebei een vraag nr. %(number)d in %(session)s: eerst die vragen "
                      "nakijken.") % {"a": seen[(session, number)], "b": minister.name, "number": number,
                                      "session": session}
                )  # fmt: skip
            seen[(session, number)] = minister.name


def _move_theme_links(keep: Theme, others: list[Theme]) -> int:
    """Link every question of ``others`` to ``keep`` (once, however many of the merged themes it had) and
    drop their own links; returns how many questions were moved."""
    through = Question.themes.through
    moved = set(through.objects.filter(theme__in=others).values_list("question_id", flat=True))
    through.objects.bulk_create(
        [through(question_id=question_id, theme_id=keep.pk) for question_id in sorted(moved)], ignore_conflicts=True
    )
    through.objects.filter(theme__in=others).delete()
    return len(moved)


# --- the last import -----------------------------------------------------------------------------------------

COMPARED_FIELDS = [
    ("title", gettext_lazy("titel")),
    ("number", gettext_lazy("nummer")),
    ("date_asked", gettext_lazy("datum gesteld")),
    ("member", gettext_lazy("vraagsteller")),
    ("minister", gettext_lazy("minister")),
    ("minister_title", gettext_lazy("bevoegdheid")),
    ("themes", gettext_lazy("thema's")),
    ("question_text", gettext_lazy("vraag")),
    ("answer_text", gettext_lazy("antwoord")),
    ("answer_minister", gettext_lazy("antwoordende minister")),
    ("pdf_url", gettext_lazy("PDF")),
    ("source_url", gettext_lazy("bronpagina")),
]


def last_import(question: Question) -> dict | None:
    """What the last import set, or would have set had an editor's correction not stopped it."""
    if question.pending_snapshot:
        return question.pending_snapshot
    return _imported_record(question)


def _imported_record(question: Question) -> dict | None:
    """The record an import snapshot stands for. A snapshot names the texts the import wrote by their md5
    (ParsedQuestion.as_snapshot) until one of them changes, when PostgreSQL copies the imported text into it
    (questions/triggers/import_snapshot.sql): a text not in it is the one in the archive."""
    if question.import_snapshot is None:
        return None
    record = dict(question.import_snapshot)
    if record.pop(QUESTION_TEXT_MD5, None) is not None:
        record.setdefault("question_text", question.question_text)
    if record.pop(ANSWER_TEXT_MD5, None) is not None and "answer_text" not in record:
        record["answer_text"] = Answer.objects.filter(question=question).values_list("text", flat=True).first()
    return record


def current_values(question: Question) -> dict:
    answer = Answer.objects.filter(question=question).select_related("minister").first()
    return {
        "title": question.title,
        "number": question.number,
        "date_asked": question.date_asked.isoformat(),
        "member": question.member.name,
        "minister": question.minister.name,
        "minister_title": question.minister_title,
        "themes": sorted(question.themes.values_list("name", flat=True)),
        "question_text": question.question_text,
        "answer_text": answer.text if answer else None,
        "answer_minister": answer.minister.name if answer else None,
        "pdf_url": question.pdf_url,
        "source_url": question.source_url,
    }


def compare_with_import(question: Question) -> list[dict]:
    """Field by field: the current value, the imported one, and whether they differ."""
    record = last_import(question)
    if record is None:
        return []
    current = current_values(question)
    rows = []
    for field, label in COMPARED_FIELDS:
        imported = record.get(field)
        if field == "themes":
            imported = sorted(imported or [])
        rows.append(
            {"field": field, "label": label, "current": current[field], "imported": imported,
             "differs": current[field] != imported}
        )  # fmt: skip
    return rows


def revert_to_import(question: Question) -> None:
    """Put back what the last import set (see :func:`last_import`); the question is no longer 'corrected'."""
    record = last_import(question)
    if record is None:
        raise ValueError("this question was never imported")
    parsed = ParsedQuestion.from_record(record)
    with transaction.atomic():
        apply_parsed(question, parsed, question.source_file, EntityCache())
