"""The sign-in rate limit (api/auth/throttle.py): growing delays per account + address pair, a generous
ceiling per address, over-long input refused without an argon2 round, and counting that holds under real
concurrency (threads against a live server, on SQLite and PostgreSQL)."""

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from api.auth import service, throttle
from api.auth.models import LoginFailure, LoginThrottle
from api.config import get_settings
from api.core.clock import utcnow
from tests.factories import PASSWORD, count_rows, fetch
from tests.live import LiveServer, backends, live_database


def sign_in(client, email, password=PASSWORD):
    return client.post("/api/auth/token", data={"username": email, "password": password})


class Clock:
    """Stands in for the throttle's clock, so delays can be waited out at once."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(throttle, "utcnow", fake)
    return fake


def test_delays_grow_with_each_failure_up_to_the_window(client, executive, clock):
    settings = get_settings()
    email = executive.user.email
    for _ in range(settings.login_max_failures):
        assert sign_in(client, email, "wrong password!").status_code == 401
    expected = throttle.FIRST_DELAY
    seen = []
    while True:
        res = sign_in(client, email)  # the right password waits too, without being checked
        assert res.status_code == 429
        retry = int(res.headers["retry-after"])
        assert retry == expected
        seen.append(retry)
        if retry == settings.login_window_seconds:
            break
        clock.advance(retry)
        assert sign_in(client, email, "wrong password!").status_code == 401  # one more try, then longer
        expected = min(expected * 2, settings.login_window_seconds)
    assert seen[:3] == [15, 30, 60] and seen[-1] == settings.login_window_seconds
    clock.advance(settings.login_window_seconds)
    assert sign_in(client, email).status_code == 200  # the delay over, the right password signs in
    # ... and the pair is forgotten: the next mistakes are free again.
    assert sign_in(client, email, "wrong password!").status_code == 401
    assert sign_in(client, email).status_code == 200


def test_the_pair_is_forgotten_after_a_quiet_window(client, executive, clock):
    settings = get_settings()
    for _ in range(settings.login_max_failures - 1):
        assert sign_in(client, executive.user.email, "wrong password!").status_code == 401
    clock.advance(settings.login_window_seconds + 1)
    for _ in range(settings.login_max_failures - 1):  # a fresh allowance, not one last try
        assert sign_in(client, executive.user.email, "wrong password!").status_code == 401
    assert sign_in(client, executive.user.email).status_code == 200


def test_the_address_ceiling_lasts_one_window(app, client, factory, clock, monkeypatch):
    settings = get_settings()
    monkeypatch.setattr(settings, "login_address_max_failures", 4)
    for i in range(4):
        assert sign_in(client, f"spray{i}@example.com", "Winter2026!").status_code == 401
    someone = factory.user(role="executive")
    res = sign_in(client, someone.user.email)
    assert res.status_code == 429 and "address" in res.json()["detail"]
    assert int(res.headers["retry-after"]) == settings.login_window_seconds
    clock.advance(settings.login_window_seconds)
    assert sign_in(client, someone.user.email).status_code == 200


def test_a_429_checks_no_password_and_counts_nothing(client, executive, monkeypatch):
    limit = get_settings().login_max_failures
    for _ in range(limit):
        assert sign_in(client, executive.user.email, "wrong password!").status_code == 401
    checks = []
    monkeypatch.setattr(service, "verify_password", lambda *a: checks.append(a) or True)
    for _ in range(5):
        assert sign_in(client, executive.user.email).status_code == 429
    assert checks == []
    assert count_rows(None, LoginFailure) == limit


@pytest.mark.parametrize("field", ["username", "password"])
def test_over_long_input_is_refused_before_hashing_and_counted(client, monkeypatch, field):
    """An e-mail over 254 characters (or a password over 256) can be nobody's: no argon2 round, and it
    counts towards the limit like any failure, with a failure logged for the operators."""
    checks = []
    monkeypatch.setattr(service, "verify_password", lambda *a: checks.append(a) or False)
    long_email = "x" * 300 + "@example.com"
    email, password = (long_email, PASSWORD) if field == "username" else ("someone@example.com", "p" * 5000)
    limit = get_settings().login_max_failures
    for _ in range(limit):
        res = sign_in(client, email, password)
        assert res.status_code == 401
        assert res.json()["detail"] == "Incorrect email or password"  # the same answer as a wrong password
    assert checks == []
    assert sign_in(client, email, password).status_code == 429
    logged = fetch(select(LoginFailure))
    assert len(logged) == limit and all(len(row.email) <= 254 for row in logged)


def test_a_nul_in_the_username_is_refused_and_writes_nothing(client):
    res = sign_in(client, "a\x00@example.com")
    assert res.status_code == 422
    assert res.json()["detail"][0]["loc"] == ["username"]
    assert count_rows(None, LoginThrottle) == 0 and count_rows(None, LoginFailure) == 0


def test_expired_rows_are_pruned(client, session, executive):
    old = utcnow() - timedelta(days=2)
    session.add(LoginThrottle(key="0" * 64, scope="pair", failures=9, expires_at=old))
    session.add(LoginFailure(email="old@example.com", client_ip="192.0.2.1", created_at=old))
    session.commit()
    assert sign_in(client, executive.user.email, "wrong password!").status_code == 401
    keys = [row.key for row in fetch(select(LoginThrottle))]
    assert "0" * 64 not in keys and len(keys) == 2  # this attempt's pair and address stay
    assert [row.email for row in fetch(select(LoginFailure))] == [executive.user.email]


def test_the_throttle_stores_no_e_mail_or_address(client, executive):
    assert sign_in(client, executive.user.email, "wrong password!").status_code == 401
    for row in fetch(select(LoginThrottle)):
        assert len(row.key) == 64 and executive.user.email not in row.key and "testclient" not in row.key


# -- real concurrency: threads against a live server ----------------------------------------------------


def burst(url: str, requests: list[dict]) -> Counter:
    """Send every request at once, each on a thread and connection of its own (a barrier releases them
    together); count the status codes."""
    gate = threading.Barrier(len(requests))

    def one(kwargs: dict) -> int:
        with httpx.Client(base_url=url, timeout=60) as http:
            try:
                gate.wait(timeout=30)
            except threading.BrokenBarrierError:
                pass
            return http.post("/api/auth/token", **kwargs).status_code

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return Counter(pool.map(one, requests))


@pytest.mark.slow
@pytest.mark.parametrize("backend", backends())
def test_concurrent_wrong_passwords_check_no_more_than_the_limit(backend, tmp_path):
    """60 wrong passwords for one account at once: at most `limit` are checked (401), the rest wait (429);
    meanwhile the owner signs in from another address. Then 30 failures at once over 15 accounts from one
    address stop at the address ceiling."""
    limit, ceiling = 10, 15
    env = {"UNDERCOVER_LOGIN_MAX_FAILURES": str(limit), "UNDERCOVER_LOGIN_ADDRESS_MAX_FAILURES": str(ceiling)}
    with live_database(backend, tmp_path) as url, LiveServer(
            url, tmp_path, serve_args=("--forwarded-allow-ips", "127.0.0.1"), **env) as server:
        owner = server.user("executive")
        # The owner's right password sent 8 times at once (a double-tapped button): all sign in, no deadlock.
        codes = burst(server.url, [{"data": {"username": owner.email, "password": PASSWORD}}] * 8)
        assert codes == Counter({200: 8}), codes
        attacker = {"X-Forwarded-For": "198.51.100.7"}
        codes = burst(server.url, [{"data": {"username": owner.email, "password": f"guess {i}"},
                                    "headers": attacker} for i in range(60)])
        assert codes[401] <= limit, codes
        assert codes[401] + codes[429] == 60, codes
        assert server.scalar("SELECT count(*) FROM login_failure") == codes[401]
        res = server.http.post("/api/auth/token", data={"username": owner.email, "password": PASSWORD},
                               headers={"X-Forwarded-For": "192.0.2.10"})
        assert res.status_code == 200, res.text

        sprayer = {"X-Forwarded-For": "198.51.100.8"}
        codes = burst(server.url, [{"data": {"username": f"user{i % 15}@example.com", "password": f"Spring{i}!"},
                                    "headers": sprayer} for i in range(30)])
        assert codes[401] <= ceiling, codes
        assert codes[401] + codes[429] == 30, codes
        res = server.http.post("/api/auth/token", data={"username": owner.email, "password": PASSWORD},
                               headers=sprayer)
        assert res.status_code == 429 and "address" in res.json()["detail"]
        log = server.log_text()
    assert "Traceback" not in log, log[-3000:]


@pytest.mark.slow
def test_forwarded_for_is_believed_only_from_named_proxies(tmp_path):
    """Without --forwarded-allow-ips a client's own X-Forwarded-For changes nothing (it cannot dodge the
    limit); with it, the proxy's header gives each client its own address."""
    with live_database("sqlite", tmp_path) as url:
        with LiveServer(url, tmp_path, UNDERCOVER_LOGIN_MAX_FAILURES="2") as server:
            owner = server.user("executive", email=f"plain-{uuid.uuid4().hex[:6]}@example.com")
            for spoof in ("192.0.2.1", "192.0.2.2"):
                res = server.http.post("/api/auth/token", data={"username": owner.email, "password": "nope nope"},
                                       headers={"X-Forwarded-For": spoof})
                assert res.status_code == 401
            res = server.http.post("/api/auth/token", data={"username": owner.email, "password": PASSWORD},
                                   headers={"X-Forwarded-For": "192.0.2.3"})
            assert res.status_code == 429
        with LiveServer(url, tmp_path, serve_args=("--forwarded-allow-ips", "127.0.0.1"),
                        UNDERCOVER_LOGIN_MAX_FAILURES="2") as server:
            owner = server.user("executive", email=f"proxied-{uuid.uuid4().hex[:6]}@example.com")
            for _ in range(2):
                res = server.http.post("/api/auth/token", data={"username": owner.email, "password": "nope nope"},
                                       headers={"X-Forwarded-For": "192.0.2.1"})
                assert res.status_code == 401
            for address, status in (("192.0.2.1", 429), ("192.0.2.3", 200)):
                res = server.http.post("/api/auth/token", data={"username": owner.email, "password": PASSWORD},
                                       headers={"X-Forwarded-For": address})
                assert res.status_code == status, address


def test_serve_passes_forwarded_allow_ips_to_uvicorn(monkeypatch):
    import uvicorn

    import api.migrate
    from api import cli

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append(kw))
    monkeypatch.setattr(api.migrate, "upgrade", lambda url: None)
    monkeypatch.setattr(cli, "_database_url", lambda: "sqlite://")
    assert cli.main(["serve", "--forwarded-allow-ips", "10.0.0.5,10.0.1.0/24"]) == 0
    assert calls[-1]["forwarded_allow_ips"] == "10.0.0.5,10.0.1.0/24" and calls[-1]["proxy_headers"] is True
    assert cli.main(["serve"]) == 0
    assert calls[-1]["forwarded_allow_ips"] is None and calls[-1]["proxy_headers"] is False
    assert cli.main(["serve", "--proxy-headers"]) == 0
    assert calls[-1]["forwarded_allow_ips"] is None and calls[-1]["proxy_headers"] is True
