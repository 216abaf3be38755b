"""People in the web app: an admin invites someone (by e-mail through a real SMTP server, or with a link to hand
over when there is none), changes roles and departments, deactivates; the e-mailed links set a password and
sign in; a forgotten password is reset from the e-mailed link. Settings' sites, departments and failed
deliveries: tests/e2e/test_pwa_settings.py."""

import re
import shutil
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import ADMIN_EMAIL, EXEC_EMAIL, Phone, Server, template_database, wait_for
from tests.e2e.test_pwa_layout import SMALL_TARGETS
from tests.factories import PASSWORD
from tests.messages.smtp_server import SmtpServer

pytestmark = [pytest.mark.e2e]

NEW_PASSWORD = "violet tugboat marmalade 47"
MANAGER_EMAIL = "manager@example.com"


def people_server(workdir, tmp_root, smtp_url: str = "") -> Server:
    """The e2e server from the seeded template, with the messages worker sending often, e-mail links that
    point at this server, and e-mail through `smtp_url` (none when empty)."""
    server = Server(workdir)
    server.env.update({"UNDERCOVER_SMTP_URL": smtp_url, "UNDERCOVER_PUBLIC_URL": server.url,
                       "UNDERCOVER_MESSAGES_WORKER": "true", "UNDERCOVER_MESSAGES_INTERVAL": "0.2"})
    shutil.copyfile(template_database(tmp_root), workdir / "undercover.db")
    server.start()
    return server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_server(tmp_path, tmp_root, smtp) -> Iterator[Server]:
    server = people_server(tmp_path, tmp_root, smtp.url)
    yield server
    server.stop()
    print("---- server log (tail) ----\n" + "\n".join(server.log_text().splitlines()[-40:]))


@pytest.fixture
def plain_server(tmp_path, tmp_root) -> Iterator[Server]:
    server = people_server(tmp_path, tmp_root)
    yield server
    server.stop()
    print("---- server log (tail) ----\n" + "\n".join(server.log_text().splitlines()[-40:]))


@pytest.fixture
def phones(browser) -> Iterator[list]:
    """Phones made during the test (each its own browser context), closed at the end."""
    made: list[Phone] = []
    yield made
    for p in made:
        p.close()


def new_phone(browser, server, phones) -> Phone:
    p = Phone(browser, server)
    phones.append(p)
    return p


def emailed_link(smtp: SmtpServer, to: str, kind: str) -> str:
    """The link in the latest e-mail to `to`, once it has arrived."""
    def link():
        for message in reversed(smtp.inbox.to(to)):
            text = message.get_body(preferencelist=("plain",)).get_content()
            found = re.search(rf"https?://\S+/#/{kind}\?token=\S+", text)
            if found:
                return found.group(0)
        return None

    return wait_for(link, 30, what=f"an e-mail to {to} with a {kind} link")


def open_people(phone: Phone):
    from playwright.sync_api import expect

    phone.navigate("People")
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("People")
    expect(phone.page.get_by_role("heading", name="Pending invitations")).to_be_visible()
    return phone.page.get_by_role("form", name="Invite someone")


def fits_a_small_phone(page) -> None:
    """At 320 px: nothing wider than the screen, and every button a large enough target."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.evaluate(SMALL_TARGETS) == []


def invite(form, email: str, name: str, role: str = "executive", departments: tuple[str, ...] = ()) -> None:
    form.get_by_label("Email").fill(email)
    form.get_by_label("Name").fill(name)
    form.get_by_label("Role").select_option(role)
    for department in departments:
        form.get_by_label(department).check()
    form.get_by_role("button", name="Send invitation").click()


def set_password(phone: Phone, link: str, password: str = NEW_PASSWORD, heading: str = "Welcome to Undercover",
                 button: str = "Set password and sign in") -> None:
    from playwright.sync_api import expect

    page = phone.page
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("Repeat the new password").fill(password)
    page.get_by_role("button", name=button).click()


def test_admin_invites_an_executive_and_the_emailed_link_sets_a_password_and_signs_in(browser, mail_server, smtp,
                                                                                         phones):
    from playwright.sync_api import expect

    admin = new_phone(browser, mail_server, phones)
    admin.sign_in(ADMIN_EMAIL)
    form = open_people(admin)
    expect(admin.page.get_by_text("No pending invitations.")).to_be_visible()
    invite(form, "nia@example.com", "Nia Newcomer", departments=("Store operations",))
    expect(admin.page.get_by_role("status").filter(has_text="Invitation e-mailed to nia@example.com")).to_be_visible()
    expect(admin.page.get_by_role("heading", name="Hand this link to Nia Newcomer")).to_have_count(0)
    expect(admin.page.get_by_role("button", name="Resend the invitation to Nia Newcomer")).to_be_visible()
    expect(admin.page.get_by_role("listitem").filter(has_text="nia@example.com")).to_contain_text(
        "Executive · Store operations")

    link = emailed_link(smtp, "nia@example.com", "accept-invitation")
    assert link.startswith(mail_server.url + "/#/accept-invitation?token=")
    nia = new_phone(browser, mail_server, phones)
    set_password(nia, link)
    expect(nia.page.get_by_role("heading", level=1)).to_have_text("Hello, Nia Newcomer")
    expect(nia.page.get_by_role("button", name="New visit")).to_be_visible()
    expect(nia.page.get_by_role("navigation", name="Main").get_by_role("link", name="My visits")).to_be_visible()

    # The admin sees Nia among the people, with her role and department, and no invitation pending.
    admin.page.reload()
    card = admin.page.get_by_role("article", name="Nia Newcomer")
    expect(card).to_contain_text("nia@example.com")
    expect(card).to_contain_text("Executive · Store operations")
    expect(admin.page.get_by_text("No pending invitations.")).to_be_visible()

    # The link worked once: opened again (on another phone), it says so plainly.
    later = new_phone(browser, mail_server, phones)
    set_password(later, link, password="another pleasant passphrase 9")
    expect(later.page.get_by_role("heading", name="This link does not work any more")).to_be_visible()
    expect(later.page.get_by_role("alert")).to_contain_text("used already, has expired")
    assert all(p.console == [] for p in phones)


def test_without_smtp_the_admin_hands_over_the_link_resends_and_withdraws(browser, plain_server, phones):
    from playwright.sync_api import expect

    admin = new_phone(browser, plain_server, phones)
    admin.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=plain_server.url)
    admin.sign_in(ADMIN_EMAIL)
    page = admin.page
    form = open_people(admin)

    # The server's refusal lands under the field it is about.
    invite(form, "someone@localhost", "Sam Somebody")
    email = form.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_text("Not a valid email address.")).to_be_visible()
    expect(email).to_be_focused()

    email.fill(EXEC_EMAIL)
    form.get_by_role("button", name="Send invitation").click()
    expect(form.get_by_text(f"A user with email {EXEC_EMAIL} already exists")).to_be_visible()
    expect(email).to_have_attribute("aria-invalid", "true")

    email.fill("sam@example.com")
    form.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("heading", name="Hand this link to Sam Somebody")).to_be_visible()
    first_link = page.get_by_label("One-time link for sam@example.com").input_value()
    assert first_link.startswith(plain_server.url + "/#/accept-invitation?token=")
    expect(page.get_by_text("The link works once and expires in 7 days")).to_be_visible()
    fits_a_small_phone(page)
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_text("Link copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == first_link

    # Resending gives a new link; the old one stops working.
    page.get_by_role("button", name="Resend the invitation to Sam Somebody").click()
    expect(page.get_by_label("One-time link for sam@example.com")).not_to_have_value(first_link)
    second_link = page.get_by_label("One-time link for sam@example.com").input_value()
    assert second_link != first_link
    old = new_phone(browser, plain_server, phones)
    set_password(old, first_link)
    expect(old.page.get_by_role("heading", name="This link does not work any more")).to_be_visible()

    # Withdrawn after confirming: nothing pending, and the newest link stops working too.
    page.get_by_role("button", name="Withdraw the invitation to Sam Somebody").click()
    page.get_by_role("dialog").get_by_role("button", name="Withdraw").click()
    expect(page.get_by_text("No pending invitations.")).to_be_visible()
    set_password(old, second_link)
    expect(old.page.get_by_role("heading", name="This link does not work any more")).to_be_visible()

    # A new invitation's link, handed over, sets the password and signs in.
    invite(form, "tia@example.com", "Tia Takeover", role="manager")
    tia_link = page.get_by_label("One-time link for tia@example.com").input_value()
    tia = new_phone(browser, plain_server, phones)
    set_password(tia, tia_link)
    expect(tia.page.get_by_role("heading", level=1)).to_have_text("Hello, Tia Takeover")
    expect(tia.page.get_by_role("navigation", name="Main").get_by_role("link", name="Feed")).to_be_visible()
    assert all(p.console == [] for p in phones)


def test_admin_changes_role_and_departments_and_deactivates_after_confirming(browser, plain_server, phones):
    from playwright.sync_api import expect

    admin = new_phone(browser, plain_server, phones)
    admin.sign_in(ADMIN_EMAIL)
    page = admin.page
    open_people(admin)
    erin = page.get_by_role("article", name="Erin Exec")
    expect(erin).to_contain_text("Executive · No department")
    erin.get_by_text("Change role or departments").click()
    erin.get_by_label("Role").select_option("manager")
    erin.get_by_label("Customer service").check()
    erin.get_by_label("Logistics").check()
    erin.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="Saved: Erin Exec is manager")).to_be_visible()
    expect(erin).to_contain_text("Manager · Customer service, Logistics")

    me = page.get_by_role("article", name="Ada Admin (you)")
    expect(me.get_by_role("button", name="Deactivate")).to_have_count(0)

    erin.get_by_role("button", name="Deactivate").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Deactivate Erin Exec?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(erin.get_by_text("Deactivated", exact=True)).to_have_count(0)
    erin.get_by_role("button", name="Deactivate").click()
    page.get_by_role("dialog").get_by_role("button", name="Deactivate").click()
    expect(erin.get_by_text("Deactivated", exact=True)).to_be_visible()
    with plain_server.client(ADMIN_EMAIL) as c:
        stored = next(u for u in c.get("/api/users").json() if u["email"] == EXEC_EMAIL)
    assert stored["is_active"] is False and stored["role"] == "manager" and len(stored["department_ids"]) == 2

    erin.get_by_role("button", name="Reactivate").click()
    expect(page.get_by_role("status").filter(has_text="Erin Exec can sign in again.")).to_be_visible()
    expect(erin.get_by_text("Deactivated", exact=True)).to_have_count(0)

    # Offline: the last copy, said to be one, and every change disabled.
    admin.context.set_offline(True)
    page.reload()
    expect(admin.sync_state()).to_have_text("Offline")
    expect(page.get_by_text("Offline: showing what this device saved")).to_be_visible()
    expect(erin).to_contain_text("Manager · Customer service, Logistics")
    expect(page.get_by_role("button", name="Send invitation")).to_be_disabled()
    expect(erin.get_by_role("button", name="Deactivate")).to_be_disabled()
    assert admin.console == []


def test_executives_and_managers_get_no_people_screen(browser, plain_server, phones):
    from playwright.sync_api import expect

    with plain_server.client(ADMIN_EMAIL) as c:
        res = c.post("/api/users", json={"email": MANAGER_EMAIL, "display_name": "Mo Manager", "role": "manager",
                                         "password": PASSWORD})
        assert res.status_code == 201, res.text
    for email in (EXEC_EMAIL, MANAGER_EMAIL):
        phone = new_phone(browser, plain_server, phones)
        phone.sign_in(email)
        nav = phone.page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Home")).to_be_visible()
        expect(nav.get_by_role("link", name="My visits", include_hidden=True)).to_have_count(1)
        expect(nav.get_by_role("link", name="People", include_hidden=True)).to_have_count(0)
        phone.page.goto(plain_server.url + "/#/people")
        expect(phone.page.get_by_role("alert")).to_have_text("This screen is for admins.")
        expect(phone.page.get_by_role("form", name="Invite someone")).to_have_count(0)
        assert phone.console == []


def test_forgot_password_the_emailed_link_sets_a_new_one_and_the_old_one_stops_working(browser, mail_server, smtp,
                                                                                         phones):
    from playwright.sync_api import expect

    phone = new_phone(browser, mail_server, phones)
    page = phone.page

    def ask(email: str) -> str:
        phone.open()
        page.get_by_role("link", name="Forgot password?").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
        page.get_by_label("Email").fill(email)
        page.get_by_role("button", name="Send me a link").click()
        answer = page.get_by_role("status").filter(has_text="is the address of an account")
        expect(answer).to_be_visible()
        return answer.inner_text().replace(email, "ADDRESS")

    # The answer is the same whether or not the address has an account.
    assert ask("nobody@example.com") == ask(EXEC_EMAIL)
    link = emailed_link(smtp, EXEC_EMAIL, "reset-password")
    assert smtp.inbox.to("nobody@example.com") == []

    # Two different passwords, then a weak one: each refused under its field, and the link still works after.
    page.goto(link)
    new, repeat = page.get_by_label("New password", exact=True), page.get_by_label("Repeat the new password")
    new.fill(NEW_PASSWORD)
    repeat.fill(NEW_PASSWORD + "!")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("The two passwords are not the same.")).to_be_visible()
    expect(repeat).to_have_attribute("aria-invalid", "true")
    new.fill("password123")
    repeat.fill("password123")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("The password is too easy to guess")).to_be_visible()
    expect(new).to_be_focused()
    expect(repeat).not_to_have_attribute("aria-invalid", "true")

    set_password(phone, link, heading="Choose a new password", button="Set new password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Erin Exec")

    # Signed out, the old password is refused and the new one signs in.
    nav = page.get_by_role("navigation", name="Main")
    if not nav.get_by_role("button", name="Sign out").is_visible():
        nav.get_by_role("button", name="More").click()
    nav.get_by_role("button", name="Sign out").click()
    page.get_by_role("dialog").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Email").fill(EXEC_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Wrong email or password.")).to_be_visible()
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Erin Exec")

    # The reset link worked once.
    other = new_phone(browser, mail_server, phones)
    set_password(other, link, password="yet another fine passphrase", heading="Choose a new password",
                 button="Set new password")
    expect(other.page.get_by_role("heading", name="This link does not work any more")).to_be_visible()
    expect(other.page.get_by_role("link", name="Ask for a new password-reset link")).to_be_visible()
    assert all(p.console == [] for p in phones)
