"""Escaping for the HTML written in Python (the list of results, the charts), as ``format_html`` escapes but
without its cost per call.

``format_html`` passes each argument through ``conditional_escape`` and Django's lazy-aware ``escape``: about
2 µs an argument, and an entity page has some 600 of them (twenty results, four charts with their tables):
0.9 ms of the list of results alone on a 2-core machine, 0.2 this way (docs/benchmarks-history.md, session 44).
The stdlib's ``html.escape`` is what Django's ``escape`` calls in the end, so the output is the same, character
for character.
"""

from __future__ import annotations

import html


def escaped(value: object) -> str:
    """``value`` as HTML: safe markup (anything with ``__html__``) as it is, everything else escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))
