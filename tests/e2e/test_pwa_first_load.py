"""The budget of the first load, measured in Chromium: what a new phone downloads before it can log a visit
offline (≤ 45 KB gzipped); the other screens come later, in the background, and then open offline too."""

import pytest

from tests.e2e.conftest import ADMIN_EMAIL, Phone, make_server, wait_in_page
from tests.e2e.test_pwa_shell import FIRST_LOAD_BUDGET, first_load, gzipped, later

pytestmark = [pytest.mark.e2e]

LATER_CACHED = """async () => {
    const { LATER } = await import('/js/screens.js');
    const name = (await caches.keys()).find((n) => n.startsWith('undercover-shell-'));
    if (!name) return false;
    const cache = await caches.open(name);
    for (const file of LATER) if (!(await cache.match(file))) return false;
    return true;
}"""


def log_a_visit(phone, text: str) -> None:
    from playwright.sync_api import expect

    phone.start_visit("Listened call")
    phone.add_pain_point(text)
    phone.wait_saved()
    phone.page.get_by_role("button", name="Finish visit").click()
    expect(phone.page.get_by_text("Visit finished and saved on this phone.")).to_be_visible()


def test_first_load_fits_the_budget_and_is_enough_to_log_a_visit_offline(browser, tmp_path, tmp_root, pwa_copy):
    """Served without the other screens at all: whatever a fresh visit downloaded is the first load, and it
    is enough to sign in, then log a visit offline after a reload."""
    from playwright.sync_api import expect

    for name in later():
        (pwa_copy / name).unlink()
    workdir = tmp_path / "server"
    workdir.mkdir()
    server = make_server(workdir, pwa_dir=pwa_copy, tmp_root=tmp_root)
    phone = Phone(browser, server)
    downloads: dict[str, object] = {}

    def record(response):
        path = response.url.removeprefix(server.url).split("?")[0]
        if path.startswith("/api/") or response.from_service_worker or response.status != 200:
            return
        downloads.setdefault(path, response)

    phone.context.on("response", record)
    try:
        page = phone.page
        phone.sign_in()
        wait_in_page(page, "navigator.serviceWorker.ready.then((reg) => reg.active.state === 'activated')")
        phone.context.remove_listener("response", record)

        phone.context.set_offline(True)
        page.reload()
        expect(phone.sync_state()).to_have_text("Offline")
        log_a_visit(phone, "Hold music loops every 20 seconds")
        expect(page.get_by_role("banner")).to_contain_text("1 waiting to sync")
        for link, heading in (("My visits", "My visits"), ("Pulse", "Pulse")):
            page.get_by_role("link", name=link).click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(heading)

        files = {"./" if path == "/" else path.removeprefix("/") for path in downloads}
        expected = set(first_load()) | {"sw.js"}
        assert files <= expected, f"downloaded beyond the first load: {sorted(files - expected)}"
        wire = sum(r.request.sizes()["responseBodySize"] for r in downloads.values())
        budget = sum(gzipped(name) for name in expected)  # what the precache holds, downloaded or not
        print(f"first load: {wire} bytes on the wire for {len(files)} files; {budget} bytes gzipped -9 in all")
        assert wire <= FIRST_LOAD_BUDGET
        assert budget <= FIRST_LOAD_BUDGET
        assert phone.console == []
    finally:
        phone.close()
        server.stop()


def test_other_screens_are_cached_in_the_background_and_open_offline(phone, server):
    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in(ADMIN_EMAIL)
    wait_in_page(page, LATER_CACHED, timeout=30)

    phone.context.set_offline(True)
    page.reload()  # nothing left in memory: every screen comes from the worker's cache
    expect(phone.sync_state()).to_have_text("Offline")
    for name in ("Feed", "Themes", "Dashboard", "Settings"):
        phone.navigate(name)
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
    assert phone.console == []


def test_a_screen_not_cached_yet_needs_a_connection_and_shows_loading_meanwhile(phone, server):
    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in(ADMIN_EMAIL)
    wait_in_page(page, LATER_CACHED, timeout=30)
    page.evaluate("""async () => {
        const name = (await caches.keys()).find((n) => n.startsWith('undercover-shell-'));
        await (await caches.open(name)).delete('js/views/themes.js');
    }""")

    phone.context.set_offline(True)
    page.get_by_role("link", name="Themes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This screen needs a connection the first time")

    # Back online, the next visit fetches it; a loading state shows until it is there.
    held = []
    phone.context.route("**/js/views/themes.js*", lambda route: held.append(route))
    phone.context.set_offline(False)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Home").click()
    nav.get_by_role("link", name="Themes").click()
    expect(page.get_by_role("main").get_by_role("status")).to_have_text("Loading…")
    assert held, "the screen's module was requested"
    for route in held:
        route.continue_()
    expect(page.get_by_role("heading", level=1)).to_have_text("Themes")
    assert phone.console == []
