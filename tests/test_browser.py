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

from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def allow_orm_beside_playwright():
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the tests stay synchronous.
    # Only while this module runs: later tests check that deployments never set it.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(allow_orm_beside_playwright):
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


def test_an_editor_corrects_a_minister_and_finds_it_at_once_in_the_public_search(live_server, page):
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group, User

    # A transactional test's flush may have taken the migration's group with it: make it again the same way.
    importlib.import_module("questions.migrations.0004_editors_group").create_editors(apps, None)
    questions = corpus()
    user = User.objects.create_user("redacteur", password="een-lang-wachtwoord-42", is_staff=True)
    user.groups.add(Group.objects.get(name="editors"))
    question = questions["school"]

    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "redacteur")
    page.fill("#id_password", "een-lang-wachtwoord-42")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/questions/question/{question.pk}/change/")

    page.locator("#id_minister + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Zuhal")
    page.locator(".select2-results__option", has_text="Zuhal Demir").click()
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("gewijzigd")

    page.goto(live_server.url + "/search/?q=rolstoelgebruikers")
    expect(page.locator(".result")).to_contain_text("Zuhal Demir")
    page.locator('a.facet-value[data-facet="minister"][data-value="zuhal-demir"]').click()
    expect(page.locator(".result-count")).to_contain_text("1 vraag")
    page.get_by_role("link", name=question.title).click()
    expect(page.locator(".corrected")).to_contain_text("Gecorrigeerd door de redactie")
    assert page.console_errors == []


# --- a newsroom's reading: phones, keyboards, screen readers, printers (issue: follow, track and cite) ------------

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def newsroom_archive():
    """The corpus, plus a question waiting for its answer and one past its deadline."""
    import datetime as dt

    from questions import deadlines
    from tests.factories import make_question

    questions = corpus()
    today = deadlines.today()
    questions["waiting"] = make_question(title="Wachtlijsten in de jeugdhulp", text="Hoe lang zijn de wachtlijsten?",
                                         member="Suzy Wouters", minister="Zuhal Demir", themes=("Welzijn",),
                                         date=today - dt.timedelta(days=3))  # fmt: skip
    questions["late"] = make_question(title="Asbest in scholen", text="Hoeveel scholen hebben nog asbest?",
                                      member="Karl Vanlouwe", minister="Jo Brouns", themes=("Onderwijs",),
                                      date=today - dt.timedelta(days=60))  # fmt: skip
    return questions


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']][:3]}"
            for violation in results.response["violations"] if violation["impact"] in ("serious", "critical")]


def test_every_page_reads_on_a_phone_and_a_desktop_without_serious_accessibility_problems(live_server, browser):
    questions = newsroom_archive()
    ARTIFACTS.mkdir(exist_ok=True)
    pages = {
        "home": "/",
        "search": "/search/?q=wateroverlast",
        "search-year": "/search/?year=2023-2024",
        "question": questions["water"].get_absolute_url(),
        "question-late": questions["late"].get_absolute_url(),
        "minister": "/ministers/zuhal-demir/",
        "member": "/members/suzy-wouters/",
        "theme": "/themes/water/",
        "overdue": "/overdue/",
        "about": "/about/",
        "alert-form": "/alerts/new/?q=wateroverlast",
        "ministers": "/ministers/",
    }
    found = {}
    for size_name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(locale="nl-BE", viewport=viewport)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        for name, path in pages.items():
            response = page.goto(live_server.url + path)
            assert response is not None and response.ok, path
            page.screenshot(path=str(ARTIFACTS / f"{name}-{size_name}.png"), full_page=True)
            problems = serious_violations(page)
            if problems:
                found[f"{name} ({size_name})"] = problems
            # Nothing wider than the screen: a phone reader never scrolls sideways.
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 1:
                found.setdefault(f"{name} ({size_name})", []).append(f"{overflow}px wider than the screen")
        assert errors == []
        context.close()
    assert found == {}, "\n".join(f"{where}: {problems}" for where, problems in found.items())


def test_on_a_phone_the_filters_are_reachable_from_the_top_of_the_results(live_server, browser):
    newsroom_archive()
    context = browser.new_context(locale="nl-BE", viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/search/?q=wateroverlast")

    link = page.locator(".filters-link")
    expect(link).to_be_visible()
    assert link.bounding_box()["y"] < page.locator(".result").first.bounding_box()["y"]  # above the results
    link.click()
    expect(page.locator("#filters")).to_be_in_viewport()
    page.locator('a.facet-value[data-facet="status"][data-value="answered"]').click()
    expect(page.locator(".chips")).to_contain_text("beantwoord")
    context.close()


def test_numbered_pages_a_copied_citation_and_a_printout(live_server, browser):
    from tests.factories import make_question

    questions = newsroom_archive()
    for index in range(60):
        make_question(title=f"Fietspaden {index}", text="Over fietspaden.", learn_words=False)
    context = browser.new_context(locale="nl-BE", viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()

    page.goto(live_server.url + "/search/?q=fietspaden")
    page.locator(".pagination").get_by_role("link", name="Laatste »").click()
    expect(page.locator(".pagination [aria-current=page]")).to_have_text("3")
    page.locator(".pagination").get_by_role("link", name="Pagina 2").click()
    expect(page.locator(".pagination [aria-current=page]")).to_have_text("2")

    page.goto(live_server.url + questions["water"].get_absolute_url())
    copy = page.locator("button.copy")
    expect(copy).to_have_text("Kopiëren")  # shown by the script; without it the citation stays selectable text
    copy.click()
    expect(copy).to_have_text("Gekopieerd")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Schriftelijke vraag nr. ") and "Vlaams Parlement, zittingsjaar 2023-2024" in copied

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("#antwoord-sectie")).to_be_visible()
    page.pdf(path=str(ARTIFACTS / "question-print.pdf"))
    context.close()


def test_a_reader_asks_for_an_alert_from_a_ministers_page(live_server, page):
    from questions.models import Alert

    newsroom_archive()
    page.goto(live_server.url + "/ministers/zuhal-demir/")
    expect(page.locator(".scorecard")).to_contain_text("vragen ontvangen")
    page.locator(".exports").get_by_role("link", name="e-mailmelding").click()
    page.get_by_label("E-mailadres").fill("desk@krant.example")
    page.get_by_label("wekelijks").check()
    page.get_by_role("button", name="Melding aanvragen").click()
    expect(page.locator("h1")).to_have_text("Kijk in uw mailbox")
    alert = Alert.objects.get()
    assert alert.query == "minister=zuhal-demir" and alert.frequency == "weekly" and not alert.confirmed
    assert page.console_errors == []
