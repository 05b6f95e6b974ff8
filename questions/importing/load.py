"""Store parsed questions: an idempotent upsert that never silently overwrites an editor's correction.

A document is matched to an existing question by the parliament's document id when it has one, otherwise by
(parliamentary year, minister, number). Re-importing an unchanged source changes nothing; a changed source
updates the record, unless an editor corrected it since the last import: then the import reports a conflict and
keeps the correction (``overwrite_edits`` replaces it).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection, models
from django.utils import timezone
from django.utils.text import slugify
from psycopg.types.json import Jsonb

from questions.importing.parse import ParsedQuestion
from questions.models import Answer, Member, Minister, NamedEntity, Question, Theme
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


CREATE_ATTEMPTS = 20


class EntityCache:
    """Members, ministers and themes by key, for one import run.

    Entities created while storing a document are only remembered once that document is stored: if its
    savepoint rolls back, the rows are gone and so must the cache entries be.
    """

    def __init__(self) -> None:
        self._known: dict[tuple[type, str], NamedEntity] = {}
        self._new: dict[tuple[type, str], NamedEntity] = {}

    def get(self, model: type[NamedEntity], name: str, *, create: bool = True) -> Any:
        """The record for ``name`` (by key or alias), created when missing unless ``create`` is False."""
        self.prefetch(model, [name], create=create)
        key = (model, name_key(name))
        return self._known.get(key) or self._new.get(key)

    def prefetch(self, model: type[NamedEntity], names: list[str], *, create: bool = True) -> None:
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
            aliases = model.alias_model()._default_manager.filter(key__in=wanted).select_related("entity")
            for alias in aliases:
                self._known[(model, alias.key)] = alias.entity
                wanted.pop(alias.key, None)
        if not wanted or not create:
            return
        self._create(model, wanted)

    def _create(self, model: type[NamedEntity], wanted: dict[str, str]) -> None:
        """Create the entities ``wanted`` (key -> name), each with a free slug."""
        bases = {key: slugify(name)[:200] or "x" for key, name in wanted.items()}
        taken = set(model.objects.filter(slug__in=bases.values()).values_list("slug", flat=True))
        for _ in range(CREATE_ATTEMPTS):
            fresh = []
            for key, name in sorted(wanted.items()):  # sorted: concurrent imports lock new keys in one order
                slug, suffix = bases[key], 2
                while slug in taken:
                    slug, suffix = f"{bases[key]}-{suffix}", suffix + 1
                taken.add(slug)
                fresh.append(model(name=name, key=key, slug=slug))
            # Another import's thread may be creating the same name: the insert waits for it and, once it has
            # committed, leaves its row be; a slug taken meanwhile leaves the name missing, to try with the next.
            model.objects.bulk_create(fresh, ignore_conflicts=True)
            for entity in model.objects.filter(key__in=wanted):
                self._new[(model, entity.key)] = entity
                wanted.pop(entity.key)
            if not wanted:
                return
        raise StoreError(f"could not create {', '.join(wanted.values())}: every address tried is taken")

    def knows(self, model: type[NamedEntity], names: list[str]) -> bool:
        """Whether every name is in the cache already (no query)."""
        keys = {(model, name_key(name)) for name in names}
        return all(key in self._known or key in self._new for key in keys)

    def keep_new(self) -> None:
        self._known.update(self._new)
        self._new.clear()

    def forget_new(self) -> None:
        self._new.clear()

    def forget_all(self) -> None:
        self._known.clear()
        self._new.clear()


@dataclass(frozen=True)
class Existing:
    """What the archive holds for a parsed document: the question it describes, if any, with the hash of the
    source it was last imported from; or the reason it cannot be stored."""

    question_id: int | None = None
    source_hash: str = ""
    error: str = ""


def find_existing(batch: list[ParsedQuestion], cache: EntityCache) -> list[Existing]:
    """The one matching rule, for a whole batch in two queries: a document is the question with its document
    id; without one in the archive, the question with its (parliamentary year, minister, number) -- numbers
    are per minister per year, and a minister merged into another is found through its alias. A number that
    is already another document's is an error."""
    source_ids = [parsed.source_id for parsed in batch if parsed.source_id]
    by_source = {
        source_id: (pk, source_hash)
        for source_id, pk, source_hash in Question.objects.filter(source_id__in=source_ids).order_by().values_list(
            "source_id", "id", "source_hash"
        )
    }
    cache.prefetch(Minister, [parsed.minister for parsed in batch], create=False)
    ministers = {parsed.minister: cache.get(Minister, parsed.minister, create=False) for parsed in batch}
    keys = sorted({(parsed.session, minister.pk, parsed.number) for parsed in batch
                   if (minister := ministers[parsed.minister]) is not None})  # fmt: skip
    by_number: dict[tuple[str, int, int], tuple[int, str, str | None]] = {}
    for session, minister_id, number, pk, source_hash, source_id in _questions_numbered(keys):
        by_number[(session, minister_id, number)] = (pk, source_hash, source_id)

    found = []
    for parsed in batch:
        if parsed.source_id and parsed.source_id in by_source:
            found.append(Existing(*by_source[parsed.source_id]))
            continue
        minister = ministers[parsed.minister]
        match = by_number.get((parsed.session, minister.pk, parsed.number)) if minister is not None else None
        if match is None:
            found.append(Existing())
        elif parsed.source_id and match[2]:
            found.append(Existing(error=(
                f"nr. {parsed.number} of {parsed.minister} in {parsed.session} is already in the archive "
                f"as source document {match[2]}, not {parsed.source_id}"
            )))  # fmt: skip
        else:
            found.append(Existing(match[0], match[1]))
    return found


def _questions_numbered(keys: list[tuple[str, int, int]]) -> list[tuple]:
    """The questions with these (parliamentary year, minister id, number), one probe of their unique index each:
    asked for as three lists of values (any year, any number, any minister among them), PostgreSQL read a third of
    the archive for every batch, 0.2 s at 60,000 questions and growing."""
    if not keys:
        return []
    rows = ", ".join(["(%s, %s, %s)"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT session, minister_id, number, id, source_hash, source_id FROM questions_question"
            f" WHERE (session, minister_id, number) IN ({rows})",
            [value for key in keys for value in key],
        )
        return cursor.fetchall()


def identity_keys(parsed: ParsedQuestion, cache: EntityCache) -> list[tuple]:
    """What two documents of one batch must not share: they would be the same question. The minister is its
    record when known, so that two names of one minister (an alias) are one."""
    minister = cache.get(Minister, parsed.minister, create=False)
    minister_key = minister.pk if minister is not None else ("new", name_key(parsed.minister))
    keys: list[tuple] = [("number", parsed.session, minister_key, parsed.number)]
    if parsed.source_id:
        keys.append(("source", parsed.source_id))
    return keys


NEW = "new"
UNCHANGED = "unchanged"
OTHER = "other"


def classify(batch: list[ParsedQuestion], cache: EntityCache) -> list[tuple[str, int | None]]:
    """For each parsed document of a batch, by :func:`find_existing`:

    - ``(NEW, None)``: not in the archive, and no earlier document of the batch is the same question;
    - ``(UNCHANGED, id)``: the question it matches was last imported from exactly this content;
    - ``(OTHER, None)``: anything else (an update, a conflict, a repeat, an error): store it one by one.
    """
    seen_in_batch: set[tuple] = set()
    result: list[tuple[str, int | None]] = []
    for parsed, existing in zip(batch, find_existing(batch, cache), strict=True):
        keys = identity_keys(parsed, cache)
        if existing.error or any(key in seen_in_batch for key in keys):
            result.append((OTHER, None))
        elif existing.question_id is None:
            result.append((NEW, None))
        elif existing.source_hash == parsed.content_hash():
            result.append((UNCHANGED, existing.question_id))
        else:
            result.append((OTHER, None))
        seen_in_batch.update(keys)
    return result


def question_fields(parsed: ParsedQuestion, source_file: str, cache: EntityCache, *, with_header: bool) -> dict:
    """The one mapping from a parsed document to a question's columns, for new and existing questions alike.

    ``with_header`` is False for a bare PDF text imported over a question that came with the header: the
    text carries no document id or links, and those of the earlier import stay. The derived columns
    (has_answer, theme_ids, the vectors) are PostgreSQL's to set (questions/triggers/).
    """
    now = timezone.now()
    fields = {
        "number": parsed.number,
        "session": parsed.session,
        "date_asked": parsed.date_asked,
        "title": parsed.title,
        "question_text": parsed.question_text,
        "member": cache.get(Member, parsed.member),
        "minister": cache.get(Minister, parsed.minister),
        "minister_title": parsed.minister_title,
        "source_file": source_file[-500:],
        "source_hash": parsed.content_hash(),
        "import_snapshot": parsed.as_snapshot(),
        "last_imported_at": now,
        "edited_since_import": False,
        "edited_at": None,
        "edited_by": None,
        "pending_snapshot": None,
        "pending_hash": "",
    }
    if with_header:
        fields.update(source_id=parsed.source_id, pdf_url=parsed.pdf_url, source_url=parsed.source_url)
    return fields


def answer_fields(parsed: ParsedQuestion, cache: EntityCache) -> dict:
    return {
        "text": parsed.answer_text,
        "minister": cache.get(Minister, parsed.answer_minister or parsed.minister),
        "minister_title": parsed.answer_minister_title or parsed.minister_title,
    }


def _new_question_ids(count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('questions_question', 'id')) FROM generate_series(1, %s)", [count]
        )
        return [row[0] for row in cursor.fetchall()]


def _copy_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return Jsonb(value)
    return value


def _copy_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """COPY ``rows`` (field name -> value, the same fields in every row) into ``model``'s table. Far less work
    than an INSERT of the same rows, for Python and for PostgreSQL; the triggers fire as for an INSERT."""
    if not rows:
        return
    fields = [cast(models.Field, model._meta.get_field(name)) for name in rows[0]]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    # As Django's own statements do, report the driver's errors as django.db errors (the runner catches those).
    with connection.wrap_database_errors, connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_copy_value(value) for value in row.values()])


def store_new(batch: list[tuple[ParsedQuestion, str]], cache: EntityCache) -> list[int]:
    """Insert documents that are new to the archive, with one COPY per table for the whole batch.

    Each question row is written once, with its final search vector: its ids are drawn first, its answer and
    theme links go in before it, and the question's own insert then derives everything from them
    (questions/triggers/question_derived.sql). The foreign keys of those early rows are checked before this
    returns. Call inside a savepoint: if anything fails, roll it back. Returns the new questions' ids, in order.
    """
    parsed_list = [parsed for parsed, _ in batch]
    prefetch_entities(parsed_list, cache)
    ids = _new_question_ids(len(batch))
    now = timezone.now()
    _copy_rows(Answer, [
        # dated: what the trigger would set, had the question been written first (answer_dates.sql).
        {"question_id": pk, "recorded_at": now, "answer_date": parsed.answer_date,
         "dated": parsed.answer_date or parsed.date_asked, **answer_fields(parsed, cache)}
        for pk, parsed in zip(ids, parsed_list, strict=True)
        if parsed.answered
    ])  # fmt: skip
    _copy_rows(Question.themes.through, [
        {"question_id": pk, "theme_id": theme_id}
        for pk, parsed in zip(ids, parsed_list, strict=True)
        for theme_id in dict.fromkeys(cache.get(Theme, theme).pk for theme in parsed.themes)
    ])  # fmt: skip
    _copy_rows(Question, [
        {"id": pk, "first_imported_at": now, **question_fields(parsed, source_file, cache, with_header=True)}
        for pk, (parsed, source_file) in zip(ids, batch, strict=True)
    ])  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the early rows' foreign keys now
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return ids


def entity_names(parsed_list: list[ParsedQuestion]) -> dict[type[NamedEntity], list[str]]:
    """The members, ministers (asked and answering) and themes the documents name."""
    return {
        Member: [p.member for p in parsed_list],
        Minister: [p.minister for p in parsed_list] + [p.answer_minister for p in parsed_list if p.answer_minister],
        Theme: [theme for p in parsed_list for theme in p.themes],
    }


def prefetch_entities(parsed_list: list[ParsedQuestion], cache: EntityCache) -> None:
    """Every member, minister and theme the documents name into ``cache``, the missing ones created."""
    for model, names in entity_names(parsed_list).items():
        cache.prefetch(model, names)


def store(
    parsed: ParsedQuestion,
    *,
    source_file: str,
    cache: EntityCache,
    overwrite_edits: bool = False,
    dry_run: bool = False,
) -> StoreResult:
    """Create or update the question (and answer) described by ``parsed``. Call inside a transaction."""
    (existing,) = find_existing([parsed], cache)
    if existing.error:
        raise StoreError(existing.error)
    new_hash = parsed.content_hash()
    if existing.question_id is None:
        if dry_run:
            return StoreResult(Outcome.IMPORTED)
        (question_id,) = store_new([(parsed, source_file)], cache)
        return StoreResult(Outcome.IMPORTED, question_id)
    if existing.source_hash == new_hash:
        return StoreResult(Outcome.UNCHANGED, existing.question_id)
    question = Question.objects.get(pk=existing.question_id)
    if question.edited_since_import and not overwrite_edits:
        edited = timezone.localtime(question.edited_at).strftime("%Y-%m-%d %H:%M") if question.edited_at else "?"
        if not dry_run:
            # Keep what this import would have set, for the editors to compare and, if they wish, revert to.
            Question.objects.filter(pk=question.pk).update(pending_snapshot=parsed.as_record(), pending_hash=new_hash)
        return StoreResult(
            Outcome.CONFLICT,
            question.pk,
            f"the source changed, but an editor corrected this question ({edited}); kept the correction "
            "(use --overwrite-edits to replace it)",
        )
    if dry_run:
        return StoreResult(Outcome.UPDATED, question.pk)
    detail = apply_parsed(question, parsed, source_file, cache)
    return StoreResult(Outcome.UPDATED, question.pk, detail)


def apply_parsed(question: Question, parsed: ParsedQuestion, source_file: str, cache: EntityCache) -> str:
    """Put what ``parsed`` says into an existing question and its answer; returns notes for the report."""
    notes = []
    # A bare PDF text carries no themes, links or document id: keep those of an earlier import with header.
    with_header = parsed.has_header or not question.source_id
    if not with_header:
        notes.append("kept themes and links from the earlier import with header")
    for name, value in question_fields(parsed, source_file, cache, with_header=with_header).items():
        setattr(question, name, value)
    question.save()
    if with_header:
        question.themes.set([cache.get(Theme, name) for name in parsed.themes])
    if parsed.answered:
        fields = answer_fields(parsed, cache)
        if parsed.answer_date is not None:  # a source without one keeps what an editor or a metadata file gave
            fields["answer_date"] = parsed.answer_date
        Answer.objects.update_or_create(question=question, defaults=fields)
    elif Answer.objects.filter(question=question).exists():
        notes.append("the source has no answer; kept the answer already in the archive")
    return "; ".join(notes)
