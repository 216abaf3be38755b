"""My visits on the phone: grouped by month and searchable offline; withdrawing a synced visit (online, or
offline through the outbox)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import EXEC_EMAIL, wait_in_page
from tests.factories import visit_body

pytestmark = [pytest.mark.e2e]

OUTBOX_EMPTY = """async () => {
    const db = await new Promise((ok, ko) => {
        const r = indexedDB.open('undercover');
        r.onsuccess = () => ok(r.result);
        r.onerror = ko;
    });
    const n = await new Promise((ok) => {
        const r = db.transaction('outbox').objectStore('outbox').count();
        r.onsuccess = () => ok(r.result);
    });
    db.close();
    return n === 0;
}"""


def store_visit(server, *, start: datetime, pain_points: list[str], **fields) -> str:
    """A finished visit by the executive, stored on the server (the phone pulls it when it syncs)."""
    with server.client(EXEC_EMAIL) as c:
        site = c.get("/api/sites").json()[0]
        visit_id = str(uuid.uuid4())
        body = visit_body(start=start, hours=2, site_id=site["id"], details={}, pain_points=pain_points, **fields)
        res = c.put(f"/api/visits/{visit_id}", json=body)
        assert res.status_code == 201, res.text
    return visit_id


def month_name(when: datetime) -> str:
    return when.astimezone().strftime("%B %Y")


def test_my_visits_are_grouped_by_month_and_searched_on_the_phone(phone, server):
    from playwright.sync_api import expect

    now = datetime.now(UTC).replace(microsecond=0)
    earlier = (now.replace(day=1) - timedelta(days=20)).replace(hour=12)
    store_visit(server, start=now - timedelta(hours=3), pain_points=["Card reader keeps failing"], notes="Lunch rush")
    store_visit(server, start=earlier, pain_points=["Hold music loops"], notes="Quiet morning", kind="listened_call")
    page = phone.page
    phone.sign_in()
    phone.context.set_offline(True)  # the search works on what the phone holds
    phone.navigate("My visits")
    visits = page.get_by_role("region", name="All visits")
    expect(visits.get_by_role("listitem")).to_have_count(2)
    headings = visits.get_by_role("heading", level=3)
    expect(headings).to_have_text([month_name(now), month_name(earlier)])
    expect(visits.get_by_role("list", name=month_name(earlier))).to_contain_text("Listened call")

    search = page.get_by_label("Search my visits")
    for words, count, kind in (("card reader", 1, "Shop-floor shift"), ("QUIET", 1, "Listened call"),
                               ("listened hold", 1, "Listened call"), ("bristol", 2, "Bristol")):
        search.fill(words)
        expect(visits.get_by_role("listitem")).to_have_count(count)
        expect(visits.get_by_role("listitem").first).to_contain_text(kind)
    search.fill("escalator")
    expect(visits.get_by_role("listitem")).to_have_count(0)
    expect(visits.get_by_role("status")).to_have_text("No visits match “escalator”.")
    search.fill("")
    expect(visits.get_by_role("listitem")).to_have_count(2)
    assert phone.console == []


def open_visit(phone, name: str = "Shop-floor shift"):
    from playwright.sync_api import expect

    phone.navigate("My visits")
    phone.page.get_by_role("region", name="All visits").get_by_role("link", name=name).click()
    expect(phone.page.get_by_role("heading", level=1, name=name)).to_be_visible()


def withdraw(phone) -> None:
    page = phone.page
    page.get_by_role("button", name="Withdraw visit").click()
    dialog = page.get_by_role("dialog")
    from playwright.sync_api import expect

    expect(dialog).to_contain_text("disappears from this phone and from the managers’ feed")
    expect(dialog).to_contain_text("already triaged stay with them")
    dialog.get_by_role("button", name="Withdraw visit").click()


def test_an_author_withdraws_a_synced_visit_online(phone, server):
    from playwright.sync_api import expect

    store_visit(server, start=datetime.now(UTC) - timedelta(hours=3), pain_points=["Card reader keeps failing"])
    page = phone.page
    phone.sign_in()
    open_visit(phone)
    # Only a visit the server has can be withdrawn; the dialog can also be cancelled.
    page.get_by_role("button", name="Withdraw visit").click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    assert len(server.visits()) == 1
    withdraw(phone)
    expect(page.get_by_role("heading", level=1, name="My visits")).to_be_visible()
    expect(page.get_by_role("region", name="All visits").get_by_role("listitem")).to_have_count(0)
    expect(phone.sync_state()).to_have_text("All synced")
    wait_in_page(page, OUTBOX_EMPTY)
    assert server.visits() == []
    assert phone.console == []


def test_a_visit_withdrawn_offline_leaves_the_server_once_the_phone_syncs(phone, server):
    from playwright.sync_api import expect

    store_visit(server, start=datetime.now(UTC) - timedelta(hours=3), pain_points=["Card reader keeps failing"])
    page = phone.page
    phone.sign_in()
    phone.context.set_offline(True)
    open_visit(phone)
    withdraw(phone)
    visits = page.get_by_role("region", name="All visits")
    expect(visits.get_by_role("listitem")).to_have_count(1)
    expect(visits.get_by_role("listitem")).to_contain_text("Withdrawing…")
    expect(page.get_by_role("banner")).to_contain_text("1 waiting to sync")
    # Opened meanwhile, it says what is happening instead of offering edits that would not count.
    visits.get_by_role("link").click()
    expect(page.get_by_role("main")).to_contain_text("Withdrawing: this visit leaves this phone")
    expect(page.get_by_role("button", name="Add pain point")).to_have_count(0)
    assert len(server.visits()) == 1

    phone.context.set_offline(False)
    page.get_by_role("button", name="Sync now").click()
    expect(phone.sync_state()).to_have_text("All synced")
    wait_in_page(page, OUTBOX_EMPTY)
    assert server.visits() == []
    phone.navigate("My visits")
    expect(page.get_by_role("region", name="All visits").get_by_role("listitem")).to_have_count(0)
    assert phone.console == []


def test_the_pulse_answered_offline_is_sent_once_when_back_online(phone, server):
    import re

    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in()
    phone.navigate("Pulse")  # online once: the questions are kept on the phone
    expect(page.get_by_role("button", name="Send my answers")).to_be_visible()
    puts = []
    phone.context.on("request", lambda r: r.method == "PUT" and "/api/pulse/me" in r.url and puts.append(r.url))
    phone.context.set_offline(True)
    phone.navigate("Home")
    phone.navigate("Pulse")
    page.get_by_role("group", name=re.compile("1. How well do you understand")).get_by_role("radio", name="7").check()
    page.get_by_label(re.compile("2. What metrics and insight")).fill("Churn by store, weekly")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status").filter(has_text="Saved on this phone")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("1 waiting to sync")
    # Still on the phone after a reload, waiting.
    page.reload()
    expect(page.get_by_role("status").filter(has_text="Saved on this phone")).to_be_visible()
    with server.client(EXEC_EMAIL) as c:
        assert c.get("/api/pulse/me").json()["answers"] == []

    phone.context.set_offline(False)
    page.get_by_role("button", name="Sync now").click()
    expect(phone.sync_state()).to_have_text("All synced")
    wait_in_page(page, OUTBOX_EMPTY)
    with server.client(EXEC_EMAIL) as c:
        answers = c.get("/api/pulse/me").json()["answers"]
    assert {(a["score"], a["text"]) for a in answers} == {(7, None), (None, "Churn by store, weekly")}
    page.wait_for_timeout(1000)
    assert len(puts) == 1, puts
    assert phone.console == []
