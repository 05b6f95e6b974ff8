"""Store parsed questions: an idempotent upsert that never silently overwrites an editor's correction.

A document is matched to an existing question by the parliament's document id when it has one, otherwise by
(parliamentary year, minister, number). Re-importing an unchanged source changes nothing; a changed source
updates the record, unless an editor corrected it since the last import: then the import reports a conflict and
keeps the correction (``overwrite_edits`` replaces it).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.text import slugify

from questions import search
from questions.importing.parse import ParsedQuestion
from questions.models import Answer, Member, Minister, Question, Theme
from questions.names import name_key


class Outcome(enum.StrEnum):
    IMPORTED = "imported"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    FAILED = "failed"


@dataclass(frozen=True)
class StoreResult:
    outcome: Outcome
    question_id: int | None = None
    detail: str = ""


class StoreError(Exception):
    """The parsed document cannot be stored; the message says why."""


class EntityCache:
    """Members, ministers and themes by key, for one import run.

    Entities created while storing a document are only remembered once that document is stored: if its
    savepoint rolls back, the rows are gone and so must the cache entries be.
    """

    def __init__(self) -> None:
        self._known: dict[tuple[type, str], models.Model] = {}
        self._new: dict[tuple[type, str], models.Model] = {}

    def get(self, model: type[models.Model], name: str, *, create: bool = True):
        """The record for ``name`` (by key or alias), created when missing unless ``create`` is False."""
        self.prefetch(model, [name], create=create)
        key = (model, name_key(name))
        return self._known.get(key) or self._new.get(key)

    def prefetch(self, model: type[models.Model], names: list[str], *, create: bool = True) -> None:
        """Look up many names in two queries (keys, then aliases), and create the missing ones with one insert."""
        wanted: dict[str, str] = {}
        for name in names:
            key = name_key(name)
            if (model, key) not in self._known and (model, key) not in self._new:
                wanted.setdefault(key, " ".join(name.split()))
        if not wanted:
            return
        for entity in model.objects.filter(key__in=wanted):
            self._known[(model, entity.key)] = entity
            wanted.pop(entity.key, None)
        if wanted:
            aliases = model.aliases.rel.related_model.objects.filter(key__in=wanted).select_related("entity")
            for alias in aliases:
                self._known[(model, alias.key)] = alias.entity
                wanted.pop(alias.key, None)
        if not wanted or not create:
            return
        slugs = {key: slugify(name)[:200] or "x" for key, name in wanted.items()}
        taken = set(model.objects.filter(slug__in=slugs.values()).values_list("slug", flat=True))
        fresh = []
        for key, name in wanted.items():
            slug = slugs[key]
            suffix = 2
            while slug in taken:
                slug, suffix = f"{slugs[key]}-{suffix}", suffix + 1
            taken.add(slug)
            fresh.append(model(name=name, key=key, slug=slug))
        for entity in model.objects.bulk_create(fresh):
            self._new[(model, entity.key)] = entity

    def keep_new(self) -> None:
        self._known.update(self._new)
        self._new.clear()

    def forget_new(self) -> None:
        self._new.clear()

    def forget_all(self) -> None:
        self._known.clear()
        self._new.clear()


def natural_keys(parsed: ParsedQuestion, minister_id: int | None) -> list[tuple]:
    """The keys that identify the question: (year, minister, number), with the minister's record id when the
    minister is known (so that a name merged into another record matches it), and the document id."""
    minister = minister_id if minister_id is not None else ("new", name_key(parsed.minister))
    keys: list[tuple] = [("number", parsed.session, minister, parsed.number)]
    if parsed.source_id:
        keys.append(("source", parsed.source_id))
    return keys


NEW = "new"
UNCHANGED = "unchanged"
OTHER = "other"


def classify(batch: list[ParsedQuestion], cache: EntityCache) -> list[tuple[str, int | None]]:
    """For each parsed document, with two queries for the whole batch:

    - ``(NEW, None)``: no question in the archive has its document id or its (year, minister, number), and no
      earlier document of the batch has either;
    - ``(UNCHANGED, id)``: the question it matches was last imported from exactly this content;
    - ``(OTHER, None)``: anything else (an update, a conflict, a repeat): store it one by one.
    """
    source_ids = [parsed.source_id for parsed in batch if parsed.source_id]
    known: dict[tuple, tuple[int, str]] = {}
    for source_id, pk, source_hash in Question.objects.filter(source_id__in=source_ids).values_list(
        "source_id", "id", "source_hash"
    ):
        known[("source", source_id)] = (pk, source_hash)
    cache.prefetch(Minister, [parsed.minister for parsed in batch], create=False)
    ministers = {parsed.minister: cache.get(Minister, parsed.minister, create=False) for parsed in batch}
    rows = Question.objects.filter(
        session__in={p.session for p in batch},
        number__in={p.number for p in batch},
        minister__in={minister.pk for minister in ministers.values() if minister is not None},
    ).values_list("session", "minister_id", "number", "id", "source_hash")
    for session, minister_id, number, pk, source_hash in rows:
        known[("number", session, minister_id, number)] = (pk, source_hash)
    seen_in_batch: set[tuple] = set()
    result: list[tuple[str, int | None]] = []
    for parsed in batch:
        minister = ministers[parsed.minister]
        keys = natural_keys(parsed, minister.pk if minister else None)
        matches = {known[key] for key in keys if key in known}
        if any(key in seen_in_batch for key in keys):
            result.append((OTHER, None))
        elif not matches:
            result.append((NEW, None))
        elif len(matches) == 1 and next(iter(matches))[1] == parsed.content_hash():
            result.append((UNCHANGED, next(iter(matches))[0]))
        else:
            result.append((OTHER, None))
        seen_in_batch.update(keys)
    return result


def store_new_in_bulk(batch: list[tuple[ParsedQuestion, str]], cache: EntityCache) -> list[int]:
    """Insert documents that :func:`classify` found new, with a handful of queries for the whole batch.

    Call inside a savepoint: if anything fails, roll it back and store the documents one by one instead.
    Returns the new questions' ids, in order.
    """
    parsed_list = [parsed for parsed, _ in batch]
    cache.prefetch(Member, [p.member for p in parsed_list])
    cache.prefetch(Minister, [p.minister for p in parsed_list] + [p.answer_minister for p in parsed_list if p.answered])
    cache.prefetch(Theme, [theme for p in parsed_list for theme in p.themes])
    now = timezone.now()
    questions = [
        Question(
            number=parsed.number,
            session=parsed.session,
            date_asked=parsed.date_asked,
            title=parsed.title,
            question_text=parsed.question_text,
            member=cache.get(Member, parsed.member),
            minister=cache.get(Minister, parsed.minister),
            minister_title=parsed.minister_title,
            source_id=parsed.source_id,
            pdf_url=parsed.pdf_url,
            source_url=parsed.source_url,
            has_answer=parsed.answered,
            # As the vector refresh will set it: so its UPDATE changes no facet value (no facet-count work).
            theme_ids=sorted({cache.get(Theme, theme).pk for theme in parsed.themes}),
            source_file=source_file[-500:],
            source_hash=parsed.content_hash(),
            import_snapshot=parsed.as_record(),
            first_imported_at=now,
            last_imported_at=now,
        )
        for parsed, source_file in batch
    ]
    Question.objects.bulk_create(questions)
    Through = Question.themes.through
    Through.objects.bulk_create(
        [
            Through(question_id=question.pk, theme_id=cache.get(Theme, theme).pk)
            for question, parsed in zip(questions, parsed_list, strict=True)
            for theme in parsed.themes
        ]
    )
    Answer.objects.bulk_create(
        [
            Answer(
                question=question,
                text=parsed.answer_text,
                minister=cache.get(Minister, parsed.answer_minister or parsed.minister),
                minister_title=parsed.answer_minister_title or parsed.minister_title,
                recorded_at=now,
            )
            for question, parsed in zip(questions, parsed_list, strict=True)
            if parsed.answered
        ]
    )
    ids = [question.pk for question in questions]
    search.schedule_refresh(ids)
    return ids


def find_existing(parsed: ParsedQuestion, cache: EntityCache) -> Question | None:
    """The question this document describes, if the archive has it already."""
    by_number = None
    minister = cache.get(Minister, parsed.minister, create=False)
    if minister is not None:
        by_number = Question.objects.filter(session=parsed.session, minister=minister, number=parsed.number).first()
    if parsed.source_id:
        by_source = Question.objects.filter(source_id=parsed.source_id).first()
        if by_source is not None:
            return by_source
        if by_number is not None and by_number.source_id:
            raise StoreError(
                f"nr. {parsed.number} of {parsed.minister} in {parsed.session} is already in the archive "
                f"as source document {by_number.source_id}, not {parsed.source_id}"
            )
    return by_number


def store(
    parsed: ParsedQuestion,
    *,
    source_file: str,
    cache: EntityCache,
    overwrite_edits: bool = False,
    dry_run: bool = False,
) -> StoreResult:
    """Create or update the question (and answer) described by ``parsed``. Call inside a transaction."""
    existing = find_existing(parsed, cache)
    new_hash = parsed.content_hash()
    if existing is None:
        if dry_run:
            return StoreResult(Outcome.IMPORTED)
        question = Question(first_imported_at=timezone.now())
        apply_parsed(question, parsed, source_file, new_hash, cache, creating=True)
        return StoreResult(Outcome.IMPORTED, question.pk)
    if existing.source_hash == new_hash:
        return StoreResult(Outcome.UNCHANGED, existing.pk)
    if existing.edited_since_import and not overwrite_edits:
        edited = timezone.localtime(existing.edited_at).strftime("%Y-%m-%d %H:%M") if existing.edited_at else "?"
        if not dry_run:
            # Keep what this import would have set, for the editors to compare and, if they wish, revert to.
            Question.objects.filter(pk=existing.pk).update(pending_snapshot=parsed.as_record(), pending_hash=new_hash)
        return StoreResult(
            Outcome.CONFLICT,
            existing.pk,
            f"the source changed, but an editor corrected this question ({edited}); kept the correction "
            "(use --overwrite-edits to replace it)",
        )
    if dry_run:
        return StoreResult(Outcome.UPDATED, existing.pk)
    detail = apply_parsed(existing, parsed, source_file, new_hash, cache, creating=False)
    return StoreResult(Outcome.UPDATED, existing.pk, detail)


def apply_parsed(
    question: Question,
    parsed: ParsedQuestion,
    source_file: str,
    new_hash: str,
    cache: EntityCache,
    *,
    creating: bool,
) -> str:
    notes = []
    question.number = parsed.number
    question.session = parsed.session
    question.date_asked = parsed.date_asked
    question.title = parsed.title
    question.question_text = parsed.question_text
    question.member = cache.get(Member, parsed.member)
    question.minister = cache.get(Minister, parsed.minister)
    question.minister_title = parsed.minister_title
    # A bare PDF text carries no themes, links or document id: keep those of an earlier import with header.
    take_header = parsed.has_header or not question.source_id
    if take_header:
        question.source_id = parsed.source_id
        question.pdf_url = parsed.pdf_url
        question.source_url = parsed.source_url
    elif not creating:
        notes.append("kept themes and links from the earlier import with header")
    question.source_file = source_file[-500:]
    question.source_hash = new_hash
    question.import_snapshot = parsed.as_record()
    question.last_imported_at = timezone.now()
    question.edited_since_import = False
    question.edited_at = None
    question.edited_by = None
    question.pending_snapshot = None
    question.pending_hash = ""
    if parsed.answered:
        question.has_answer = True
    question.save()

    if take_header:
        themes = [cache.get(Theme, name) for name in parsed.themes]
        if creating:
            Question.themes.through.objects.bulk_create(
                [Question.themes.through(question_id=question.pk, theme_id=theme.pk) for theme in themes]
            )
        else:
            question.themes.set(themes)

    if parsed.answered:
        answer = None if creating else Answer.objects.filter(question=question).first()
        answer = answer or Answer(question=question)
        answer.text = parsed.answer_text
        answer.minister = cache.get(Minister, parsed.answer_minister or parsed.minister)
        answer.minister_title = parsed.answer_minister_title or parsed.minister_title
        answer.save()
    elif not creating and Answer.objects.filter(question=question).exists():
        notes.append("the source has no answer; kept the answer already in the archive")
    # Themes added with bulk_create send no signal: ask for the refresh that covers them.
    search.schedule_refresh([question.pk])
    return "; ".join(notes)
