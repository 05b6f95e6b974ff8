"""A search's parameters, parsed once from a query string into one typed, immutable value.

Every output (the search page, the entity pages, the JSON API, the CSV export, the feeds) starts here, and
follows one policy for what could not be used: the pages show ``problems`` as notices above the results; the
API, the CSV export and the feeds answer 400 with the same messages (see http.py). A CSV of a mistyped theme
is never the whole archive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from questions.search import cache, text
from questions.search.filters import (
    DEFAULT_FACET_LIMIT,
    FACETS,
    Choice,
    QuestionFilterSet,
    TextQuery,
    answered_label,
    status_label,
)

Sort = Literal["relevance", "newest", "oldest"]


@dataclass(frozen=True)
class SearchParams:
    text: TextQuery | None = None
    themes: tuple[Choice, ...] = ()
    ministers: tuple[Choice, ...] = ()
    members: tuple[Choice, ...] = ()
    years: tuple[str, ...] = ()
    answered: bool | None = None
    statuses: tuple[str, ...] = ()  # answered, waiting, overdue (questions/deadlines.py)
    number: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: Sort = "newest"
    page: int = 1
    facet_limit: int = DEFAULT_FACET_LIMIT  # values shown per facet; 0: all of them
    facet: str = ""  # with facet_q: the one facet whose values are narrowed by typed text
    facet_q: str = ""
    synonyms: bool = True
    problems: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_query(cls, data: QueryDict | dict[str, Any]) -> SearchParams:
        """Parse and check a query string; what cannot be used is left out and said in ``problems``.

        The same query string is parsed once per state of the archive (its look-ups read names, aliases and
        synonyms) and language (the problems are sentences): see cache.py."""
        if isinstance(data, QueryDict):
            asked: tuple = tuple(sorted((key, tuple(data.getlist(key))) for key in data))
        else:
            asked = tuple(sorted((str(key), repr(value)) for key, value in data.items()))
        return cache.remember("params", (get_language(), asked), lambda: cls._parsed(data))

    @classmethod
    def _parsed(cls, data: QueryDict | dict[str, Any]) -> SearchParams:
        form = QuestionFilterSet(data).form
        form.is_valid()  # never false: every field is lenient, and the checks become problems
        cleaned = form.cleaned_data
        text = cleaned.get("q")
        sort = cleaned.get("sort") or ""
        if text is None or text.tsquery is None:
            sort = "oldest" if sort == "oldest" else "newest"
        elif not sort:
            sort = "relevance"
        return cls(
            text=text,
            themes=cleaned.get("theme") or (),
            ministers=cleaned.get("minister") or (),
            members=cleaned.get("member") or (),
            years=cleaned.get("year") or (),
            answered=cleaned.get("answered"),
            statuses=cleaned.get("status") or (),
            number=cleaned.get("number"),
            date_from=cleaned.get("date_from"),
            date_to=cleaned.get("date_to"),
            sort=cast(Sort, sort),
            page=cleaned.get("page") or 1,
            facet_limit=cleaned.get("facet_limit", DEFAULT_FACET_LIMIT),
            facet=cleaned.get("facet") or "",
            facet_q=cleaned.get("facet_q") or "",
            synonyms=cleaned.get("synonyms", True),
            problems=tuple(form.problems),
        )

    # --- what the query builder asks -----------------------------------------------------------------------

    @property
    def tsquery(self) -> str | None:
        """The text query in ``to_tsquery`` syntax; None without one."""
        return self.text.tsquery if self.text is not None else None

    @property
    def ranking_tsquery(self) -> str | None:
        """The text query that ranks the matches and marks them in snippets: None without one, and for a query
        of exclusions alone ("-water"), which no question matches better than another: its matches come newest
        first, with their first words."""
        tsquery = self.tsquery
        return None if tsquery is None or text.exclusions_only(tsquery) is not None else tsquery

    @property
    def impossible(self) -> bool:
        """Nothing can match (a query too long to run, or of stop words only)."""
        return self.text is not None and self.text.matches_nothing

    @property
    def browsing(self) -> bool:
        """No text, number or dates: only facet filters, if any, narrow the archive."""
        return (self.tsquery is None and not self.impossible and self.number is None and self.date_from is None
                and self.date_to is None)  # fmt: skip

    @property
    def dates_only(self) -> bool:
        """Only a date range narrows the archive: no text, number or facet filter."""
        return (self.tsquery is None and not self.impossible and self.number is None and not self.active_facets()
                and (self.date_from is not None or self.date_to is not None))  # fmt: skip

    def filter_values(self) -> dict[str, Any]:
        """The cleaned value of each filter of the FilterSet, by its name."""
        return {
            "q": self.text,
            "theme": self.themes,
            "minister": self.ministers,
            "member": self.members,
            "year": self.years,
            "answered": self.answered,
            "status": self.statuses,
            "number": self.number,
            "date_from": self.date_from,
            "date_to": self.date_to,
        }

    def active_facets(self) -> dict[str, Any]:
        """The facet filters in use, by facet name, with their values."""
        values = self.filter_values()
        return {name: values[name] for name in FACETS if values[name] not in (None, ())}

    def stored_values(self, facet: str) -> tuple[str, ...]:
        """A facet filter's values as questions_facetcount stores them: ids as text, "2023-2024", "yes"/"no"."""
        value = self.filter_values()[facet]
        if facet in ("theme", "minister", "member"):
            return tuple(str(choice.pk) for choice in value)
        if facet == "answered":
            return () if value is None else ("yes" if value else "no",)
        return tuple(value)

    def selected(self) -> dict[str, dict[str, str]]:
        """Per facet, the selected values as URL parameters with their labels."""
        return {
            "theme": {choice.slug: choice.label for choice in self.themes},
            "minister": {choice.slug: choice.label for choice in self.ministers},
            "member": {choice.slug: choice.label for choice in self.members},
            "year": {year: year for year in self.years},
            "answered": {} if self.answered is None else {
                "yes" if self.answered else "no": answered_label("yes" if self.answered else "no")},
            "status": {status: status_label(status) for status in self.statuses},
        }  # fmt: skip

    def chips(self) -> list[tuple[str, str, str]]:
        """(parameter, value, label) for every active filter: the removable chips on the page."""
        chips = []
        if self.text is not None and self.tsquery is not None:
            chips.append(("q", self.text.typed, f"“{self.text.typed}”"))
        for name, values in self.selected().items():
            for value in sorted(values):
                chips.append((name, value, values[value]))
        if self.number is not None:
            chips.append(("number", str(self.number), _("nr. %(number)d") % {"number": self.number}))
        if self.date_from:
            iso = self.date_from.isoformat()
            chips.append(("date_from", iso, _("vanaf %(date)s") % {"date": iso}))
        if self.date_to:
            iso = self.date_to.isoformat()
            chips.append(("date_to", iso, _("tot en met %(date)s") % {"date": iso}))
        return chips

    def describe(self) -> str:
        """The active filters in words, for feed titles."""
        return ", ".join(label for _name, _value, label in self.chips())

    @property
    def expanded(self) -> tuple[str, ...]:
        """Synonyms searched for besides what was typed."""
        return self.text.expanded if self.text is not None else ()

    @property
    def typed_text(self) -> str:
        return self.text.typed if self.text is not None else ""
