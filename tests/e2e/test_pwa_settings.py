"""Settings (admins) in the web app: sites and departments (add, rename, archive, restore) and the e-mails and
webhook calls that failed for good."""

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import ADMIN_EMAIL, wait_for
from tests.e2e.test_pwa_people import (  # noqa: F401 - plain_server and phones are fixtures
    fits_a_small_phone,
    invite,
    new_phone,
    open_people,
    people_server,
    phones,
    plain_server,
)
from tests.messages.smtp_server import free_port

pytestmark = [pytest.mark.e2e]


def test_admin_keeps_sites_and_departments_on_settings(browser, plain_server, phones):  # noqa: F811
    from playwright.sync_api import expect

    admin = new_phone(browser, plain_server, phones)
    admin.sign_in(ADMIN_EMAIL)
    page = admin.page
    admin.navigate("Settings")
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    sites = page.get_by_role("region", name="Sites")
    sites.get_by_label("New site’s name").fill("York Minster Street")
    sites.get_by_label("Kind").select_option("branch")
    sites.get_by_label("Region (optional)").fill("North")
    sites.get_by_role("button", name="Add site").click()
    expect(page.get_by_role("status").filter(has_text="York Minster Street added.")).to_be_visible()
    expect(sites.get_by_role("heading", name="York Minster Street")).to_be_visible()
    expect(sites).to_contain_text("Branch · North")

    sites.get_by_label("Rename York Minster Street").click()
    sites.get_by_label("New name for York Minster Street").fill("York Coppergate")
    sites.get_by_role("button", name="Save name").first.click()
    expect(sites.get_by_role("heading", name="York Coppergate")).to_be_visible()

    sites.get_by_role("button", name="Archive York Coppergate").click()
    expect(sites.get_by_role("heading", name="Archived sites")).to_be_visible()
    expect(sites.get_by_role("button", name="Restore York Coppergate")).to_be_visible()
    with plain_server.client(ADMIN_EMAIL) as c:
        active = {s["name"] for s in c.get("/api/sites").json()}
    assert "York Coppergate" not in active and "Leeds Kirkstall" in active

    departments = page.get_by_role("region", name="Departments")
    departments.get_by_label("New department’s name").fill("Customer service")
    departments.get_by_role("button", name="Add department").click()
    expect(departments.get_by_role("alert")).to_contain_text("already exists")
    departments.get_by_label("New department’s name").fill("Facilities")
    departments.get_by_role("button", name="Add department").click()
    expect(departments.get_by_role("heading", name="Facilities")).to_be_visible()

    failed = page.get_by_role("region", name="Failed deliveries")
    expect(failed).to_contain_text("None: every e-mail and webhook call so far was delivered")
    expect(page.get_by_role("main")).not_to_contain_text("null")
    fits_a_small_phone(page)
    assert admin.console == []


def test_admin_sees_an_invitation_email_that_failed_for_good_on_settings(browser, tmp_path, tmp_root,
                                                                         phones):  # noqa: F811
    """The e-mail server is down (nothing listens on its port): the worker really tries and fails. Only the
    25 hours of retrying are skipped, by making the invitation's delivery that much older in the database
    (only that one: other e-mails, such as the monthly reminders the worker sends on the 20th and later, keep
    retrying)."""
    from playwright.sync_api import expect

    server = people_server(tmp_path, tmp_root, f"smtp://127.0.0.1:{free_port()}")
    try:
        admin = new_phone(browser, server, phones)
        admin.sign_in(ADMIN_EMAIL)
        invite(open_people(admin), "una@example.com", "Una Unreached")
        sent = admin.page.get_by_role("status").filter(has_text="Invitation e-mailed to una@example.com")
        expect(sent).to_be_visible()

        database = tmp_path / "undercover.db"

        def tried() -> list:
            with closing(sqlite3.connect(database, timeout=10)) as db:
                return db.execute("SELECT id, created_at FROM delivery WHERE event_name = 'auth.invitation' "
                                  "AND attempts > 0 AND claimed_until IS NULL AND status = 'pending'").fetchall()

        def made_older() -> bool:
            """Only while no worker holds the row: a worker's attempt in flight would write its own next time."""
            rows = wait_for(tried, 30, what="a first, failed attempt to send the invitation")
            with closing(sqlite3.connect(database, timeout=10)) as db:
                changed = 0
                for delivery_id, created_at in rows:
                    older = (datetime.fromisoformat(created_at) - timedelta(hours=26)).isoformat(sep=" ")
                    changed += db.execute("UPDATE delivery SET created_at = ?, next_attempt_at = ? "
                                          "WHERE id = ? AND claimed_until IS NULL AND status = 'pending'",
                                          (older, older, delivery_id)).rowcount
                db.commit()
            return changed == len(rows)

        wait_for(made_older, 30, what="the pending delivery made 26 hours older")
        with server.client(ADMIN_EMAIL) as c:
            wait_for(lambda: c.get("/api/deliveries").json(), 30, what="the delivery to fail for good")

        admin.navigate("Settings")
        failed = admin.page.get_by_role("region", name="Failed deliveries")
        expect(failed.get_by_role("listitem")).to_have_count(1)
        expect(failed).to_contain_text("E-mail · invitation")
        expect(failed).to_contain_text("attempt(s); last answer: ConnectionRefusedError")

        # Seven days later the pending invitation says its link has expired.
        with closing(sqlite3.connect(database, timeout=10)) as db:
            past = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=1)  # SQLite holds naive UTC
            db.execute("UPDATE invitation SET expires_at = ?", (past.isoformat(sep=" "),))
            db.commit()
        admin.navigate("People")
        invitation = admin.page.get_by_role("listitem").filter(has_text="una@example.com")
        expect(invitation).to_contain_text("The link expired")
        expect(invitation.get_by_role("button", name="Resend the invitation to Una Unreached")).to_be_enabled()
        assert admin.console == []
    finally:
        server.stop()
