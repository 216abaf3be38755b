"""The home's own dashboard (GET /api/dashboard/me): an executive and a manager each see their own figures, and
the dashboard reads offline from the last copy, saying when it was saved."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import ADMIN_EMAIL, EXEC_EMAIL, PASSWORD, Phone, Server, wait_in_page
from tests.e2e.test_pwa_first_load import LATER_CACHED
from tests.factories import visit_body

pytestmark = [pytest.mark.e2e]

MANAGER_EMAIL = "mo.manager@example.com"


def world(server: Server) -> dict:
    """Erin (executive) in Store operations, Mo (manager) in Customer service; NPS for both over two weeks,
    a shared goal of Store operations and Logistics; Erin's half-hour visit this month, one pain point
    overdue in Customer service."""
    with server.client(ADMIN_EMAIL) as c:
        departments = {d["name"]: d["id"] for d in c.get("/api/departments").json()}
        erin = next(u for u in c.get("/api/users").json() if u["email"] == EXEC_EMAIL)
        assert c.patch(f"/api/users/{erin['id']}",
                       json={"department_ids": [departments["Store operations"]]}).status_code == 200
        res = c.post("/api/users", json={"email": MANAGER_EMAIL, "display_name": "Mo Manager", "role": "manager",
                                         "password": PASSWORD, "department_ids": [departments["Customer service"]]})
        assert res.status_code == 201, res.text
        assert c.patch("/api/settings", json={"field_hours_target": 2}).status_code == 200
        assert c.post("/api/kpis", json={"key": "nps", "name": "Net Promoter Score", "kind": "voc",
                                         "unit": "points", "higher_is_better": True}).status_code == 201
        today = datetime.now(UTC).date()
        monday = today - timedelta(days=today.weekday())
        values = [{"period_start": str(day), "department": name, "value": value}
                  for name, pair in (("Store operations", (30, 42)), ("Customer service", (50, 35)))
                  for day, value in zip((monday - timedelta(days=7), monday), pair, strict=True)]
        assert c.put("/api/kpis/nps/values", json=values).status_code == 200
        goal = c.post("/api/goals", json={
            "title": "Fewer open pain points in stores", "due_date": str(today + timedelta(days=90)),
            "department_ids": [departments["Store operations"], departments["Logistics"]],
            "target": {"type": "open_pain_points", "comparison": "at_most", "value": 0}})
        assert goal.status_code == 201, goal.text
    now = datetime.now(UTC)
    start = max(now - timedelta(hours=1), datetime(now.year, now.month, 1, tzinfo=UTC))
    body = visit_body(start=start, hours=0.5, pain_points=[
        {"text": "Refund shows twice on the receipt", "department_id": departments["Store operations"]},
        {"text": "Nobody answers the returns line", "department_id": departments["Customer service"]}])
    with server.client(EXEC_EMAIL) as c:
        assert c.put(f"/api/visits/{uuid.uuid4()}", json=body).status_code == 201
    overdue = body["pain_points"][1]["id"]
    with server.client(MANAGER_EMAIL) as c:
        res = c.patch(f"/api/pain-points/{overdue}", json={"status": "acknowledged",
                                                        "due_date": str(now.date() - timedelta(days=1))})
        assert res.status_code == 200, res.text
    return {"overdue": overdue}


def test_the_executive_s_dashboard_shows_their_figures_and_reads_offline(phone, server):
    from playwright.sync_api import expect

    world(server)
    page = phone.page
    phone.sign_in()
    # The home stays as it was: New visit first, the dashboard below it.
    expect(page.get_by_role("button", name="New visit")).to_be_visible()
    dash = page.get_by_role("region", name="My dashboard")
    field_time = dash.get_by_role("listitem").filter(has_text="Field time this month (target 2 h)")
    expect(field_time).to_contain_text("0.5 h")
    expect(field_time).to_contain_text("Better (+0.5 h): 0 h last month by this day")
    expect(dash.get_by_text("Net Promoter Score · Store operations")).to_be_visible()
    expect(dash.get_by_text(re.compile(r"^Better \(\+12\): 30 the week of"))).to_be_visible()
    expect(dash.get_by_text("Customer service")).to_have_count(0)  # another department's KPI
    expect(dash.get_by_text("Fewer open pain points in stores")).to_be_visible()
    expect(dash.get_by_role("img", name=re.compile("Hours in the field: 0.5 this month"))).to_be_attached()
    wait_in_page(page, LATER_CACHED)

    phone.context.set_offline(True)
    page.reload()
    expect(phone.sync_state()).to_have_text("Offline")
    expect(page.get_by_role("button", name="New visit")).to_be_visible()
    expect(dash.get_by_text(re.compile("Offline: showing what this device saved as of"))).to_be_visible()
    expect(field_time).to_contain_text("0.5 h")
    expect(dash.get_by_text("Net Promoter Score · Store operations")).to_be_visible()
    expect(dash.get_by_text(re.compile(r"^Figures as of "))).to_be_visible()
    assert phone.console == []


def test_a_manager_sees_their_departments_figures(browser, server):
    from playwright.sync_api import expect

    world(server)
    phone = Phone(browser, server)
    try:
        phone.sign_in(MANAGER_EMAIL)
        page = phone.page
        dash = page.get_by_role("region", name="My dashboard")
        expect(dash.get_by_text("Net Promoter Score · Customer service")).to_be_visible()
        expect(dash.get_by_text(re.compile(r"^Worse \(-15\): 50 the week of"))).to_be_visible()
        expect(dash.get_by_text("Store operations")).to_have_count(0)
        expect(dash.get_by_text("Field time this month", exact=False)).to_have_count(0)
        expect(dash.get_by_text("No shared goals for your departments yet.")).to_be_visible()
        expect(dash.get_by_role("heading", name="Overdue")).to_be_visible()
        expect(dash.get_by_text("Overdue pain points")).to_be_visible()
        expect(dash.get_by_role("link", name="Nobody answers the returns line")).to_be_visible()
        assert phone.console == []
    finally:
        phone.close()
