"""The one FilterSet behind the search page, the JSON API, the CSV export and the feeds.

Every parameter is checked here; nothing from the query string reaches SQL unchecked. Values that make no
sense (an unknown theme, a date like "gisteren", a sort order we do not have) are dropped and reported in
``notices``: the page shows them, the API answers 400 with them.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext

import django_filters
from django import forms
from django.db.models import Exists, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from questions import facets, paging, search
from questions.models import Member, Minister, Question, Theme
from questions.sessions import is_session

SORTS = ("relevance", "newest", "oldest")
ANSWERED_VALUES = ("yes", "no")
MAX_VALUES_PER_FILTER = 20


def _printable(text: str) -> str:
    return "".join(char for char in text if char.isprintable() or char == " ")


class MultiValueField(forms.Field):
    """A parameter that may be repeated (``?theme=werk&theme=onderwijs``); blank values are ignored."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        cleaned = [" ".join(_printable(str(item)).split()) for item in value]
        return list(dict.fromkeys(item for item in cleaned if item))

    def validate(self, value) -> None:  # every value is checked (and reported) by the filter set
        pass


class MultiValueFilter(django_filters.Filter):
    field_class = MultiValueField


class LenientCharField(forms.CharField):
    """Never invalid: control characters removed, length checked by the filter set."""

    def to_python(self, value) -> str:
        return _printable(super().to_python(value)).strip()


class LenientCharFilter(django_filters.CharFilter):
    field_class = LenientCharField


class QuestionFilterSet(django_filters.FilterSet):
    q = LenientCharFilter(method="filter_text", label=gettext_lazy("Zoektermen"))
    theme = MultiValueFilter(method="filter_facet", label=gettext_lazy("Thema"))
    minister = MultiValueFilter(method="filter_facet", label=gettext_lazy("Minister"))
    member = MultiValueFilter(method="filter_facet", label=gettext_lazy("Vraagsteller"))
    year = MultiValueFilter(method="filter_facet", label=gettext_lazy("Zittingsjaar"))
    answered = LenientCharFilter(method="filter_facet", label=gettext_lazy("Beantwoord"))
    date_from = LenientCharFilter(method="filter_date", label=gettext_lazy("Vanaf"))
    date_to = LenientCharFilter(method="filter_date", label=gettext_lazy("Tot en met"))
    sort = LenientCharFilter(method="filter_nothing", label=gettext_lazy("Sorteren"))

    class Meta:
        model = Question
        fields: list[str] = []

    FACET_MODELS = {"theme": Theme, "minister": Minister, "member": Member}

    def __init__(self, data=None, queryset=None, **kwargs) -> None:
        super().__init__(data, queryset=queryset if queryset is not None else Question.objects.all(), **kwargs)
        self.notices: list[str] = []
        self.conditions: dict[str, Q | Exists] = {}
        # The active facet filters' values as questions_facetcount stores them (see questions/facets.py).
        self.stored_values: dict[str, tuple[str, ...]] = {}
        self.selected: dict[str, set[str]] = {}
        self.selected_labels: dict[str, dict[str, str]] = {}
        self.query = None
        self.query_text = ""
        self.tsquery_text: str | None = None
        self._resolved = False

    # The form never fails: every field is lenient, and the checks below turn nonsense into notices.
    def resolve(self) -> None:
        if self._resolved:
            return
        self._resolved = True
        self.form.is_valid()
        data = self.form.cleaned_data
        self._resolve_text(data.get("q") or "")
        for name, model in self.FACET_MODELS.items():
            self._resolve_entities(name, model, data.get(name) or [])
        self._resolve_years(data.get("year") or [])
        self._resolve_answered(data.get("answered") or "")
        self._dates = self._resolve_dates(data.get("date_from") or "", data.get("date_to") or "")
        sort = data.get("sort") or ""
        if sort and sort not in SORTS:
            self.notices.append(_("Onbekende sortering “%(value)s”: gesorteerd op datum.") % {"value": sort[:40]})
            sort = ""
        self.sort = sort or ("relevance" if self.query is not None else "newest")
        if self.sort == "relevance" and self.query is None:
            self.sort = "newest"

    def _resolve_text(self, text: str) -> None:
        self.query_text = text
        if not text:
            return
        try:
            self.tsquery_text = search.to_tsquery_text(text)
            self.query = search.search_query(text)
        except search.QueryTooLong:
            self.notices.append(
                _("Uw zoekopdracht is te lang: hoogstens %(max)d tekens.") % {"max": search.MAX_QUERY_LENGTH}
            )
            self.conditions["_impossible"] = Q(pk__in=[])
            return
        if self.query is None:
            self.notices.append(_("“%(value)s” bevat geen woorden om op te zoeken.") % {"value": text[:80]})

    def _too_many(self, name: str, values: list[str]) -> list[str]:
        if len(values) > MAX_VALUES_PER_FILTER:
            self.notices.append(
                _("Te veel waarden voor %(name)s: de eerste %(max)d zijn gebruikt.")
                % {"name": name, "max": MAX_VALUES_PER_FILTER}
            )
        return values[:MAX_VALUES_PER_FILTER]

    def _resolve_entities(self, name: str, model, slugs: list[str]) -> None:
        if not slugs:
            return
        slugs = self._too_many(name, slugs)
        found = {entity.slug: entity for entity in model.objects.filter(slug__in=slugs)}
        for slug in slugs:
            if slug not in found:
                self.notices.append(
                    _("Onbekende waarde voor %(name)s: “%(value)s”.") % {"name": self.filters[name].label,
                                                                          "value": slug[:80]}
                )  # fmt: skip
        if not found:
            return
        ids = [entity.pk for entity in found.values()]
        self.selected[name] = set(found)
        self.selected_labels[name] = {slug: entity.name for slug, entity in found.items()}
        self.stored_values[name] = tuple(str(pk) for pk in ids)
        if name == "theme":
            self.conditions[name] = Q(theme_ids__overlap=ids)
        else:
            self.conditions[name] = Q(**{f"{name}_id__in": ids})

    def _resolve_years(self, years: list[str]) -> None:
        years = self._too_many("year", years)
        valid = []
        for year in years:
            if is_session(year):
                valid.append(year)
            else:
                self.notices.append(_("“%(value)s” is geen zittingsjaar (zoals 2023-2024).") % {"value": year[:40]})
        if valid:
            self.selected["year"] = set(valid)
            self.selected_labels["year"] = {year: year for year in valid}
            self.conditions["year"] = Q(session__in=valid)
            self.stored_values["year"] = tuple(valid)

    def _resolve_answered(self, value: str) -> None:
        if not value:
            return
        if value not in ANSWERED_VALUES:
            self.notices.append(_("“beantwoord” is “yes” of “no”, niet “%(value)s”.") % {"value": value[:40]})
            return
        self.selected["answered"] = {value}
        self.selected_labels["answered"] = {value: answered_label(value)}
        self.conditions["answered"] = Q(has_answer=value == "yes")
        self.stored_values["answered"] = (value,)

    def _resolve_dates(self, date_from: str, date_to: str) -> tuple[dt.date | None, dt.date | None]:
        parsed = []
        for label, value in ((_("vanaf"), date_from), (_("tot en met"), date_to)):
            if not value:
                parsed.append(None)
                continue
            try:
                parsed.append(dt.date.fromisoformat(value))
            except ValueError:
                self.notices.append(
                    _("De datum %(label)s “%(value)s” is geen datum als 2024-02-27.")
                    % {"label": label, "value": value[:40]}
                )
                parsed.append(None)
        start, end = parsed
        if start and end and start > end:
            self.notices.append(_("De begindatum lag na de einddatum: ze zijn omgewisseld."))
            start, end = end, start
        return start, end

    # django-filter calls these with the queryset; the work was done in resolve().
    def filter_text(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset

    filter_facet = filter_date = filter_nothing = filter_text

    def base_queryset(self) -> QuerySet:
        """The questions matching the filters that are not facets: the text and the dates."""
        self.resolve()
        queryset = self.queryset
        if self.query is not None:
            queryset = queryset.filter(search_vector=self.query)
        start, end = self._dates
        if start:
            queryset = queryset.filter(date_asked__gte=start)
        if end:
            queryset = queryset.filter(date_asked__lte=end)
        if "_impossible" in self.conditions:
            queryset = queryset.none()
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        base = self.base_queryset()
        for condition in self.facet_conditions().values():
            base = base.filter(condition)
        return self.order(base)

    def every_match(self) -> QuerySet:
        """Every matching question in date order, for reading them all (the CSV export).

        The matches are selected as a set first. Read through a server-side cursor, the plain query is planned
        for a fast start: PostgreSQL walks the date index and tests every question's vector on the way, which
        for an export of all matches means reading every vector in the archive.
        """
        matching_ids = self.filter_queryset(self.queryset).order_by().values("pk")
        return self.order(Question.objects.filter(pk__in=matching_ids))

    def facet_conditions(self) -> dict[str, Q | Exists]:
        self.resolve()
        return {name: condition for name, condition in self.conditions.items() if not name.startswith("_")}

    def order(self, queryset: QuerySet) -> QuerySet:
        """Date order, newest first unless the search asks for the oldest. Relevance ranks only the pages of a
        search (questions/paging.py): ranking every match for an export would read every match's vector."""
        if self.sort == "oldest":
            return queryset.order_by("date_asked", "id")
        return queryset.order_by("-date_asked", "-id")

    @property
    def browsing(self) -> bool:
        """No text and no dates: only facet filters, if any, narrow the archive."""
        self.resolve()
        return self.query is None and self._dates == (None, None) and "_impossible" not in self.conditions

    def counts_and_page(self, offset: int, limit: int) -> tuple[int, dict, list[int]]:
        """The number of results, the facet counts (see :func:`questions.facets.facet_counts`) and the ids of
        the questions from ``offset`` to ``offset + limit``, in the order the search asks for."""
        active = {name: facets.ActiveFilter(condition, self.stored_values[name])
                  for name, condition in self.facet_conditions().items()}  # fmt: skip
        if self.browsing:
            total, counts, _ = facets.facet_counts(self.base_queryset(), active, self.selected, browsing=True)
            return total, counts, list(self.qs.values_list("id", flat=True)[offset : offset + limit])
        page = paging.PageRequest(self.sort, self.tsquery_text if self.query is not None else None, offset, limit)
        with search.index_scans_only() if self.query is not None else nullcontext():
            total, counts, ids = facets.facet_counts(self.base_queryset(), active, self.selected, page=page)
        return total, counts, ids or []

    def active_filters(self) -> list[tuple[str, str, str]]:
        """(parameter, value, label) for every active filter: the removable chips on the page."""
        self.resolve()
        chips = []
        if self.query_text and self.query is not None:
            chips.append(("q", self.query_text, f"“{self.query_text}”"))
        for name in facets.FACETS:
            for value in sorted(self.selected.get(name, ())):
                chips.append((name, value, self.selected_labels.get(name, {}).get(value, value)))
        start, end = self._dates
        if start:
            chips.append(("date_from", start.isoformat(), _("vanaf %(date)s") % {"date": start.isoformat()}))
        if end:
            chips.append(("date_to", end.isoformat(), _("tot en met %(date)s") % {"date": end.isoformat()}))
        return chips


def answered_label(value: str) -> str:
    return _("beantwoord") if value == "yes" else _("onbeantwoord")
