"""Shared goals in the web app: a manager makes one from a cross-silo theme and sees its progress; the theme's
metrics say in words how they moved with its pain points."""

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest

from tests.e2e.conftest import DEPARTMENTS, EXEC_EMAIL, SITES
from tests.e2e.test_pwa_review import MANAGER_EMAIL, QUEUES, rebuild_themes
from tests.e2e.test_pwa_themes import desk, open_themes  # noqa: F401 - the fixture is used by name
from tests.factories import visit_body

pytestmark = [pytest.mark.e2e]

LEEDS = SITES[0][0]
STORE, SERVICE = DEPARTMENTS[0], DEPARTMENTS[1]


def _monday(weeks_ago: int):
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday(), weeks=weeks_ago)


def seed_weeks(server) -> None:
    """Ten past weeks of checkout-queue pain points at Leeds, split between two departments (a cross-silo
    theme once built): two a week in the last five, one a week before; and a weekly NPS at Leeds that was
    lower in the weeks with more of them."""
    with server.client(EXEC_EMAIL) as c:
        departments = {d["name"]: d["id"] for d in c.get("/api/departments").json()}
        sites = {s["name"]: s["id"] for s in c.get("/api/sites").json()}
        for k in range(1, 11):
            start = datetime.combine(_monday(k) + timedelta(days=2), time(11), tzinfo=UTC)
            texts = [QUEUES[k % 5]] + ([QUEUES[(k + 2) % 5]] if k <= 5 else [])
            points = [{"text": t, "department_id": departments[STORE if (k + i) % 2 else SERVICE]}
                      for i, t in enumerate(texts)]
            body = visit_body(start=start, hours=2, site_id=sites[LEEDS], details={}, pain_points=points, quote=None)
            assert c.put(f"/api/visits/{uuid.uuid4()}", json=body).status_code == 201
    with server.client(MANAGER_EMAIL) as c:
        res = c.post("/api/kpis", json={"key": "nps", "name": "Net Promoter Score", "kind": "voc", "unit": "points"})
        assert res.status_code == 201, res.text
        values = [{"period_start": _monday(k).isoformat(), "site": LEEDS, "value": 20 if k <= 5 else 45}
                  for k in range(1, 11)]
        assert c.put("/api/kpis/nps/values", json=values).status_code == 200


def test_a_manager_makes_a_shared_goal_from_a_cross_silo_theme_and_sees_its_progress(desk, server):  # noqa: F811
    from playwright.sync_api import expect

    seed_weeks(server)
    rebuild_themes(server)
    with server.client(MANAGER_EMAIL) as c:
        theme = next(t for t in c.get("/api/themes").json() if t["cross_silo"])
        linked = c.get(f"/api/themes/{theme['id']}/kpis").json()
    nps = next(m for m in linked["metrics"] if m["key"] == "nps")
    assert nps["sample_size"] == 10 and nps["rho"] is not None and nps["rho"] < 0, nps

    page = desk.page
    desk.sign_in(MANAGER_EMAIL)
    open_themes(page)
    card = page.get_by_role("article").filter(has=page.get_by_role("heading", name=theme["label"]))
    expect(card.get_by_text("Cross-silo")).to_be_visible()
    # Its metrics: a chart with its numbers, and the sentence.
    card.get_by_role("button", name="Metrics").click()
    expect(card.get_by_text(nps["sentence"])).to_be_visible()
    expect(card.get_by_role("img", name="Net Promoter Score", exact=False)).to_be_visible()

    card.get_by_role("link", name=f"Make a shared goal from “{theme['label']}”").click()
    expect(page.get_by_role("heading", level=1, name="Shared goals")).to_be_visible()
    form = page.get_by_role("form", name="New shared goal")
    expect(form.get_by_label("Target", exact=True)).to_have_value("theme_count")
    expect(form.get_by_label("Theme", exact=True)).to_have_value(theme["id"])
    for name in (STORE, SERVICE):
        expect(form.get_by_label(name)).to_be_checked()
    expect(form.get_by_label(DEPARTMENTS[2])).not_to_be_checked()
    make = form.get_by_role("button", name="Make the goal")
    # One department is not a shared goal (said before sending).
    form.get_by_label(SERVICE).uncheck()
    form.get_by_label("Value").fill("1")
    form.get_by_label("Due date").fill("2099-01-31")
    make.click()
    expect(form.get_by_role("group", name="Departments")).to_contain_text("Tick two or more departments")
    form.get_by_label(SERVICE).check()
    # The API's field errors show under their fields, target fields included.
    form.get_by_label("Value").fill("-1")
    form.get_by_label("Due date").fill("2001-01-31")
    make.click()
    expect(form.get_by_label("Value").locator("xpath=..")).to_contain_text("A count cannot be below 0.")
    expect(form.get_by_label("Due date").locator("xpath=..")).to_contain_text("Must not be in the past.")
    expect(form.get_by_label("Due date")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("article")).to_have_count(0)
    form.get_by_label("Value").fill("1")
    form.get_by_label("Due date").fill("2099-01-31")
    make.click()

    title = f"Fewer “{theme['label']}” pain points"
    goal = page.get_by_role("article").filter(has=page.get_by_role("heading", name=title))
    expect(goal).to_be_visible()
    expect(goal.get_by_text("Baseline")).to_contain_text("target pain points a month")
    expect(goal.get_by_text("On track").or_(goal.get_by_text("At risk")).or_(goal.get_by_text("Met"))).to_be_visible()
    expect(goal).to_contain_text(f"owned by {SERVICE}, {STORE}")
    # Offline: the last copy, with its time; no writes.
    desk.context.set_offline(True)
    page.reload()
    expect(page.get_by_text("Offline: showing what this device saved as of")).to_be_visible()
    expect(goal).to_be_visible()
    expect(page.get_by_role("button", name="New shared goal")).to_be_disabled()
    expect(goal.get_by_role("button", name="Archive")).to_be_disabled()
    desk.context.set_offline(False)
    with server.client(MANAGER_EMAIL) as c:
        (made,) = c.get("/api/goals").json()
        owners = {d["id"] for d in c.get("/api/departments").json() if d["name"] in (STORE, SERVICE)}
    assert made["target"] == {**made["target"], "type": "theme_count", "theme_id": theme["id"], "value": 1}
    assert set(made["department_ids"]) == owners
    assert not desk.console, desk.console
