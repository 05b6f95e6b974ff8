"""A journalist at work, in a real Chromium (Debian's package) driven by Playwright.

Screenshots land in test-artifacts/. Without /usr/bin/chromium these tests are skipped, unless
REQUIRE_BROWSER=1 (as in CI), where a missing browser fails them.
"""

import os
from pathlib import Path

import pytest

from tests.factories import corpus

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

if not CHROMIUM.exists() and os.environ.get("REQUIRE_BROWSER") != "1":
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

# Playwright's sync API runs an event loop in this thread; the ORM calls in the fixtures are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()


def test_a_journalist_searches_narrows_opens_subscribes_and_switches_to_english(live_server, page):
    questions = corpus()
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(live_server.url + "/")
    page.get_by_label("Zoek in titels, vragen en antwoorden").fill("wateroverlast")
    page.locator(".big-search button[type=submit]").click()
    expect(page.locator(".result-count")).to_contain_text("2 vragen")

    page.locator('a.facet-value[data-facet="theme"][data-value="binnenlands-bestuur"]').click()
    expect(page.locator(".result-count")).to_contain_text("1 vraag")
    expect(page.locator(".chips")).to_contain_text("Binnenlands bestuur")
    expect(page.locator(".snippet mark").first).to_have_text("wateroverlast")
    page.screenshot(path=str(ARTIFACTS / "search-page.png"), full_page=True)

    page.locator(".chip", has_text="Binnenlands bestuur").click()
    expect(page.locator(".result-count")).to_contain_text("2 vragen")

    rss_href = page.locator(".exports a", has_text="RSS").first.get_attribute("href")
    page.get_by_role("link", name=questions["water"].title).click()
    expect(page.locator("h1")).to_have_text(questions["water"].title)
    expect(page.locator(".numbered, .text").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "question-page.png"), full_page=True)

    feed = page.request.get(live_server.url + "/search/" + rss_href if rss_href.startswith("?") else
                            live_server.url + rss_href)  # fmt: skip
    assert feed.ok
    assert "<rss" in feed.text() and "wateroverlast" in feed.text()

    page.locator("#language-choice").select_option("en")
    page.locator(".language button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#antwoord")).to_have_text("Answer")

    assert page.console_errors == []


def test_the_search_page_works_with_the_keyboard_alone(live_server, page):
    corpus()
    page.goto(live_server.url + "/search/")

    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.locator("#q").focus()
    page.keyboard.type("toegankelijk*")
    page.keyboard.press("Enter")

    expect(page.locator(".result-count")).to_contain_text("2 vragen")
    assert page.console_errors == []
