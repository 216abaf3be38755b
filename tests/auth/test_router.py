from datetime import timedelta

from fastapi.testclient import TestClient

from api.config import get_settings
from tests.factories import PASSWORD


def sign_in(client, email, password=PASSWORD, ip_headers=None):
    return client.post("/api/auth/token", data={"username": email, "password": password})


def test_sign_in_returns_a_token_that_works(client, executive):
    res = sign_in(client, executive.user.email.upper())  # email is case-insensitive
    assert res.status_code == 200
    body = res.json()
    assert body["token_type"] == "bearer"
    assert body["user"]["email"] == executive.user.email
    assert "password_hash" not in body["user"]
    me = client.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["role"] == "executive"


def test_wrong_password_and_unknown_email_answer_the_same(client, executive):
    wrong = sign_in(client, executive.user.email, "not the password")
    unknown = sign_in(client, "nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"] == "Not authenticated"


def test_logout_revokes_the_token(client, executive):
    assert client.post("/api/auth/logout", headers=executive.headers).status_code == 204
    res = client.get("/api/me", headers=executive.headers)
    assert res.status_code == 401
    assert "revoked" in res.json()["detail"]


def test_expired_and_revoked_and_missing_tokens_are_refused(client, factory, executive):
    expired = factory.token(user=executive.user, expires_in=timedelta(seconds=-1))
    revoked = factory.token(user=executive.user, revoked=True)
    for headers in ({"Authorization": f"Bearer {expired}"}, {"Authorization": f"Bearer {revoked}"},
                    {"Authorization": "Bearer made-up"}, {}):
        res = client.get("/api/me", headers=headers)
        assert res.status_code == 401, headers
        assert res.headers["www-authenticate"] == "Bearer"


def from_address(app, host: str) -> TestClient:
    """A client whose requests come from another address (the limit counts per address)."""
    return TestClient(app, client=(host, 50000))


def test_failures_delay_that_account_from_that_address_only(app, client, executive):
    limit = get_settings().login_max_failures
    for _ in range(limit):
        assert sign_in(client, executive.user.email, "wrong password!").status_code == 401
    res = sign_in(client, executive.user.email)  # even the right password waits now, from this address
    assert res.status_code == 429
    assert int(res.headers["retry-after"]) > 0
    assert "account" in res.json()["detail"]
    # The owner elsewhere is not locked out by whoever hammers the account.
    assert sign_in(from_address(app, "203.0.113.20"), executive.user.email).status_code == 200
    assert sign_in(client, executive.user.email).status_code == 429  # the attacker's address still waits


def test_one_person_at_an_address_does_not_lock_out_everyone_behind_it(app, client, factory, monkeypatch):
    """Failures against many accounts from one address (an office behind NAT) leave its other people
    signing in; only past the generous per-address ceiling does the address wait, and then only it."""
    settings = get_settings()
    limit = settings.login_max_failures
    for i in range(limit):
        assert sign_in(client, f"guess{i}@example.com", "wrong password!").status_code == 401
    colleague = factory.user(role="manager")
    assert sign_in(client, colleague.user.email).status_code == 200

    monkeypatch.setattr(settings, "login_address_max_failures", limit + 3)
    for i in range(3):
        assert sign_in(client, f"more{i}@example.com", "wrong password!").status_code == 401
    res = sign_in(client, colleague.user.email)
    assert res.status_code == 429
    assert "address" in res.json()["detail"]
    assert 0 < int(res.headers["retry-after"]) <= settings.login_window_seconds
    assert sign_in(from_address(app, "203.0.113.21"), colleague.user.email).status_code == 200


def test_password_change_signs_out_other_sessions(client, factory, executive):
    other_phone = factory.token(user=executive.user)
    res = client.post("/api/me/password", headers=executive.headers,
                      json={"current_password": PASSWORD, "new_password": "a brand new passphrase"})
    assert res.status_code == 204
    assert client.get("/api/me", headers=executive.headers).status_code == 200
    assert client.get("/api/me", headers={"Authorization": f"Bearer {other_phone}"}).status_code == 401
    assert sign_in(client, executive.user.email, "a brand new passphrase").status_code == 200


def test_password_change_needs_the_current_password(client, executive):
    res = client.post("/api/me/password", headers=executive.headers,
                      json={"current_password": "wrong", "new_password": "a brand new passphrase"})
    assert res.status_code == 422
    assert res.json()["detail"][0]["loc"] == ["current_password"]


def test_logout_everywhere(client, factory, executive):
    other_phone = factory.token(user=executive.user)
    assert client.post("/api/auth/logout-all", headers=executive.headers).status_code == 204
    assert client.get("/api/me", headers=executive.headers).status_code == 401
    assert client.get("/api/me", headers={"Authorization": f"Bearer {other_phone}"}).status_code == 401


def test_password_change_refuses_a_weak_new_password(client, executive):
    for new, reason in (("", "blank"), ("aaaaaaaaaaaa", "repeats"), ("password1234", "too easy to guess")):
        res = client.post("/api/me/password", headers=executive.headers,
                          json={"current_password": PASSWORD, "new_password": new})
        assert res.status_code == 422, new
        (error,) = res.json()["detail"]
        assert error["loc"] == ["new_password"] and reason in error["msg"]
    # A password built from the caller's own e-mail address is refused too.
    local = executive.user.email.split("@")[0]
    res = client.post("/api/me/password", headers=executive.headers,
                      json={"current_password": PASSWORD, "new_password": local + "2026"})
    assert res.status_code == 422 and res.json()["detail"][0]["loc"] == ["new_password"]
    assert sign_in(client, executive.user.email).status_code == 200  # unchanged
