"""The offer to install the app: on phones only, out of the way, and "Not now" means not again."""

import pytest

from tests.e2e.conftest import EXEC_EMAIL, PASSWORD, wait_in_page

pytestmark = [pytest.mark.e2e]

# What Chromium fires when the app may be installed (the real one needs a user's engagement with the site).
OFFER = """() => {
    const event = new Event('beforeinstallprompt', { cancelable: true });
    event.prompt = () => { window.installPrompted = true; };
    window.dispatchEvent(event);
}"""


def test_install_offer_floats_over_the_page_and_not_now_is_remembered(phone, server):
    from playwright.sync_api import expect

    page = phone.page
    offer = page.get_by_text("Install Undercover on this phone")
    phone.open()
    expect(page.get_by_label("Email")).to_be_visible()
    page.evaluate(OFFER)
    expect(offer).to_have_count(0)  # never on the sign-in screen
    # Let the service worker finish installing before sign_in loads the page again: a load in the middle of
    # its first install sometimes left the page without one (sign_in then waited for it in vain).
    wait_in_page(page, "navigator.serviceWorker.ready.then((reg) => reg.active.state === 'activated')")

    phone.sign_in()
    # Measured around the offer in one task (the app shows it from the event itself), so that nothing else
    # arriving meanwhile (another notice, a sync) can move the page between the two readings.
    shift = page.evaluate(f"""() => {{
        const top = () => document.querySelector('main h1').getBoundingClientRect().top;
        const before = top();
        ({OFFER})();
        return top() - before;
    }}""")
    expect(offer).to_be_visible()
    assert shift == 0, f"the offer pushed the page down by {shift} px"

    page.get_by_role("button", name="Not now").click()
    expect(offer).to_have_count(0)
    page.reload()
    expect(page.get_by_role("button", name="New visit")).to_be_visible()
    page.evaluate(OFFER)
    expect(offer).to_have_count(0)
    page.get_by_role("link", name="My visits").click()
    expect(page.get_by_role("heading", level=1, name="My visits")).to_be_visible()
    expect(offer).to_have_count(0)


def test_install_offer_is_not_made_on_a_desktop(browser, server):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(server.url + "/")
        page.get_by_label("Email").fill(EXEC_EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="New visit")).to_be_visible()
        page.evaluate(OFFER)
        expect(page.get_by_text("Install Undercover on this phone")).to_have_count(0)
    finally:
        context.close()
