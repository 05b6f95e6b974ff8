"""Server-rendered SVG bar charts, each with its figures as a table beside it (screen readers, no JavaScript).

Built in Python rather than a template: a page has up to four charts of up to thirty bars, and rendering that
through template loops cost more than the queries behind the page. Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from questions.scorecards import Bar
from questions.templatetags.markup import escaped

register = template.Library()

LABEL_WIDTH, PLOT_WIDTH, COUNT_WIDTH, ROW_HEIGHT = 150, 230, 50, 22
MAX_LABEL = 22


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _number(value: float) -> str:
    """SVG wants a dot as the decimal sign, whatever the page's language."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _bar(bar: Bar, index: int, largest: int, part_heading: str) -> str:
    width = PLOT_WIDTH * bar.count / largest
    title = f"{bar.label}: {bar.count}" + (f" ({part_heading}: {bar.part})" if bar.part is not None else "")
    part = ""
    if bar.part is not None:
        part = (f'<rect class="bar-part" x="{LABEL_WIDTH}" y="4" width="{_number(PLOT_WIDTH * bar.part / largest)}"'
                ' height="14"></rect>')  # fmt: skip
    return (
        f'<a href="{escaped(bar.url)}"><g transform="translate(0 {index * ROW_HEIGHT})"><title>{escaped(title)}</title>'
        f'<text x="{LABEL_WIDTH - 6}" y="15" text-anchor="end">{escaped(_short(bar.label))}</text>'
        f'<rect class="bar" x="{LABEL_WIDTH}" y="4" width="{_number(width)}" height="14"></rect>{part}'
        f'<text x="{_number(LABEL_WIDTH + width + 6)}" y="15">{bar.count}</text></g></a>'
    )


def _table(bars: Sequence[Bar], title: str, label_heading: str, part_heading: str) -> str:
    part_head = f'<th scope="col" class="number">{escaped(part_heading)}</th>' if part_heading else ""
    rows = []
    for bar in bars:
        part_cell = f'<td class="number">{escaped("–" if bar.part is None else bar.part)}</td>' if part_heading \
            else ""  # fmt: skip
        rows.append(f'<tr><th scope="row"><a href="{escaped(bar.url)}">{escaped(bar.label)}</a></th>'
                    f'<td class="number">{escaped(bar.count)}</td>{part_cell}</tr>')  # fmt: skip
    return (
        f'<details class="chart-data"><summary>{escaped(_("Cijfers als tabel"))}</summary><table class="directory">'
        f'<caption class="visually-hidden">{escaped(title)}</caption><thead><tr><th scope="col">'
        f'{escaped(label_heading)}</th><th scope="col" class="number">{escaped(_("Vragen"))}</th>{part_head}</tr>'
        f'</thead><tbody>{"".join(rows)}</tbody></table></details>'
    )


@register.simple_tag
def bar_chart(bars: Sequence[Bar], title: str, label_heading: str, part_heading: str = "") -> SafeString:
    """Horizontal bars, one a row, each linked to its search; ``part`` (e.g. answered) drawn inside its bar."""
    if not bars:
        return mark_safe("")
    chart_id = "chart-" + (slugify(title) or "figures")  # titles differ on a page
    largest = max(bar.count for bar in bars) or 1
    width, height = LABEL_WIDTH + PLOT_WIDTH + COUNT_WIDTH, len(bars) * ROW_HEIGHT
    drawn = "".join(_bar(bar, index, largest, part_heading) for index, bar in enumerate(bars))
    svg = (f'<svg class="bar-chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="group" '
           f'aria-labelledby="{chart_id}" preserveAspectRatio="xMinYMin meet">{drawn}</svg>')  # fmt: skip
    table = _table(bars, title, label_heading, part_heading)
    return mark_safe(f'<figure class="chart"><figcaption id="{escaped(chart_id)}">{escaped(title)}</figcaption>'
                     f"{svg}{table}</figure>")
