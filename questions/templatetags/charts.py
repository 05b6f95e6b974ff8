"""Server-rendered SVG bar charts, each with its figures as a table beside it (screen readers, no JavaScript)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from django import template

from questions.scorecards import Bar

register = template.Library()

LABEL_WIDTH, PLOT_WIDTH, COUNT_WIDTH, ROW_HEIGHT = 150, 230, 50, 22
MAX_LABEL = 22
_ids = itertools.count(1)


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


@register.inclusion_tag("questions/_bar_chart.html")
def bar_chart(bars: Sequence[Bar], title: str, label_heading: str, part_heading: str = "") -> dict:
    """Horizontal bars, one a row, each linked to its search; ``part`` (e.g. answered) drawn inside its bar."""
    largest = max((bar.count for bar in bars), default=0) or 1
    rows = []
    for index, bar in enumerate(bars):
        width = round(PLOT_WIDTH * bar.count / largest, 1)
        part = None if bar.part is None else round(PLOT_WIDTH * bar.part / largest, 1)
        rows.append({"bar": bar, "short": _short(bar.label), "y": index * ROW_HEIGHT, "width": width,
                     "part_width": part, "count_x": LABEL_WIDTH + width + 6})  # fmt: skip
    return {
        "rows": rows, "title": title, "label_heading": label_heading, "part_heading": part_heading,
        "chart_id": f"chart-{next(_ids)}", "width": LABEL_WIDTH + PLOT_WIDTH + COUNT_WIDTH,
        "height": max(1, len(rows)) * ROW_HEIGHT, "label_x": LABEL_WIDTH - 6, "plot_x": LABEL_WIDTH,
    }  # fmt: skip
