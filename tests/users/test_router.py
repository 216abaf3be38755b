from tests.factories import PASSWORD


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
        "email": executive.user.email.upper(), "display_name": "X", "role": "executive", "password": "x" * 12})
    assert dup.status_code == 409
    bad = client.post("/api/users", headers=admin.headers, json={
        "email": "not-an-email", "display_name": "X", "role": "boss", "password": "short"})
    assert bad.status_code == 422
    assert {e["loc"][0] for e in bad.json()["detail"]} == {"email", "role", "password"}


def test_only_admins_manage_users_and_managers_may_list(client, executive, manager, admin):
    body = {"email": "x@example.com", "display_name": "X", "role": "admin", "password": "x" * 12}
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
