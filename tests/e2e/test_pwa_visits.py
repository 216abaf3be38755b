"""Logging visits as a person would: journeys with timed steps, and the navigation each role sees."""

import re

import pytest

from tests.e2e.conftest import ADMIN_EMAIL, wait_for

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
    """A phone may close the app at any moment: a reload 50 ms after the last keystroke keeps every one."""
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
        page.wait_for_timeout(50)  # the one deliberate timing: the user leaves right after typing
        page.reload()
        expect(point.get_by_label("Pain point")).to_have_value(typed)

        point.get_by_label("Severity").select_option(severity)
        page.wait_for_timeout(50)
        page.reload()
        expect(point.get_by_label("Severity")).to_have_value(severity)

    page.get_by_role("button", name="Finish visit").click()
    visit = wait_for(lambda: server.visits(), what="the visit on the server")[0]
    assert [(p["text"], p["severity"]) for p in visit["pain_points"]] == [(typed, 1)]


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
    phone.page.wait_for_function("caches.keys().then((names) => names.some((n) => n.startsWith('undercover-shell-')))")
    phone.page.wait_for_function("navigator.serviceWorker.ready.then((reg) => reg.active.state === 'activated')")
    assert "/js/outbox.js" in downloads
    assert {path: n for path, n in downloads.items() if n > 1} == {}
