"""The inbox in the web app (the bell on every screen, the list, mark read, offline) and each person's account
screen (own password, notification choices). Messages reach the inbox the way they do in production: the
server's own messages worker fans the events out (tests/conftest.py turns it off for the other tests)."""

import re
import shutil
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import ADMIN_EMAIL, EXEC_EMAIL, PASSWORD, Server, template_database, wait_for, wait_in_page
from tests.e2e.test_pwa_first_load import LATER_CACHED
from tests.e2e.test_pwa_review import MANAGER_EMAIL, add_manager, report

pytestmark = [pytest.mark.e2e]

NEW_PASSWORD = "lantern orchard velvet quarry"
INBOX_SAVED = """async () => {
    const cache = await caches.open('undercover-api-v1');
    return Boolean(await cache.match('/api/notifications?limit=30'));
}"""


@pytest.fixture
def server(tmp_path, tmp_root) -> Iterator[Server]:
    """The e2e server with its messages worker running, as `make run` starts it."""
    shutil.copyfile(template_database(tmp_root), tmp_path / "undercover.db")
    srv = Server(tmp_path)
    srv.env["UNDERCOVER_MESSAGES_WORKER"] = "true"
    srv.env["UNDERCOVER_MESSAGES_INTERVAL"] = "0.5"
    srv.env["UNDERCOVER_PUBLIC_URL"] = srv.url  # links in messages and e-mails lead here
    srv.start()
    yield srv
    srv.stop()
    print("---- server log (tail) ----\n" + "\n".join(srv.log_text().splitlines()[-40:]))


def user_id(server: Server, email: str) -> str:
    with server.client(ADMIN_EMAIL) as c:
        return next(u["id"] for u in c.get("/api/users").json() if u["email"] == email)


def assign(server: Server, pain_point_id: str, *, to: str, by: str = MANAGER_EMAIL) -> None:
    with server.client(by) as c:
        res = c.patch(f"/api/pain-points/{pain_point_id}", json={"assignee_id": user_id(server, to)})
        assert res.status_code == 200, res.text


def unread(server: Server, email: str) -> int:
    with server.client(email) as c:
        res = c.get("/api/notifications")
        assert res.status_code == 200, res.text
        return res.json()["unread"]


def wait_unread(server: Server, email: str, n: int) -> None:
    """Until the worker has delivered: the events are written with the change and fanned out a moment later."""
    wait_for(lambda: unread(server, email) == n, timeout=30, what=f"{n} unread messages for {email}")


def bell(page, label: str = "Inbox"):
    return page.get_by_role("banner").get_by_role("link", name=label, exact=True)


def test_the_bell_shows_a_new_notification_after_a_manager_assigns_a_pain_point(phone, second_phone, server):
    from playwright.sync_api import expect

    add_manager(server)
    [point] = report(server, ["Fitting rooms locked all afternoon"])
    page = phone.page
    phone.sign_in(ADMIN_EMAIL)
    expect(bell(page)).to_be_visible()
    expect(bell(page)).not_to_contain_text("1")

    # A manager assigns the pain point to the admin, whose app is open.
    assign(server, point, to=ADMIN_EMAIL)
    wait_unread(server, ADMIN_EMAIL, 1)
    page.get_by_role("button", name="Sync now").click()  # the bell is asked again after each sync
    expect(bell(page, "Inbox, 1 unread")).to_contain_text("1")

    bell(page, "Inbox, 1 unread").click()
    expect(page.get_by_role("heading", level=1, name="Inbox")).to_be_visible()
    messages = page.get_by_role("list", name="Messages")
    item = messages.get_by_role("link", name=re.compile("Fitting rooms locked all afternoon"))
    expect(item).to_contain_text("A pain point was assigned to you")
    expect(item).to_contain_text("New")
    expect(page.get_by_role("status").filter(has_text="unread")).to_have_text("1 unread.")

    # Opening it marks it read and lands on that pain point (the link e-mails carry too).
    item.click()
    expect(page).to_have_url(re.compile(rf"#/feed\?open={point}$"))
    detail = page.get_by_role("region", name="Pain point")
    expect(detail.get_by_role("heading", name="Fitting rooms locked all afternoon")).to_be_visible()
    expect(bell(page)).to_be_visible()
    assert unread(server, ADMIN_EMAIL) == 0

    # The message's link (e-mails carry the same one), opened directly, lands on the same pain point.
    with server.client(ADMIN_EMAIL) as c:
        [message] = c.get("/api/notifications").json()["items"]
    assert message["link"] == f"{server.url}/#/pain-points/{point}"
    page.goto(message["link"])
    expect(page.get_by_role("region", name="Pain point").get_by_role(
        "heading", name="Fitting rooms locked all afternoon")).to_be_visible()
    assert phone.console == []

    # On a device not signed in yet, the link opens once signed in.
    other = second_phone.page
    other.goto(message["link"])
    other.get_by_label("Email").fill(ADMIN_EMAIL)
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    expect(other.get_by_role("region", name="Pain point").get_by_role(
        "heading", name="Fitting rooms locked all afternoon")).to_be_visible()
    assert second_phone.console == []


def test_an_executive_is_told_of_a_status_change_and_lands_on_their_own_pain_point(phone, server):
    from playwright.sync_api import expect

    add_manager(server)
    [point] = report(server, ["Price labels missing on the shelf"])
    with server.client(MANAGER_EMAIL) as c:
        assert c.patch(f"/api/pain-points/{point}", json={"status": "acknowledged"}).status_code == 200

    def told() -> bool:
        with server.client(EXEC_EMAIL) as c:
            return any(n["subject_id"] == point for n in c.get("/api/notifications").json()["items"])

    wait_for(told, timeout=30, what="the executive's message")
    page = phone.page
    phone.sign_in()
    # This month's reminders may be there too (from the 20th): the count is whatever the server says.
    page.get_by_role("banner").get_by_role("link", name=re.compile(r"^Inbox, \d+ unread$")).click()
    item = page.get_by_role("list", name="Messages").get_by_role(
        "link", name=re.compile("Your pain point is now acknowledged"))
    expect(item).to_contain_text("Price labels missing on the shelf")
    item.click()
    expect(page).to_have_url(re.compile(rf"#/mine\?open={point}$"))
    expect(page.get_by_role("region", name="Pain point").get_by_role(
        "heading", name="Price labels missing on the shelf")).to_be_visible()
    assert phone.console == []


def test_the_inbox_reads_offline_from_its_last_copy_and_marks_all_read(phone, server):
    from playwright.sync_api import expect

    add_manager(server)
    points = report(server, ["Self-checkout froze twice", "No baskets at the entrance", "Till roll ran out"])
    for point in points:
        assign(server, point, to=ADMIN_EMAIL)
    wait_unread(server, ADMIN_EMAIL, 3)

    page = phone.page
    phone.sign_in(ADMIN_EMAIL)
    expect(bell(page, "Inbox, 3 unread")).to_be_visible()
    # Never opened online: the bell saw new messages and had the inbox's first page saved, and the screen
    # itself was cached in the background.
    wait_in_page(page, LATER_CACHED)
    wait_in_page(page, INBOX_SAVED)

    phone.context.set_offline(True)
    page.reload()
    bell(page, "Inbox, 3 unread").click()
    expect(page.get_by_role("heading", level=1, name="Inbox")).to_be_visible()
    messages = page.get_by_role("list", name="Messages")
    # Newest first.
    expect(messages.get_by_role("listitem").first).to_contain_text("Till roll ran out")
    expect(page.get_by_text(re.compile("Offline: showing what this device saved as of"))).to_be_visible()
    expect(messages.get_by_role("listitem")).to_have_count(3)
    expect(page.get_by_role("button", name="Mark all read")).to_be_disabled()

    phone.context.set_offline(False)
    phone.navigate("Home")
    bell(page, "Inbox, 3 unread").click()
    expect(messages.get_by_role("listitem")).to_have_count(3)
    expect(page.get_by_text(re.compile("Offline: showing what this device saved"))).to_have_count(0)
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_text("All messages are marked read.")).to_be_visible()
    expect(messages.get_by_text("New", exact=True)).to_have_count(0)
    expect(bell(page)).to_be_visible()
    assert unread(server, ADMIN_EMAIL) == 0
    assert phone.console == []


def test_the_inbox_loads_more_than_a_page(phone, server):
    from playwright.sync_api import expect

    add_manager(server)
    points = report(server, [f"Shelf {n} left empty after the delivery" for n in range(1, 33)])
    admin = user_id(server, ADMIN_EMAIL)
    with server.client(MANAGER_EMAIL) as c:
        res = c.post("/api/pain-points/bulk", json={"ids": points, "changes": {"assignee_id": admin}})
        assert res.status_code == 200, res.text
    wait_unread(server, ADMIN_EMAIL, 32)

    page = phone.page
    phone.sign_in(ADMIN_EMAIL)
    bell(page, "Inbox, 32 unread").click()
    messages = page.get_by_role("list", name="Messages")
    expect(messages.get_by_role("listitem")).to_have_count(30)
    page.get_by_role("button", name="Load more").click()
    expect(messages.get_by_role("listitem")).to_have_count(32)
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()
    texts = messages.get_by_role("listitem").all_inner_texts()
    assert len(set(texts)) == 32
    assert phone.console == []


def test_the_inbox_says_when_it_is_empty(phone, server):
    from playwright.sync_api import expect

    add_manager(server)  # executives may hold this month's reminders already (from the 20th)
    page = phone.page
    phone.sign_in(MANAGER_EMAIL)
    bell(page).click()
    expect(page.get_by_text(re.compile("Nothing here yet"))).to_be_visible()
    expect(page.get_by_role("button", name="Mark all read")).to_be_disabled()


def test_account_changes_the_password_and_keeps_a_notification_choice(phone, server):
    from playwright.sync_api import expect

    other_session = server.client(EXEC_EMAIL)
    page = phone.page
    phone.sign_in()
    phone.navigate("Account")
    expect(page.get_by_role("heading", level=1, name="Account")).to_be_visible()
    form = page.get_by_role("group", name="Change password")

    form.get_by_label("Current password").fill(PASSWORD)
    form.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    form.get_by_label("New password again").fill(NEW_PASSWORD + " typo")
    form.get_by_role("button", name="Change password").click()
    expect(form.get_by_label("New password again")).to_have_attribute("aria-invalid", "true")
    expect(form).to_contain_text("The two new passwords differ")

    # The server's field errors (422) show beside their fields.
    form.get_by_label("Current password").fill("not the password at all")
    form.get_by_label("New password again").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(form.get_by_label("Current password")).to_have_attribute("aria-invalid", "true")
    expect(form).to_contain_text("Current password is wrong")

    form.get_by_label("Current password").fill(PASSWORD)
    form.get_by_label("New password", exact=True).fill("password123")
    form.get_by_label("New password again").fill("password123")
    form.get_by_role("button", name="Change password").click()
    expect(form.get_by_label("New password", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(form).to_contain_text("too easy to guess")

    form.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    form.get_by_label("New password again").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(page.get_by_text(re.compile("Password changed. You stay signed in here"))).to_be_visible()
    expect(form.get_by_label("Current password")).to_have_value("")

    old = httpx.post(f"{server.url}/api/auth/token", data={"username": EXEC_EMAIL, "password": PASSWORD}, timeout=10)
    assert old.status_code == 401
    new = httpx.post(f"{server.url}/api/auth/token", data={"username": EXEC_EMAIL, "password": NEW_PASSWORD},
                     timeout=10)
    assert new.status_code == 200, new.text
    with other_session:  # signed in elsewhere before the change: signed out now
        assert other_session.get("/api/me").status_code == 401

    # A notification choice: saved, and still there after a reload.
    resolved = page.get_by_role("group", name=re.compile("A pain point you reported was resolved"))
    expect(resolved.get_by_label("E-mail")).to_be_checked()
    resolved.get_by_label("E-mail").uncheck()
    page.get_by_role("button", name="Save choices").click()
    expect(page.get_by_text("Saved: your notification choices apply from now on.")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Account")).to_be_visible()
    expect(resolved.get_by_label("E-mail")).not_to_be_checked()
    expect(resolved.get_by_label("Inbox")).to_be_checked()
    with httpx.Client(base_url=server.url, timeout=10,
                      headers={"Authorization": f"Bearer {new.json()['access_token']}"}) as c:
        choices = c.get("/api/me/notification-settings").json()
    assert choices["resolved"] == {"inbox": True, "email": False}

    # Offline, the choices cannot be changed (and say why).
    phone.context.set_offline(True)
    expect(page.get_by_text("You are offline: changes here need a connection.")).to_be_visible()
    expect(page.get_by_role("button", name="Save choices")).to_be_disabled()
    assert phone.console == []
