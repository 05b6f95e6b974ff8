"""A server process keeps what lives as long as it out of Python's full garbage collections
(archive/long_lived.py): frozen when the application is loaded and after the process's first requests."""

from __future__ import annotations

import gc

from django.core.signals import request_finished

from archive import gunicorn_conf
from archive.long_lived import FREEZE_AFTER_REQUESTS


def _requests_served(count: int) -> None:
    for _ in range(count):
        request_finished.send(sender=None)


def _frozen(value: object) -> bool:
    """Whether the collector has ``value`` in its frozen generation, which it never walks (gc.get_objects lists
    the objects of the generations it does walk). Counting frozen objects would not tell: a frozen object whose
    last reference goes, in another thread of the test run, leaves the count."""
    return gc.is_tracked(value) and not any(tracked is value for tracked in gc.get_objects())


def test_a_worker_freezes_what_it_holds_once_loaded_and_after_its_first_requests(fresh_process_memory):
    loaded_before = {"settings": [1]}
    assert not _frozen(loaded_before)
    gunicorn_conf.post_worker_init(None)  # as gunicorn calls it in each worker, its application loaded
    assert _frozen(loaded_before)
    assert gc.get_freeze_count() > 1000  # Django and the archive's modules, settings and caches

    built_on_first_use = [["template", [n]] for n in range(50)]  # kept, as a first page's compiled templates are
    assert not _frozen(built_on_first_use)
    _requests_served(1)
    assert _frozen(built_on_first_use)

    built_later = [["url pattern", [n]] for n in range(50)]
    _requests_served(8)  # the 2nd to the 9th request freeze nothing
    assert not _frozen(built_later)
    _requests_served(1)  # the 10th does
    assert _frozen(built_later)
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
