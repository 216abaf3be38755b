"""My visits on the phone: grouped by month and searchable offline; withdrawing a synced visit (online, or
offline through the outbox)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import EXEC_EMAIL, wait_in_page
from tests.factories import visit_body

pytestmark = [pytest.mark.e2e]

OUTBOX_EMPTY = """async () => {
    const db = await new Promise((ok, ko) => { const r = indexedDB.open('undercover'); r.onsuccess = () => ok(r.result); r.onerror = ko; });
    const n = await new Promise((ok) => { const r = db.transaction('outbox').objectStore('outbox').count(); r.onsuccess = () => ok(r.result); });
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
