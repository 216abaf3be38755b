import logging

import pytest
from sqlmodel import select

from api.auth.models import User
from api.auth.schemas import UserUpdate
from tests.factories import PASSWORD, fetch

# Refused wherever a password is set, each with a reason a person can act on.
WEAK = {
    "": "blank",
    "            ": "blank",
    "short pw": "at least 10",
    "aaaaaaaaaaaa": "repeats",
    "abababababab": "repeats",
    "password1234": "too easy to guess",
    "qwertyuiop123": "too easy to guess",
    "1234567890": "too easy to guess",
    "Summer2024!": "too easy to guess",
}


def test_admin_creates_a_user_who_can_sign_in(client, admin):
    res = client.post("/api/users", headers=admin.headers, json={
        "email": "New.Person@Example.com", "display_name": "New Person", "role": "executive",
        "password": "long enough password"})
    assert res.status_code == 201
    assert res.json()["email"] == "new.person@example.com"
    assert "password" not in res.json() and "password_hash" not in res.json()
    token = client.post("/api/auth/token", data={"username": "new.person@example.com",
                                                  "password": "long enough password"})
    assert token.status_code == 200


def test_duplicate_email_and_bad_fields(client, admin, executive):
    dup = client.post("/api/users", headers=admin.headers, json={
        "email": executive.user.email.upper(), "display_name": "X", "role": "executive",
        "password": "a long enough password"})
    assert dup.status_code == 409
    bad = client.post("/api/users", headers=admin.headers, json={
        "email": "not-an-email", "display_name": "X", "role": "boss", "password": "short"})
    assert bad.status_code == 422
    assert {e["loc"][0] for e in bad.json()["detail"]} == {"email", "role", "password"}


def test_only_admins_manage_users_and_managers_may_list(client, executive, manager, admin):
    body = {"email": "x@example.com", "display_name": "X", "role": "admin", "password": "a long enough password"}
    assert client.post("/api/users", json=body, headers=executive.headers).status_code == 403
    assert client.post("/api/users", json=body, headers=manager.headers).status_code == 403
    assert client.get("/api/users", headers=executive.headers).status_code == 403
    listed = client.get("/api/users", params={"role": "executive"}, headers=manager.headers)
    assert [u["id"] for u in listed.json()] == [str(executive.id)]
    patch = client.patch(f"/api/users/{executive.id}", json={"role": "manager"}, headers=manager.headers)
    assert patch.status_code == 403


def test_deactivating_a_user_signs_them_out(client, executive, admin):
    res = client.patch(f"/api/users/{executive.id}", json={"is_active": False}, headers=admin.headers)
    assert res.status_code == 200 and res.json()["is_active"] is False
    assert client.get("/api/me", headers=executive.headers).status_code == 401
    login = client.post("/api/auth/token", data={"username": executive.user.email, "password": PASSWORD})
    assert login.status_code == 401


def _stored(user_id) -> User:
    return fetch(select(User).where(User.id == user_id))[0]


@pytest.mark.parametrize("field", ["role", "display_name", "is_active", "password"])
def test_null_fields_are_refused_field_by_field(client, admin, executive, field, caplog):
    """Leaving a field out keeps it; sending it as null is a 422 on that field, never a database error."""
    before = _stored(executive.id)
    with caplog.at_level(logging.DEBUG):
        res = client.patch(f"/api/users/{executive.id}", json={field: None}, headers=admin.headers)
    assert res.status_code == 422, res.text
    (error,) = res.json()["detail"]
    assert error["loc"] == [field] and "null" in error["msg"]
    after = _stored(executive.id)
    assert (after.role, after.display_name, after.is_active, after.password_hash) == (
        before.role, before.display_name, before.is_active, before.password_hash)
    assert executive.user.email not in caplog.text and "$argon2" not in caplog.text


def test_all_nulls_at_once_name_every_field(client, admin, executive):
    res = client.patch(f"/api/users/{executive.id}", headers=admin.headers,
                       json={"role": None, "display_name": None, "is_active": None, "password": None})
    assert res.status_code == 422
    assert sorted(e["loc"][0] for e in res.json()["detail"]) == ["display_name", "is_active", "password", "role"]


def test_the_schema_does_not_offer_null(client):
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["UserUpdate"]
    for name, prop in schema["properties"].items():
        assert "anyOf" not in prop and prop.get("type") != "null" and "default" not in prop, name


def test_a_database_refusal_logs_no_row_values(client, admin, executive, monkeypatch, caplog):
    """Should a null get past validation, the NOT NULL violation is a 500 whose log holds no value from the
    row (PostgreSQL's message quotes the whole failing row: e-mail, password hash)."""
    from api.auth import users

    real = users.update_user

    def unvalidated(*, session, user_id, data):
        return real(session=session, user_id=user_id,
                    data=UserUpdate.model_construct(_fields_set={"display_name"}, display_name=None))

    monkeypatch.setattr(users, "update_user", unvalidated)
    with caplog.at_level(logging.DEBUG):
        res = client.patch(f"/api/users/{executive.id}", json={"display_name": "Anything"}, headers=admin.headers)
    assert res.status_code == 500
    assert res.json()["error"] == "Internal server error"
    assert "database refused a write: " in caplog.text
    for secret in (executive.user.email, "$argon2", "Failing row", executive.user.display_name):
        assert secret not in caplog.text and secret not in res.text, secret


def test_a_duplicate_that_races_the_check_is_a_409_and_logs_no_values(client, admin, executive, monkeypatch,
                                                                     caplog):
    from api.auth import users

    monkeypatch.setattr(users, "get_user_by_email", lambda **_: None)  # as if created a moment later
    with caplog.at_level(logging.DEBUG):
        res = client.post("/api/users", headers=admin.headers, json={
            "email": executive.user.email, "display_name": "Twin", "role": "executive",
            "password": "a long enough password"})
    assert res.status_code == 409
    assert executive.user.email not in caplog.text and "$argon2" not in caplog.text


@pytest.mark.parametrize("password", WEAK)
def test_weak_passwords_are_refused_when_creating_a_user(client, admin, password):
    res = client.post("/api/users", headers=admin.headers, json={
        "email": "weak@example.com", "display_name": "Weak", "role": "executive", "password": password})
    assert res.status_code == 422, res.text
    (error,) = res.json()["detail"]
    assert error["loc"] == ["password"]
    assert WEAK[password] in error["msg"]
    assert password.strip() == "" or password not in res.text  # the reason, never the password echoed


def test_a_password_built_from_the_users_own_name_is_refused(client, admin):
    res = client.post("/api/users", headers=admin.headers, json={
        "email": "zebulon.quarkwright@example.com", "display_name": "Zebulon Quarkwright", "role": "executive",
        "password": "zebulonquarkwright"})
    assert res.status_code == 422
    assert res.json()["detail"][0]["loc"] == ["password"]


def test_weak_passwords_are_refused_on_an_admin_reset(client, admin, executive):
    for password in ("aaaaaaaaaaaa", "password1234"):
        res = client.patch(f"/api/users/{executive.id}", json={"password": password}, headers=admin.headers)
        assert res.status_code == 422
        assert res.json()["detail"][0]["loc"] == ["password"]
    local = executive.user.email.split("@")[0]  # built from the user's own e-mail address
    res = client.patch(f"/api/users/{executive.id}", json={"password": local + "2026"}, headers=admin.headers)
    assert res.status_code == 422 and res.json()["detail"][0]["loc"] == ["password"]
    assert client.post("/api/auth/token", data={"username": executive.user.email,
                                                 "password": PASSWORD}).status_code == 200
