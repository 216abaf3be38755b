"""The phone layout: a one-row header, the navigation in thumb reach at the bottom (at the top on a wide
screen), large touch targets down to 320 px, and the feed's first pain point in the upper half of a phone."""

import pytest

from tests.e2e.conftest import Phone
from tests.e2e.test_pwa_review import MANAGER_EMAIL, add_manager, report

pytestmark = [pytest.mark.e2e]

BOX = "(el) => { const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, height: r.height }; }"

# Every button and navigation target on screen that is smaller than 44 × 44 CSS pixels.
SMALL_TARGETS = """() => [...document.querySelectorAll('button, nav a')].filter((el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && (r.width < 44 || r.height < 44);
}).map((el) => {
    const r = el.getBoundingClientRect();
    return `${el.textContent.trim()} ${Math.round(r.width)}x${Math.round(r.height)}`;
})"""

# Each navigation target is in the viewport and is what a tap at its centre reaches (nothing covers it).
COVERED_TARGETS = """() => [...document.querySelectorAll('nav[aria-label="Main"] a, nav[aria-label="Main"] button')]
    .filter((el) => el.getClientRects().length).filter((el) => {
        const r = el.getBoundingClientRect();
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        if (r.top < 0 || r.bottom > innerHeight || r.left < 0 || r.right > innerWidth) return true;
        const hit = document.elementFromPoint(x, y);
        return !hit || !el.contains(hit);
    }).map((el) => el.textContent.trim())"""


def phone_at(browser, server, width: int, height: int) -> Phone:
    p = Phone(browser, server)
    p.page.set_viewport_size({"width": width, "height": height})
    return p


def nav_box(page) -> dict:
    return page.get_by_role("navigation", name="Main").evaluate(BOX)


def test_phone_header_is_one_row_and_the_navigation_sits_at_the_bottom(browser, server):
    from playwright.sync_api import expect

    phone = phone_at(browser, server, 390, 844)
    try:
        page = phone.page
        phone.sign_in()
        header = page.get_by_role("banner").evaluate(BOX)
        nav = nav_box(page)
        print(f"390x844: header {header['height']:.0f} px tall; navigation {nav['top']:.0f}-{nav['bottom']:.0f} px")
        assert header["height"] < 80, header
        assert nav["bottom"] >= 844 - 1 and nav["top"] > 844 - 120, nav
        # The sync state stays readable in the header, and Sync now is at hand.
        expect(phone.sync_state()).to_have_text("All synced")
        expect(page.get_by_role("banner").get_by_role("button", name="Sync now")).to_be_visible()
        # The inbox is a place the messages feature fills; empty, it shows nothing.
        expect(page.locator("#inbox")).to_have_attribute("aria-label", "Inbox")
        # The primary action is in the bottom half, within thumb reach.
        new_visit = page.get_by_role("button", name="New visit").evaluate(BOX)
        assert new_visit["top"] > 844 / 2, new_visit
        assert phone.console == []
    finally:
        phone.close()


@pytest.mark.parametrize("email", ["exec@example.com", MANAGER_EMAIL])
def test_targets_are_large_and_the_navigation_is_reachable_at_320_px(browser, server, email):
    from playwright.sync_api import expect

    add_manager(server)
    report(server, ["Only two tills open at lunchtime"])
    phone = phone_at(browser, server, 320, 640)
    try:
        page = phone.page
        phone.sign_in(email)
        screens = [("Home", "Hello"), ("My visits", "My visits")]
        if email == MANAGER_EMAIL:
            screens.append(("Feed", "Feed"))
        else:
            screens += [("My pain points", "My pain points"), ("Pulse", "Pulse")]
        for link, heading in screens:
            phone.navigate(link)
            expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
            page.wait_for_timeout(300)
            assert page.evaluate(SMALL_TARGETS) == [], link
            assert page.evaluate(COVERED_TARGETS) == [], link
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, link
        phone.start_visit("Journey walkthrough")
        page.get_by_role("button", name="Add step").click()
        phone.add_pain_point("Queue out of the door")
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_timeout(300)
        assert page.evaluate(SMALL_TARGETS) == []
        assert page.evaluate(COVERED_TARGETS) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        # The visit's actions stay above the navigation, not under it.
        actions = page.get_by_role("button", name="Finish visit").evaluate(BOX)
        assert actions["bottom"] <= nav_box(page)["top"] + 1
        assert phone.console == []
    finally:
        phone.close()


def test_managers_feed_shows_the_first_pain_point_in_the_upper_half_of_a_phone(browser, server):
    from playwright.sync_api import expect

    add_manager(server)
    report(server, ["Only two tills open at lunchtime", "Card reader at the tills keeps failing"])
    phone = phone_at(browser, server, 390, 844)
    try:
        page = phone.page
        phone.sign_in(MANAGER_EMAIL)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Feed").click()
        cards = page.get_by_role("list", name="Pain points", exact=True)
        expect(cards.get_by_role("listitem")).to_have_count(2)
        first = cards.get_by_role("listitem").first.evaluate(BOX)
        print(f"390x844 manager feed: first card top at {first['top']:.0f} px")
        assert page.evaluate("scrollY") == 0
        assert first["top"] < 844 / 2, first
        # The filters fold into the search field and one Filters button.
        expect(page.get_by_label("Minimum severity")).to_be_hidden()
        page.get_by_role("button", name="Filters").click()
        page.get_by_label("Minimum severity").select_option("4")
        page.get_by_role("button", name="Apply filters").click()
        expect(cards.get_by_role("listitem")).to_have_count(0)
        expect(page.get_by_role("button", name="Filters (1 on)")).to_be_visible()
        assert phone.console == []
    finally:
        phone.close()


def test_wide_screen_has_the_navigation_at_the_top(browser, server):
    add_manager(server)
    phone = phone_at(browser, server, 1280, 800)
    try:
        page = phone.page
        phone.sign_in(MANAGER_EMAIL)
        nav = page.get_by_role("navigation", name="Main")
        box = nav.evaluate(BOX)
        assert box["top"] < 60 and box["bottom"] < 100, box
        for name in ("Home", "My visits", "Feed", "Themes", "Dashboard"):
            assert nav.get_by_role("link", name=name).is_visible(), name
        assert page.get_by_role("banner").evaluate(BOX)["height"] < 80
        assert phone.console == []
    finally:
        phone.close()
