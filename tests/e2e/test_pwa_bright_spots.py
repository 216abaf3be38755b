"""Bright spots on the phone: the editor is a lazily loaded part, cached after the first load, so an executive
logs a bright spot offline and it reaches the server once, with its department and company value."""

import re

import pytest

from tests.e2e.conftest import ADMIN_EMAIL, wait_in_page

pytestmark = [pytest.mark.e2e]

PART_CACHED = """async () => {
    const name = (await caches.keys()).find((n) => n.startsWith('undercover-shell-'));
    return Boolean(name) && Boolean(await (await caches.open(name)).match('js/views/bright.js'));
}"""
VALUES_CACHED = """async () => {
    const db = await new Promise((ok, ko) => {
        const r = indexedDB.open('undercover'); r.onsuccess = () => ok(r.result); r.onerror = ko; });
    const v = await new Promise((ok) => {
        const r = db.transaction('kv').objectStore('kv').get('values'); r.onsuccess = () => ok(r.result); });
    db.close();
    return Array.isArray(v) && v.length > 0;
}"""


def test_an_executive_logs_a_bright_spot_offline_and_it_syncs_once(phone, server):
    from playwright.sync_api import expect

    with server.client(ADMIN_EMAIL) as admin:
        assert admin.post("/api/values", json={"name": "Own it", "meaning": "See it through"}).status_code == 201
    page = phone.page
    phone.sign_in()
    wait_in_page(page, PART_CACHED, timeout=30)  # fetched in the background after the first load
    wait_in_page(page, VALUES_CACHED)
    phone.context.set_offline(True)
    expect(phone.sync_state()).to_have_text("Offline")

    phone.start_visit("Shop-floor shift")
    page.get_by_role("button", name="Add bright spot").click()
    box = page.locator("fieldset").filter(has=page.get_by_label("Bright spot")).last
    expect(box.get_by_label("Bright spot")).to_be_focused()
    box.get_by_label("Bright spot").fill("The greeter walked a lost customer to the right aisle")
    box.get_by_label("Department").select_option(label="Customer service")
    box.get_by_label("Who to recognise").fill("Priya on the door")
    box.get_by_label("Company value").select_option(label="Own it")
    phone.wait_saved()
    page.get_by_role("button", name="Finish visit").click()
    expect(page.get_by_text("Visit finished and saved on this phone.")).to_be_visible()

    page.reload()  # still offline: everything comes from the phone
    page.get_by_role("link", name="My visits").click()
    item = page.get_by_role("link", name=re.compile("Shop-floor shift"))
    expect(item).to_contain_text("1 bright spot")
    expect(item).to_contain_text("Waiting to sync")
    assert server.visits() == []

    phone.context.set_offline(False)
    expect(item).to_contain_text("Synced")
    expect(phone.sync_state()).to_have_text("All synced")
    page.get_by_role("button", name="Sync now").click()  # a second push of the same content adds nothing
    expect(phone.sync_state()).to_have_text("All synced")

    with server.client(ADMIN_EMAIL) as admin:
        items = admin.get("/api/bright-spots").json()["items"]
    assert len(items) == 1
    (spot,) = items
    assert spot["text"] == "The greeter walked a lost customer to the right aisle"
    assert spot["department"]["name"] == "Customer service" and spot["value"]["name"] == "Own it"
    assert spot["recognise"] == "Priya on the door"
    (visit,) = server.visits()
    assert visit["version"] == 1 and len(visit["bright_spots"]) == 1
    # The visit opens again with its bright spot (the part now comes from the cache).
    item.click()
    expect(page.get_by_label("Bright spot")).to_have_value("The greeter walked a lost customer to the right aisle")
    expect(page.get_by_label("Who to recognise")).to_have_value("Priya on the door")
    assert phone.console == []


def test_a_manager_reads_the_bright_spots_from_the_feed_and_filters_them_by_value(phone, server):
    import uuid

    from playwright.sync_api import expect

    from tests.factories import visit_body

    with server.client(ADMIN_EMAIL) as admin:
        own_it = admin.post("/api/values", json={"name": "Own it"}).json()["id"]
        admin.post("/api/values", json={"name": "Say it plainly"})
    with server.client() as executive:
        spots = [{"id": str(uuid.uuid4()), "text": "Tills reopened within two minutes", "department_id": None,
                  "recognise": "Priya on the door", "value_id": own_it},
                 {"id": str(uuid.uuid4()), "text": "Staff knew every regular by name", "department_id": None,
                  "recognise": None, "value_id": None}]
        res = executive.put(f"/api/visits/{uuid.uuid4()}", json=visit_body(bright_spots=spots))
        assert res.status_code == 201, res.text
    page = phone.page
    phone.sign_in(ADMIN_EMAIL)
    phone.navigate("Feed")
    page.get_by_role("link", name="Bright spots: what went well, and who to recognise").click()
    expect(page.get_by_role("heading", level=1, name="Bright spots")).to_be_visible()
    cards = page.get_by_role("list", name="Bright spots").get_by_role("listitem")
    expect(cards).to_have_count(2)
    expect(page.get_by_text("2 bright spots shown.")).to_be_visible()
    page.get_by_label("Company value").select_option(label="Own it")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Tills reopened within two minutes")
    expect(cards.first).to_contain_text("Recognise: Priya on the door")
    expect(cards.first).to_contain_text("Lives “Own it”")
    assert "value_id=" in page.url
    assert phone.console == []
