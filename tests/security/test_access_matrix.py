"""Who may call what: every route in the OpenAPI schema × every kind of caller, in one table.

A route that appears in the schema without a row here fails `test_every_route_has_a_row`: adding a
route means deciding, in this table, who may call it. Each cell is a real request with a valid body,
so a status other than the one in the table is an access-control change, not a validation detail.

Columns: anonymous (no token) · owner (the executive who owns the resource in the path) · other (another
executive) · manager · admin · expired (the owner's expired token) · revoked (the owner's revoked token).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from tests.factories import PASSWORD, Actor, visit_body

COLUMNS = ("anonymous", "owner", "other", "manager", "admin", "expired", "revoked")

# Shorthands for the common shapes of a row.
def everyone(ok: int) -> tuple:          # no authentication at all
    return (ok, ok, ok, ok, ok, ok, ok)


def signed_in(ok: int) -> tuple:         # any valid token
    return (401, ok, ok, ok, ok, 401, 401)


def managers(ok: int) -> tuple:          # managers and admins
    return (401, 403, 403, ok, ok, 401, 401)


def admins(ok: int) -> tuple:            # admins only
    return (401, 403, 403, 403, ok, 401, 401)


# fmt: off
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    # route                                          anon owner other mgr  admin exp  rev
    ("GET",    "/livez"):                            everyone(200),
    ("GET",    "/healthz"):                          everyone(200),
    ("POST",   "/api/auth/token"):                   everyone(200),
    ("POST",   "/api/auth/logout"):                  signed_in(204),
    ("POST",   "/api/auth/logout-all"):              signed_in(204),
    ("GET",    "/api/me"):                           signed_in(200),
    ("POST",   "/api/me/password"):                  signed_in(204),
    ("GET",    "/api/users"):                        managers(200),
    ("POST",   "/api/users"):                        admins(201),
    ("PATCH",  "/api/users/{user_id}"):              admins(200),
    ("GET",    "/api/sites"):                        signed_in(200),
    ("POST",   "/api/sites"):                        admins(201),
    ("PATCH",  "/api/sites/{site_id}"):              admins(200),
    ("GET",    "/api/departments"):                  signed_in(200),
    ("POST",   "/api/departments"):                  admins(201),
    ("PATCH",  "/api/departments/{department_id}"):  admins(200),
    # Visits: the author writes; managers and admins read; admins may delete; nobody edits another's.
    ("PUT",    "/api/visits/{visit_id}"):            (401, 200, 403, 403, 403, 401, 401),
    ("GET",    "/api/visits/{visit_id}"):            (401, 200, 403, 200, 200, 401, 401),
    ("DELETE", "/api/visits/{visit_id}"):            (401, 204, 403, 403, 204, 401, 401),
    ("GET",    "/api/visits"):                       (401, 200, 403, 200, 200, 401, 401),  # ?author_id=owner
    ("POST",   "/api/sync"):                         signed_in(200),                       # the caller's own
    ("GET",    "/api/metrics"):                      admins(200),
    # Themes: managers and admins read and shape them (executives read them only with executives_see_feed).
    ("GET",    "/api/themes"):                       managers(200),
    ("GET",    "/api/themes/rebuild"):               managers(200),
    ("POST",   "/api/themes/rebuild"):               managers(202),
    ("GET",    "/api/themes/{theme_id}"):            managers(200),
    ("PATCH",  "/api/themes/{theme_id}"):            managers(200),
    ("POST",   "/api/themes/{theme_id}/merge"):      managers(200),
    ("POST",   "/api/themes/{theme_id}/unmerge"):    managers(200),  # each cell after a merge (BEFORE)
    ("POST",   "/api/themes/{theme_id}/pain-points"): managers(200),
    ("GET",    "/api/themes/{theme_id}/kpis"):       managers(200),  # a theme's metrics, linked week by week
    # Pain-point review: managers and admins read the feed and triage; an executive reads and comments on
    # their own pain points (the owner column; the feed opens to executives only by an admin setting).
    ("GET",    "/api/pain-points"):                  managers(200),
    ("GET",    "/api/my/pain-points"):               signed_in(200),
    ("GET",    "/api/pain-points/export.csv"):       managers(200),
    ("POST",   "/api/pain-points/bulk"):             managers(200),
    ("GET",    "/api/pain-points/{pain_point_id}"):  (401, 200, 403, 200, 200, 401, 401),
    # Possible duplicates are feed cards: feed readers only. The typing hint is a bare count: anyone signed in.
    ("GET",    "/api/pain-points/{pain_point_id}/similar"): managers(200),
    ("POST",   "/api/pain-points/similar-count"):    signed_in(200),
    ("PATCH",  "/api/pain-points/{pain_point_id}"):  managers(200),
    ("GET",    "/api/pain-points/{pain_point_id}/comments"): (401, 200, 403, 200, 200, 401, 401),
    ("POST",   "/api/pain-points/{pain_point_id}/comments"): (401, 201, 403, 201, 201, 401, 401),
    ("GET",    "/api/journeys"):                     managers(200),  # feed readers (executives_see_feed)
    ("GET",    "/api/dashboard/field-time"):         managers(200),
    ("GET",    "/api/dashboard/flow"):               managers(200),
    ("GET",    "/api/dashboard/me"):                 signed_in(200),  # each person's own
    # The pulse: executives answer, admins edit the questions, managers and admins read the results.
    ("GET",    "/api/pulse/questions"):              signed_in(200),
    ("POST",   "/api/pulse/questions"):              admins(201),
    ("PATCH",  "/api/pulse/questions/{question_id}"): admins(200),
    ("GET",    "/api/pulse/me"):                     signed_in(200),
    ("PUT",    "/api/pulse/me"):                     (401, 200, 200, 403, 403, 401, 401),
    ("GET",    "/api/pulse/results"):                managers(200),
    ("GET",    "/api/settings"):                     signed_in(200),
    ("PATCH",  "/api/settings"):                     admins(200),
}
# fmt: on

# --- People and messages (issue 14): invitations, password reset, inbox, notification settings, webhooks ---
# fmt: off
MESSAGES_MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    # route                                                    anon owner other mgr  admin exp  rev
    ("POST",   "/api/auth/password-reset"):                    everyone(202),
    ("POST",   "/api/auth/password-reset/confirm"):            everyone(422),  # no valid link: see tests/users
    ("POST",   "/api/invitations"):                            admins(201),
    ("GET",    "/api/invitations"):                            admins(200),
    ("POST",   "/api/invitations/accept"):                     everyone(422),  # no valid link: see tests/users
    ("POST",   "/api/invitations/{invitation_id}/resend"):     admins(201),
    ("DELETE", "/api/invitations/{invitation_id}"):            (401, 403, 403, 403, 204, 401, 401),
    ("GET",    "/api/notifications"):                          signed_in(200),
    ("POST",   "/api/notifications/read"):                     signed_in(200),
    ("GET",    "/api/notifications/unsubscribe"):              everyone(200),  # a page with a button
    ("POST",   "/api/notifications/unsubscribe"):              everyone(204),  # the link's token decides
    ("GET",    "/api/me/notification-settings"):               signed_in(200),
    ("PUT",    "/api/me/notification-settings"):               signed_in(200),
    ("POST",   "/api/webhooks"):                               admins(201),
    ("GET",    "/api/webhooks"):                               admins(200),
    ("DELETE", "/api/webhooks/{webhook_id}"):                  (401, 403, 403, 403, 204, 401, 401),
    ("GET",    "/api/webhooks/{webhook_id}/deliveries"):       admins(200),
    ("POST",   "/api/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): admins(202),
    ("GET",    "/api/deliveries"):                             admins(200),
}
# fmt: on
MATRIX.update(MESSAGES_MATRIX)

# --- KPIs and company values (issue 15) ---
# fmt: off
LEADERSHIP_MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    # route                                                    anon owner other mgr  admin exp  rev
    ("GET",    "/api/kpis"):                                   signed_in(200),
    ("GET",    "/api/kpis/latest"):                            managers(200),
    ("POST",   "/api/kpis"):                                   managers(201),
    ("PATCH",  "/api/kpis/{key}"):                             managers(200),
    ("PUT",    "/api/kpis/{key}/values"):                      managers(200),
    ("GET",    "/api/kpis/{key}/values"):                      signed_in(200),  # executives: some rows only
    ("GET",    "/api/values"):                                 signed_in(200),
    ("POST",   "/api/values"):                                 admins(201),
    ("PATCH",  "/api/values/{value_id}"):                      admins(200),
    # Shared goals: executives read their own departments' goals (the owner is a member, the other not).
    ("GET",    "/api/goals"):                                  signed_in(200),
    ("POST",   "/api/goals"):                                  managers(201),
    ("GET",    "/api/goals/{goal_id}"):                        (401, 200, 403, 200, 200, 401, 401),
    ("PATCH",  "/api/goals/{goal_id}"):                        managers(200),
    ("DELETE", "/api/goals/{goal_id}"):                        (401, 403, 403, 204, 204, 401, 401),
    ("GET",    "/api/bright-spots"):                           managers(200),  # not opened by executives_see_feed
}
# fmt: on
MATRIX.update(LEADERSHIP_MATRIX)

# --- Photos and voice notes (issue 16): the pain point's author uploads and deletes; whoever may read the
# pain point reads them (managers, admins; executives only with executives_see_feed). ---
# fmt: off
MEDIA_MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    # route                                                    anon owner other mgr  admin exp  rev
    ("PUT",    "/api/pain-points/{pain_point_id}/media/{media_id}"): (401, 200, 403, 403, 403, 401, 401),  # again
    ("GET",    "/api/media/{media_id}"):                       (401, 200, 403, 200, 200, 401, 401),
    ("DELETE", "/api/media/{media_id}"):                       (401, 204, 403, 403, 403, 401, 401),
}
# fmt: on
MATRIX.update(MEDIA_MATRIX)


def _media_photo() -> bytes:
    from tests.media.helpers import photo

    return photo(gps=False)


def _media_world(client, world) -> None:
    """A photo on the owner's pain point (the same bytes are sent again by the PUT row)."""
    world.path_values["media_id"] = uuid.uuid4()
    _upload_media(client, world)


def _upload_media(client, world) -> None:
    res = client.put(f"/api/pain-points/{world.path_values['pain_point_id']}/media/{world.path_values['media_id']}",
                     content=MEDIA_BYTES, headers={**world.owner.headers, "Content-Type": "image/jpeg"})
    assert res.status_code in (200, 201), res.text


MEDIA_BYTES = _media_photo()
MEDIA_REQUESTS: dict[tuple[str, str], Callable] = {
    ("PUT", "/api/pain-points/{pain_point_id}/media/{media_id}"): lambda w: {
        "content": MEDIA_BYTES, "headers": {"Content-Type": "image/jpeg"}},
}
# --- end of photos and voice notes ---


def _leadership_world(factory, world) -> None:
    """A KPI and a company value for the rows whose path names one."""
    from api.kpis.models import Kpi
    from api.values.models import CompanyValue

    kpi = Kpi(key=f"k-{_unique()}", name="Net Promoter Score", kind="voc")
    value = CompanyValue(name=f"Own it {_unique()}", meaning="Whoever hears a problem sees it through")
    factory.session.add_all([kpi, value])
    factory.session.commit()
    world.path_values.update(key=kpi.key, value_id=value.id)
    _goals_world(factory, world)


def _goals_world(factory, world) -> None:
    """A goal owned by the world's department (the owner executive is a member) and one more."""
    from datetime import date, timedelta

    from api.auth.models import UserDepartment
    from api.goals.models import Goal, GoalDepartment

    second = factory.department()
    goal = Goal(title="Fewer open pain points", target_type="open_pain_points", comparison="at_most",
                target_value=0, due_date=date.today() + timedelta(days=90))
    factory.session.add_all([goal, UserDepartment(user_id=world.owner.id, department_id=world.department_id)])
    factory.session.flush()
    factory.session.add_all([GoalDepartment(goal_id=goal.id, department_id=d)
                             for d in (world.department_id, second.id)])
    factory.session.commit()
    world.path_values.update(goal_id=goal.id, goal_departments=[str(world.department_id), str(second.id)])


LEADERSHIP_REQUESTS: dict[tuple[str, str], Callable] = {
    ("POST", "/api/kpis"): lambda w: {"json": {"key": f"k-{_unique()}", "name": "CSAT", "kind": "voc"}},
    ("PATCH", "/api/kpis/{key}"): lambda w: {"json": {"name": f"Renamed {_unique()}"}},
    ("PUT", "/api/kpis/{key}/values"): lambda w: {"json": [{"period_start": "2026-11-02", "value": 41.5}]},
    ("POST", "/api/values"): lambda w: {"json": {"name": f"Value {_unique()}", "meaning": "One line"}},
    ("PATCH", "/api/values/{value_id}"): lambda w: {"json": {"meaning": f"Reworded {_unique()}"}},
    ("POST", "/api/goals"): lambda w: {"json": {
        "title": "Open pain points at most 5", "department_ids": w.path_values["goal_departments"],
        "target": {"type": "open_pain_points", "comparison": "at_most", "value": 5}, "due_date": "2099-01-31"}},
    ("PATCH", "/api/goals/{goal_id}"): lambda w: {"json": {"title": f"Renamed {_unique()}"}},
}
# --- end of KPIs and company values ---


def _messages_world(client, factory, world) -> None:
    """The people-and-messages resources a row's path points at."""
    from api.auth.links import invite
    from api.auth.models import Role
    from api.messages.models import Delivery, Webhook

    invitation = invite(session=factory.session, admin=world.admin.user, email=f"invited-{_unique()}@example.com",
                        display_name="Invited", role=Role.executive, department_ids=[])
    hook = Webhook(url="http://127.0.0.1:9/hook", events=["pain_point.created"], secret="s" * 16)
    factory.session.add(hook)
    factory.session.flush()
    delivery = Delivery(key=f"matrix:{hook.id}", channel="webhook", event_name="pain_point.created",
                        webhook_id=hook.id, occurred_at=hook.created_at, status="sent", payload={"body": "{}"})
    factory.session.add(delivery)
    factory.session.commit()
    world.path_values.update(invitation_id=invitation.id, webhook_id=hook.id, delivery_id=delivery.id)


MESSAGES_REQUESTS: dict[tuple[str, str], Callable] = {
    ("POST", "/api/auth/password-reset"): lambda w: {"json": {"email": f"someone-{_unique()}@example.com"}},
    ("POST", "/api/auth/password-reset/confirm"): lambda w: {"json": {"token": "x.y", "password": PASSWORD}},
    ("POST", "/api/invitations"): lambda w: {"json": {
        "email": f"invitee-{_unique()}@example.com", "display_name": "Invitee", "role": "executive"}},
    ("POST", "/api/invitations/accept"): lambda w: {"json": {"token": "x.y", "password": PASSWORD}},
    ("POST", "/api/notifications/read"): lambda w: {"json": {"all": True}},
    ("GET", "/api/notifications/unsubscribe"): lambda w: {"params": _unsubscribe(w)},
    ("POST", "/api/notifications/unsubscribe"): lambda w: {"params": _unsubscribe(w)},
    ("PUT", "/api/me/notification-settings"): lambda w: {"json": {"commented": {"email": False}}},
    ("POST", "/api/webhooks"): lambda w: {"json": {
        "url": "http://127.0.0.1:9/hook", "events": ["pain_point.created"], "secret": "a-long-enough-secret"}},
}


def _unsubscribe(w) -> dict:
    from api.messages.mail import unsubscribe_token

    return {"user": str(w.owner.id), "kind": "commented", "token": unsubscribe_token(w.owner.id, "commented")}
# --- end of people and messages ---


@dataclass
class World:
    """The resources a row's request points at, and who is calling."""

    owner: Actor
    other: Actor
    manager: Actor
    admin: Actor
    visit_id: uuid.UUID
    visit: dict
    site_id: uuid.UUID
    department_id: uuid.UUID
    path_values: dict = field(default_factory=dict)
    target_theme_id: uuid.UUID | None = None


def _unique() -> str:
    return uuid.uuid4().hex[:8]


# How to call a route with a valid request. Routes without an entry are called with no body, their
# path parameters filled from World.path_values.
REQUESTS: dict[tuple[str, str], Callable[[World], dict]] = {
    ("POST", "/api/auth/token"): lambda w: {"data": {"username": w.owner.user.email, "password": PASSWORD}},
    ("POST", "/api/me/password"): lambda w: {
        "json": {"current_password": PASSWORD, "new_password": "another long passphrase"}},
    ("POST", "/api/users"): lambda w: {"json": {
        "email": f"new-{_unique()}@example.com", "display_name": "New", "role": "executive",
        "password": "a long enough password"}},
    ("PATCH", "/api/users/{user_id}"): lambda w: {"json": {"display_name": f"Renamed {_unique()}"}},
    ("POST", "/api/sites"): lambda w: {"json": {"name": f"Site {_unique()}", "kind": "store"}},
    ("PATCH", "/api/sites/{site_id}"): lambda w: {"json": {"region": f"Region {_unique()}"}},
    ("POST", "/api/departments"): lambda w: {"json": {"name": f"Dept {_unique()}"}},
    ("PATCH", "/api/departments/{department_id}"): lambda w: {"json": {"name": f"Dept {_unique()}"}},
    ("PUT", "/api/visits/{visit_id}"): lambda w: {"json": w.visit},  # the stored content again: a replay
    ("GET", "/api/visits"): lambda w: {"params": {"author_id": str(w.owner.id)}},
    ("POST", "/api/sync"): lambda w: {"json": {"visits": [], "cursor": None}},
    ("PATCH", "/api/themes/{theme_id}"): lambda w: {"json": {"pinned": True}},
    ("POST", "/api/themes/{theme_id}/merge"): lambda w: {"json": {"into_id": str(w.target_theme_id)}},
    ("POST", "/api/themes/{theme_id}/pain-points"): lambda w: {
        "json": {"pain_point_ids": [w.visit["pain_points"][0]["id"]]}},
    ("PATCH", "/api/pain-points/{pain_point_id}"): lambda w: {"json": {"status": "acknowledged"}},
    ("POST", "/api/pain-points/bulk"): lambda w: {
        "json": {"ids": [str(w.path_values["pain_point_id"])], "changes": {"status": "acknowledged"}}},
    ("POST", "/api/pain-points/{pain_point_id}/comments"): lambda w: {"json": {"body": "What happened next?"}},
    ("POST", "/api/pain-points/similar-count"): lambda w: {
        "json": {"text": "Queue at the tills", "site_id": str(w.site_id)}},
    ("POST", "/api/pulse/questions"): lambda w: {"json": {"text": f"Question {_unique()}?", "kind": "scale"}},
    ("PATCH", "/api/pulse/questions/{question_id}"): lambda w: {"json": {"text": f"Reworded {_unique()}?"}},
    ("PUT", "/api/pulse/me"): lambda w: {
        "json": {"answers": [{"question_id": str(w.path_values["question_id"]), "score": 7}]}},
    ("PATCH", "/api/settings"): lambda w: {"json": {"field_hours_target": 12}},
}
REQUESTS.update(MESSAGES_REQUESTS)
REQUESTS.update(LEADERSHIP_REQUESTS)
REQUESTS.update(MEDIA_REQUESTS)

# Before a cell's request: put in place what it acts on (as an admin, whoever calls).
BEFORE: dict[tuple[str, str], Callable[[object, "World"], None]] = {
    ("POST", "/api/themes/{theme_id}/unmerge"): lambda client, w: _merge_source_theme(client, w),
    ("DELETE", "/api/media/{media_id}"): lambda client, w: _upload_media(client, w),  # deleted by the owner's cell
}


def _merge_source_theme(client, world: "World") -> None:
    res = client.post(f"/api/themes/{world.path_values['theme_id']}/merge",
                      json={"into_id": str(world.target_theme_id)}, headers=world.admin.headers)
    assert res.status_code == 200, res.text  # also when merged already (a repeat changes nothing)


# After a cell's request: wait for work it started, so the next cell starts from the same state.
AFTER: dict[tuple[str, str], Callable[[object, dict], None]] = {
    ("POST", "/api/themes/rebuild"): lambda client, headers: _wait_for_rebuild(client, headers),
}


def _wait_for_rebuild(client, headers) -> None:
    import time

    for _ in range(600):
        if client.get("/api/themes/rebuild", headers=headers).json()["latest"]["status"] != "running":
            return
        time.sleep(0.05)


def operations(app) -> set[tuple[str, str]]:
    spec = app.openapi()
    return {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}


def build_world(client, factory) -> World:
    owner, other = factory.user(role="executive"), factory.user(role="executive")
    manager, admin = factory.user(role="manager"), factory.user(role="admin")
    visit_id = uuid.uuid4()
    visit = visit_body()
    res = client.put(f"/api/visits/{visit_id}", json=visit, headers=owner.headers)
    assert res.status_code == 201, res.text
    site, department = factory.site(), factory.department()
    world = World(owner=owner, other=other, manager=manager, admin=admin, visit_id=visit_id, visit=visit,
                  site_id=site.id, department_id=department.id)
    source, target = factory.theme(label="Queues at the tills"), factory.theme(label="Slow refunds")
    world.path_values = {"visit_id": visit_id, "user_id": other.id, "site_id": site.id,
                         "department_id": department.id, "theme_id": source.id,
                         "pain_point_id": visit["pain_points"][0]["id"],
                         "question_id": client.get("/api/pulse/questions", headers=owner.headers).json()[0]["id"]}
    world.target_theme_id = target.id
    _messages_world(client, factory, world)
    _leadership_world(factory, world)
    _media_world(client, world)
    return world


def caller_headers(column: str, world: World, factory) -> dict[str, str]:
    """A fresh token per cell, so one cell's logout or password change cannot decide the next."""
    user = {"owner": world.owner, "other": world.other, "manager": world.manager, "admin": world.admin,
            "expired": world.owner, "revoked": world.owner}.get(column)
    if user is None:
        return {}
    if column == "expired":
        token = factory.token(user=user.user, expires_in=timedelta(seconds=-1))
    else:
        token = factory.token(user=user.user, revoked=column == "revoked")
    return {"Authorization": f"Bearer {token}"}


def test_every_route_has_a_row(app):
    routes = operations(app)
    missing = sorted(routes - MATRIX.keys())
    stale = sorted(MATRIX.keys() - routes)
    assert not missing, f"routes without a row in MATRIX (decide who may call them): {missing}"
    assert not stale, f"rows in MATRIX for routes that no longer exist: {stale}"
    assert all(len(row) == len(COLUMNS) for row in MATRIX.values())


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_access(route, client, factory, app):
    if route not in operations(app):
        pytest.fail(f"{route} is in MATRIX but not in the OpenAPI schema")
    method, template = route
    world = build_world(client, factory)
    missing = [p for p in _path_params(template) if p not in world.path_values]
    assert not missing, f"add a value for {missing} to World.path_values"
    path = template.format(**world.path_values)
    request = REQUESTS.get(route, lambda w: {})
    got = {}
    for column in COLUMNS:
        if route in BEFORE:
            BEFORE[route](client, world)
        extra = request(world)
        headers = {**caller_headers(column, world, factory), **extra.pop("headers", {})}
        res = client.request(method, path, headers=headers, **extra)
        got[column] = res.status_code
        if res.status_code < 300 and route in AFTER:
            AFTER[route](client, caller_headers(column, world, factory))
        if res.status_code >= 400:
            assert set(res.json()) >= {"error", "detail"}, res.text
        if res.status_code == 401:
            assert res.headers.get("www-authenticate") == "Bearer"
    expected = dict(zip(COLUMNS, MATRIX[route], strict=True))
    assert got == expected, f"{method} {template}: " + ", ".join(
        f"{c}: got {got[c]} expected {expected[c]}" for c in COLUMNS if got[c] != expected[c])


def _path_params(template: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def test_private_notes_reach_only_the_author(client, factory):
    world = build_world(client, factory)
    secret = world.visit["private_notes"]
    for actor in (world.manager, world.admin):
        one = client.get(f"/api/visits/{world.visit_id}", headers=actor.headers).json()
        listed = client.get("/api/visits", params={"author_id": str(world.owner.id)}, headers=actor.headers).json()
        assert one["private_notes"] is None
        assert secret not in str(listed)
    own = client.get(f"/api/visits/{world.visit_id}", headers=world.owner.headers).json()
    assert own["private_notes"] == secret
    pulled = client.post("/api/sync", json={"visits": [], "cursor": None}, headers=world.owner.headers).json()
    assert pulled["changes"][0]["private_notes"] == secret
    others = client.post("/api/sync", json={"visits": [], "cursor": None}, headers=world.other.headers).json()
    assert others["changes"] == []
