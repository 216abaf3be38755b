"""Logging visits as a person would: journeys with timed steps, and the navigation each role sees."""

import re

import pytest

from tests.e2e.conftest import ADMIN_EMAIL, wait_for, wait_in_page

pytestmark = [pytest.mark.e2e]


def test_journey_walkthrough_with_timed_steps_and_pain_points_on_a_step(phone, server):
    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in()
    phone.start_visit("Journey walkthrough")
    expect(page.get_by_role("timer")).to_contain_text("Running")
    page.get_by_label("Site").fill("Bristol Contact Centre")
    page.get_by_label("Incognito").check()
    page.get_by_label("Journey name").fill("Return an online order in store")

    page.get_by_role("button", name="Add step").click()
    page.get_by_label("Step name").fill("Find the returns desk")
    page.get_by_label("Channel").select_option("in_store")
    page.get_by_label("Effort (1–7)").select_option("6")
    expect(page.get_by_text(re.compile("Timer running"))).to_be_visible()

    page.get_by_role("button", name="Add step").click()
    second = page.get_by_role("group", name="Step 2")
    second.get_by_label("Step name").fill("Explain the return")
    second.get_by_label("Minutes").fill("4.5")
    phone.add_pain_point("Staff had to phone head office to approve a refund", severity="5", felt_by="both")
    expect(page.get_by_role("group", name="Pain point 1").get_by_label("Journey step")).to_have_value("1")
    phone.wait_saved()
    page.get_by_role("button", name="Finish visit").click()
    expect(page.get_by_role("timer")).to_contain_text("Finished")
    expect(page.get_by_label("Ended")).not_to_have_value("")

    visit = wait_for(lambda: server.visits(), what="the journey on the server")[0]
    assert visit["kind"] == "journey_walkthrough"
    assert visit["incognito"] is True
    assert visit["site_id"] is not None
    details = visit["details"]
    assert details["journey_name"] == "Return an online order in store"
    first, two = details["steps"]
    assert (first["name"], first["channel"], first["effort"]) == ("Find the returns desk", "in_store", 6)
    assert first["minutes"] is not None and first["minutes"] >= 0
    assert two["name"] == "Explain the return" and two["minutes"] >= 4.5
    (point,) = visit["pain_points"]
    assert (point["journey_step"], point["severity"], point["felt_by"]) == (1, 5, "both")


def test_managers_see_their_screens_in_the_navigation_executives_do_not(phone, second_phone, server):
    from playwright.sync_api import expect

    phone.sign_in()
    nav = phone.page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My visits")).to_be_visible()
    for name in ("Feed", "Themes", "Dashboard"):
        expect(nav.get_by_role("link", name=name)).to_have_count(0)

    second_phone.sign_in(ADMIN_EMAIL)
    nav = second_phone.page.get_by_role("navigation", name="Main")
    for name in ("Feed", "Themes", "Dashboard"):
        nav.get_by_role("link", name=name).click()
        expect(second_phone.page.get_by_role("heading", level=1, name=name)).to_be_visible()
    # Managers log visits too.
    second_phone.start_visit("Listened call")
    expect(second_phone.page.get_by_role("button", name="Add pain point")).to_be_visible()


def test_app_is_installable_and_fits_a_320_pixel_screen(phone, server):
    from playwright.sync_api import expect

    page = phone.page
    page.set_viewport_size({"width": 320, "height": 640})
    phone.sign_in()
    cdp = phone.context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito profiles; anything else would stop the install prompt.
    assert [e for e in errors if e["errorId"] != "in-incognito"] == [], errors

    wide = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(wide), "home scrolls sideways at 320 px"
    phone.start_visit("Journey walkthrough")
    page.get_by_role("button", name="Add step").click()
    phone.add_pain_point("Signs point to a closed entrance", quote="Where do I even go?")
    assert page.evaluate(wide), "the visit form scrolls sideways at 320 px"
    for name in ("Add pain point", "Add step", "Finish visit"):
        box = page.get_by_role("button", name=name).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, f"{name} is too small to tap"
    page.get_by_role("link", name="My visits").click()
    expect(page.get_by_role("heading", level=1, name="My visits")).to_be_visible()
    assert page.evaluate(wide), "My visits scrolls sideways at 320 px"


def test_nothing_typed_is_lost_when_the_page_reloads_right_after(phone, server):
    """A phone may close the app at any moment: a reload right after the last keystroke keeps every one (each
    change is also written synchronously, since a write to IndexedDB may not land before the page goes)."""
    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in()
    phone.start_visit("Shop-floor shift")
    page.get_by_role("button", name="Add pain point").click()
    point = page.get_by_role("group", name="Pain point 1")
    typed = "Tills"
    point.get_by_label("Pain point").press_sequentially(typed)
    for n, severity in enumerate("15241"):
        word = f" closed{n}"
        point.get_by_label("Pain point").press_sequentially(word)
        typed += word
        page.reload()
        expect(point.get_by_label("Pain point")).to_have_value(typed)

        point.get_by_label("Severity").select_option(severity)
        page.reload()
        expect(point.get_by_label("Severity")).to_have_value(severity)

    page.get_by_role("button", name="Finish visit").click()
    visit = wait_for(lambda: server.visits(), what="the visit on the server")[0]
    assert [(p["text"], p["severity"]) for p in visit["pain_points"]] == [(typed, 1)]


def test_finish_asks_to_correct_what_the_server_would_refuse_beside_the_field(phone, server):
    """A typed site that is not in the list, a quote without its pain point, impossible times: fixed before Finish."""
    from datetime import datetime, timedelta

    from playwright.sync_api import expect

    page = phone.page
    finish = page.get_by_role("button", name="Finish visit")
    phone.sign_in()
    phone.start_visit("Shop-floor shift")
    site = page.get_by_label("Site")
    site.fill("Leeds Kirkstal")
    phone.add_pain_point("", quote="We waited ages", department="Logistics")
    phone.add_pain_point("Queue out of the door", severity="4")
    fits = """(el) => {
        const style = getComputedStyle(el);
        const pen = document.createElement('canvas').getContext('2d');
        pen.font = style.font;
        const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
        return pen.measureText(el.selectedOptions[0].text).width <= room;
    }"""
    assert page.get_by_role("group", name="Pain point 1").get_by_label("Severity").evaluate(fits), \
        "“3 – real problem” is cut off"

    finish.click()
    expect(site).to_be_focused()
    expect(site).to_have_accessible_description(re.compile("Not a site in the list"))
    expect(page.get_by_role("timer")).to_contain_text("Running")

    site.fill("Leeds Kirkstall")
    finish.click()
    first = page.get_by_role("group", name="Pain point 1").get_by_label("Pain point")
    expect(first).to_be_focused()
    expect(first).to_have_accessible_description("Say what went wrong: a quote alone is not enough.")
    first.fill("Nobody at the service desk")

    started = page.get_by_label("Started")
    for when, words in ((datetime.now() - timedelta(hours=25), "A visit may not last longer than 24 hours."),
                        (datetime.now() + timedelta(hours=25), "A visit may not start more than a day in the future.")):
        started.fill(when.strftime("%Y-%m-%dT%H:%M:%S"))
        finish.click()
        expect(started).to_be_focused()
        expect(started).to_have_accessible_description(words)
        expect(page.get_by_role("timer")).to_contain_text("Running")
    assert server.visits() == []

    started.fill((datetime.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S"))
    finish.click()
    expect(page.get_by_text("Visit finished and saved on this phone.")).to_be_visible()
    ended = page.get_by_label("Ended")
    expect(ended).not_to_have_value("")
    expect(page.get_by_text("Status: Synced")).to_be_visible()
    expect(page.get_by_text("queued to sync")).to_have_count(0)  # the state line is the one truth
    (visit,) = server.visits()
    assert visit["site_id"] is not None
    assert [(p["text"], p["quote"]) for p in visit["pain_points"]] == [
        ("Nobody at the service desk", "We waited ages"), ("Queue out of the door", None),
    ]

    # Times of a finished visit are checked as they change, beside the field.
    ended.fill((datetime.now() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S"))
    expect(ended).to_have_accessible_description("A visit may not end before it starts.")
    assert phone.console == []


def test_first_install_downloads_each_shell_file_once(phone, server):
    """The service worker's precache reuses what the page just downloaded (a 304 at most), never a second copy."""
    downloads: dict[str, int] = {}

    def count(response):
        path = response.url.removeprefix(server.url)
        if path.startswith("/api/") or response.from_service_worker or response.status != 200:
            return
        # A revalidation (If-None-Match; the server answers 304, reported merged as 200) downloads nothing.
        if "if-none-match" not in response.request.all_headers():
            downloads[path] = downloads.get(path, 0) + 1

    phone.context.on("response", count)
    phone.sign_in()
    wait_in_page(phone.page, "caches.keys().then((names) => names.some((n) => n.startsWith('undercover-shell-')))")
    wait_in_page(phone.page, "navigator.serviceWorker.ready.then((reg) => reg.active.state === 'activated')")
    assert "/js/outbox.js" in downloads
    assert {path: n for path, n in downloads.items() if n > 1} == {}
