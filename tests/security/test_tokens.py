"""Tokens beyond tests/auth/test_router.py: lifetime, storage, scope of logout, admin actions,
and the edges of the login rate limit."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import select

from api.auth.models import AuthToken, LoginThrottle
from api.config import get_settings
from tests.factories import PASSWORD, fetch


def sign_in(client, email, password=PASSWORD):
    return client.post("/api/auth/token", data={"username": email, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_lifetime_follows_the_setting(client, executive):
    res = sign_in(client, executive.user.email)
    expires = datetime.fromisoformat(res.json()["expires_at"])
    expected = datetime.now(UTC) + timedelta(days=get_settings().token_days)
    assert abs((expires - expected).total_seconds()) < 60


def test_only_a_keyed_hash_of_the_token_is_stored(client, executive):
    token = sign_in(client, executive.user.email).json()["access_token"]
    assert len(token) >= 40  # 256 bits, url-safe
    stored = [row.token_hash for row in fetch(select(AuthToken))]
    assert all(token not in h and h != token for h in stored)


def test_a_token_stops_working_the_moment_it_expires(client, factory, executive):
    almost = factory.token(user=executive.user, expires_in=timedelta(seconds=2))
    assert client.get("/api/me", headers=bearer(almost)).status_code == 200
    expired = factory.token(user=executive.user, expires_in=timedelta(seconds=-1))
    res = client.get("/api/me", headers=bearer(expired))
    assert res.status_code == 401 and "expired" in res.json()["detail"]
    # An expired token cannot be used to do anything, not even to log out.
    assert client.post("/api/auth/logout", headers=bearer(expired)).status_code == 401
    assert client.post("/api/sync", json={"visits": [], "cursor": None}, headers=bearer(expired)).status_code == 401


def test_logout_revokes_only_that_token(client, factory, executive):
    phone, laptop = factory.token(user=executive.user), factory.token(user=executive.user)
    assert client.post("/api/auth/logout", headers=bearer(phone)).status_code == 204
    assert client.get("/api/me", headers=bearer(phone)).status_code == 401
    assert client.get("/api/me", headers=bearer(laptop)).status_code == 200
    assert client.post("/api/auth/logout", headers=bearer(phone)).status_code == 401  # already revoked


def test_logout_everywhere_then_sign_in_again(client, factory, executive, other_executive):
    tokens = [factory.token(user=executive.user) for _ in range(3)]
    assert client.post("/api/auth/logout-all", headers=executive.headers).status_code == 204
    for token in [*tokens, executive.token]:
        assert client.get("/api/me", headers=bearer(token)).status_code == 401
    assert client.get("/api/me", headers=other_executive.headers).status_code == 200  # nobody else's
    fresh = sign_in(client, executive.user.email).json()["access_token"]
    assert client.get("/api/me", headers=bearer(fresh)).status_code == 200


def test_password_change_keeps_the_callers_session_and_old_password_stops_working(client, factory, executive):
    laptop = factory.token(user=executive.user)
    res = client.post("/api/me/password", headers=executive.headers,
                      json={"current_password": PASSWORD, "new_password": "an entirely new phrase"})
    assert res.status_code == 204
    assert client.get("/api/me", headers=bearer(laptop)).status_code == 401
    assert client.get("/api/me", headers=executive.headers).status_code == 200
    assert sign_in(client, executive.user.email, PASSWORD).status_code == 401


def test_admin_password_reset_and_deactivation_sign_the_user_out(client, factory, admin, executive,
                                                                 other_executive):
    res = client.patch(f"/api/users/{executive.id}", headers=admin.headers, json={"password": "reset by the admin"})
    assert res.status_code == 200
    assert client.get("/api/me", headers=executive.headers).status_code == 401
    assert sign_in(client, executive.user.email, "reset by the admin").status_code == 200

    res = client.patch(f"/api/users/{other_executive.id}", headers=admin.headers, json={"is_active": False})
    assert res.status_code == 200
    assert client.get("/api/me", headers=other_executive.headers).status_code == 401
    # A disabled account answers exactly like a wrong password: no hint that it exists.
    disabled = sign_in(client, other_executive.user.email)
    wrong = sign_in(client, "nobody@example.com")
    assert disabled.status_code == wrong.status_code == 401
    assert disabled.json() == wrong.json()


def test_failures_outside_the_window_do_not_count(client, session, executive):
    settings = get_settings()
    for _ in range(settings.login_max_failures):
        assert sign_in(client, executive.user.email, "wrong password!").status_code == 401
    assert sign_in(client, executive.user.email).status_code == 429
    # The delay and a quiet window later (moved into the past here), the failures are forgotten.
    past = datetime.now(UTC) - timedelta(seconds=1)
    session.exec(update(LoginThrottle).values(blocked_until=past, expires_at=past))
    session.commit()
    for _ in range(settings.login_max_failures - 1):
        assert sign_in(client, executive.user.email, "wrong password!").status_code == 401
    assert sign_in(client, executive.user.email).status_code == 200


def test_success_clears_the_accounts_failures(client, executive):
    limit = get_settings().login_max_failures
    for _ in range(limit - 1):
        assert sign_in(client, executive.user.email, "wrong password!").status_code == 401
    assert sign_in(client, executive.user.email).status_code == 200
    assert sign_in(client, executive.user.email, "wrong password!").status_code == 401
    assert sign_in(client, executive.user.email).status_code == 200  # the count started again


def test_rate_limited_answer_is_the_same_for_unknown_accounts(client):
    limit = get_settings().login_max_failures
    for _ in range(limit):
        assert sign_in(client, "ghost@example.com", "guess").status_code == 401
    res = sign_in(client, "ghost@example.com", "guess")
    assert res.status_code == 429
    assert res.json()["error"] == "Too many requests"
    assert 0 < int(res.headers["retry-after"]) <= get_settings().login_window_seconds
