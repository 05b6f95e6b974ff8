"""A server process keeps what lives as long as it out of Python's full garbage collections
(archive/long_lived.py): frozen when the application is loaded and after the process's first requests."""

from __future__ import annotations

import gc

import pytest
from django.core.signals import request_finished

from archive import gunicorn_conf
from archive.long_lived import FREEZE_AFTER_REQUESTS


@pytest.fixture
def fresh_process_memory():
    """No object frozen before the test; none left frozen, and the process's hook gone, after it."""
    gc.unfreeze()
    yield
    request_finished.disconnect(dispatch_uid="archive.long_lived")
    gc.unfreeze()


def _requests_served(count: int) -> None:
    for _ in range(count):
        request_finished.send(sender=None)


def test_a_worker_freezes_what_it_holds_once_loaded_and_after_its_first_requests(fresh_process_memory):
    assert gc.get_freeze_count() == 0
    gunicorn_conf.post_worker_init(None)  # as gunicorn calls it in each worker, its application loaded
    loaded = gc.get_freeze_count()
    assert loaded > 1000  # Django and the archive's modules, settings and caches

    built_on_first_use = [["template", [n]] for n in range(500)]  # kept, as a first page's compiled templates are
    _requests_served(1)
    after_first = gc.get_freeze_count()
    assert after_first >= loaded + 2 * len(built_on_first_use)

    more = [["url pattern", [n]] for n in range(500)]
    _requests_served(8)  # the 2nd to the 9th request freeze nothing
    assert gc.get_freeze_count() == after_first
    _requests_served(1)  # the 10th does
    assert gc.get_freeze_count() >= after_first + 2 * len(more)
    assert 10 in FREEZE_AFTER_REQUESTS and not set(range(2, 10)) & FREEZE_AFTER_REQUESTS


def test_what_dies_after_the_freeze_is_still_freed(fresh_process_memory):
    """A frozen object whose last reference goes is freed at once, by its reference count: freezing keeps the
    collector from walking the objects, not from releasing them."""
    import weakref

    class Cached:
        pass

    entry = Cached()
    gone = weakref.ref(entry)
    gunicorn_conf.post_worker_init(None)
    del entry
    assert gone() is None
