"""What a server process builds on first use, built before it takes its first request.

Django and the archive build much of what they keep on first use: the URL patterns (importing every view), the
compiled templates, the translation catalogues, the holidays package's calendar (it imports every country it
knows, 0.15-0.2 s, on the first page that shows a status) and the calendar of deadlines a CSV export hands to
PostgreSQL. Left to the first requests, each server process answered its first search or page 0.2-0.34 s
later than the next ones, after every deploy or restart, and spent 0.3 s of its first export on the calendar
(bench/first_requests.py measures it; docs/benchmarks.md). Built here, from archive/gunicorn_conf.py, before
the process freezes what it holds (archive/long_lived.py).

Nothing here reads the database: a process that starts while the database is away still starts, and answers
once it is back.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.template import Engine, TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from django.urls import get_resolver, reverse
from django.utils import translation
from django.utils.translation import gettext

logger = logging.getLogger(__name__)

# The years of deadlines prepared for the CSV export: the archive's recent years, where its questions are.
# An archive reaching further back computes its earlier years on its first export (about 1 ms a year).
EXPORT_CALENDAR_YEARS = 30


def warm_up() -> None:
    """Build what the first requests would build. A template that does not compile is logged and skipped:
    the page that uses it reports its error when it is asked for, as it would have without this."""
    _urls_and_translations()
    _templates()
    _deadlines()


def _urls_and_translations() -> None:
    get_resolver().url_patterns  # noqa: B018  # imports the URL modules and every view they name
    for code in {settings.LANGUAGE_CODE, *(code for code, _name in settings.LANGUAGES)}:
        with translation.override(code):
            gettext("vraag")  # loads the language's catalogues
            reverse("questions:detail", kwargs={"pk": 1})  # builds the table reverse() looks names up in, per language


def _templates() -> None:
    for name in project_templates():
        try:
            get_template(name)  # compiled and kept by the cached loader
        except (TemplateDoesNotExist, TemplateSyntaxError):
            logger.exception("template %s could not be prepared", name)


def project_templates() -> list[str]:
    """The names of the project's own templates (the template engine's directories), e.g.
    ``questions/search.html``."""
    names: list[str] = []
    for directory in Engine.get_default().dirs:
        root = Path(directory)
        names += sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())
    return names


def _deadlines() -> None:
    from questions import copy_export, deadlines

    deadlines.overdue_cutoff()  # the holidays package's countries imported, and this year's holidays listed
    this_year = deadlines.today().year
    for year in range(this_year - EXPORT_CALENDAR_YEARS + 1, this_year + 1):
        copy_export.days_to_deadline_text(year)
