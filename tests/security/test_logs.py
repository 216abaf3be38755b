"""No password, token or private note ever reaches a log: a whole session is run with logging at DEBUG,
in process (every logger, caught by caplog) and against a real server (its stderr), and the logs are
searched for every secret the session used."""

import logging
import uuid

import httpx
import pytest

from tests.factories import PASSWORD, visit_body
from tests.live import LiveServer, backends, live_database

NEW_PASSWORD = "a fresh secret passphrase 42"
PRIVATE = "PRIVATE-NOTE-7f3a: the manager is about to resign"
QUOTE = "QUOTE-91c2 she cried at the till"


def full_session(http, email: str) -> list[str]:
    """Sign in (and fail once), write, conflict, reject, read, sync, change password, log out.
    Returns every secret used."""
    secrets = [PASSWORD, NEW_PASSWORD, PRIVATE]
    assert http.post("/api/auth/token", data={"username": email, "password": "wrong " + PASSWORD}).status_code == 401
    res = http.post("/api/auth/token", data={"username": email, "password": PASSWORD})
    assert res.status_code == 200
    token = res.json()["access_token"]
    secrets.append(token)
    auth = {"Authorization": f"Bearer {token}"}
    visit_id = str(uuid.uuid4())
    body = visit_body(private_notes=PRIVATE)
    assert http.put(f"/api/visits/{visit_id}", json=body, headers=auth).status_code == 201
    stale = {**body, "private_notes": PRIVATE + " (edited)", "version": 0}
    assert http.put(f"/api/visits/{visit_id}", json=stale, headers=auth).status_code == 409
    bad = {**body, "private_notes": PRIVATE, "started_at": "2026-11-20T09:00:00"}  # no zone: 422
    assert http.put(f"/api/visits/{uuid.uuid4()}", json=bad, headers=auth).status_code == 422
    nul = {**body, "private_notes": PRIVATE + "\x00"}
    assert http.put(f"/api/visits/{uuid.uuid4()}", json=nul, headers=auth).status_code == 422
    assert http.get(f"/api/visits/{visit_id}", headers=auth).json()["private_notes"] == PRIVATE
    pushed = http.post("/api/sync", headers=auth, json={"visits": [{**visit_body(private_notes=PRIVATE),
                                                                      "id": str(uuid.uuid4())}], "cursor": None})
    assert pushed.status_code == 200
    assert http.get("/api/me", headers={"Authorization": f"Bearer {token}x"}).status_code == 401
    assert http.post("/api/me/password", headers=auth,
                     json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}).status_code == 204
    assert http.post("/api/auth/logout", headers=auth).status_code == 204
    return secrets


def assert_clean(text: str, secrets: list[str]) -> None:
    assert text.strip(), "nothing was logged: the test would prove nothing"
    for secret in secrets:
        assert secret not in text, f"a secret reached the log: {secret[:12]}…"
    # The argon2 hash and the token hash must not leak either.
    assert "$argon2" not in text


def test_no_secrets_in_any_in_process_log(client, executive, caplog):
    with caplog.at_level(logging.DEBUG):
        secrets = full_session(client, executive.user.email)
    assert '"route": "/api/visits/{visit_id}"' in caplog.text  # the request log was captured
    assert_clean(caplog.text, [*secrets, executive.token])


@pytest.mark.slow
@pytest.mark.parametrize("backend", backends())
def test_no_secrets_in_a_real_servers_output(backend, tmp_path):
    with live_database(backend, tmp_path) as url, LiveServer(url, tmp_path, UNDERCOVER_LOG_LEVEL="DEBUG") as server:
        actor = server.user("executive")
        with httpx.Client(base_url=server.url, timeout=30) as http:
            secrets = full_session(http, actor.email)
        server.stop()  # flush everything
        log = server.log_text()
    assert '"route": "/api/sync"' in log
    assert_clean(log, [*secrets, actor.token])


def test_database_errors_never_carry_the_values_written(client, executive):
    """A failing statement's message (which a 500's traceback would log) must not hold the values."""
    from sqlalchemy.exc import IntegrityError
    from sqlmodel import Session

    from api.auth.models import User
    from api.db import get_engine

    duplicate = User(email=executive.user.email, display_name="Copy", role="executive", password_hash=PRIVATE)
    with Session(get_engine()) as session, pytest.raises(IntegrityError) as caught:
        session.add(duplicate)
        session.commit()
    assert PRIVATE not in str(caught.value)
    assert "hidden due to hide_parameters" in str(caught.value)
