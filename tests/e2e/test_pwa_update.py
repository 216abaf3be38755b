"""A new version of the app deployed while someone types: offered, never forced."""

import re

import pytest

from tests.e2e.conftest import Phone, make_server, wait_in_page

pytestmark = [pytest.mark.e2e]


def test_new_version_is_offered_and_the_half_filled_form_is_kept(browser, tmp_path, tmp_root, pwa_copy):
    from playwright.sync_api import expect

    workdir = tmp_path / "server"
    workdir.mkdir()
    server = make_server(workdir, pwa_dir=pwa_copy, tmp_root=tmp_root)
    phone = Phone(browser, server)
    try:
        page = phone.page
        phone.sign_in()
        phone.start_visit("Journey walkthrough")
        page.get_by_label("Journey name").fill("Return an online order in store")
        page.get_by_role("button", name="Add step").click()
        page.get_by_label("Step name").fill("Find the returns desk")
        notes = page.get_by_label("Notes", exact=True)
        notes.fill("Half-typed thou")
        old_worker = page.evaluate("navigator.serviceWorker.controller.scriptURL")
        old_cache = "undercover-shell-" + re.search(r"const VERSION = '([^']+)';", (pwa_copy / "sw.js").read_text())[1]

        # Deploy: a new service worker version appears on the server.
        sw = pwa_copy / "sw.js"
        source, count = re.subn(r"const VERSION = '[^']+';", "const VERSION = 'v-next-test';", sw.read_text())
        assert count == 1
        sw.write_text(source)
        page.evaluate("navigator.serviceWorker.getRegistration().then((reg) => reg.update())")

        update = page.get_by_role("button", name="Update")
        expect(update).to_be_visible()
        # Nothing was reloaded or cleared under the user's fingers; typing simply goes on.
        expect(notes).to_have_value("Half-typed thou")
        expect(notes).to_be_focused()
        notes.press_sequentially("ght")
        expect(notes).to_have_value("Half-typed thought")
        assert old_cache in page.evaluate("caches.keys()")

        with page.expect_navigation():
            update.click()
        expect(page.get_by_label("Notes", exact=True)).to_have_value("Half-typed thought")
        expect(page.get_by_label("Journey name")).to_have_value("Return an online order in store")
        expect(page.get_by_label("Step name")).to_have_value("Find the returns desk")
        expect(page.get_by_role("button", name="Update")).to_have_count(0)
        wait_in_page(page, "caches.keys().then((names) => names.includes('undercover-shell-v-next-test'))")
        names = page.evaluate("caches.keys()")
        assert old_cache not in names, "the old shell cache is removed on activate"
        assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == old_worker
        assert phone.console == []
    finally:
        phone.close()
        server.stop()
