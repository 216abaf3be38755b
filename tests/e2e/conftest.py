"""Browser tests: the real server on a free loopback port, Debian's Chromium driven by Playwright.

Each test gets its own server process and a fresh SQLite file. Without /usr/bin/chromium (or
Playwright) the tests skip on a developer's machine and fail under CI=true.
"""

import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from tests.conftest import require
from tests.factories import PASSWORD
from tests.server_process import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
PWA_DIR = ROOT / "mobile_pwa"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
EXEC_EMAIL = "exec@example.com"
ADMIN_EMAIL = "admin@example.com"
SITES = [("Leeds Kirkstall", "store", "North"), ("Bristol Contact Centre", "contact_centre", "South West")]
DEPARTMENTS = ["Store operations", "Customer service", "Logistics"]


def wait_in_page(page, script: str, timeout: float = 15):
    """Polls a JavaScript expression or function in the page until it is truthy. Not Playwright's
    wait_for_function: its polling loop compiles the script with eval, which the app's CSP refuses (it failed
    whenever the first check was false)."""
    return wait_for(lambda: page.evaluate(script), timeout, what=script.strip().splitlines()[0], page=page)


def wait_for(check, timeout: float = 15, what: str = "condition", page=None):
    """Polls check() until it returns something truthy. Pass the page when Playwright handlers must run meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        if page is not None:
            page.wait_for_timeout(200)
        else:
            time.sleep(0.2)


class Server(ServerProcess):
    """The shared harness (tests/server_process.py) on a SQLite file in `workdir`, serving `pwa_dir`."""

    def __init__(self, workdir: Path, pwa_dir: Path = PWA_DIR):
        super().__init__(f"sqlite:///{workdir / 'undercover.db'}", workdir=workdir,
                         env={"UNDERCOVER_PWA_DIR": str(pwa_dir)})

    def token(self, email: str) -> str:
        res = httpx.post(f"{self.url}/api/auth/token", data={"username": email, "password": PASSWORD}, timeout=10)
        assert res.status_code == 200, res.text
        return res.json()["access_token"]

    def client(self, email: str = EXEC_EMAIL) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.token(email)}"}, timeout=10)

    def visits(self, email: str = EXEC_EMAIL) -> list[dict]:
        with self.client(email) as c:
            res = c.get("/api/visits")
            assert res.status_code == 200, res.text
            return [v for v in res.json() if not v.get("deleted_at")]


def seed(server: Server) -> None:
    server.cli("migrate")
    server.cli("create-user", EXEC_EMAIL, "--role", "executive", "--name", "Erin Exec", "--password-stdin",
               stdin=PASSWORD + "\n")
    server.cli("create-user", ADMIN_EMAIL, "--role", "admin", "--name", "Ada Admin", "--password-stdin",
               stdin=PASSWORD + "\n")


def seed_lists(server: Server) -> None:
    with server.client(ADMIN_EMAIL) as c:
        for name, kind, region in SITES:
            assert c.post("/api/sites", json={"name": name, "kind": kind, "region": region}).status_code == 201
        for name in DEPARTMENTS:
            assert c.post("/api/departments", json={"name": name}).status_code == 201


_template: dict[str, Path] = {}


def template_database(tmp_root: Path) -> Path:
    """Migrated once per run, with users, sites and departments; each test starts from its own copy."""
    if "path" not in _template:
        workdir = tmp_root / "template"
        workdir.mkdir()
        server = Server(workdir)
        seed(server)
        server.start()
        try:
            seed_lists(server)
        finally:
            server.stop()
        # Fold SQLite's write-ahead log into the file, so that a plain copy holds every row.
        with closing(sqlite3.connect(workdir / "undercover.db")) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _template["path"] = workdir / "undercover.db"
    return _template["path"]


def make_server(workdir: Path, pwa_dir: Path = PWA_DIR, tmp_root: Path | None = None) -> Server:
    server = Server(workdir, pwa_dir)
    if tmp_root is None:
        seed(server)
        server.start()
        seed_lists(server)
    else:
        shutil.copyfile(template_database(tmp_root), workdir / "undercover.db")
        server.start()
    return server


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture
def server(tmp_path, tmp_root) -> Iterator[Server]:
    srv = make_server(tmp_path, tmp_root=tmp_root)
    yield srv
    srv.stop()
    # Shown by pytest only when the test failed.
    print("---- server log (tail) ----\n" + "\n".join(srv.log_text().splitlines()[-40:]))


@pytest.fixture(scope="session")
def browser():
    require(Path(CHROMIUM).exists(), f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "browser tests need Playwright for Python (pip install -e '.[dev]')")
    from playwright.sync_api import expect

    # The machine may be busy (2 cores shared with the server): give assertions room, not the app.
    expect.set_options(timeout=15000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


class Phone:
    """One browser context = one phone: its own IndexedDB, service worker and caches."""

    def __init__(self, browser, server: Server):
        self.server = server
        self.context = browser.new_context(viewport={"width": 360, "height": 780}, has_touch=True)
        self.context.set_default_timeout(15000)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.log: list[str] = []
        self.page.on("pageerror", lambda err: self.console.append(f"pageerror: {err}"))
        self.page.on("console", lambda msg: self.log.append(f"{msg.type}: {msg.text}"))

    def open(self) -> None:
        self.page.goto(self.server.url + "/")

    def sign_in(self, email: str = EXEC_EMAIL) -> None:
        from playwright.sync_api import expect

        page = self.page
        self.open()
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="New visit")).to_be_visible()
        # Offline use needs the service worker in control and the cached lists in place.
        wait_in_page(page, "navigator.serviceWorker && navigator.serviceWorker.controller !== null")
        wait_in_page(
            page,
            """async () => {
                const db = await new Promise((ok, ko) => { const r = indexedDB.open('undercover'); r.onsuccess = () => ok(r.result); r.onerror = ko; });
                const n = await new Promise((ok) => { const r = db.transaction('sites').objectStore('sites').count(); r.onsuccess = () => ok(r.result); });
                db.close();
                return n > 0;
            }"""
        )
        expect(self.sync_state()).to_have_text("All synced")

    def sync_state(self):
        """The sync state in the page header (a live status region)."""
        return self.page.get_by_role("banner").get_by_role("status")

    def navigate(self, name: str) -> None:
        """Follows a navigation entry: on a phone's bottom bar, or past its fourth entry in the More menu."""
        nav = self.page.get_by_role("navigation", name="Main")
        link = nav.get_by_role("link", name=name, exact=True)
        if not link.is_visible():
            nav.get_by_role("button", name="More").click()
        link.click()

    def start_visit(self, kind: str = "Shop-floor shift") -> None:
        from playwright.sync_api import expect

        page = self.page
        page.get_by_role("link", name="Home").click()
        page.get_by_role("button", name="New visit").click()
        page.get_by_role("button", name=kind).click()
        expect(page.get_by_role("heading", level=1, name=kind)).to_be_visible()

    def add_pain_point(self, text: str, severity: str = "3", felt_by: str = "customer",
                       department: str | None = None, quote: str | None = None) -> None:
        page = self.page
        page.get_by_role("button", name="Add pain point").click()
        box = page.locator("fieldset").filter(has=page.get_by_label("Pain point")).last
        box.get_by_label("Pain point").fill(text)
        box.get_by_label("Severity").select_option(severity)
        box.get_by_label("Felt by").select_option(felt_by)
        if department:
            box.get_by_label("Department").select_option(label=department)
        if quote:
            box.get_by_label("Quote").fill(quote)

    def wait_saved(self) -> None:
        from playwright.sync_api import expect

        expect(self.page.get_by_text("Saved on this phone", exact=True)).to_be_visible()

    def close(self) -> None:
        self.context.close()
        print("---- browser console ----\n" + "\n".join(self.log[-40:]))


@pytest.fixture
def phone(browser, server) -> Iterator[Phone]:
    p = Phone(browser, server)
    yield p
    p.close()


@pytest.fixture
def second_phone(browser, server) -> Iterator[Phone]:
    p = Phone(browser, server)
    yield p
    p.close()


@pytest.fixture
def pwa_copy(tmp_path) -> Path:
    """A copy of the app that a test can 'deploy' a new version into."""
    target = tmp_path / "pwa"
    shutil.copytree(PWA_DIR, target)
    return target
