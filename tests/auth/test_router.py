from datetime import timedelta

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


def test_login_is_rate_limited_per_account(client, executive):
    limit = get_settings().login_max_failures
    for _ in range(limit):
        assert sign_in(client, executive.user.email, "wrong password!").status_code == 401
    res = sign_in(client, executive.user.email)  # even the right password waits now
    assert res.status_code == 429
    assert int(res.headers["retry-after"]) > 0
    assert "account" in res.json()["detail"]


def test_login_is_rate_limited_per_client_address(client, factory):
    limit = get_settings().login_max_failures
    for i in range(limit):
        assert sign_in(client, f"guess{i}@example.com", "wrong password!").status_code == 401
    someone = factory.user(role="manager")
    res = sign_in(client, someone.user.email)
    assert res.status_code == 429
    assert "address" in res.json()["detail"]


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
