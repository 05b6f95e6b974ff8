from __future__ import annotations

import datetime as dt
from typing import cast

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, HashIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Func, OuterRef, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from questions import deadlines
from questions.links import pk_url
from questions.names import name_key
from questions.search.text import SEARCH_CONFIG, Snippet


class NamedEntityQuerySet(models.QuerySet):
    def matching_keys(self, keys) -> QuerySet:
        """Records whose own key, or one of whose aliases (names merged into them), is among ``keys``."""
        keys = list(keys)
        return self.filter(Q(key__in=keys) | Q(aliases__key__in=keys)).distinct()

    def by_name(self, name: str):
        return self.matching_keys([name_key(name)]).first()

    def get_or_create_by_name(self, name: str):
        """The record whose key or alias matches ``name``, created with this display name when there is none."""
        existing = self.by_name(name)
        if existing is not None:
            return existing
        entity = self.model(name=name)
        entity.save()
        return entity


class NamedEntity(models.Model):
    """A minister, member or theme: a display name, a matching key and a slug for URLs."""

    name = models.CharField(_("naam"), max_length=200)
    key = models.CharField(max_length=200, unique=True, editable=False)
    slug = models.SlugField(max_length=220, unique=True, editable=False)

    objects = NamedEntityQuerySet.as_manager()
    url_name: str  # the name of the entity's public page in questions/urls.py

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name = " ".join(self.name.split())
        self.key = name_key(self.name)
        if not self.slug:
            self.slug = self._unique_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return self.url_for(self.slug)

    @classmethod
    def url_for(cls, slug: str) -> str:
        """The public page of the record with this slug (without loading it)."""
        return reverse(f"questions:{cls.url_name}", kwargs={"slug": slug})

    @classmethod
    def alias_model(cls) -> type[MinisterAlias | MemberAlias | ThemeAlias]:
        """The model that keeps the names merged into records of this one."""
        return cast("type[MinisterAlias | MemberAlias | ThemeAlias]", cls._meta.get_field("aliases").related_model)

    def _unique_slug(self) -> str:
        base = slugify(self.name)[:200] or "x"
        slug, suffix = base, 2
        while type(self).objects.filter(slug=slug).exists():
            slug, suffix = f"{base}-{suffix}", suffix + 1
        return slug



class Minister(NamedEntity):
    url_name = "minister"

    class Meta(NamedEntity.Meta):
        verbose_name = _("minister")
        verbose_name_plural = _("ministers")


class Member(NamedEntity):
    url_name = "member"

    class Meta(NamedEntity.Meta):
        verbose_name = _("parlementslid")
        verbose_name_plural = _("parlementsleden")


class Theme(NamedEntity):
    url_name = "theme"

    class Meta(NamedEntity.Meta):
        verbose_name = _("thema")
        verbose_name_plural = _("thema's")


class Alias(models.Model):
    """A name merged into another record: imports that meet it map to that record."""

    name = models.CharField(_("naam"), max_length=200)
    key = models.CharField(max_length=200, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.key = name_key(self.name)
        super().save(*args, **kwargs)


class MinisterAlias(Alias):
    entity = models.ForeignKey(Minister, on_delete=models.CASCADE, related_name="aliases")

    class Meta(Alias.Meta):
        verbose_name = _("andere naam van een minister")
        verbose_name_plural = _("andere namen van ministers")


class MemberAlias(Alias):
    entity = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="aliases")

    class Meta(Alias.Meta):
        verbose_name = _("andere naam van een parlementslid")
        verbose_name_plural = _("andere namen van parlementsleden")


class ThemeAlias(Alias):
    entity = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="aliases")

    class Meta(Alias.Meta):
        verbose_name = _("andere naam van een thema")
        verbose_name_plural = _("andere namen van thema's")


class _EqualsAny(Func):
    """``value = ANY(array)``: true when the array holds the value."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = models.BooleanField()


def _theme_names() -> ArraySubquery:
    """The names of a question's themes, sorted, read through its ``theme_ids``."""
    return ArraySubquery(
        Theme.objects.filter(_EqualsAny(F("pk"), OuterRef("theme_ids"))).order_by("name").values("name")
    )


# The columns nobody shows: the vectors and the import snapshots are large, and would be read back from TOAST.
DISPLAY_DEFERRED = frozenset({"search_vector", "title_vector", "name_vector", "import_snapshot", "pending_snapshot"})


class QuestionQuerySet(models.QuerySet):
    def for_display(self) -> QuestionQuerySet:
        """What pages, feeds and exports show: names fetched along, the themes' names as ``theme_names`` (in
        the same query, from ``theme_ids``), and without DISPLAY_DEFERRED. (By id, questions.search.rows reads
        the same rows faster.)"""
        return (
            self.select_related("member", "minister")
            .defer(*sorted(DISPLAY_DEFERRED))
            .annotate(theme_names=_theme_names(), answered_on=F("answer__answer_date"))
        )

    def newest_first(self) -> QuestionQuerySet:
        return self.order_by("-date_asked", "-number", "-id")


class Question(models.Model):
    # The parliament's own id for the document (the number at the end of the "thema link"), when known.
    source_id = models.CharField(_("bron-id"), max_length=32, null=True, blank=True, unique=True)
    number = models.PositiveIntegerField(_("nummer"))
    session = models.CharField(_("zittingsjaar"), max_length=9)
    date_asked = models.DateField(_("datum gesteld"))
    title = models.TextField(_("titel"))
    question_text = models.TextField(_("vraag"))
    # Indexed together with the date (Meta.indexes) rather than alone: see question_minister_newest.
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="questions", verbose_name=_("vraagsteller"), db_index=False
    )
    minister = models.ForeignKey(
        Minister, on_delete=models.PROTECT, related_name="questions", verbose_name=_("minister"), db_index=False
    )
    # The portfolio as printed on this question: ministers change portfolios.
    minister_title = models.TextField(_("bevoegdheid"))
    themes = models.ManyToManyField(Theme, related_name="questions", blank=True, verbose_name=_("thema's"))
    pdf_url = models.URLField(_("PDF"), max_length=500, blank=True)
    source_url = models.URLField(_("bronpagina"), max_length=500, blank=True)
    # Derived values, set by PostgreSQL on every write of the row or of what it refers to
    # (questions/triggers/question_derived.sql): whether an answer exists (facets count it on every search), the
    # themes' ids (the theme facet counts and filters on them without joining the link table for every match),
    # and the search vector. Whatever Python puts in them is replaced.
    has_answer = models.BooleanField(_("beantwoord"), default=False, editable=False)
    theme_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, editable=False)
    # The minister who answered, where that is not the minister the question was put to (a question passed on);
    # else NULL. A search for a minister's name selects "put to or answered by" from the question's own indexes:
    # read from the answers, a minister's answers were found again one by one (questions/search/filters.py).
    answered_by_other = models.ForeignKey(
        Minister, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, editable=False,
        related_name="+", db_index=False, verbose_name=_("beantwoord door een andere minister"),
    )

    # Import bookkeeping.
    source_file = models.CharField(_("bronbestand"), max_length=500, blank=True)
    source_hash = models.CharField(_("hash van de bron"), max_length=64, blank=True)
    import_snapshot = models.JSONField(_("laatst geïmporteerde velden"), null=True, blank=True, editable=False)
    # A changed source met an editor's correction: what that import would have set, kept for the editors.
    pending_snapshot = models.JSONField(_("velden van de afgewezen import"), null=True, blank=True, editable=False)
    pending_hash = models.CharField(max_length=64, blank=True, editable=False)
    first_imported_at = models.DateTimeField(_("eerst geïmporteerd"), null=True, blank=True)
    last_imported_at = models.DateTimeField(_("laatst bijgewerkt door import"), null=True, blank=True)
    edited_since_import = models.BooleanField(_("gecorrigeerd na import"), default=False)
    edited_at = models.DateTimeField(_("gecorrigeerd op"), null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    search_vector = SearchVectorField(null=True, editable=False)
    # The capitalised words as written, unstemmed (derived with the search vector): a surname searched alone.
    name_vector = SearchVectorField(null=True, editable=False)
    # The title alone, small enough to stay in the row: a cheap first pass when ranking very large result sets
    # (questions/filters.py, docs/search-design.md). Generated from the title, so it can never be stale.
    title_vector = models.GeneratedField(
        expression=SearchVector(
            Func(F("title"), Value("/"), Value(" "), function="translate", output_field=models.TextField()),
            config=SEARCH_CONFIG,
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = QuestionQuerySet.as_manager()

    # Not columns: set on the questions that a query reads them with (for_display(), a page of results).
    theme_names: list[str]
    answered_on: dt.date | None  # the answer's date, where a source gave it
    snippet: Snippet | None

    class Meta:
        verbose_name = _("schriftelijke vraag")
        verbose_name_plural = _("schriftelijke vragen")
        ordering = ["-date_asked", "-number", "-id"]
        constraints = [
            # Numbers are per minister per parliamentary year.
            models.UniqueConstraint(fields=["session", "minister", "number"], name="question_number_per_minister"),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="question_search_vector"),
            GinIndex(fields=["title_vector"], name="question_title_vector"),
            GinIndex(fields=["name_vector"], name="question_name_vector"),
            GinIndex(fields=["theme_ids"], name="question_theme_ids"),
            models.Index(F("date_asked").desc(), F("id").desc(), name="question_newest"),
            # A minister's, member's or year's newest questions, read in order. With the date index alone,
            # PostgreSQL walked it from the newest question of the archive, testing each row, until it had
            # passed everything newer than a former minister's last question (2.2 s at a million documents).
            # With the year and the answered flag besides, a minister's figures (scorecards.py) are read from
            # the index alone where the visibility map allows (after an import's VACUUM, maintenance.py): at a
            # million documents a minister's 4,500 questions lie on 4,300 heap pages (22 ms cold, 1 from here).
            models.Index("minister", F("date_asked").desc(), F("id").desc(), name="question_minister_newest",
                         include=["session", "has_answer"]),
            models.Index("member", F("date_asked").desc(), F("id").desc(), name="question_member_newest"),
            # The questions a minister answered that were put to another, newest first (few: most are answered
            # by the minister they were put to).
            models.Index("answered_by_other", F("date_asked").desc(), F("id").desc(),
                         name="question_answered_by_other", condition=Q(answered_by_other__isnull=False)),
            models.Index("session", F("date_asked").desc(), F("id").desc(), name="question_session_newest"),
            # A question cited by its number ("292", "nr. 292 (2023-2024)"): numbers repeat per minister and year.
            models.Index("number", "session", name="question_number"),
            # The unanswered questions, per minister by date: /overdue/, the waiting and overdue counts.
            models.Index("minister", F("date_asked").desc(), F("id").desc(), name="question_unanswered",
                         condition=Q(has_answer=False)),
        ]

    def __str__(self) -> str:
        return f"{self.session} nr. {self.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return pk_url("questions:detail", self.pk)

    @property
    def deadline(self) -> dt.date:
        """The last day for an answer on time (questions/deadlines.py)."""
        return deadlines.deadline(self.date_asked)

    @property
    def status(self) -> deadlines.Status:
        return deadlines.status_of(self.date_asked, self.has_answer, deadlines.today())

    @property
    def days_overdue(self) -> int:
        return 0 if self.has_answer else deadlines.days_overdue(self.date_asked, deadlines.today())

    def mark_edited(self, user=None) -> None:
        """Record that an editor corrected this question, so imports no longer overwrite it silently."""
        self.edited_since_import = True
        self.edited_at = timezone.now()
        self.edited_by = user if user is not None and user.is_authenticated else None


class Answer(models.Model):
    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="answer", verbose_name=_("vraag"))
    text = models.TextField(_("antwoord"))
    minister = models.ForeignKey(Minister, on_delete=models.PROTECT, related_name="answers", verbose_name=_("minister"))
    minister_title = models.TextField(_("bevoegdheid"))
    # When a source gives it: a date in the document's header, an editor's entry, or a metadata file imported
    # alongside (questions/importing/metadata.py). The seed layout does not carry it.
    answer_date = models.DateField(_("datum antwoord"), null=True, blank=True)
    # Set by PostgreSQL (questions/triggers/answer_dates.sql): the answer date, else the question's date asked.
    # The newest answers, the answers feeds and alert mails are ordered by it, never by the import's moment.
    dated = models.DateField(_("gedateerd"), null=True, editable=False)
    # When the archive first saw this answer (bookkeeping for editors; alerts send what is new since).
    recorded_at = models.DateTimeField(_("opgenomen in het archief"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("antwoord")
        verbose_name_plural = _("antwoorden")
        # The newest answers (home page, feeds) in the order they are shown.
        indexes = [
            models.Index(F("dated").desc(), F("id").desc(), name="answer_newest_dated"),
            # The answers whose date is known, by question: a minister's median days to answer (scorecards.py).
            models.Index("question", "answer_date", name="answer_dated_only", condition=Q(answer_date__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{_('Antwoord op')} {self.question}"


class Synonym(models.Model):
    """An abbreviation or other name and what it stands for (``VDAB`` and ``Vlaamse Dienst voor
    Arbeidsbemiddeling en Beroepsopleiding``): a search for either also finds the other. Editors keep them."""

    term = models.CharField(_("term"), max_length=100, help_text=_("Bijvoorbeeld een afkorting: VDAB"))
    expansion = models.CharField(_("betekenis"), max_length=300,
                                 help_text=_("Waar de term voor staat, of een andere naam ervoor"))  # fmt: skip
    term_key = models.CharField(max_length=100, editable=False, db_index=True)
    expansion_key = models.CharField(max_length=300, editable=False, db_index=True)

    class Meta:
        verbose_name = _("synoniem")
        verbose_name_plural = _("synoniemen")
        ordering = ["term"]
        constraints = [models.UniqueConstraint(fields=["term_key", "expansion_key"], name="synonym_once")]

    def __str__(self) -> str:
        return f"{self.term} = {self.expansion}"

    def save(self, *args, **kwargs) -> None:
        self.term, self.expansion = " ".join(self.term.split()), " ".join(self.expansion.split())
        self.term_key, self.expansion_key = name_key(self.term), name_key(self.expansion)
        super().save(*args, **kwargs)


class FacetCount(models.Model):
    """How many questions have a facet value: over the whole archive (``dimension`` empty), or together with
    one value of another facet (``dimension``/``value``, e.g. theme 12 and minister 3). A pair is kept once,
    with the facets in the order theme, minister, member, year, answered: ``dimension`` comes first.

    Browsing without a text query reads its facet counts here instead of counting a million rows (see
    questions/facets.py). Written only by the statement triggers on questions_question (migration 0007), in the
    same transaction as the change, so it cannot drift; values are stored as text: ids, "2023-2024", "yes"/"no".
    """

    pk = models.CompositePrimaryKey("dimension", "value", "facet", "facet_value")
    dimension = models.CharField(max_length=16, blank=True)
    value = models.CharField(max_length=32, blank=True)
    facet = models.CharField(max_length=16)
    facet_value = models.CharField(max_length=32)
    count = models.BigIntegerField()

    class Meta:
        verbose_name = _("facettelling")
        # Pairs are read from either side: by the primary key's prefix, or by this one.
        indexes = [models.Index(fields=["facet", "facet_value", "dimension"], name="facet_count_reverse")]
        verbose_name_plural = _("facettellingen")

    def __str__(self) -> str:
        return f"{self.dimension}={self.value}: {self.facet}={self.facet_value} ({self.count})"


class Word(models.Model):
    """A word of the archive's text (four letters or more, lower case), and, when it is a Dutch compound, the
    parts it is also found by (questions/search/compounds.py: "kinderarmoede" -> "kinder", "armoede").

    The search vector's trigger adds the parts of every compound in a question (questions/triggers/
    question_derived.sql); "Bedoelde u …?" suggests words from here (questions/search/suggestions.py). Filled by
    imports and editors' saves (questions/search/vocabulary.py), and for the whole archive by
    ``manage.py reindex_words``. A word is never removed: one that left the archive suggests nothing, since a
    suggestion is checked against the index before it is shown.
    """

    word = models.TextField(primary_key=True)
    parts = ArrayField(models.TextField(), default=list, blank=True)
    # Set by PostgreSQL (questions/triggers/words.sql): the word and its parts as the search configuration
    # stems them, which is how the vector's trigger finds a question's compounds.
    lexeme = models.TextField(null=True, editable=False)  # noqa: DJ001 (a stop word has none)
    part_lexemes = ArrayField(models.TextField(), default=list, editable=False)

    class Meta:
        verbose_name = _("woord")
        verbose_name_plural = _("woorden")
        indexes = [
            # The vector's trigger looks up each of a question's few hundred long lexemes in the first (a hash
            # probe is about twice as fast as a B-tree's, whose text comparisons follow the collation); the
            # vocabulary's trigger asks whether any word had a lexeme in the second.
            HashIndex(fields=["lexeme"], name="word_compound_lexeme", condition=~Q(part_lexemes=[])),
            models.Index(fields=["lexeme"], name="word_lexeme"),
            GinIndex(OpClass("word", name="gin_trgm_ops"), name="word_trigrams"),
        ]

    def __str__(self) -> str:
        return self.word


class WordCount(models.Model):
    """For each of the archive's commonest words (``lexeme`` as the search vector holds it), how many questions
    hold it: in all (``facet`` and ``facet_value`` empty) and per facet value, as questions_facetcount stores
    values (ids as text, "2023-2024", "yes"/"no").

    A search for one such word alone reads its total and facets here instead of counting tens of thousands of
    matches (questions/search/word_counts.py). The counts hold for the archive as it was at the last fold;
    ``WordCountChange`` lists the questions written since, which a search counts on top. Written only by
    PostgreSQL's functions in questions/triggers/word_counts.sql."""

    pk = models.CompositePrimaryKey("lexeme", "facet", "facet_value")
    lexeme = models.TextField()
    facet = models.CharField(max_length=16, blank=True)
    facet_value = models.CharField(max_length=32, blank=True)
    count = models.BigIntegerField()

    class Meta:
        verbose_name = _("woordtelling")
        verbose_name_plural = _("woordtellingen")
        indexes = [
            # The counted words by their first letters, for a prefix search (``recht*``): the word totals only,
            # a few thousand rows of the million counters.
            models.Index(OpClass("lexeme", name="text_pattern_ops"), name="questions_wordcount_totals",
                         condition=Q(facet="", facet_value="")),
        ]

    def __str__(self) -> str:
        return f"{self.lexeme}: {self.facet}={self.facet_value} ({self.count})"


class WordCountChange(models.Model):
    """A question written (inserted, changed or deleted) since the word counts were last folded, with what it
    was at that fold (``existed`` false: it did not exist then). Kept by the statement triggers of
    questions/triggers/word_counts.sql, whatever writes; a search adds the question as it is now and subtracts
    it as it was; the fold (``WordCount``) empties it."""

    question_id = models.BigIntegerField(primary_key=True)  # not a foreign key: deleted questions stay listed
    existed = models.BooleanField()
    search_vector = SearchVectorField(null=True)
    theme_ids = ArrayField(models.BigIntegerField(), null=True)
    minister_id = models.BigIntegerField(null=True)
    member_id = models.BigIntegerField(null=True)
    session = models.CharField(max_length=9, null=True)  # noqa: DJ001 (as the question's)
    has_answer = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("gewijzigde vraag voor woordtellingen")
        verbose_name_plural = _("gewijzigde vragen voor woordtellingen")

    def __str__(self) -> str:
        return f"question {self.question_id} ({'changed' if self.existed else 'new'})"


# The pairs index's pending list, in kB: keys written wait there until the list is this long, then are merged
# into the index (questions/search/phrase_pairs.py says why so long).
PAIRS_PENDING_LIST_KB = 65_536


class PhrasePairs(models.Model):
    """Which lexemes stand side by side in a question's search vector, as 20-bit keys (``pairs``), or NULL while
    the worker has not computed them since the question's vector was written. Kept unknown by
    questions/triggers/phrase_pairs.sql, computed by the worker; read by a phrase search for its candidates
    (questions/search/phrase_pairs.py)."""

    # The foreign key is the database's own (migration 0049), so that a question deleted by any means takes its
    # row along.
    question = models.OneToOneField(Question, on_delete=models.DO_NOTHING, primary_key=True, db_constraint=False,
                                    related_name="+")  # fmt: skip
    pairs = ArrayField(models.BigIntegerField(), null=True)  # bigint: see phrase_pairs.sql

    class Meta:
        verbose_name = _("woordparen van een vraag")
        verbose_name_plural = _("woordparen van vragen")
        indexes = [
            GinIndex(fields=["pairs"], name="phrasepairs_pairs", gin_pending_list_limit=PAIRS_PENDING_LIST_KB),
            models.Index(fields=["question"], condition=Q(pairs__isnull=True), name="phrasepairs_unknown"),
        ]

    def __str__(self) -> str:
        return f"question {self.question_id}: {'unknown' if self.pairs is None else len(self.pairs)} pairs"


class ArchiveWrite(models.Model):
    """One row per transaction that changed what a search can show (questions, answers, theme links, names,
    aliases, synonyms, the vocabulary), written by statement triggers (questions/triggers/archive_writes.sql),
    whatever wrote.

    Each writing statement gives its transaction's row a fresh ``mark`` from a sequence. What a reader sees of
    this table names the state of the archive it sees (questions/search/cache.py): a commit only adds a row, so
    the sum of the marks grows with every commit, in whatever order transactions commit; and the largest mark
    tells apart the states before and after the table was emptied (which leaves a row with a new mark).
    """

    txid = models.BigIntegerField(primary_key=True)  # txid_current() of the writing transaction
    mark = models.BigIntegerField()

    class Meta:
        verbose_name = _("archiefwijziging")
        verbose_name_plural = _("archiefwijzigingen")

    def __str__(self) -> str:
        return f"{self.txid}: {self.mark}"


class ImportJob(models.Model):
    """An import from the browser: the uploaded files wait on disk (settings.UPLOADS_DIR/<id>) until the background
    worker imports them (questions/tasks.py); the editor follows it on its page, and the report stays here."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("in de wachtrij")
        RUNNING = "running", _("bezig")
        DONE = "done", _("klaar")
        FAILED = "failed", _("mislukt")

    created_at = models.DateTimeField(_("aangemaakt"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overwrite_edits = models.BooleanField(_("correcties overschrijven"), default=False)
    status = models.CharField(_("toestand"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    files = models.JSONField(_("bestanden"), default=list)  # the names uploaded
    documents = models.PositiveIntegerField(_("documenten"), default=0)
    processed = models.PositiveIntegerField(_("verwerkt"), default=0)
    # Per file: name, outcome, detail, question id, warnings; and files skipped (not .txt, .pdf or .zip).
    reports = models.JSONField(_("verslag"), default=list)
    skipped = models.JSONField(_("overgeslagen"), default=list)
    summary = models.CharField(_("samenvatting"), max_length=200, blank=True)
    error = models.TextField(_("fout"), blank=True)
    started_at = models.DateTimeField(_("gestart"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("admin:questions_question_import_job", kwargs={"job_id": self.pk})

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class Alert(models.Model):
    """A subscriber's alert by email, double opt-in (questions/alerts/): new questions or new answers for a
    search (a minister's, member's or theme's page is a search too), or the answer to one question.

    The address is kept only in here: deleted with the alert (unsubscribing), and with an alert never confirmed
    after ALERT_CONFIRMATION_HOURS. Editors see the alerts' counts and searches in the admin, not addresses.
    """

    class Kind(models.TextChoices):
        QUESTIONS = "questions", _("nieuwe vragen")
        ANSWERS = "answers", _("nieuwe antwoorden")
        ANSWERED = "answered", _("het antwoord op een vraag")

    class Frequency(models.TextChoices):
        IMPORT = "import", _("na elke import")
        DAILY = "daily", _("dagelijks")
        WEEKLY = "weekly", _("wekelijks")

    email = models.EmailField(_("e-mailadres"))
    kind = models.CharField(_("soort"), max_length=9, choices=Kind.choices, default=Kind.QUESTIONS)
    query = models.TextField(_("zoekopdracht"), blank=True)  # the search's parameters, as a query string
    question = models.ForeignKey(Question, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                 verbose_name=_("vraag"))  # fmt: skip
    description = models.CharField(_("omschrijving"), max_length=300)
    frequency = models.CharField(_("frequentie"), max_length=6, choices=Frequency.choices, default=Frequency.DAILY)
    language = models.CharField(_("taal"), max_length=2, choices=settings.LANGUAGES, default="nl")
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("aangevraagd"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("bevestigd"), null=True, blank=True)
    sent_at = models.DateTimeField(_("laatst verstuurd"), null=True, blank=True)
    # What was already there when the alert was confirmed or last checked: question ids (new questions) or
    # answer ids (new answers) up to this one are not new.
    seen_up_to = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("e-mailmelding")
        verbose_name_plural = _("e-mailmeldingen")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["email"], name="alert_email")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class AlertDelivery(models.Model):
    """A question an alert has mailed: never twice for one alert."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "question"], name="alert_question_once")]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.question_id}"
