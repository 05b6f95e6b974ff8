"""The FilterSet behind every search: its form validates the parameters, its filters narrow the questions.

Nothing from the query string reaches SQL unchecked. The form never fails as a whole: a value that makes no
sense (an unknown theme, a date like "gisteren", a sort order we do not have) is dropped and reported as a
problem, in Dutch, and the rest of the search stands. ``SearchParams`` (params.py) is read from the cleaned
form once; the query builder (query.py) then narrows the questions with these filters, one at a time where a
facet must be counted without its own filter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery
from django.db.models import BooleanField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from questions import deadlines
from questions.models import Answer, Member, Minister, NamedEntity, Question, Theme
from questions.search import lookups, phrase_pairs, text
from questions.sessions import is_session

SORTS = ("relevance", "newest", "oldest")
FACETS = ("theme", "minister", "member", "year", "answered", "status")
ANSWERED_VALUES = ("yes", "no")
MAX_VALUES_PER_FILTER = 20
# Deeper than anyone reads; beyond it a page number is a mistake (and a bigint overflow in OFFSET).
MAX_PAGE = 100_000
MAX_QUESTION_NUMBER = 999_999
DEFAULT_FACET_LIMIT = 15
MAX_FACET_LIMIT = 10_000


def printable(value: str) -> str:
    return "".join(char for char in value if char.isprintable() or char == " ")


@dataclass(frozen=True)
class Choice:
    """A selected minister, member or theme: its id for SQL, its slug for URLs, its name for people."""

    pk: int
    slug: str
    label: str


@dataclass(frozen=True)
class TextQuery:
    """What was typed, and its translation for ``to_tsquery`` (None when nothing searchable is left).
    ``matches_nothing``: it cannot be searched for (too long, or only stop words), so nothing matches."""

    typed: str
    tsquery: str | None
    matches_nothing: bool = False
    # What was typed is a question number ("292", "vraag 292", "nr. 292 (2023-2024)"): the questions with it
    # match too, and come first.
    number: int | None = None
    number_year: str | None = None
    # What was typed is the name (or surname) of members or ministers: the questions they asked or answered
    # come first.
    member_ids: tuple[int, ...] = ()
    minister_ids: tuple[int, ...] = ()
    expanded: tuple[str, ...] = ()  # synonyms also searched for (lookups.py)
    # The parts of the query that are, or may be replaced by, phrases with stop words, which the index does not
    # keep ("De Lijn" is not every "lijn"): checked against the title, question and answer (text.text_checks).
    text_checks: tuple[text.TextCheck, ...] = ()
    # For a surname alone: the questions of those members and ministers match, and others only where the name
    # stands as typed, not stemmed ("Wouters" is not "Wouter"). A full name matches its words side by side,
    # unless that is implied (lookups.Lookups.name_phrase_implied).
    surname: str | None = None
    name_phrase_implied: bool = False
    # The keys of the word pairs every match holds (phrase_pairs.py): a phrase's candidates come from them, and
    # from the questions matching ``phrase_keys_otherwise`` (to_tsquery syntax): the synonyms searched beside
    # what was typed, whose matches hold other pairs.
    phrase_keys: tuple[int, ...] = ()
    phrase_keys_otherwise: str | None = None
    # The caller checks the whole query on each candidate's vector (query.py, a phrase ranked in the scan):
    # ``tsquery`` is only what selects the candidates.
    checked_later: bool = False


# --- form fields: lenient, every value kept as typed for the form's checks ---------------------------------------


class MultiValueField(forms.Field):
    """A parameter that may be repeated (``?theme=werk&theme=onderwijs``); blank values are ignored."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        cleaned = [" ".join(printable(str(item)).split()) for item in value]
        return list(dict.fromkeys(item for item in cleaned if item))

    def validate(self, value: Any) -> None:  # the form checks every value and reports the bad ones
        pass


class LenientCharField(forms.CharField):
    """Never invalid: control characters removed; the form decides what the value means."""

    def to_python(self, value: Any) -> str:
        return printable(super().to_python(value) or "").strip()


# --- filters: each narrows the questions by its cleaned value ---------------------------------------------------


class TextFilter(django_filters.Filter):
    field_class = LenientCharField

    def filter(self, qs: QuerySet, value: TextQuery | None) -> QuerySet:
        if value is None:
            return qs
        if value.matches_nothing:
            return qs.none()
        if value.tsquery is None:
            return qs
        left_out = text.exclusions_only(value.tsquery)
        if left_out is not None:
            # "-water": every question but those the index finds for what is left out.
            excluded = Question.objects.filter(search_vector=text.ArchiveQuery(left_out)).values("pk")
            in_index = ~Q(pk__in=excluded)
        else:
            in_index = Q(search_vector=text.ArchiveQuery(value.tsquery))
            if value.phrase_keys:
                # A phrase's candidates from its word pairs. When the caller checks the whole query on each
                # candidate's vector anyway (query.py, a phrase ranked in the scan), the words are not tested
                # here: the test would read each vector from TOAST a second time.
                pairs = phrase_pairs.candidates(value.phrase_keys, value.tsquery, value.phrase_keys_otherwise)
                in_index = pairs if value.checked_later else in_index & pairs
        by = _by(value.member_ids, value.minister_ids)
        if value.surname is not None or ((value.member_ids or value.minister_ids) and value.name_phrase_implied):
            # A surname typed alone, or a full name whose words leave one word, the surname's, which the query
            # asks for anyway ("Ben Van de Velde" asks for "veld", and "velden" is not the name): their questions,
            # and others where that name stands as written. Each part selected with the text on its own, their ids
            # joined: an OR of the parts under the text made PostgreSQL take the parts' rows from their indexes and
            # test the text on each, reading its vector from TOAST (the 2,004 questions naming "Ben Coppens":
            # 16 of a statement's 20 ms at 100,000 documents), where the name's index and the text's intersect.
            named = _named(value.surname) if value.surname is not None else _named(value.typed, surname_only=True)
            condition = _among(in_index & by, in_index & named)
        elif value.member_ids or value.minister_ids:
            # A full name: its words next to each other, as the index's positions have them, and written as a
            # name (name_vector: "Elke Van de Velde", not "elke van de velden"). Where the words leave one word
            # the query requires anyway (above), the adjacency would only make PostgreSQL read every match's
            # vector again ("Ben Smets", "smet" in 13,659 questions: 200 ms instead of 20 at 100,000 documents).
            adjacent = Q(search_vector=text.ArchiveQuery(text.phrase(text.terms(value.typed))))
            # Their own questions first in the OR: PostgreSQL tests its arms in order, and the adjacency reads
            # the vector from TOAST (the 2,529 questions of "Benjamin Verhoeven" that hold both words: 73 ms).
            condition = in_index & (by | (_written_as_name(value.typed) & adjacent))
        else:
            condition = in_index
        condition &= phrases_in_text(value)
        if value.number is not None:
            condition |= number_condition(value.number, value.number_year)
        return qs.filter(condition)


# What precedes a surname and is written in lower case after a first name ("Jan van den Bossche").
NAME_PARTICLES = frozenset("van de der den het t ten ter te in op vande vanden vander le la du des d da di del von"
                           .split())


def _named(typed: str, *, surname_only: bool = False) -> Q:
    """The words of a name other than its particles (or only its last word) stand in the question as written,
    capitalised (questions.name_vector, which holds "Anne-Marie" as "anne" and "marie"): a condition on the name's
    GIN index."""
    words = _LETTERS.findall(typed)
    if not surname_only:
        words = [word for word in words if word.lower() not in NAME_PARTICLES] or words
    return Q(name_vector=SearchQuery(" ".join(words[-1:] if surname_only else words), config=text.NAMES_CONFIG,
                                     search_type="plain"))  # fmt: skip


def _written_as_name(typed: str) -> Q:
    """:func:`_named`, taken from the name index by id, before the words' adjacency is checked: a first name and a
    surname that are common words ("Elke Van de Velde": 26,539 questions hold "elk" and "veld") were otherwise
    checked side by side in every question holding both, each vector read from TOAST (375 ms instead of 17 at
    100,000 documents)."""
    named = Question.objects.filter(_named(typed))
    return Q(text.IdIn(F("pk"), Subquery(named.order_by().values("pk"))))


def _among(*selections: Q) -> Q:
    """The questions of any of ``selections``, each selected in a subquery of its own and found again by id:
    PostgreSQL plans each part apart (intersecting the indexes of its conditions), and the statement combines
    their ids through the primary key (``= ANY (ARRAY(…))``, whatever it estimates of them)."""
    parts = [Question.objects.filter(selection).order_by().values("pk") for selection in selections]
    return Q(text.IdIn(F("pk"), Subquery(parts[0].union(*parts[1:], all=True))))


_LETTERS = re.compile(r"[^\W\d_]+")


def _surname(typed: str) -> str | None:
    """A name typed as one word: other questions must hold it as written (questions.name_vector), since the
    search vector keeps its stem and "Wouters" is not "Wouter". A full name matches its words side by side."""
    words = text.terms(typed)
    return words[0] if len(words) == 1 else None


def phrases_in_text(value: TextQuery) -> Q:
    """Every part of ``value`` that is, or may be replaced by, a phrase with stop words stands in one of its forms:
    as written in the title, question or answer, or in the vector (text.text_checks). The part of the text filter
    that the index cannot decide."""
    condition = Q()
    for check in value.text_checks:
        # The vector first: PostgreSQL tests an OR's arms in order, and each pattern reads the texts.
        holds = Q(search_vector=text.ArchiveQuery(check.otherwise)) if check.otherwise else Q()
        for pattern in check.patterns:
            holds |= _in_text(pattern)
        condition &= holds
    return condition


def _in_text(pattern: str) -> Q:
    """The title, the question or the answer matches the regular expression (case-insensitively).

    The answer is tested only for the questions the index selects, through its question's key: a scalar
    subquery, which PostgreSQL runs row by row. As an EXISTS it may instead run the expression once over every
    answer in the archive (a hashed subplan, chosen because a regular expression looks cheap to the planner):
    2.9 s for ``"èn naïef"`` at 100,000 documents instead of a few milliseconds."""
    answer = Answer.objects.filter(question_id=OuterRef("pk")).annotate(
        matches=ExpressionWrapper(Q(text__iregex=pattern), output_field=BooleanField())
    )
    answer_matches = Subquery(answer.values("matches")[:1], output_field=BooleanField())
    return Q(title__iregex=pattern) | Q(question_text__iregex=pattern) | Q(answer_matches)


def _by(member_ids: tuple[int, ...], minister_ids: tuple[int, ...]) -> Q:
    """Asked by one of the members, or put to or answered by one of the ministers. Each part is a condition on
    the question's own columns with an index, so that PostgreSQL can combine them with the text's: a minister
    answers nearly every question put to them, and the few answered by another are marked on the question
    (``answered_by_other``, kept by its trigger). Taken from the answers instead, every answer of a minister was
    found again by id: 80 of 116 ms for a minister's name at a million documents."""
    condition = Q(member_id__in=member_ids)
    if minister_ids:
        condition |= Q(minister_id__in=minister_ids) | Q(answered_by_other_id__in=minister_ids)
    return condition


def number_condition(number: int, year: str | None) -> Q:
    return Q(number=number, session=year) if year else Q(number=number)


class FacetFilter(django_filters.Filter):
    """A facet: its condition is also what the query builder flags each match with (see query.py)."""

    field_class: type[forms.Field] = MultiValueField

    def condition(self, value: Any) -> Q:
        raise NotImplementedError

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if value in (None, (), []):
            return qs
        return qs.filter(self.condition(value))


class EntityFilter(FacetFilter):
    def __init__(self, model: type[NamedEntity], column: str, **kwargs: Any) -> None:
        self.model = model
        self.column = column
        super().__init__(**kwargs)

    def condition(self, value: Sequence[Choice]) -> Q:
        ids = [choice.pk for choice in value]
        if self.column == "theme_ids":
            return Q(theme_ids__overlap=ids)
        return Q(**{f"{self.column}__in": ids})


class YearFilter(FacetFilter):
    def condition(self, value: Sequence[str]) -> Q:
        return Q(session__in=list(value))


class AnsweredFilter(FacetFilter):
    field_class = LenientCharField

    def condition(self, value: bool) -> Q:
        return Q(has_answer=value)


class StatusFilter(FacetFilter):
    """Answered, waiting (within the 20 working days) or overdue, as of today (questions/deadlines.py): a
    question's deadline only depends on its date asked, so waiting and overdue are a date bound on it."""

    def condition(self, value: Sequence[str]) -> Q:
        return status_condition(value, deadlines.today())


def status_condition(statuses: Sequence[str], today: dt.date) -> Q:
    cutoff = deadlines.last_overdue_asked(today)
    parts = {
        "answered": Q(has_answer=True),
        "waiting": Q(has_answer=False, date_asked__gt=cutoff),
        "overdue": Q(has_answer=False, date_asked__lte=cutoff),
    }
    condition = Q()
    for status in statuses:
        condition |= parts[status]
    return condition


class NumberFilter(django_filters.Filter):
    """A question number (``number=292``): numbers are per minister per year, so several questions may have it."""

    field_class = LenientCharField

    def filter(self, qs: QuerySet, value: int | None) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(number=value)


class DateBoundFilter(django_filters.Filter):
    field_class = LenientCharField

    def filter(self, qs: QuerySet, value: dt.date | None) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(**{f"date_asked__{self.lookup_expr}": value})


# --- the form -----------------------------------------------------------------------------------------------------


class SearchForm(forms.Form):
    """The FilterSet's form, with the parameters that are not filters (sort, page). Its cleaned data holds
    typed values; ``problems`` what was dropped or changed, and why."""

    sort = LenientCharField(required=False)
    page = LenientCharField(required=False)
    # How facets are shown: how many values each (0: all), and one facet's values narrowed by typed text.
    facet_limit = LenientCharField(required=False)
    facet = LenientCharField(required=False)
    facet_q = LenientCharField(required=False)
    synonyms = LenientCharField(required=False)  # "off": without the editors' synonyms (lookups.py)

    ENTITY_FIELDS = {"theme": Theme, "minister": Minister, "member": Member}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problems: list[str] = []

    def _label(self, name: str) -> str:
        return str(self.fields[name].label or name)

    def clean_q(self) -> TextQuery | None:
        typed = self.cleaned_data.get("q") or ""
        if not typed:
            return None
        if len(typed) > text.MAX_QUERY_LENGTH:
            self.problems.append(
                _("Uw zoekopdracht is te lang: hoogstens %(max)d tekens.") % {"max": text.MAX_QUERY_LENGTH}
            )
            return TextQuery(typed[: text.MAX_QUERY_LENGTH], None, matches_nothing=True)
        plain = text.to_tsquery_text(typed)
        if plain is None:
            self.problems.append(_("“%(value)s” bevat geen woorden om op te zoeken.") % {"value": typed[:80]})
            return TextQuery(typed, None)
        found = lookups.look_up(typed, plain, synonyms=self.cleaned_data.get("synonyms", True))
        tsquery = text.to_tsquery_text(typed, found.alternatives) if found.alternatives else plain
        assert tsquery is not None  # the plain translation had words; alternatives only add some
        pair_keys = found.phrase_keys
        keys_otherwise = None if tsquery == plain else text.any_alternative(found.alternatives)
        reference = text.question_number(typed)
        if reference is not None:
            number, year = reference
            return TextQuery(typed, tsquery, number=number, number_year=year if year and is_session(year) else None,
                             expanded=found.expanded)  # fmt: skip
        if found.member_ids or found.minister_ids:
            return TextQuery(typed, tsquery, member_ids=found.member_ids, minister_ids=found.minister_ids,
                             expanded=found.expanded, text_checks=found.text_checks,
                             surname=_surname(typed), name_phrase_implied=found.name_phrase_implied,
                             phrase_keys=pair_keys, phrase_keys_otherwise=keys_otherwise)  # fmt: skip
        if not found.searchable and not found.alternatives:
            self.problems.append(
                _("“%(value)s” bevat alleen woorden die in bijna elke vraag staan (zoals “de” of “van”): er is niet "
                  "op gezocht. Voeg een woord toe dat de vraag kenmerkt.") % {"value": typed[:80]}
            )  # fmt: skip
            return TextQuery(typed, None, matches_nothing=True)
        return TextQuery(typed, tsquery, expanded=found.expanded, text_checks=found.text_checks,
                         phrase_keys=pair_keys, phrase_keys_otherwise=keys_otherwise)  # fmt: skip

    def clean_synonyms(self) -> bool:
        value = (self.cleaned_data.get("synonyms") or "on").lower()
        if value not in ("on", "off"):
            self.problems.append(_("“synonyms” is “on” of “off”, niet “%(value)s”.") % {"value": value[:20]})
            return True
        return value == "on"

    def _capped(self, name: str, values: list[str]) -> list[str]:
        if len(values) > MAX_VALUES_PER_FILTER:
            self.problems.append(
                _("Te veel waarden voor %(name)s: de eerste %(max)d zijn gebruikt.")
                % {"name": self._label(name), "max": MAX_VALUES_PER_FILTER}
            )
        return values[:MAX_VALUES_PER_FILTER]

    def _clean_entities(self, name: str) -> tuple[Choice, ...]:
        slugs = self._capped(name, self.cleaned_data.get(name) or [])
        if not slugs:
            return ()
        found = {entity.slug: entity for entity in self.ENTITY_FIELDS[name].objects.filter(slug__in=slugs)}
        for slug in slugs:
            if slug not in found:
                self.problems.append(
                    _("Onbekende waarde voor %(name)s: “%(value)s”.") % {"name": self._label(name), "value": slug[:80]}
                )
        return tuple(Choice(entity.pk, entity.slug, entity.name) for slug, entity in found.items())

    def clean_theme(self) -> tuple[Choice, ...]:
        return self._clean_entities("theme")

    def clean_minister(self) -> tuple[Choice, ...]:
        return self._clean_entities("minister")

    def clean_member(self) -> tuple[Choice, ...]:
        return self._clean_entities("member")

    def clean_year(self) -> tuple[str, ...]:
        valid = []
        for year in self._capped("year", self.cleaned_data.get("year") or []):
            if is_session(year):
                valid.append(year)
            else:
                self.problems.append(_("“%(value)s” is geen zittingsjaar (zoals 2023-2024).") % {"value": year[:40]})
        return tuple(valid)

    def clean_answered(self) -> bool | None:
        value = self.cleaned_data.get("answered") or ""
        if not value:
            return None
        if value not in ANSWERED_VALUES:
            self.problems.append(_("“beantwoord” is “yes” of “no”, niet “%(value)s”.") % {"value": value[:40]})
            return None
        return value == "yes"

    def clean_status(self) -> tuple[str, ...]:
        valid = []
        for value in self._capped("status", self.cleaned_data.get("status") or []):
            if value in deadlines.STATUSES:
                valid.append(value)
            else:
                self.problems.append(
                    _("“status” is “answered”, “waiting” of “overdue”, niet “%(value)s”.") % {"value": value[:40]}
                )
        return tuple(valid)

    def _clean_date(self, name: str, label: str) -> dt.date | None:
        value = self.cleaned_data.get(name) or ""
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            message = _("De datum %(label)s “%(value)s” is geen datum als 2024-02-27.")
            self.problems.append(message % {"label": label, "value": value[:40]})
            return None

    def clean_date_from(self) -> dt.date | None:
        return self._clean_date("date_from", _("vanaf"))

    def clean_date_to(self) -> dt.date | None:
        return self._clean_date("date_to", _("tot en met"))

    def clean_number(self) -> int | None:
        value = self.cleaned_data.get("number") or ""
        if not value:
            return None
        digits = value.lower().removeprefix("nr.").removeprefix("nr").strip()
        if not digits.isdigit() or not 1 <= int(digits) <= MAX_QUESTION_NUMBER:
            self.problems.append(_("“%(value)s” is geen vraagnummer (zoals 292).") % {"value": value[:20]})
            return None
        return int(digits)

    def clean_sort(self) -> str:
        value = self.cleaned_data.get("sort") or ""
        if value and value not in SORTS:
            self.problems.append(_("Onbekende sortering “%(value)s”: gesorteerd op datum.") % {"value": value[:40]})
            return ""
        return value

    def clean_page(self) -> int:
        value = self.cleaned_data.get("page") or ""
        if not value:
            return 1
        try:
            number = int(value)
        except ValueError:
            self.problems.append(_("“%(value)s” is geen paginanummer: pagina 1 wordt getoond.") % {"value": value[:20]})
            return 1
        if number < 1:
            self.problems.append(_("Pagina’s beginnen bij 1."))
            return 1
        if number > MAX_PAGE:
            self.problems.append(
                _("Er zijn hoogstens %(max)d pagina’s: de laatste pagina wordt getoond.") % {"max": MAX_PAGE}
            )
            return MAX_PAGE
        return number

    def clean_facet_limit(self) -> int:
        value = self.cleaned_data.get("facet_limit") or ""
        if not value:
            return DEFAULT_FACET_LIMIT
        if not value.isdigit() or int(value) > MAX_FACET_LIMIT:
            self.problems.append(
                _("“facet_limit” is een getal van 0 (alle waarden) tot %(max)d, niet “%(value)s”.")
                % {"max": MAX_FACET_LIMIT, "value": value[:20]}
            )
            return DEFAULT_FACET_LIMIT
        return int(value)

    def clean_facet(self) -> str:
        value = self.cleaned_data.get("facet") or ""
        if value and value not in FACETS:
            self.problems.append(_("Onbekend facet “%(value)s”.") % {"value": value[:40]})
            return ""
        return value

    def clean_facet_q(self) -> str:
        return (self.cleaned_data.get("facet_q") or "")[:100]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.problems.append(_("De begindatum lag na de einddatum: ze zijn omgewisseld."))
            cleaned["date_from"], cleaned["date_to"] = end, start
        return cleaned


class QuestionFilterSet(django_filters.FilterSet):
    q = TextFilter(label=gettext_lazy("Zoektermen"))
    theme = EntityFilter(Theme, "theme_ids", label=gettext_lazy("Thema"))
    minister = EntityFilter(Minister, "minister_id", label=gettext_lazy("Minister"))
    member = EntityFilter(Member, "member_id", label=gettext_lazy("Vraagsteller"))
    year = YearFilter(label=gettext_lazy("Zittingsjaar"))
    answered = AnsweredFilter(label=gettext_lazy("Beantwoord"))
    status = StatusFilter(label=gettext_lazy("Status"))
    number = NumberFilter(label=gettext_lazy("Vraagnummer"))
    date_from = DateBoundFilter(lookup_expr="gte", label=gettext_lazy("Vanaf"))
    date_to = DateBoundFilter(lookup_expr="lte", label=gettext_lazy("Tot en met"))

    class Meta:
        model = Question
        fields: list[str] = []
        form = SearchForm


QS = TypeVar("QS", bound=QuerySet)
FACET_FILTERS: dict[str, FacetFilter] = {
    name: flt for name, flt in QuestionFilterSet.base_filters.items() if isinstance(flt, FacetFilter)
}
assert tuple(FACET_FILTERS) == FACETS


def narrow(queryset: QS, values: dict[str, Any], *, skip: Sequence[str] = ()) -> QS:
    """``queryset`` narrowed by every filter with a value in ``values`` (cleaned values), but those in ``skip``."""
    for name, flt in QuestionFilterSet.base_filters.items():
        if name not in skip:
            queryset = flt.filter(queryset, values.get(name))
    return queryset


def answered_label(value: str) -> str:
    return _("beantwoord") if value == "yes" else _("onbeantwoord")


def status_label(value: str) -> str:
    return {"answered": _("beantwoord"), "waiting": _("wacht op antwoord"), "overdue": _("antwoord te laat")}.get(
        value, value
    )
