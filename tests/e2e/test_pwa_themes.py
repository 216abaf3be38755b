"""Themes filters, safe merges, journey insight and possible duplicates, driven as people would."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import DEPARTMENTS, EXEC_EMAIL, SITES, Phone
from tests.e2e.test_pwa_review import LOGOUTS, MANAGER_EMAIL, QUEUES, add_manager, rebuild_themes
from tests.factories import visit_body

pytestmark = [pytest.mark.e2e]

LEEDS, BRISTOL = SITES[0][0], SITES[1][0]


def log_visit(server, texts, *, site: str = LEEDS, department: str = DEPARTMENTS[0], kind: str = "shop_floor_shift",
              details: dict | None = None, steps: list[int | None] | None = None, severity: int = 3) -> list[str]:
    """One finished visit by the executive, started today, at `site`; returns its pain points' ids."""
    with server.client(EXEC_EMAIL) as c:
        departments = {d["name"]: d["id"] for d in c.get("/api/departments").json()}
        sites = {s["name"]: s["id"] for s in c.get("/api/sites").json()}
        points = [{"text": t, "journey_step": steps[i] if steps else None} for i, t in enumerate(texts)]
        body = visit_body(kind=kind, start=datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3), hours=2,
                          site_id=sites[site], details=details if details is not None else {}, pain_points=points,
                          severity=severity, department_id=departments[department], quote=None)
        res = c.put(f"/api/visits/{uuid.uuid4()}", json=body)
        assert res.status_code == 201, res.text
    return [p["id"] for p in body["pain_points"]]


def themes_by_label(server) -> dict[str, int]:
    with server.client(MANAGER_EMAIL) as c:
        return {t["label"]: t["count"] for t in c.get("/api/themes").json() if t["count"]}


def themes_by_id(server) -> dict[str, int]:
    with server.client(MANAGER_EMAIL) as c:
        return {t["id"]: t["count"] for t in c.get("/api/themes").json() if t["count"]}


@pytest.fixture
def desk(browser, server):
    """A manager's laptop: a wide screen, and any JavaScript dialog fails the test."""
    add_manager(server)
    p = Phone(browser, server)
    p.page.set_viewport_size({"width": 1280, "height": 900})
    p.dialogs = []
    p.page.on("dialog", lambda d: (p.dialogs.append(d.message), d.dismiss()))
    yield p
    p.close()


def open_themes(page):
    from playwright.sync_api import expect

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Themes").click()
    expect(page.get_by_role("heading", level=1, name="Themes")).to_be_visible()


def test_merge_asks_to_confirm_and_is_undone_after_a_rebuild_and_a_reload(desk, server):
    from playwright.sync_api import expect

    log_visit(server, QUEUES)
    log_visit(server, LOGOUTS[:3])
    rebuild_themes(server)
    before = themes_by_label(server)
    ((source, _), (target, _)) = sorted(before.items(), key=lambda kv: kv[1])
    assert (before[source], before[target]) == (3, 5), before
    before_ids = themes_by_id(server)
    page = desk.page
    desk.sign_in(MANAGER_EMAIL)
    open_themes(page)
    cards = page.get_by_role("article")
    expect(cards).to_have_count(2)

    def ask_to_merge():
        cards.filter(has=page.get_by_role("heading", name=source)).get_by_role("button", name="Merge into…").click()
        page.get_by_label("Merge into").select_option(label=f"{target} (5)")
        page.get_by_role("button", name="Merge", exact=True).click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text(f"Merge “{source}” (3) into “{target}” (5)?")
        return dialog

    # Cancel changes nothing.
    ask_to_merge().get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(cards).to_have_count(2)
    assert themes_by_label(server) == before

    # Confirmed, it merges and says how to undo it.
    ask_to_merge().get_by_role("button", name="Merge").click()
    expect(page.get_by_role("status").filter(has_text=f"Merged “{source}” into “{target}”")).to_be_visible()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("8 pain points")
    assert themes_by_label(server) == {target: 8}

    # A rebuild and a reload later, the theme it went into still offers to undo it.
    rebuild_themes(server)
    page.reload()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(f"“{source}” (3 pain points")
    cards.first.get_by_role("button", name=f"Undo merge of “{source}”").click()
    # (The rebuild may have relabelled the theme it went into: its label was not a manager's.)
    expect(page.get_by_role("status").filter(has_text="Merge undone")).to_have_text(
        re.compile(f"^Merge undone: “{re.escape(source)}” is back with 3 pain points; “.+” has 5\\.$"))
    page.reload()
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text="3 pain points (3 open)")).to_have_count(1)
    expect(cards.filter(has_text="5 pain points (5 open)")).to_have_count(1)
    assert themes_by_id(server) == before_ids
    assert desk.console == [] and desk.dialogs == []


def test_theme_filters_narrow_the_list_survive_a_reload_and_the_build_box_is_one_line_on_a_phone(phone, server):
    from playwright.sync_api import expect

    add_manager(server)
    log_visit(server, QUEUES, site=LEEDS, department=DEPARTMENTS[0])
    log_visit(server, LOGOUTS, site=BRISTOL, department=DEPARTMENTS[1], kind="listened_call", details={})
    rebuild_themes(server)
    page = phone.page
    phone.sign_in(MANAGER_EMAIL)
    open_themes(page)
    cards = page.get_by_role("article")
    expect(cards).to_have_count(2)

    # On a phone the build box is one line until opened.
    build = page.locator("details.rebuild")
    expect(build).to_contain_text("Built by")
    assert build.evaluate("el => el.open") is False
    box = build.locator("summary").bounding_box()
    assert box["height"] < 50, box
    assert box["width"] <= 360, box

    filters = page.get_by_role("search", name="Filter themes")
    filters.get_by_label("Site").select_option(label=BRISTOL)
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(re.compile("log", re.I))
    assert "site_id=" in page.url
    page.reload()
    expect(filters.get_by_label("Site")).to_have_value(re.compile("[0-9a-f-]{36}"))
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(re.compile("log", re.I))

    # Filters combine: a shop-floor shift at Bristol logged none of these.
    filters.get_by_label("Visit kind").select_option(label="Shop-floor shift")
    expect(page.get_by_text("No themes match these filters.")).to_be_visible()
    assert "visit_kind=shop_floor_shift" in page.url and "site_id=" in page.url
    filters.get_by_label("Site").select_option(label="Any site")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(re.compile("queue", re.I))
    filters.get_by_label("Visit kind").select_option(label="Any kind")
    filters.get_by_label("Department").select_option(label=DEPARTMENTS[1])
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(re.compile("log", re.I))
    page.reload()
    expect(filters.get_by_label("Department")).to_have_value(re.compile("[0-9a-f-]{36}"))
    expect(cards).to_have_count(1)
    assert phone.console == []


RETURNS = {"journey_name": "Return an online order", "steps": [
    {"name": "Find the returns desk", "minutes": 5, "effort": 3},
    {"name": "Queue at the desk", "minutes": 20, "effort": 6},
    {"name": "Get the refund", "minutes": 3, "effort": 2}]}


def test_journeys_rank_the_steps_with_a_text_alternative_and_themes_show_their_steps(desk, server):
    from playwright.sync_api import expect

    log_visit(server, ["Only one person at the returns desk queue", "The returns queue went out of the door"],
              kind="journey_walkthrough", details=RETURNS, steps=[1, 1], severity=4)
    log_visit(server, ["Returns desk queue was twenty minutes long", "Refund needs the original card"],
              kind="journey_walkthrough", details=RETURNS, steps=[1, 2])
    log_visit(server, QUEUES[:3])
    rebuild_themes(server)
    page = desk.page
    desk.sign_in(MANAGER_EMAIL)
    open_themes(page)
    page.get_by_role("link", name="Journeys: where customers spend effort").click()
    expect(page.get_by_role("heading", level=1, name="Journeys")).to_be_visible()
    journey = page.get_by_role("article", name=re.compile("Return an online order"))
    expect(journey).to_contain_text("2 walkthroughs")
    table = journey.get_by_role("table", name=re.compile("Steps of “Return an online order”"))
    rows = table.get_by_role("row")
    expect(rows).to_have_count(4)
    expect(rows.nth(1)).to_contain_text("Queue at the desk")
    expect(rows.nth(1)).to_contain_text("40")
    expect(rows.nth(1)).to_contain_text("The returns queue went out of the door")
    expect(rows.nth(2)).to_contain_text("Find the returns desk")
    chart = journey.get_by_role("img", name=re.compile("Minutes per step"))
    expect(chart).to_have_attribute(
        "aria-label", re.compile("Queue at the desk 40 min, effort 6; Find the returns desk 10 min, effort 3; "
                                 "Get the refund 6 min"))

    # Ranked by effort, from the URL.
    page.get_by_label("Rank steps by").select_option(label="Effort")
    assert "rank_by=effort" in page.url
    expect(rows.nth(3)).to_contain_text("Get the refund")

    # Offline, the last copy with its time.
    desk.context.set_offline(True)
    page.reload()
    expect(page.get_by_text(re.compile("^Offline: showing what this device saved as of"))).to_be_visible()
    expect(rows).to_have_count(4)
    desk.context.set_offline(False)

    # A theme of walkthrough pain points shows its journey steps.
    page.reload()
    open_themes(page)
    walked = page.get_by_role("article").filter(has=page.get_by_role("button", name=re.compile("Journey steps")))
    expect(walked.first).to_be_visible()
    walked.first.get_by_role("button", name=re.compile("Journey steps")).click()
    steps = walked.first.get_by_role("table", name=re.compile("Journey steps of"))
    expect(steps.get_by_role("row", name=re.compile("Queue at the desk"))).to_contain_text("Return an online order")
    assert desk.console == [] and desk.dialogs == []


def test_triage_offers_the_most_similar_as_duplicates_in_one_tap(desk, server):
    from playwright.sync_api import expect

    ids = log_visit(server, QUEUES)
    log_visit(server, LOGOUTS)
    page = desk.page
    desk.sign_in(MANAGER_EMAIL)
    page.goto(f"{server.url}/#/feed?open={ids[0]}")
    detail = page.get_by_role("region", name="Pain point", exact=True)
    expect(detail.get_by_role("heading", name=QUEUES[0])).to_be_visible()
    offered = detail.get_by_role("list", name="Possible duplicates")
    expect(offered.get_by_role("listitem").first).to_be_visible()
    assert 1 <= offered.get_by_role("listitem").count() <= 5
    expect(offered).not_to_contain_text("logs")
    first = offered.get_by_role("listitem").first
    original = first.get_by_role("link").inner_text()
    first.get_by_role("button", name="Mark as duplicate of this").click()
    expect(detail.get_by_role("status").filter(has_text="Marked as a duplicate.")).to_be_visible()
    expect(detail.get_by_role("link", name="the original pain point")).to_be_visible()
    with server.client(MANAGER_EMAIL) as c:
        got = c.get(f"/api/pain-points/{ids[0]}").json()
        assert c.get(f"/api/pain-points/{got['duplicate_of_id']}").json()["text"] == original
    assert desk.console == [] and desk.dialogs == []


def test_typing_a_pain_point_quietly_says_how_many_similar_were_reported(phone, server):
    from playwright.sync_api import expect

    log_visit(server, QUEUES, site=LEEDS)
    page = phone.page
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.post_data or "") if "similar-count" in r.url else None)
    phone.sign_in()
    phone.start_visit()
    # No site chosen yet: nothing is asked.
    phone.add_pain_point("Long queue at the checkout again")
    page.wait_for_timeout(1200)
    assert asked == []
    page.get_by_label("Site").fill(LEEDS)
    box = page.locator("fieldset").filter(has=page.get_by_label("Pain point")).last
    box.get_by_label("Pain point").fill("Long queue at the checkout again today")
    hint = box.get_by_text(re.compile(r"^\d+ similar reported this month$"))
    expect(hint).to_be_visible()
    assert int(hint.inner_text().split()[0]) >= 2
    assert len(asked) == 1, asked
    # Only a count comes back, and nothing is asked offline.
    phone.context.set_offline(True)
    box.get_by_label("Pain point").fill("Long queue at the checkout again today and yesterday")
    expect(hint).to_have_count(0)
    assert len(asked) == 1
    phone.context.set_offline(False)
    assert phone.console == []
