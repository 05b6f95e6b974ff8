"""The editors' workshop: correct records, merge duplicates, compare with and revert to the last import,
and import documents from the browser."""

from __future__ import annotations

import shutil

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from questions import tasks
from questions.editing import MergeError, compare_with_import, last_import, merge_entities, revert_to_import
from questions.importing.text import clean_characters
from questions.importing.uploads import UploadLimits, UploadRefused, store_uploads
from questions.models import (
    Alert,
    Answer,
    ImportJob,
    Member,
    MemberAlias,
    Minister,
    MinisterAlias,
    Question,
    Synonym,
    Theme,
    ThemeAlias,
)
from questions.search import text, vocabulary

admin.site.site_header = gettext_lazy("Vragenarchief: redactie")
admin.site.site_title = gettext_lazy("Vragenarchief")
admin.site.index_title = gettext_lazy("Beheer van de schriftelijke vragen")


class CleanTextForm(forms.ModelForm):
    """Text typed or pasted by editors loses the characters that are never content and that XML cannot carry
    (control characters, U+FFFE): the same rule as imports (questions/importing/text.py)."""

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        for name, value in cleaned.items():
            if isinstance(value, str):
                cleaned[name] = clean_characters(value)
        return cleaned


class AnswerInline(admin.StackedInline):
    model = Answer
    form = CleanTextForm
    extra = 0
    max_num = 1
    autocomplete_fields = ["minister"]
    fields = ["text", "minister", "minister_title", "answer_date", "recorded_at"]
    readonly_fields = ["recorded_at"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = CleanTextForm
    list_display = ["number", "session", "date_asked", "title", "member", "minister", "has_answer",
                    "edited_since_import"]  # fmt: skip
    list_display_links = ["number", "title"]
    list_filter = [
        ("themes", admin.RelatedOnlyFieldListFilter),
        ("minister", admin.RelatedOnlyFieldListFilter),
        ("member", admin.RelatedOnlyFieldListFilter),
        "session",
        "has_answer",
        "edited_since_import",
    ]
    list_select_related = ["member", "minister"]
    search_fields = ["title"]  # replaced by the full-text index in get_search_results
    search_help_text = gettext_lazy(
        "Zoekt in titel, vraag, antwoord, namen en thema's; een getal zoekt ook het nummer."
    )
    date_hierarchy = "date_asked"
    autocomplete_fields = ["member", "minister", "themes"]
    inlines = [AnswerInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["public_page", "has_answer", "source_file", "source_hash", "first_imported_at",
                       "last_imported_at", "edited_since_import", "edited_at", "edited_by", "import_link"]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["public_page", "title", ("number", "session", "date_asked"), "member", "minister",
                           "minister_title", "themes", "question_text"]}),
        (gettext_lazy("Links"), {"fields": ["pdf_url", "source_url", "source_id"]}),
        (gettext_lazy("Import en correcties"), {"fields": ["edited_since_import", "edited_at", "edited_by",
                                                           "import_link", "source_file", "source_hash",
                                                           "first_imported_at", "last_imported_at", "has_answer"]}),
    ]  # fmt: skip

    @admin.display(description=gettext_lazy("publieke pagina"))
    def public_page(self, question: Question) -> str:
        if not question.pk:
            return "—"
        return format_html('<a href="{}">{}</a>', question.get_absolute_url(), question.get_absolute_url())

    @admin.display(description=gettext_lazy("laatste import"))
    def import_link(self, question: Question) -> str:
        if not question.pk or last_import(question) is None:
            return _("niet geïmporteerd")
        url = reverse("admin:questions_question_import_compare", args=[question.pk])
        label = _("afgewezen import bekijken") if question.pending_snapshot else _("vergelijken met de import")
        return format_html('<a href="{}">{}</a>', url, label)

    def get_search_results(self, request, queryset, search_term: str):
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = Q(pk__in=[])
        try:
            query = text.search_query(term)
        except text.QueryTooLong:
            query = None
        if query is not None:
            condition |= Q(search_vector=query)
        if term.isdigit() and len(term) <= 9:
            condition |= Q(number=int(term))
        return queryset.filter(condition), False

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if form.has_changed() or any(formset.has_changed() for formset in formsets):
            question = form.instance
            question.mark_edited(request.user)
            question.save(update_fields=["edited_since_import", "edited_at", "edited_by"])
            vocabulary.learn_questions([question.pk])

    def get_urls(self):
        own = [
            path("import/", self.admin_site.admin_view(self.upload_view), name="questions_question_upload"),
            path("import/jobs/<int:job_id>/", self.admin_site.admin_view(self.job_view),
                 name="questions_question_import_job"),  # fmt: skip
            path(
                "<int:pk>/import/",
                self.admin_site.admin_view(self.compare_view),
                name="questions_question_import_compare",
            ),
        ]
        return own + super().get_urls()

    def compare_view(self, request, pk: int):
        question = get_object_or_404(Question, pk=pk)
        if not self.has_view_permission(request, question):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_change_permission(request, question):
                raise PermissionDenied
            revert_to_import(question)
            self.log_change(request, question, _("Teruggezet naar de laatste import."))
            self.message_user(request, _("De vraag is teruggezet naar wat de laatste import zette."))
            return HttpResponseRedirect(reverse("admin:questions_question_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "question": question,
            "rows": compare_with_import(question),
            "pending": bool(question.pending_snapshot),
            "can_change": self.has_change_permission(request, question),
            "title": _("Vergelijken met de laatste import"),
        }
        return TemplateResponse(request, "admin/questions/question/compare_import.html", context)

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        limits = upload_limits()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Documenten importeren"),
            "limits": limits,
            "form": UploadForm(),
        }
        if request.method == "POST":
            outcome = self._handle_upload(request, limits)
            if isinstance(outcome, HttpResponseRedirect):
                return outcome
            context.update(outcome)
        context["jobs"] = ImportJob.objects.all()[:10]
        return TemplateResponse(request, "admin/questions/question/upload.html", context)

    def _handle_upload(self, request, limits: UploadLimits):
        """Check and keep the files, and queue their import (questions/tasks.py); then the job's page."""
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > limits.max_total_bytes + 2**20:
            return {"refused": _("De upload is te groot: hoogstens %(max)d MiB.") % {
                "max": limits.max_total_bytes // 2**20}}  # fmt: skip
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return {"form": form}
        uploads = request.FILES.getlist("files")
        with transaction.atomic():
            job = ImportJob.objects.create(
                created_by=request.user, overwrite_edits=form.cleaned_data["overwrite_edits"],
                files=[upload.name for upload in uploads],
            )  # fmt: skip
            folder = tasks.upload_folder(job.pk)
            try:
                skipped = store_uploads(uploads, limits, folder)
            except UploadRefused as refusal:
                shutil.rmtree(folder, ignore_errors=True)
                transaction.set_rollback(True)
                return {"refused": str(refusal)}
            except OSError:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            job.skipped = [list(item) for item in skipped]
            job.save(update_fields=["skipped"])
            # Deferred in this transaction: the queue lives in the same database. One import runs at a time.
            tasks.import_upload.configure(lock="imports", queueing_lock=f"import-{job.pk}").defer(job_id=job.pk)
        return HttpResponseRedirect(job.get_absolute_url())

    def job_view(self, request, job_id: int):
        if not self.has_add_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ImportJob, pk=job_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import %(number)d") % {"number": job.pk},
            "job": job,
            "percent": round(100 * job.processed / job.documents) if job.documents else 0,
        }
        return TemplateResponse(request, "admin/questions/question/import_job.html", context)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class UploadForm(forms.Form):
    # A declared field, read from cleaned_data; it shadows the form's own ``files`` only for type checkers.
    files = MultipleFileField(  # type: ignore[assignment]
        label=gettext_lazy("Bestanden (.txt, .pdf of .zip)"),
        allow_empty_file=True,  # the importer reports an empty file by name, with the others
        max_length=None,
        widget=MultipleFileInput(attrs={"accept": ".txt,.pdf,.zip"}),
    )
    overwrite_edits = forms.BooleanField(
        label=gettext_lazy("Correcties van de redactie overschrijven als de bron veranderde"), required=False
    )


def upload_limits() -> UploadLimits:
    return UploadLimits(
        max_files=settings.UPLOAD_MAX_FILES,
        max_total_bytes=settings.UPLOAD_MAX_BYTES,
        max_zip_members=settings.UPLOAD_MAX_ZIP_MEMBERS,
        max_unpacked_bytes=settings.UPLOAD_MAX_UNPACKED_BYTES,
    )


class AliasInline(admin.TabularInline):
    extra = 0
    fields = ["name", "created_at"]
    readonly_fields = ["name", "created_at"]
    can_delete = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class MinisterAliasInline(AliasInline):
    model = MinisterAlias


class MemberAliasInline(AliasInline):
    model = MemberAlias


class ThemeAliasInline(AliasInline):
    model = ThemeAlias


class NamedEntityAdmin(admin.ModelAdmin):
    list_display = ["name", "question_count", "public_page"]
    ordering = ["name"]
    search_fields = ["name", "aliases__name"]
    readonly_fields = ["slug", "public_page"]
    fields = ["name", "slug", "public_page"]
    actions = ["merge_selected"]
    count_field = "questions"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count(self.count_field, distinct=True))

    @admin.display(description=gettext_lazy("vragen"), ordering="question_count")
    def question_count(self, entity) -> int:
        return entity.question_count

    @admin.display(description=gettext_lazy("publieke pagina"))
    def public_page(self, entity) -> str:
        if not entity.pk:
            return "—"
        return format_html('<a href="{}">{}</a>', entity.get_absolute_url(), entity.get_absolute_url())

    @admin.action(description=gettext_lazy("Geselecteerde samenvoegen…"), permissions=["change"])
    def merge_selected(self, request, queryset):
        entities = list(queryset.order_by("name"))
        if len(entities) < 2:
            self.message_user(request, _("Kies minstens twee records om samen te voegen."), messages.WARNING)
            return None
        if request.POST.get("confirm") == "yes":
            keep = next((e for e in entities if str(e.pk) == request.POST.get("keep")), None)
            if keep is None:
                self.message_user(request, _("Kies het record dat blijft."), messages.ERROR)
            else:
                try:
                    report = merge_entities(keep, [e for e in entities if e.pk != keep.pk])
                except MergeError as error:
                    self.message_user(request, str(error), messages.ERROR)
                    return None
                self.log_change(request, keep, report.message())
                self.message_user(request, report.message(), messages.SUCCESS)
                return None
        counts = dict(queryset.model.objects.filter(pk__in=[e.pk for e in entities]).annotate(
            n=Count(self.count_field, distinct=True)).values_list("pk", "n"))  # fmt: skip
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Samenvoegen"),
            "entities": [(entity, counts.get(entity.pk, 0)) for entity in entities],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/questions/merge.html", context)


@admin.register(Minister)
class MinisterAdmin(NamedEntityAdmin):
    inlines = [MinisterAliasInline]


@admin.register(Member)
class MemberAdmin(NamedEntityAdmin):
    inlines = [MemberAliasInline]


@admin.register(Theme)
class ThemeAdmin(NamedEntityAdmin):
    inlines = [ThemeAliasInline]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    form = CleanTextForm
    list_display = ["question", "minister", "answer_date", "recorded_at"]
    list_select_related = ["question", "minister"]
    search_fields = ["question__title", "question__number"]
    autocomplete_fields = ["question", "minister"]
    readonly_fields = ["recorded_at"]
    date_hierarchy = "recorded_at"

    def save_model(self, request, obj, form, change) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if form.has_changed():
                question = obj.question
                question.mark_edited(request.user)
                question.save(update_fields=["edited_since_import", "edited_at", "edited_by"])
                vocabulary.learn_questions([question.pk])


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    """Abbreviations and other names that searches also look for (questions/search/lookups.py)."""

    list_display = ["term", "expansion"]
    search_fields = ["term", "expansion"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """What subscribers follow, counted; never their addresses (they are the subscribers', not the editors')."""

    list_display = ["description", "kind", "frequency", "language", "is_confirmed", "sent_at"]
    list_filter = ("kind", "frequency", "language", ("confirmed_at", admin.EmptyFieldListFilter))
    fields = ("description", "kind", "query", "frequency", "language", "created_at", "confirmed_at", "sent_at")
    readonly_fields = fields
    show_full_result_count = True

    @admin.display(description=gettext_lazy("bevestigd"), boolean=True)
    def is_confirmed(self, alert: Alert) -> bool:
        return alert.confirmed

    def changelist_view(self, request, extra_context=None):
        counts = Alert.objects.aggregate(
            confirmed=Count("id", filter=Q(confirmed_at__isnull=False)),
            waiting=Count("id", filter=Q(confirmed_at__isnull=True)),
            addresses=Count("email", distinct=True, filter=Q(confirmed_at__isnull=False)),
        )
        return super().changelist_view(request, {**(extra_context or {}), "alert_counts": counts})

    def has_add_permission(self, request) -> bool:
        return False  # subscribers ask for alerts themselves (/alerts/new/)

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Imports from the browser and their reports, kept after they finish (each has its own page)."""

    list_display = ["__str__", "created_at", "created_by", "summary", "report_link"]
    list_filter = ["status"]

    @admin.display(description=gettext_lazy("verslag"))
    def report_link(self, job: ImportJob) -> str:
        return format_html('<a href="{}">{}</a>', job.get_absolute_url(), _("bekijken"))

    def has_add_permission(self, request) -> bool:
        return False  # an import starts from the upload page

    def has_change_permission(self, request, obj=None) -> bool:
        return False
