"""Errors for people and programs, refused requests, and the headers every response carries."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.factories import make_question
from tests.helpers import free_port, start_real_server

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def test_a_missing_page_is_the_sites_own_page_with_a_search_box(client, settings):
    settings.DEBUG = False
    response = client.get("/bestaat-niet/")

    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="nl">' in page and 'role="search"' in page and "Niet gevonden" in page

    client.cookies["django_language"] = "en"
    assert '<html lang="en">' in client.get("/bestaat-niet/").content.decode()


def test_a_form_without_its_token_gets_the_sites_own_page_saying_what_to_do():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/alerts/new/?q=asbest", {"email": "a@b.example", "kind": "questions",
                                                      "frequency": "daily", "language": "nl"})  # fmt: skip

    page = response.content.decode()
    assert response.status_code == 403
    assert 'role="search"' in page and "Laad de pagina opnieuw" in page


def test_the_alert_form_is_rate_limited_per_address(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "alerts": 2}
    from django.core.cache import caches

    caches["rate_limits"].clear()
    statuses = [client.get("/alerts/new/?q=asbest", REMOTE_ADDR="203.0.113.7").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("path", ["/api/questions/999999/", "/api/bestaat-niet/"])
def test_api_errors_are_json(client, settings, path):
    settings.DEBUG = False
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == 404 and response.json()["error"]


def test_trace_and_other_methods_are_refused(client):
    response = client.generic("TRACE", "/")

    assert response.status_code == 405
    assert "GET" in response["Allow"] and "TRACE" not in response["Allow"]
    assert client.generic("PUT", "/api/questions/").json()["status"] == 405


NUL_PATHS = [
    "/search/?q=a%00b", "/api/questions/?q=%00", "/ministers/?page=%00", "/admin/questions/question/?q=%00",
    "/admin/autocomplete/?term=%00&app_label=questions&model_name=question&field_name=member",
    "/admin/questions/question/?member__id__exact=%00",
]


@pytest.mark.parametrize("path", NUL_PATHS)
def test_a_nul_byte_in_a_parameter_is_dropped_not_a_500(admin_client, path):
    response = admin_client.get(path)

    assert response.status_code in (200, 400, 403, 404), response.status_code


@pytest.mark.parametrize("path", ["/search/?page=99999999999999999999999", "/ministers/?page=99999999999999999999",
                                  "/api/questions/?page=-5", "/search/facet/member/?page=1e99"])  # fmt: skip
def test_huge_or_odd_page_numbers_never_give_a_500(client, path):
    make_question(title="Vraag")

    assert client.get(path).status_code in (200, 400)


def test_pages_carry_a_content_security_policy_and_a_permissions_policy(client, settings):
    response = client.get("/")

    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert not settings.SECURE_HSTS_PRELOAD and not settings.SECURE_HSTS_INCLUDE_SUBDOMAINS


def test_a_feed_reader_polling_an_unchanged_feed_gets_304(client):
    make_question(title="Vraag")
    first = client.get("/feeds/questions.rss")

    again = client.get("/feeds/questions.rss", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200 and first["ETag"]
    assert again.status_code == 304 and again.content == b""


def test_a_database_that_does_not_answer_gives_503_with_retry_after_and_no_server_software():
    """The real server, with a database address where nothing listens."""
    port = free_port()
    server = start_real_server(port, DATABASE_URL=f"postgres://archive@127.0.0.1:{free_port()}/archive",
                               WEB_CONCURRENCY="1")  # fmt: skip
    try:
        for path, kind in (("/search/?q=water", "text/html"), ("/api/questions/?q=water", "application/json")):
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30)
                    pytest.fail("the page answered without a database")
                except urllib.error.HTTPError as error:
                    response = error
                    break
                except (ConnectionError, urllib.error.URLError):
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.3)
            assert response.code == 503
            assert response.headers["Retry-After"] == "30"
            assert response.headers["Content-Type"].startswith(kind)
            assert response.headers["Server"] == "vragenarchief"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_client_beyond_the_rate_limit_gets_429_with_retry_after(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": 3}
    from django.core.cache import caches

    caches["rate_limits"].clear()
    statuses = [client.get("/api/questions/", REMOTE_ADDR="203.0.113.9").status_code for _ in range(5)]

    assert statuses == [200, 200, 200, 429, 429]
    refused = client.get("/api/questions/", REMOTE_ADDR="203.0.113.9")
    assert 0 < int(refused["Retry-After"]) <= 60 and refused.json()["status"] == 429
    # Another address is not affected.
    assert client.get("/api/questions/", REMOTE_ADDR="203.0.113.10").status_code == 200


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw(rf, settings):
    from archive.clients import client_address

    request = rf.get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    settings.TRUSTED_PROXIES = 0
    assert client_address(request) == "172.18.0.5"
    settings.TRUSTED_PROXIES = 1
    assert client_address(request) == "198.51.100.7"  # not the 6.6.6.6 the client wrote itself


def test_password_spraying_from_one_address_is_locked_out(client, settings):
    from django.contrib.auth.models import User

    User.objects.create_user("redacteur", password="a-long-enough-password-1", is_staff=True)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": f"gok{attempt}", "password": "x"}, REMOTE_ADDR="203.0.113.50")

    locked = client.post("/admin/login/", {"username": "redacteur", "password": "a-long-enough-password-1"},
                         REMOTE_ADDR="203.0.113.50")  # fmt: skip
    elsewhere = client.post("/admin/login/", {"username": "redacteur", "password": "a-long-enough-password-1"},
                            REMOTE_ADDR="203.0.113.51")  # fmt: skip

    assert locked.status_code in (403, 429)
    assert elsewhere.status_code == 302  # the editor still gets in from another address


# Values a hand-edited or truncated link, a scanner or a pasted text put into a parameter.
ODD_VALUES = ["", "-1", "1e99", "99999999999999999999", "2024-02-30", "31/12/2023", "' OR 1=1 --", "\x00",
              '"water', "*:*", "<script>", "é" * 300, "water,zorg", "[]"]  # fmt: skip
PARAMETERS = ["q", "theme", "minister", "member", "year", "answered", "status", "number", "date_from", "date_to",
              "page", "sort", "facet", "facet_q", "facet_limit", "synonyms", "order", "sep", "question"]  # fmt: skip


def test_every_public_address_answers_odd_values_in_every_parameter_without_a_server_error(client):
    asked = make_question(title="Wateroverlast", text="Over wateroverlast.", answer="Een antwoord.",
                          themes=("Water",))  # fmt: skip
    entities = [f"/ministers/{asked.minister.slug}/", f"/members/{asked.member.slug}/",
                f"/themes/{asked.themes.get().slug}/"]  # fmt: skip
    paths = ["/", "/search/", "/search/export.csv", "/search/export.xlsx", "/search/facet/theme/",
             "/search/facet/year/", "/search/facet/onbekend/", "/ministers/", "/members/", "/themes/", "/years/",
             "/overdue/", "/alerts/new/", "/api/questions/", f"/api/questions/{asked.pk}/",
             f"/questions/{asked.pk}/", "/feeds/questions.rss", "/feeds/answers.atom", "/feeds/overdue.rss",
             *entities]  # fmt: skip
    failures = []
    for path in paths:
        for shift, value in enumerate(ODD_VALUES):
            # Every parameter at once, each with another of the odd values, so that they meet in combinations.
            query = {name: ODD_VALUES[(shift + index) % len(ODD_VALUES)] for index, name in enumerate(PARAMETERS)}
            response = client.get(path, query)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if response.status_code >= 500 or (response.status_code == 200 and not body):
                failures.append((path, value, response.status_code))

    assert failures == []
