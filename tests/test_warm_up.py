"""A server process builds what its first requests would build before it takes them (archive/warm_up.py):
compiled templates, the holidays and the deadlines a CSV export hands to PostgreSQL."""

from __future__ import annotations

import logging

import pytest
from django.template import engines
from django.test import override_settings

from archive import gunicorn_conf
from archive.warm_up import EXPORT_CALENDAR_YEARS, project_templates, warm_up
from questions import copy_export, deadlines


def _compiled_templates() -> dict:
    """What the cached template loader keeps, by template name (it compiles each template once a process)."""
    (loader,) = engines["django"].engine.template_loaders
    return loader.get_template_cache


@pytest.fixture
def cold_process():
    """As a process starts: no template compiled, no holiday listed, no year of deadlines formatted."""
    engines["django"].engine.template_loaders[0].reset()
    deadlines._holidays_of.cache_clear()
    copy_export.days_to_deadline_text.cache_clear()
    yield
    engines["django"].engine.template_loaders[0].reset()


def test_a_worker_compiles_the_pages_templates_before_its_first_request(cold_process, fresh_process_memory):
    assert "questions/search.html" not in _compiled_templates()
    gunicorn_conf.post_worker_init(None)  # as gunicorn calls it in each worker, its application loaded
    compiled = _compiled_templates()
    for name in ("base.html", "questions/search.html", "questions/detail.html", "questions/home.html",
                 "questions/entity.html", "alerts/new.html"):  # fmt: skip
        assert name in compiled and not isinstance(compiled[name], type), name
    assert set(project_templates()) <= set(compiled)


def test_a_worker_knows_this_years_holidays_and_the_exports_recent_years_before_its_first_request(cold_process):
    warm_up()
    this_year = deadlines.today().year
    assert deadlines._holidays_of.cache_info().currsize >= 1
    assert copy_export.days_to_deadline_text.cache_info().currsize == EXPORT_CALENDAR_YEARS
    hits = copy_export.days_to_deadline_text.cache_info().hits
    copy_export.days_to_deadline_text(this_year)
    copy_export.days_to_deadline_text(this_year - EXPORT_CALENDAR_YEARS + 1)
    assert copy_export.days_to_deadline_text.cache_info().hits == hits + 2  # the export finds them ready


def test_a_template_that_does_not_compile_is_reported_and_the_others_are_still_prepared(
    tmp_path, caplog, cold_process
):
    (tmp_path / "kapot.html").write_text("{% if %}niet af", encoding="utf-8")
    (tmp_path / "heel.html").write_text("<p>{{ vraag }}</p>", encoding="utf-8")
    templates = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [tmp_path]}]
    with override_settings(TEMPLATES=templates), caplog.at_level(logging.ERROR, logger="archive.warm_up"):
        warm_up()
        compiled = _compiled_templates()
        assert "heel.html" in compiled and "kapot.html" not in compiled
    assert "template kapot.html could not be prepared" in caplog.text
