"""Offline use and the outbox: nothing typed on the phone is lost or sent twice."""

import re

import pytest

from tests.e2e.conftest import wait_for

pytestmark = [pytest.mark.e2e]


def finish(phone) -> None:
    from playwright.sync_api import expect

    phone.wait_saved()
    phone.page.get_by_role("button", name="Finish visit").click()
    expect(phone.page.get_by_text("Visit finished and saved on this phone.")).to_be_visible()


def test_visit_logged_offline_survives_a_reload_and_syncs_exactly_once(phone, server):
    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in()
    phone.context.set_offline(True)
    expect(phone.sync_state()).to_have_text("Offline")

    phone.start_visit("Shop-floor shift")
    page.get_by_label("Site").fill("Leeds Kirkstall")
    page.get_by_label("Role worked").fill("Cashier")
    phone.add_pain_point("Only 2 of 6 tills open at noon", severity="4", department="Store operations",
                        quote="I'll just leave it then")
    phone.add_pain_point("Handheld scanners freeze every few minutes", felt_by="employee")
    finish(phone)

    page.reload()
    page.get_by_role("link", name="My visits").click()
    item = page.get_by_role("link", name=re.compile("Shop-floor shift · Leeds Kirkstall"))
    expect(item).to_contain_text("Waiting to sync")
    expect(item).to_contain_text("2 pain points")
    expect(phone.sync_state()).to_have_text("Offline")
    expect(page.get_by_role("banner")).to_contain_text("1 waiting to sync")
    assert server.visits() == []

    phone.context.set_offline(False)
    expect(item).to_contain_text("Synced")
    expect(phone.sync_state()).to_have_text("All synced")

    visits = server.visits()
    assert len(visits) == 1
    visit = visits[0]
    assert visit["kind"] == "shop_floor_shift"
    assert visit["ended_at"] is not None
    assert visit["details"] == {"role_worked": "Cashier"}
    assert sorted(p["text"] for p in visit["pain_points"]) == [
        "Handheld scanners freeze every few minutes", "Only 2 of 6 tills open at noon",
    ]
    tills = next(p for p in visit["pain_points"] if p["text"].startswith("Only"))
    assert (tills["severity"], tills["felt_by"], tills["quote"]) == (4, "customer", "I'll just leave it then")
    assert tills["department_id"] is not None
    assert phone.console == []


def test_server_stopped_in_the_middle_of_a_sync_loses_and_duplicates_nothing(phone, server):
    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in()
    phone.context.set_offline(True)
    for kind, points in (("Shop-floor shift", ["Tills", "Queue"]), ("Listened call", ["Hold music"])):
        phone.start_visit(kind)
        for text in points:
            phone.add_pain_point(text)
        finish(phone)
    expect(page.get_by_role("banner")).to_contain_text("2 waiting to sync")

    # The first push reaches the server and is stored; the server dies before the phone hears back.
    cut = {"started": False, "done": False}

    def die_mid_sync(route):
        body = route.request.post_data_json or {}
        if not cut["started"] and body.get("visits"):
            cut["started"] = True
            route.fetch()
            server.stop()
            route.abort("connectionreset")
            cut["done"] = True
        else:
            route.continue_()

    page.route("**/api/sync", die_mid_sync)
    phone.context.set_offline(False)
    wait_for(lambda: cut["done"], what="the interrupted sync", page=page)
    assert server.process is None
    expect(phone.sync_state()).to_have_text("Offline")
    expect(page.get_by_role("banner")).to_contain_text("2 waiting to sync")

    # Work goes on while the server is down.
    phone.start_visit("Journey walkthrough")
    phone.add_pain_point("Returns desk hidden at the back")
    finish(phone)
    expect(page.get_by_role("banner")).to_contain_text("3 waiting to sync")

    server.start()
    page.get_by_role("button", name="Sync now").click()
    expect(phone.sync_state()).to_have_text("All synced")

    visits = server.visits()
    assert len(visits) == 3
    assert sorted(len(v["pain_points"]) for v in visits) == [1, 1, 2]
    assert sorted(v["kind"] for v in visits) == ["journey_walkthrough", "listened_call", "shop_floor_shift"]
    assert all(v["version"] == 1 for v in visits), "a replay must not create a new version"
    page.get_by_role("link", name="My visits").click()
    expect(page.get_by_role("region", name="All visits").get_by_text("Synced", exact=True)).to_have_count(3)


def test_expired_sign_in_keeps_the_queue_and_asks_to_sign_in_again(phone, server):
    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in()
    phone.context.set_offline(True)
    phone.start_visit("Shop-floor shift")
    phone.add_pain_point("Stock room door propped open")
    finish(phone)

    # Every token of the user is revoked while the phone is offline (e.g. a password change).
    with server.client() as c:
        assert c.post("/api/auth/logout-all").status_code == 204
    phone.context.set_offline(False)
    expect(page.get_by_role("button", name="Sign in again")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("1 waiting to sync")
    assert server.visits() == []

    page.get_by_role("button", name="Sign in again").click()
    expect(page.get_by_label("Email")).to_have_value("exec@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(phone.sync_state()).to_have_text("All synced")
    visits = server.visits()
    assert [p["text"] for v in visits for p in v["pain_points"]] == ["Stock room door propped open"]


def sign_out(page) -> None:
    """Sign out ends the navigation: in the More menu once a role has more entries than the bar holds."""
    button = page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out")
    if not button.is_visible():
        page.get_by_role("navigation", name="Main").get_by_role("button", name="More").click()
    button.click()


def test_sign_out_warns_about_unsynced_visits_before_clearing_the_phone(phone, server):
    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in()
    phone.context.set_offline(True)
    phone.start_visit("Listened call")
    phone.add_pain_point("Caller asked three times for a refund")
    finish(phone)

    sign_out(page)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("1 visit on this phone is not synced yet")
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(page.get_by_role("banner")).to_contain_text("1 waiting to sync")

    phone.context.set_offline(False)
    expect(phone.sync_state()).to_have_text("All synced")
    sign_out(page)
    expect(page.get_by_role("dialog")).not_to_contain_text("not synced")
    # Keystrokes of a visit whose last write to IndexedDB had not landed (js/db.js keepDraft): gone too.
    page.evaluate("localStorage.setItem('undercover-draft:left-over', JSON.stringify({ visit: { notes: 'x' } }))")
    page.get_by_role("dialog").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    assert page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('undercover-draft:'))") == []
    assert len(server.visits()) == 1
    page.reload()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()


def test_connection_lost_while_a_sync_is_on_its_way_still_reads_offline(phone, server):
    """The answer to a sync sent just before the connection dropped must not make the phone look online."""
    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in()
    held = []
    page.route("**/api/sync", lambda route: held.append(route))
    page.get_by_role("button", name="Sync now").click()
    wait_for(lambda: held, what="a sync on its way", page=page)
    answer = held[0].fetch()
    phone.context.set_offline(True)
    expect(phone.sync_state()).to_have_text("Offline")
    held[0].fulfill(response=answer)
    expect(page.get_by_role("banner")).not_to_contain_text("syncing")
    expect(phone.sync_state()).to_have_text("Offline")

    # A visit finished now waits, and says so.
    phone.start_visit("Listened call")
    phone.add_pain_point("Caller cut off twice")
    finish(phone)
    expect(page.get_by_role("banner")).to_contain_text("1 waiting to sync")
    # Sync now while offline says why nothing happens.
    page.get_by_role("button", name="Sync now").click()
    offline_note = page.get_by_text("You are offline: your visits are kept here")
    expect(offline_note).to_be_visible()
    page.unroute("**/api/sync")
    phone.context.set_offline(False)
    expect(phone.sync_state()).to_have_text("All synced")
    expect(offline_note).to_have_count(0)
    assert len(server.visits()) == 1
