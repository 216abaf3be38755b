"""Keeping the leadership lists in the web app: an admin's company values (Settings), which executives then
pick on bright spots and pain points; a manager's metrics (the Metrics screen), with the server's field errors
beside the fields and each metric's latest value."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import ADMIN_EMAIL, Phone, wait_for, wait_in_page
from tests.e2e.test_pwa_bright_spots import VALUES_CACHED
from tests.e2e.test_pwa_review import MANAGER_EMAIL
from tests.e2e.test_pwa_themes import desk  # noqa: F401 - the fixture is used by name

pytestmark = [pytest.mark.e2e]


def test_an_admin_adds_a_company_value_and_executives_can_pick_it(browser, phone, server):
    from playwright.sync_api import expect

    admin = Phone(browser, server)
    try:
        admin.sign_in(ADMIN_EMAIL)
        page = admin.page
        admin.navigate("Settings")
        values = page.get_by_role("region", name="Company values")
        expect(values).to_contain_text("No values yet")
        values.get_by_label("New value’s name").fill("Own it")
        values.get_by_label("New value’s meaning").fill("Whoever hears a problem sees it through")
        values.get_by_role("button", name="Add value").click()
        expect(page.get_by_role("status").filter(has_text="Own it added.")).to_be_visible()
        expect(values.get_by_role("heading", name="Own it")).to_be_visible()
        expect(values).to_contain_text("Whoever hears a problem sees it through")

        values.get_by_label("New value’s name").fill("own it")  # the server refuses a second of the same name
        values.get_by_role("button", name="Add value").click()
        expect(values.get_by_role("alert").filter(has_text="already exists")).to_be_visible()

        values.get_by_label("Edit Own it").click()
        values.get_by_label("Own it: meaning").fill("See it through to the end")
        values.get_by_role("button", name="Save value").click()
        expect(values).to_contain_text("See it through to the end")
        with server.client(ADMIN_EMAIL) as c:
            assert [(v["name"], v["meaning"]) for v in c.get("/api/values").json()] == [
                ("Own it", "See it through to the end")]
    finally:
        admin.close()

    page = phone.page
    phone.sign_in()
    wait_in_page(page, VALUES_CACHED)
    phone.start_visit("Shop-floor shift")
    page.get_by_role("button", name="Add bright spot").click()
    box = page.locator("fieldset").filter(has=page.get_by_label("Bright spot")).last
    box.get_by_label("Company value").select_option(label="Own it")
    expect(box.get_by_label("Company value").locator("option:checked")).to_have_text("Own it")
    # A pain point names the value it breaks; it reaches the server with the visit.
    box.get_by_label("Bright spot").fill("The desk lead walked a customer to the right aisle")
    phone.add_pain_point("Nobody owned the broken returns printer")
    point = page.locator("fieldset").filter(has=page.get_by_label("Pain point")).last
    point.get_by_label("Company value it breaks").select_option(label="Own it")
    phone.wait_saved()
    page.get_by_role("button", name="Finish visit").click()
    expect(phone.sync_state()).to_have_text("All synced")

    def tagged_on_the_server():
        with server.client() as c:
            (value,) = c.get("/api/values").json()
            visits = c.get("/api/visits").json()
        points = [(p["text"], p["value_id"]) for v in visits if v["ended_at"] for p in v["pain_points"]]
        return points == [("Nobody owned the broken returns printer", value["id"])]

    wait_for(tagged_on_the_server, what="the finished visit's pain point with its value on the server", page=page)


def test_a_manager_defines_a_metric_sees_field_errors_and_the_latest_value(desk, server):  # noqa: F811
    from playwright.sync_api import expect

    page = desk.page
    desk.sign_in(MANAGER_EMAIL)
    desk.navigate("Metrics")
    expect(page.get_by_role("heading", level=1, name="Metrics")).to_be_visible()
    expect(page.get_by_role("heading", name="Reality-check pulse (monthly average) (pulse)")).to_be_visible()
    form = page.get_by_role("form", name="Define a metric")
    form.get_by_label("Key").fill("ces")
    form.get_by_label("Name").fill("Customer effort score")
    form.get_by_label("Unit").fill("points")
    form.get_by_label("Higher is better").uncheck()
    form.get_by_label("Lowest value").fill("7")
    form.get_by_label("Highest value").fill("1")
    form.get_by_role("button", name="Define metric").click()
    highest = form.get_by_label("Highest value")
    expect(highest).to_have_attribute("aria-invalid", "true")
    expect(highest).to_have_accessible_description(re.compile("Must not be below scale_min."))
    form.get_by_label("Key").fill("Bad Key")  # and a key that is not a slug: its message beside the key
    form.get_by_label("Lowest value").fill("1")
    form.get_by_label("Highest value").fill("7")
    form.get_by_role("button", name="Define metric").click()
    expect(form.get_by_label("Key")).to_have_attribute("aria-invalid", "true")
    expect(highest).not_to_have_attribute("aria-invalid", "true")

    form = page.get_by_role("form", name="Define a metric")
    form.get_by_label("Key").fill("ces")
    form.get_by_role("button", name="Define metric").click()
    expect(page.get_by_role("status").filter(has_text="Customer effort score defined")).to_be_visible()
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Customer effort score (ces)"))
    expect(card).to_contain_text("Voice of the Customer · weekly · in points · lower is better · scale 1 to 7")
    expect(card).to_contain_text("No values yet.")

    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    with server.client(MANAGER_EMAIL) as c:
        res = c.put("/api/kpis/ces/values", json=[{"period_start": str(monday - timedelta(weeks=1)), "value": 3.5}])
        assert res.status_code == 200, res.text
    desk.navigate("Home")
    desk.navigate("Metrics")
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Customer effort score (ces)"))
    expect(card).to_contain_text("Latest: 3.5 points, the week of")

    card.get_by_label("Edit Customer effort score").click()
    card.get_by_label("Highest value of ces").fill("3")  # below a stored value: refused, said in place
    card.get_by_role("button", name="Save metric").click()
    expect(card.get_by_role("alert")).to_contain_text("outside the new scale")
    card.get_by_label("Highest value of ces").fill("10")
    card.get_by_label("Unit of ces").fill("pts")
    card.get_by_role("button", name="Save metric").click()
    expect(page.get_by_role("status").filter(has_text="Customer effort score saved.")).to_be_visible()
    with server.client(MANAGER_EMAIL) as c:
        ces = next(k for k in c.get("/api/kpis").json() if k["key"] == "ces")
    assert (ces["unit"], ces["scale_min"], ces["scale_max"], ces["higher_is_better"]) == ("pts", 1, 10, False)

    # Archived after confirming: listed apart, out of the API's default list; restored from there.
    card.get_by_role("button", name="Archive Customer effort score").click()
    page.get_by_role("dialog").get_by_role("button", name="Archive").click()
    expect(page.get_by_role("status").filter(has_text="Customer effort score archived.")).to_be_visible()
    expect(page.get_by_role("heading", name="Archived (1)")).to_be_visible()
    with server.client(MANAGER_EMAIL) as c:
        assert "ces" not in [k["key"] for k in c.get("/api/kpis").json()]
    page.get_by_role("button", name="Restore Customer effort score").click()
    expect(page.get_by_role("status").filter(has_text="Customer effort score restored.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Archived"))).to_have_count(0)
    with server.client(MANAGER_EMAIL) as c:
        assert "ces" in [k["key"] for k in c.get("/api/kpis").json()]


def test_the_home_dashboard_counts_pain_points_and_bright_spots_per_value(phone, server):
    import uuid

    from playwright.sync_api import expect

    from tests.factories import visit_body

    with server.client(ADMIN_EMAIL) as c:
        own_it = c.post("/api/values", json={"name": "Own it", "meaning": "See it through"}).json()["id"]
        assert c.post("/api/values", json={"name": "Be kind"}).status_code == 201
    now = datetime.now(UTC)
    week = datetime.combine(now.date() - timedelta(days=now.weekday()), datetime.min.time(), tzinfo=UTC)
    body = visit_body(start=max(now - timedelta(hours=1), week), hours=None,  # this week, whatever the hour
                      pain_points=[{"text": "Nobody owned the refund", "value_id": own_it}])
    body["bright_spots"] = [{"id": str(uuid.uuid4()), "text": f"Praise {i}", "department_id": None,
                             "recognise": None, "value_id": own_it} for i in range(2)]
    with server.client() as c:
        assert c.put(f"/api/visits/{uuid.uuid4()}", json=body).status_code == 201
    page = phone.page
    phone.sign_in()
    dash = page.get_by_role("region", name="My dashboard")
    values = dash.get_by_role("listitem").filter(has_text="Own it")
    expect(values).to_contain_text("12 weeks: 1 pain points broke it, 2 bright spots lived it")
    expect(values.get_by_role("img", name=re.compile(r"Own it: bright spots per week, oldest first: (0, ){11}2$")))\
        .to_be_attached()
    expect(dash.get_by_role("listitem").filter(has_text="Be kind")).to_contain_text("0 pain points broke it")
    expect(dash.get_by_role("table", name="Pain points / bright spots per value per week")).to_be_attached()
    expect(dash).not_to_contain_text("Praise")  # counts only
