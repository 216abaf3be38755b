"""The managers' screens (Feed, Themes, Dashboard) and the executives' pulse, driven as people would."""

import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import ADMIN_EMAIL, DEPARTMENTS, EXEC_EMAIL, PASSWORD, Phone
from tests.factories import visit_body

pytestmark = [pytest.mark.e2e]

MANAGER_EMAIL = "manager@example.com"
XSS = "<img src=x onerror=alert(1)>"
QUEUES = ["Long queue at the checkout, only two of six tills open",
          "Checkout queue stretched to the back of the store",
          "Waited twenty minutes in the checkout queue at lunch",
          "Checkout understaffed and the queue went out the door",
          "Checkout queue far too long on Saturday morning"]
LOGOUTS = ["The app logged me out again while paying", "App keeps logging customers out every day",
           "Logged out of the app every time I open it", "App session expires and logs me out constantly",
           "Customers complain the app logs them out before checkout"]


def add_manager(server) -> None:
    with server.client(ADMIN_EMAIL) as c:
        res = c.post("/api/users", json={"email": MANAGER_EMAIL, "display_name": "Mona Manager", "role": "manager",
                                         "password": PASSWORD})
        assert res.status_code == 201, res.text


def report(server, texts: list[str], *, severity: int = 3, quote: str | None = None, hours: float = 2) -> list[str]:
    """One finished visit by the executive, started today, with these pain points; returns their ids."""
    with server.client(EXEC_EMAIL) as c:
        departments = {d["name"]: d["id"] for d in c.get("/api/departments").json()}
        sites = c.get("/api/sites").json()
        started = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours + 1)
        body = visit_body(start=started, hours=hours, site_id=sites[0]["id"], details={}, pain_points=texts,
                          severity=severity, department_id=departments[DEPARTMENTS[0]], quote=quote,
                          notes="Busy lunchtime", private_notes="Private: never shown to managers")
        res = c.put(f"/api/visits/{uuid.uuid4()}", json=body)
        assert res.status_code == 201, res.text
    return [p["id"] for p in body["pain_points"]]


def rebuild_themes(server) -> None:
    with server.client(MANAGER_EMAIL) as c:
        assert c.post("/api/themes/rebuild").status_code == 202
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            latest = c.get("/api/themes/rebuild").json()["latest"]
            if latest["status"] != "running":
                assert latest["status"] == "done", latest
                return
            time.sleep(0.2)
    raise AssertionError("the themes rebuild did not finish")


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


def test_manager_filters_the_feed_triages_a_pain_point_and_sees_the_audit_line(desk, server):
    from playwright.sync_api import expect

    (tills,) = report(server, ["Only two tills open at lunchtime"], severity=4, quote="I'll just leave it then")
    report(server, ["Hold music restarts every minute", "Card reader at the tills keeps failing"], severity=2)
    page = desk.page
    desk.sign_in(MANAGER_EMAIL)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Feed").click()
    expect(page.get_by_role("heading", level=1, name="Feed")).to_be_visible()
    cards = page.get_by_role("list", name="Pain points", exact=True)
    expect(cards.get_by_role("listitem")).to_have_count(3)
    # Each card's checkbox is announced with what it selects.
    expect(cards.get_by_role("checkbox", name="Select pain point: Only two tills open at lunchtime")).to_be_visible()

    # Filters combine, and land in the URL: "tills" alone finds two, with severity 4 or more one.
    page.get_by_label("Search").fill("tills")
    page.get_by_role("button", name="Filters").click()
    page.get_by_label("Minimum severity").select_option("4")
    page.get_by_role("button", name="Apply filters").click()
    expect(cards.get_by_role("listitem")).to_have_count(1)
    assert "q=tills" in page.url and "severity_min=4" in page.url
    card = cards.get_by_role("link", name=re.compile("Only two tills open at lunchtime"))
    expect(card).to_contain_text("Severity 4")
    expect(card).to_contain_text("Erin Exec")

    # Open it: the detail sits beside the list. Acknowledge it.
    card.click()
    detail = page.get_by_role("region", name="Pain point", exact=True)
    expect(detail.get_by_role("heading", name="Only two tills open at lunchtime")).to_be_focused()
    detail.get_by_label("Status").select_option(label="Acknowledged")
    detail.get_by_role("button", name="Save changes").click()
    history = detail.get_by_role("list", name="History")
    expect(history).to_contain_text("Mona Manager")
    expect(history).to_contain_text("Status New → Acknowledged")

    # Resolving needs a note: refused without one, accepted with one.
    detail.get_by_label("Status").select_option(label="Resolved")
    detail.get_by_role("button", name="Save changes").click()
    expect(detail.get_by_role("alert")).to_contain_text("resolution note")
    detail.get_by_label("Resolution note").fill("Two more tills staffed at lunch")
    detail.get_by_role("button", name="Save changes").click()
    expect(history).to_contain_text("Status Acknowledged → Resolved")
    expect(history.get_by_role("listitem")).to_have_count(3)  # acknowledged, resolved, the note
    expect(card).to_contain_text("Resolved")

    # The visit it came from shows its notes, never the private ones.
    detail.get_by_role("button", name="The visit it came from").click()
    expect(detail).to_contain_text("Busy lunchtime")
    expect(detail).not_to_contain_text("Private: never shown")

    # The URL is the view: a reload (or a colleague opening the link) shows the same filters and pain point.
    page.reload()
    expect(page.get_by_label("Search")).to_have_value("tills")
    expect(detail.get_by_role("heading", name="Only two tills open at lunchtime")).to_be_visible()
    expect(cards.get_by_role("listitem")).to_have_count(1)

    with server.client(MANAGER_EMAIL) as c:
        got = c.get(f"/api/pain-points/{tills}").json()
    assert (got["status"], got["resolution_note"]) == ("resolved", "Two more tills staffed at lunch")

    # Offline: the last copy, said to be one, and triage waits for a connection.
    desk.context.set_offline(True)
    page.reload()
    expect(page.get_by_text(re.compile("^Offline: showing what this device saved as of")).first).to_be_visible()
    expect(cards.get_by_role("listitem")).to_have_count(1)
    triage = page.get_by_role("group", name="Triage")
    expect(triage).to_contain_text("You are offline: triage needs a connection.")
    expect(triage.get_by_role("button", name="Save changes")).to_be_disabled()
    desk.context.set_offline(False)
    assert desk.console == [] and desk.dialogs == []


def test_markup_in_a_pain_point_is_shown_as_text_and_never_runs(desk, server):
    from playwright.sync_api import expect

    report(server, [XSS], quote=XSS)
    with server.client(EXEC_EMAIL) as c:
        (item,) = c.get("/api/my/pain-points").json()["items"]
        assert c.post(f"/api/pain-points/{item['id']}/comments", json={"body": XSS}).status_code == 201
    page = desk.page
    desk.sign_in(MANAGER_EMAIL)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Feed").click()
    card = page.get_by_role("list", name="Pain points", exact=True).get_by_role("link", name=re.compile(re.escape(XSS)))
    expect(card).to_be_visible()
    card.click()
    detail = page.get_by_role("region", name="Pain point", exact=True)
    expect(detail.get_by_role("heading", name=XSS)).to_be_visible()
    expect(detail.get_by_text(f"“{XSS}”")).to_be_visible()
    expect(detail.get_by_role("region", name="Comments")).to_contain_text(XSS)
    # A comment typed with markup stays text too.
    detail.get_by_label("Add a comment").fill("<script>alert(2)</script>")
    detail.get_by_role("button", name="Post comment").click()
    expect(detail.get_by_role("region", name="Comments")).to_contain_text("<script>alert(2)</script>")
    page.wait_for_timeout(500)
    assert page.locator("img").count() == 0
    assert page.locator("main script").count() == 0
    assert desk.dialogs == [], f"a dialog opened: {desk.dialogs}"
    assert desk.console == []


def test_themes_and_dashboard_draw_charts_with_text_alternatives(desk, server):
    from playwright.sync_api import expect

    report(server, QUEUES, severity=4, hours=3)
    report(server, LOGOUTS, severity=3, hours=1.5)
    rebuild_themes(server)
    page = desk.page
    desk.sign_in(MANAGER_EMAIL)
    nav = page.get_by_role("navigation", name="Main")

    nav.get_by_role("link", name="Themes").click()
    expect(page.get_by_role("heading", level=1, name="Themes")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Built by")).to_be_visible()
    themes = page.get_by_role("article")
    expect(themes.first).to_be_visible()
    first = themes.first
    spark = first.get_by_role("img", name=re.compile("Pain points per week, last 12 weeks: 5 in all"))
    expect(spark).to_be_visible()
    assert spark.evaluate("el => el.tagName.toLowerCase()") == "svg"
    table = first.get_by_role("table", name=re.compile("Pain points per week in"))
    expect(table).to_be_attached()
    first.get_by_role("button", name="Show numbers").click()
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(13)
    expect(table.get_by_role("cell", name="5")).to_have_count(1)
    # Opening a theme shows its feed.
    first.get_by_role("link", name=re.compile("Open its feed")).click()
    expect(page.get_by_role("list", name="Pain points", exact=True).get_by_role("listitem")).to_have_count(5)
    assert "theme_id=" in page.url

    nav.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    hours = page.get_by_role("img", name=re.compile("Hours in the field per executive"))
    expect(hours).to_have_attribute("aria-label", re.compile("Erin Exec 4.5"))
    field = page.get_by_role("table", name=re.compile("Field time per executive"))
    expect(field.get_by_role("row", name=re.compile("Erin Exec"))).to_contain_text("4.5")
    flow = page.get_by_role("img", name=re.compile("Pain points opened and resolved per week"))
    expect(flow).to_have_attribute("aria-label", re.compile("10 opened"))
    expect(page.get_by_role("table", name="Pain points per week")).to_be_attached()
    expect(page.get_by_role("img", name=re.compile("Open pain points by department"))).to_be_visible()
    # No chart text runs off its drawing ("Journey walkthrough" once lost its J).
    cut = page.evaluate("""() => [...document.querySelectorAll('svg[role=img] text')].filter((t) => {
        const box = t.getBBox();
        return box.x < 0 || box.x + box.width > t.ownerSVGElement.viewBox.baseVal.width;
    }).map((t) => t.textContent)""")
    assert cut == []
    assert desk.console == []


def test_executive_answers_the_pulse_and_a_second_answer_updates_the_month(phone, server):
    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pulse").click()
    expect(page.get_by_role("heading", level=1, name="Pulse")).to_be_visible()
    first = page.get_by_role("group", name=re.compile("1. How well do you understand"))
    # The 0–10 scale fits one row on a phone.
    tops = {round(first.get_by_text(str(n), exact=True).bounding_box()["y"]) for n in range(11)}
    assert len(tops) == 1, tops
    first.get_by_role("radio", name="7").check()
    page.get_by_label(re.compile("2. What metrics and insight")).fill("Churn by store, weekly")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status").filter(has_text="Thank you")).to_be_visible()

    first.get_by_role("radio", name="9").check()
    page.get_by_role("button", name="Update my answers").click()
    expect(page.get_by_role("status").filter(has_text="Updated")).to_be_visible()
    expect(first.get_by_role("radio", name="9")).to_be_checked()

    with server.client(EXEC_EMAIL) as c:
        mine = c.get("/api/pulse/me").json()
    scores = [a["score"] for a in mine["answers"] if a["score"] is not None]
    assert scores == [9]
    with server.client(ADMIN_EMAIL) as c:
        results = c.get("/api/pulse/results").json()["questions"]
    first_q = results[0]["months"]
    # One respondent is fewer than pulse_min_responses: the count only, never that person's score.
    assert [(m["responses"], m["average"], m["withheld"]) for m in first_q if m["responses"]] == [(1, None, True)]
    assert phone.console == []
