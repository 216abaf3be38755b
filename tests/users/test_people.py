"""Department memberships, invitations (7-day one-time links) and password resets (1-hour single-use links)."""

import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sqlmodel import select

from api.auth import links
from api.auth.models import Invitation, PasswordReset
from api.core.clock import utcnow
from api.events.models import Event
from tests.factories import PASSWORD, fetch

NEW_PASSWORD = "plum orchard lantern"


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).fragment.partition("?")[2])["token"][0]


def invite(client, admin, **body):
    body = {"email": "new.hire@example.com", "display_name": "New Hire", "role": "executive",
            "department_ids": [], **body}
    return client.post("/api/invitations", json=body, headers=admin.headers)


def test_users_belong_to_departments_set_by_admins(client, admin, manager, factory):
    ops, tills = factory.department(), factory.department()
    res = client.post("/api/users", headers=admin.headers, json={
        "email": "member@example.com", "display_name": "Member", "role": "manager", "password": PASSWORD,
        "department_ids": [str(ops.id)]})
    assert res.status_code == 201, res.text
    user_id = res.json()["id"]
    assert res.json()["department_ids"] == [str(ops.id)]
    res = client.patch(f"/api/users/{user_id}", headers=admin.headers, json={"department_ids": [str(tills.id)]})
    assert res.status_code == 200 and res.json()["department_ids"] == [str(tills.id)]
    listed = {u["id"]: u for u in client.get("/api/users", headers=manager.headers).json()}
    assert listed[user_id]["department_ids"] == [str(tills.id)]
    assert listed[str(manager.id)]["department_ids"] == []
    unknown = client.patch(f"/api/users/{user_id}", headers=admin.headers,
                           json={"department_ids": ["00000000-0000-4000-8000-000000000000"]})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["department_ids"]
    assert client.patch(f"/api/users/{user_id}", headers=admin.headers,
                        json={"department_ids": None}).status_code == 422


def test_an_invitation_link_sets_a_password_and_signs_in_once(client, admin, factory):
    ops = factory.department()
    res = invite(client, admin, department_ids=[str(ops.id)], role="manager")
    assert res.status_code == 201, res.text
    body = res.json()
    assert body["link"], "no SMTP configured: the admin is shown the link"
    assert body["expires_at"] > (utcnow() + timedelta(days=6, hours=23)).isoformat()[:19]
    # The e-mail is queued in the same transaction.
    assert [e.data for e in fetch(select(Event).where(Event.name == "auth.invitation"))] == [
        {"invitation_id": body["id"]}]
    token = token_of(body["link"])
    weak = client.post("/api/invitations/accept", json={"token": token, "password": "password1234"})
    assert weak.status_code == 422
    accepted = client.post("/api/invitations/accept", json={"token": token, "password": NEW_PASSWORD})
    assert accepted.status_code == 200, accepted.text
    me = client.get("/api/me", headers={"Authorization": f"Bearer {accepted.json()['access_token']}"}).json()
    assert me["email"] == "new.hire@example.com" and me["role"] == "manager"
    assert me["department_ids"] == [str(ops.id)]
    again = client.post("/api/invitations/accept", json={"token": token, "password": NEW_PASSWORD})
    assert again.status_code == 422 and again.json()["detail"][0]["type"] == "link_invalid"
    assert invite(client, admin).status_code == 409  # the address is a user's now


def test_invitation_links_expire_and_resending_replaces_the_link(client, admin, session):
    first = invite(client, admin).json()
    listed = client.get("/api/invitations", headers=admin.headers).json()
    assert [i["id"] for i in listed] == [first["id"]]
    second = client.post(f"/api/invitations/{first['id']}/resend", headers=admin.headers)
    assert second.status_code == 201
    old = client.post("/api/invitations/accept", json={"token": token_of(first["link"]), "password": NEW_PASSWORD})
    assert old.status_code == 422
    row = session.get(Invitation, uuid.UUID(second.json()["id"]))
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    late = client.post("/api/invitations/accept", json={"token": token_of(second.json()["link"]),
                                                        "password": NEW_PASSWORD})
    assert late.status_code == 422
    forged = client.post("/api/invitations/accept", json={"token": second.json()["id"].replace("-", "") + ".x",
                                                          "password": NEW_PASSWORD})
    assert forged.status_code == 422


def test_invitations_refuse_bad_input(client, admin):
    assert invite(client, admin, email="not-an-email").status_code == 422
    assert invite(client, admin, role="boss").status_code == 422
    res = invite(client, admin, department_ids=["00000000-0000-4000-8000-000000000000"])
    assert res.status_code == 422


def test_invitations_are_rate_limited_per_address_and_per_requester(client, admin, factory, monkeypatch):
    from api.config import get_settings

    monkeypatch.setattr(get_settings(), "mail_per_address_hour", 2)
    monkeypatch.setattr(get_settings(), "mail_per_requester_hour", 3)
    assert invite(client, admin).status_code == 201
    assert invite(client, admin).status_code == 201
    limited = invite(client, admin)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert invite(client, admin, email="other@example.com").status_code == 201
    assert invite(client, admin, email="third@example.com").status_code == 429  # the requester's fourth
    other_admin = factory.user(role="admin")
    assert invite(client, other_admin, email="third@example.com").status_code == 201


def test_password_reset_answers_the_same_for_any_address_and_resets_once(client, executive, session):
    unknown = client.post("/api/auth/password-reset", json={"email": "nobody@example.com"})
    known = client.post("/api/auth/password-reset", json={"email": executive.user.email.upper()})
    assert unknown.status_code == known.status_code == 202
    assert unknown.content == known.content == b""
    assert client.post("/api/auth/password-reset", json={"email": "not-an-email"}).status_code == 422
    rows = fetch(select(PasswordReset))
    assert [r.user_id for r in rows] == [executive.id]
    assert rows[0].expires_at - rows[0].created_at == timedelta(hours=1)
    token = links.make_token("password_reset", rows[0].id)
    done = client.post("/api/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 200, done.text
    assert client.get("/api/me", headers=executive.headers).status_code == 401  # every other token revoked
    assert client.get("/api/me", headers={"Authorization": f"Bearer {done.json()['access_token']}"}).status_code \
        == 200
    again = client.post("/api/auth/password-reset/confirm", json={"token": token, "password": "another plum tree"})
    assert again.status_code == 422
    signed_in = client.post("/api/auth/token", data={"username": executive.user.email, "password": NEW_PASSWORD})
    assert signed_in.status_code == 200


def test_password_reset_links_expire_and_are_rate_limited(client, executive, session, monkeypatch):
    from api.config import get_settings

    assert client.post("/api/auth/password-reset", json={"email": executive.user.email}).status_code == 202
    row = fetch(select(PasswordReset))[0]
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    token = links.make_token("password_reset", row.id)
    late = client.post("/api/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert late.status_code == 422
    monkeypatch.setattr(get_settings(), "mail_per_address_hour", 2)
    assert client.post("/api/auth/password-reset", json={"email": executive.user.email}).status_code == 202
    assert client.post("/api/auth/password-reset", json={"email": executive.user.email}).status_code == 429
    # Unknown addresses are counted the same way: a 429 says nothing about whether an account exists.
    for _ in range(2):
        assert client.post("/api/auth/password-reset", json={"email": "ghost@example.com"}).status_code == 202
    assert client.post("/api/auth/password-reset", json={"email": "ghost@example.com"}).status_code == 429
