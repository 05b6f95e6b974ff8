"""Links to questions built from one reverse() per URL name are the links reverse() gives (questions/links.py)."""

from __future__ import annotations

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from questions.links import pk_url


@pytest.mark.parametrize("name", ["questions:detail", "questions:api_detail"])
@pytest.mark.parametrize("pk", [1, 42, 9_876_543_210, 98_765_432_109])
def test_a_link_is_what_reverse_gives(name, pk):
    assert pk_url(name, pk) == reverse(name, kwargs={"pk": pk})


def test_a_link_follows_the_script_prefix_of_the_request():
    set_script_prefix("/archief/")
    try:
        assert pk_url("questions:detail", 7) == reverse("questions:detail", kwargs={"pk": 7})
        assert pk_url("questions:detail", 7).startswith("/archief/")
    finally:
        clear_script_prefix()
    assert not pk_url("questions:detail", 7).startswith("/archief/")
