"""Visits that need the user: refused by the server, or changed on two phones at once."""

import re

import pytest

from tests.e2e.conftest import wait_for

pytestmark = [pytest.mark.e2e]


def test_rejected_visit_shows_the_reason_is_fixed_and_resent_or_discarded(phone, server):
    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in()

    # Finish refuses what the server would refuse; an edit after Finish goes out on its own, and the server
    # has the last word: 2000 characters at most. The phone flags it but never cuts what was typed.
    phone.start_visit("Listened call")
    page.get_by_label("Channel").select_option("phone")
    phone.add_pain_point("Caller on hold")
    phone.add_pain_point("Hold music restarts every 20 seconds")
    phone.wait_saved()
    page.get_by_role("button", name="Finish visit").click()
    expect(phone.sync_state()).to_have_text("All synced")
    page.get_by_label("Pain point").first.fill("x" * 2001)
    expect(page.get_by_text("too long to send")).to_be_visible()
    expect(phone.sync_state()).to_have_text("Needs attention (1)")

    # A second refused edit, to be discarded deliberately.
    phone.start_visit("Shop-floor shift")
    phone.add_pain_point("Stock room door propped open")
    phone.wait_saved()
    page.get_by_role("button", name="Finish visit").click()
    expect(page.get_by_text("Status: Synced")).to_be_visible()
    page.get_by_label("Pain point").first.fill("y" * 2500)
    expect(phone.sync_state()).to_have_text("Needs attention (2)")

    page.get_by_role("link", name="My visits").click()
    attention = page.get_by_role("list", name="Needs attention")
    expect(attention.get_by_role("link")).to_have_count(2)
    call = attention.get_by_role("link", name=re.compile("Listened call"))
    expect(call).to_contain_text("Pain point 1")
    expect(call).to_contain_text("at most 2000 characters")

    call.click()
    expect(page.get_by_role("heading", name=re.compile("did not accept"))).to_be_visible()
    page.get_by_label("Pain point").first.fill("Caller waited 14 minutes before anyone answered")
    phone.wait_saved()
    page.get_by_role("button", name="Resend").click()
    expect(phone.sync_state()).to_have_text("Needs attention (1)")
    expect(page.get_by_text("Status: Synced")).to_be_visible()

    page.get_by_role("link", name="My visits").click()
    attention.get_by_role("link", name=re.compile("Shop-floor shift")).click()
    page.get_by_role("button", name="Discard", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="Discard").click()
    expect(page.get_by_text("Your changes were discarded.")).to_be_visible()
    expect(page.get_by_label("Pain point")).to_have_value("Stock room door propped open")
    expect(phone.sync_state()).to_have_text("All synced")
    page.get_by_role("link", name="My visits").click()
    expect(page.get_by_role("list", name="Needs attention")).to_have_count(0)
    expect(page.get_by_role("region", name="All visits").get_by_role("listitem")).to_have_count(2)

    visits = {v["kind"]: v for v in server.visits()}
    assert visits["listened_call"]["details"] == {"channel": "phone"}
    assert [p["text"] for p in visits["listened_call"]["pain_points"]] == [
        "Caller waited 14 minutes before anyone answered", "Hold music restarts every 20 seconds",
    ]
    assert [p["text"] for p in visits["shop_floor_shift"]["pain_points"]] == ["Stock room door propped open"]


def test_conflicting_edits_on_two_phones_keep_both_until_the_user_chooses(phone, second_phone, server):
    """Every field takes part: site, journey step, and a pain point with department, severity, felt by and quote."""
    from playwright.sync_api import expect

    a, b = phone, second_phone
    a.sign_in()
    b.sign_in()

    a.start_visit("Journey walkthrough")
    a.page.get_by_label("Site").fill("Leeds Kirkstall")
    a.page.get_by_label("Journey name").fill("Collect a click-and-collect order")
    a.page.get_by_role("button", name="Add step").click()
    a.page.get_by_label("Step name").fill("Find the collection point")
    a.page.get_by_label("Notes", exact=True).fill("First notes")
    a.add_pain_point("Fitting rooms locked, no staff to open them", severity="4", felt_by="both",
                     department="Store operations", quote="Is anyone working here?")
    a.wait_saved()
    a.page.get_by_role("button", name="Finish visit").click()
    wait_for(lambda: len(server.visits()) == 1, what="phone A's visit on the server")
    expect(a.sync_state()).to_have_text("All synced")

    # Phone B catches up, opens the visit, then loses its connection.
    b.page.get_by_role("button", name="Sync now").click()
    b.page.get_by_role("link", name="My visits").click()
    b.page.get_by_role("link", name=re.compile("Journey walkthrough")).click()
    b_notes = b.page.get_by_label("Notes", exact=True)
    expect(b_notes).to_have_value("First notes")
    b_point = b.page.get_by_role("group", name="Pain point 1")
    expect(b_point.get_by_label("Department")).to_have_value(re.compile(".+"))
    b.context.set_offline(True)

    a.page.get_by_label("Notes", exact=True).fill("Edited on phone A")
    a_point = a.page.get_by_role("group", name="Pain point 1")
    a_point.get_by_label("Department").select_option(label="Customer service")
    a_point.get_by_label("Quote").fill("Quote heard by A")
    a.wait_saved()
    wait_for(lambda: server.visits()[0]["notes"] == "Edited on phone A", what="phone A's edit on the server")

    b.page.get_by_label("Site").fill("Bristol Contact Centre")
    b_point.get_by_label("Pain point").fill("Fitting rooms locked all afternoon")
    b_point.get_by_label("Severity").select_option("5")
    b_point.get_by_label("Felt by").select_option("customer")
    b_point.get_by_label("Department").select_option(label="Logistics")
    b_point.get_by_label("Journey step").select_option("")
    b_point.get_by_label("Quote").fill("Quote heard by B")
    b_notes.fill("Edited on phone B")
    b.wait_saved()
    expect(b.sync_state()).to_have_text("Offline")
    b.context.set_offline(False)
    expect(b.sync_state()).to_have_text("Needs attention (1)")

    # Both versions are on show, field by field; the server still has A's, phone B still has its own.
    diff = b.page.get_by_role("table")
    notes_row = diff.get_by_role("row", name=re.compile("^Notes"))
    expect(notes_row).to_contain_text("Edited on phone B")
    expect(notes_row).to_contain_text("Edited on phone A")
    site_row = diff.get_by_role("row", name=re.compile("^Site"))
    expect(site_row).to_contain_text("Bristol Contact Centre")
    expect(site_row).to_contain_text("Leeds Kirkstall")
    point_row = diff.get_by_role("row", name=re.compile("^Pain point 1"))
    for words in ("Fitting rooms locked all afternoon", "severity 5", "Logistics", "Quote heard by B",
                  "Fitting rooms locked, no staff", "severity 4", "Customer service", "Quote heard by A", "step 1"):
        expect(point_row).to_contain_text(words)
    assert [v["notes"] for v in server.visits()] == ["Edited on phone A"]
    expect(b_notes).to_have_value("Edited on phone B")

    b.page.get_by_role("button", name="Keep both as separate visits").click()
    expect(b.sync_state()).to_have_text("All synced")
    visits = server.visits()
    assert sorted(v["notes"] for v in visits) == ["Edited on phone A", "Edited on phone B"]
    with server.client() as c:
        depts = {d["id"]: d["name"] for d in c.get("/api/departments").json()}
        sites = {s["id"]: s["name"] for s in c.get("/api/sites").json()}
    got = {
        v["notes"]: (sites[v["site_id"]], *[(p["text"], p["severity"], p["felt_by"], depts[p["department_id"]],
                                               p["journey_step"], p["quote"]) for p in v["pain_points"]])
        for v in visits
    }
    assert got == {
        "Edited on phone A": ("Leeds Kirkstall", ("Fitting rooms locked, no staff to open them", 4, "both",
                                                  "Customer service", 0, "Quote heard by A")),
        "Edited on phone B": ("Bristol Contact Centre", ("Fitting rooms locked all afternoon", 5, "customer",
                                                         "Logistics", None, "Quote heard by B")),
    }
    assert len({v["pain_points"][0]["id"] for v in visits}) == 2
    assert a.console == [] and b.console == []

    # Phone A picks up B's copy on its next sync: both phones show the same history.
    a.page.get_by_role("button", name="Sync now").click()
    a.page.get_by_role("link", name="My visits").click()
    expect(a.page.get_by_role("region", name="All visits").get_by_role("listitem")).to_have_count(2)
