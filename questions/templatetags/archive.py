"""Query-string helpers for links that change one search parameter and keep the others, and the list of results
rendered once per search."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from functools import lru_cache

from django import template
from django.http import QueryDict
from django.urls import get_script_prefix, reverse
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from questions.search.filters import MAX_PAGE
from questions.templatetags.markup import escaped

register = template.Library()


@register.simple_tag
def results_list(results) -> SafeString:
    """The page's results as HTML (:func:`results_html`), rendered once for each search, language and link
    prefix while the archive does not change, as the results themselves are kept (questions/search/cache.py)."""
    from questions.search import cache

    inputs = (get_language(), get_script_prefix(), replace(results.params, problems=()))
    return cache.remember("results_html", inputs, lambda: results_html(results))


def results_html(results) -> SafeString:
    """The page's results (a search.results.ResultPage) as an ordered list, each with its title, number, date,
    names, answer badge and snippet. Written in Python rather than a template: twenty results took 6.7 ms through
    a template loop on a 2-core machine, a sixth of an entity page (docs/benchmarks-history.md, session 43),
    and 0.9 ms through ``format_html``, 0.2 with markup.escaped (session 44). Every text is escaped; a snippet
    is escaped document text with our own <mark> tags (search/text.py)."""
    language = get_language()
    labels = {"answered": escaped(_("beantwoord")), "overdue": escaped(_("antwoord te laat")),
              "open": escaped(_("wacht op antwoord")), "answer": escaped(_("Antwoord"))}  # fmt: skip
    items = [_result_item(question, labels, language) for question in results.questions]
    if not items:
        items = [f'<li class="no-results">{escaped(_("Geen vragen gevonden."))}</li>']
    return mark_safe(f'<ol class="results" start="{escaped(results.start_index)}">\n{"".join(items)}</ol>')


def _result_item(question, labels: dict[str, str], language: str | None) -> str:
    """One result; ``labels``: the badges' and the answer's words, escaped."""
    if question.has_answer:
        badge = f'<span class="badge answered">{labels["answered"]}</span>'
    elif question.status == "overdue":
        badge = f'<span class="badge overdue">{labels["overdue"]}</span>'
    else:
        badge = f'<span class="badge open">{labels["open"]}</span>'
    snippet = ""
    if question.snippet:
        source = f'<span class="snippet-source">{labels["answer"]}:</span> ' if question.snippet.source == "answer" \
            else ""  # fmt: skip
        snippet = f'<p class="snippet" lang="nl">{source}{question.snippet.html}</p>'
    asked = question.date_asked
    return (
        f'  <li class="result">\n    <h3 lang="nl"><a href="{escaped(question.get_absolute_url())}">'
        f"{escaped(question.title)}</a></h3>\n"
        f'    <p class="meta">nr. {escaped(question.number)} ({escaped(question.session)}) · '
        f'<time datetime="{asked.isoformat()}">{escaped(_formatted_date(asked, "j F Y", language))}</time> ·\n'
        f"      {escaped(question.member.name)} → {escaped(question.minister.name)} ·\n      {badge}</p>\n"
        f"    {snippet}\n  </li>\n"
    )


@register.simple_tag
def facet_label(name: str, value: str, label: str) -> str:
    """What a facet value is called on the page: the answered and status facets have codes for values."""
    from questions.search.filters import answered_label, status_label

    if name == "answered":
        return answered_label(value)
    if name == "status":
        return status_label(value)
    return label


_NUMBERED = re.compile(r"^(\d{1,2})\.\s+(.*)$", re.DOTALL)


def _copy(request) -> QueryDict:
    params = request.GET.copy()
    params.pop("page", None)
    return params


@register.simple_tag(takes_context=True)
def facet_items(context, name: str, values) -> SafeString:
    """A facet's values as list items: each a link to the current search with the value added to the parameter
    ``name``, or taken out when chosen, its label and count, marked when chosen. Written in Python, the current search
    encoded once for the facet rather than copied for each value: through a template loop, the sixty-odd values
    of a search page's facets took about a third of the page's time (docs/benchmarks-history.md, session 49)."""
    links = _toggle_links(context["request"], name, [item.value for item in values])
    check = "\u2713"
    items = []
    for item, link in zip(values, links, strict=True):
        chosen = bool(item.selected)
        state = ' aria-current="true"' if chosen else ""
        items.append(
            f'<li><a href="{escaped(link)}" class="facet-value{" selected" if chosen else ""}" '
            f'data-facet="{escaped(name)}" data-value="{escaped(item.value)}"{state}>\n'
            f'          <span class="check" aria-hidden="true">{check if chosen else ""}</span>\n'
            f'          <span class="label">{escaped(facet_label(name, item.value, item.label))}</span>\n'
            f'          <span class="count">{escaped(item.count)}</span></a></li>'
        )
    return mark_safe("\n        ".join(items))


def _toggle_links(request, name: str, values: list) -> list[str]:
    """For each of ``values``, the current search (without its page) with the value added to ``name`` or taken
    out of it, the other parameters where they were: the query strings before and after ``name`` are encoded
    once, only ``name``'s own values for each."""
    params = _copy(request)
    chosen = params.getlist(name)
    keys = list(params)
    at = keys.index(name) if name in keys else len(keys)
    before, after = _encoded(params, keys[:at]), _encoded(params, keys[at + 1 :])
    links = []
    for value in values:
        toggled = QueryDict(mutable=True)
        toggled.setlist(name, [v for v in chosen if v != value] if value in chosen else [*chosen, value])
        links.append("?" + "&".join(part for part in (before, toggled.urlencode(), after) if part))
    return links


def _encoded(params: QueryDict, keys: list[str]) -> str:
    part = QueryDict(mutable=True)
    for key in keys:
        part.setlist(key, params.getlist(key))
    return part.urlencode()


@register.simple_tag(takes_context=True)
def without_value(context, name: str, value: str) -> str:
    params = _copy(context["request"])
    params.setlist(name, [v for v in params.getlist(name) if v != value])
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def with_param(context, name: str, value) -> str:
    """The current search with ``name`` set to ``value`` (a page number keeps the other parameters)."""
    params = context["request"].GET.copy()
    if name != "page":
        params.pop("page", None)
    params[name] = str(value)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def same_search(context) -> str:
    """The current filters as a query string, without page: for feed, CSV and JSON links."""
    params = _copy(context["request"])
    encoded = params.urlencode()
    return "?" + encoded if encoded else ""


# Parameters that say how facets are shown, not what is searched: links back to the search drop them.
_FACET_DISPLAY = ("facet", "facet_q", "facet_limit", "order")


@register.simple_tag(takes_context=True)
def search_with_value(context, name: str, value: str) -> str:
    """The search page for the current search with ``value`` added to ``name`` (from a facet's own page)."""
    params = _copy(context["request"])
    for parameter in _FACET_DISPLAY:
        params.pop(parameter, None)
    values = params.getlist(name)
    if value not in values:
        params.setlist(name, [*values, value])
    return reverse("questions:search") + "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def search_without_display(context) -> str:
    """The current search as a query string, without page and facet-display parameters."""
    params = _copy(context["request"])
    for parameter in _FACET_DISPLAY:
        params.pop(parameter, None)
    encoded = params.urlencode()
    return "?" + encoded if encoded else ""


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key)


@register.filter
def paragraphs(text: str) -> list[dict]:
    """Stored text as blocks: plain paragraphs, and runs of numbered sub-questions or sub-answers as lists."""
    blocks: list[dict] = []
    for paragraph in (text or "").split("\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        match = _NUMBERED.match(paragraph)
        if match:
            item = {"number": int(match.group(1)), "text": match.group(2)}
            if blocks and blocks[-1]["list"]:
                blocks[-1]["items"].append(item)
            else:
                blocks.append({"list": True, "start": item["number"], "items": [item]})
        else:
            blocks.append({"list": False, "text": paragraph})
    return blocks


@register.filter
def page_window(results, around: int = 2) -> list[int | None]:
    """The page numbers to offer: the first, the last, and ``around`` either side of the current one; None marks a
    gap (shown as "…"). Past the archive's page limit nothing is offered."""
    last = min(results.num_pages, MAX_PAGE)
    shown = {1, last, *range(max(1, results.number - around), min(last, results.number + around) + 1)}
    window: list[int | None] = []
    previous = 0
    for number in sorted(shown):
        if number - previous > 1:
            window.append(None)
        window.append(number)
        previous = number
    return window


@register.filter
def short_date(day: dt.date) -> str:
    """``day`` as the ``date:"j M Y"`` filter writes it in the active language, once per day and language: a
    table of 1,500 rows (/overdue/) formatted 3,000 dates, each through the format's parsing and translations."""
    return _formatted_date(day, "j M Y", get_language())


@lru_cache(maxsize=8192)
def _formatted_date(day: dt.date, date_format: str, language: str) -> str:
    """``day`` as the ``date`` filter writes it with ``date_format`` in ``language`` (the active one)."""
    return formats.date_format(day, date_format)
