"""Background Sync: the service worker replays the outbox itself, with the page's rules, and never at the
same time as a page (both take the 'undercover-outbox' Web Lock around a flush)."""

import pytest

from tests.e2e.conftest import wait_for, wait_in_page

pytestmark = [pytest.mark.e2e]

TAG = "undercover-outbox"


def finish_visit(phone, text: str) -> None:
    from playwright.sync_api import expect

    phone.start_visit("Shop-floor shift")
    phone.add_pain_point(text)
    phone.wait_saved()
    phone.page.get_by_role("button", name="Finish visit").click()
    expect(phone.page.get_by_text("Visit finished and saved on this phone.")).to_be_visible()


class Worker:
    """The app's service worker as DevTools sees it: lets a test fire its Background Sync event."""

    def __init__(self, phone):
        self.phone = phone
        self.cdp = phone.context.new_cdp_session(phone.page)
        self.registrations: dict[str, str] = {}
        self.cdp.on("ServiceWorker.workerRegistrationUpdated", self._seen)
        self.cdp.send("ServiceWorker.enable")
        wait_for(lambda: self.registrations, what="the service worker registration", page=phone.page)

    def _seen(self, event) -> None:
        for reg in event["registrations"]:
            if not reg["isDeleted"]:
                self.registrations[reg["scopeURL"]] = reg["registrationId"]

    def sync(self) -> None:
        (registration_id,) = self.registrations.values()
        self.cdp.send("ServiceWorker.dispatchSyncEvent", {
            "origin": self.phone.server.url, "registrationId": registration_id, "tag": TAG, "lastChance": False,
        })


def count_sends(phone) -> dict[str, int]:
    """How many times each visit id was pushed to /api/sync, by the page or by the service worker."""
    sent: dict[str, int] = {}

    def count(route):
        for visit in (route.request.post_data_json or {}).get("visits", []):
            sent[visit["id"]] = sent.get(visit["id"], 0) + 1
        route.continue_()

    phone.context.route("**/api/sync", count)
    return sent


def who_sends(phone) -> list[tuple[str, str]]:
    """Each visit pushed to /api/sync, with who pushed it: the page or the service worker."""
    sent: list[tuple[str, str]] = []

    def record(route):
        sender = "page" if route.request.service_worker is None else "service worker"
        sent.extend((visit["id"], sender) for visit in (route.request.post_data_json or {}).get("visits", []))
        route.continue_()

    phone.context.route("**/api/sync", record)
    return sent


def test_service_worker_replays_the_outbox_with_no_page_open(phone, server):
    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in()
    worker = Worker(phone)
    phone.context.set_offline(True)
    # No network at all, as on a phone without one: Chromium's offline emulation does not reach a service
    # worker it has just started for a sync event (its push once reached the server here), so the server
    # is down too while the visit is queued.
    server.stop()
    finish_visit(phone, "Only 2 of 6 tills open at noon")
    expect(page.get_by_role("banner")).to_contain_text("1 waiting to sync")

    # The app is closed: no page is left to flush, only the worker.
    page.goto("about:blank")
    senders = who_sends(phone)
    server.start()
    # Chromium may fire the pending sync itself as soon as the network is back; the test fires it too,
    # in case it waits. Either way only the worker can send (a try before the server was up may count too).
    phone.context.set_offline(False)
    worker.sync()
    (visit,) = wait_for(server.visits, what="the worker's replay", page=page)
    assert [p["text"] for p in visit["pain_points"]] == ["Only 2 of 6 tills open at noon"]
    assert visit["version"] == 1
    assert set(senders) == {(visit["id"], "service worker")}

    # Opened again, the app finds the visit synced (the worker updated the phone's copy, not only the server).
    phone.open()
    expect(phone.sync_state()).to_have_text("All synced")
    page.get_by_role("link", name="My visits").click()
    expect(page.get_by_role("region", name="All visits").get_by_text("Synced", exact=True)).to_have_count(1)
    (again,) = server.visits()
    assert again["version"] == 1
    assert phone.console == []


def test_open_page_learns_what_the_worker_replayed(phone, server):
    """The page's own pushes fail (503: kept, retried later); the worker's replay gets through, and the open
    list of visits shows it without a reload."""
    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in()
    worker = Worker(phone)
    stored: dict[str, int] = {}

    def page_fails_worker_passes(route):
        visits = (route.request.post_data_json or {}).get("visits", [])
        if route.request.service_worker is None:
            route.fulfill(status=503, json={"error": "unavailable", "detail": "try again later"})
            return
        for visit in visits:
            stored[visit["id"]] = stored.get(visit["id"], 0) + 1
        route.continue_()

    phone.context.route("**/api/sync", page_fails_worker_passes)
    finish_visit(phone, "Handheld scanners freeze")
    page.get_by_role("link", name="My visits").click()
    item = page.get_by_role("region", name="All visits").get_by_role("link")
    expect(item).to_contain_text("Waiting to sync")
    expect(page.get_by_role("banner")).to_contain_text("1 waiting to sync")
    assert server.visits() == []

    worker.sync()
    expect(item).to_contain_text("Synced")
    expect(phone.sync_state()).to_have_text("All synced")
    (visit,) = server.visits()
    assert stored == {visit["id"]: 1}
    assert phone.console == []


def test_page_and_worker_never_send_at_once(phone, server):
    """Both wait for the lock; the one that gets it second finds the queue empty: each visit is sent once."""
    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in()
    sent = count_sends(phone)
    worker = Worker(phone)
    phone.context.set_offline(True)
    server.stop()  # no network for a service worker Chromium starts meanwhile either (see the first test)
    finish_visit(phone, "Queue out of the door")
    finish_visit(phone, "No baskets at the entrance")
    expect(page.get_by_role("banner")).to_contain_text("2 waiting to sync")
    server.start()

    # Hold the lock from the test, then let both senders start: the worker first, then the page (online).
    page.evaluate("""() => { navigator.locks.request('undercover-outbox', () => new Promise((release) => {
        window.testReleaseOutbox = release; })); }""")
    wait_in_page(page, "typeof window.testReleaseOutbox === 'function'")
    phone.context.set_offline(False)
    worker.sync()
    wait_in_page(page, """async () => {
        const { pending } = await navigator.locks.query();
        return pending.filter((lock) => lock.name === 'undercover-outbox').length >= 2;
    }""")
    assert sent == {} and server.visits() == []

    page.evaluate("window.testReleaseOutbox()")
    wait_for(lambda: len(server.visits()) == 2, what="both visits stored", page=page)
    expect(phone.sync_state()).to_have_text("All synced")
    wait_in_page(page, """async () => (await navigator.locks.query()).held.length === 0""")
    assert sorted(sent.values()) == [1, 1], sent
    assert phone.console == []


def test_page_and_worker_woken_together_send_each_visit_once(phone, server):
    """Coming back online wakes both: the page ('online') and the worker (Background Sync). Answers are
    slowed down, so that without the lock both would have pushed the same queue."""
    import time

    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in()
    worker = Worker(phone)
    sent: dict[str, int] = {}

    def slow(route):
        for visit in (route.request.post_data_json or {}).get("visits", []):
            sent[visit["id"]] = sent.get(visit["id"], 0) + 1
        time.sleep(1)  # the other sender, if not kept waiting, sends meanwhile
        route.continue_()

    phone.context.route("**/api/sync", slow)
    phone.context.set_offline(True)
    finish_visit(phone, "Fitting rooms locked")
    expect(page.get_by_role("banner")).to_contain_text("1 waiting to sync")

    phone.context.set_offline(False)
    worker.sync()
    wait_for(lambda: len(server.visits()) == 1, what="the visit stored", page=page)
    expect(phone.sync_state()).to_have_text("All synced")
    page.wait_for_timeout(1500)
    (visit,) = server.visits()
    assert sent == {visit["id"]: 1}
    assert phone.console == []


def refused_pushes(server) -> int:
    """The server's own count of pushes it answered 401 (Playwright's routing missed a request a service
    worker sent just after starting, so the server is the witness)."""
    return sum('"route": "/api/sync", "status": 401' in line for line in server.log_text().splitlines())


def test_worker_keeps_the_visit_and_asks_to_sign_in_again_on_401(phone, server):
    """The worker's replay is answered 401: the visit stays queued and the token is forgotten, so that the
    app, opened again, asks to sign in instead of pushing with a token the server refused."""
    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in()
    worker = Worker(phone)
    phone.context.set_offline(True)
    # Signed out everywhere from another device: the phone's token is now refused by the server itself.
    # (Before the visit is queued: Chromium's offline emulation does not reach a service worker it has just
    # started for a sync event, so the worker may push at once; it must meet the 401 too.)
    with server.client() as other_device:
        assert other_device.post("/api/auth/logout-all").status_code == 204
    finish_visit(phone, "Card reader out of order")
    page.goto("about:blank")
    # Back online, Chromium may fire the sync itself too: whichever fires first meets the 401.
    phone.context.set_offline(False)
    worker.sync()
    wait_for(lambda: refused_pushes(server), what="the worker's refused push", page=page)
    # No page is open: those pushes were the worker's.
    by_worker = refused_pushes(server)

    phone.open()
    expect(page.get_by_text("Your sign-in has expired. Your visits are safe on this phone")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("1 waiting to sync")
    page.get_by_role("link", name="My visits").click()
    expect(page.get_by_role("region", name="All visits").get_by_role("link")).to_contain_text("Waiting to sync")
    assert server.visits() == []
    # The page pushes with the refused token at most once more: when Chromium stopped the worker before it
    # wrote down the refusal (seen once in 20 runs); then it forgets the token too.
    api_calls = [line for line in server.log_text().splitlines() if '"route": "/api' in line]
    assert refused_pushes(server) <= by_worker + 1, api_calls
    assert phone.console == []


def test_page_checks_the_stored_token_before_it_pushes(phone, server):
    """The service worker (or another tab) forgot a refused token while this page kept its own copy: the
    page reads the stored session before pushing, and asks to sign in instead of pushing with it."""
    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in()
    phone.context.set_offline(True)
    # What the worker does on a 401, done here directly: the stored session loses its token.
    page.evaluate("""() => new Promise((resolve, reject) => {
      const open = indexedDB.open('undercover');
      open.onsuccess = () => {
        const tx = open.result.transaction('kv', 'readwrite');
        const kv = tx.objectStore('kv');
        kv.get('session').onsuccess = (e) => kv.put({ ...e.target.result, token: null }, 'session');
        tx.oncomplete = () => { open.result.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
      };
    })""")
    finish_visit(phone, "Queue past the door")
    phone.context.set_offline(False)
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_text("Your sign-in has expired. Your visits are safe on this phone")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("1 waiting to sync")
    # The page's token is still valid on the server: had the page pushed, the visit would be there.
    assert server.visits() == []
    assert phone.console == []


def test_worker_moves_a_refused_visit_to_needs_attention(phone, server):
    """A 4xx for the worker's push (other than 401) puts the visit in "needs attention", shown at once."""
    from playwright.sync_api import expect

    page = phone.page
    phone.sign_in()
    worker = Worker(phone)

    def page_fails_worker_refused(route):
        if route.request.service_worker is None:
            route.fulfill(status=503, json={"error": "unavailable", "detail": "try again later"})
        else:
            route.fulfill(status=400, json={"error": "bad_request", "detail": "This visit cannot be stored."})

    phone.context.route("**/api/sync", page_fails_worker_refused)
    finish_visit(phone, "Trolleys chained together")
    page.get_by_role("link", name="My visits").click()
    expect(page.get_by_role("banner")).to_contain_text("1 waiting to sync")

    worker.sync()
    expect(phone.sync_state()).to_have_text("Needs attention (1)")
    attention = page.get_by_role("list", name="Needs attention")
    expect(attention).to_contain_text("Needs attention: not accepted")
    expect(attention).to_contain_text("This visit cannot be stored.")
    assert server.visits() == []
    assert phone.console == []
