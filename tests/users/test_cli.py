"""`undercover create-user` applies the same password rule as the API, with a message a person can act on."""

import pytest

from tests.cli_helpers import run_cli


@pytest.mark.parametrize(("password", "reason"), [
    ("", "blank"),
    ("zzzzzzzzzzzz", "repeats"),
    ("password1234", "too easy to guess"),
])
def test_create_user_refuses_a_weak_password(client, database_url, password, reason):
    res = run_cli(database_url, "create-user", "weak@example.com", "--role", "admin", "--password-stdin",
                  stdin=password + "\n")
    assert res.returncode == 2, res.stderr
    assert res.stderr.startswith("error: password: ") and reason in res.stderr
    assert res.stdout == ""


def test_create_user_accepts_a_passphrase(client, database_url):
    res = run_cli(database_url, "create-user", "fine@example.com", "--role", "admin", "--password-stdin",
                  stdin="undercover-demo\n")
    assert res.returncode == 0, res.stderr
    assert client.post("/api/auth/token", data={"username": "fine@example.com",
                                                 "password": "undercover-demo"}).status_code == 200
