"""The one password rule (api/auth/passwords.py)."""

import pytest

from api.auth.passwords import MAX_LENGTH, password_problem
from api.demo.data import DEMO_PASSWORD
from tests.factories import PASSWORD


@pytest.mark.parametrize("password", [
    DEMO_PASSWORD,  # documented in README: must stay usable
    PASSWORD,  # the tests' fixtures and the browser tests
    "a brand new passphrase",
    "reset by the admin",
    "Tr0ub4dor&3 stapler",
    "é" * 3 + " ünïcödé pässwörd",
])
def test_passphrases_pass(password):
    assert password_problem(password) is None


@pytest.mark.parametrize(("password", "reason"), [
    ("", "blank"),
    ("\t \n" * 5, "blank"),
    ("nine char", "at least 10"),
    ("x" * (MAX_LENGTH + 1), "at most 256"),
    ("1111111111", "repeats"),
    ("abcabcabcabc", "repeats"),
    ("letmein12345", "too easy to guess"),
    ("iloveyou1234", "too easy to guess"),
    ("P@ssw0rd2024", "too easy to guess"),
    ("asdfghjkl;'", "too easy to guess"),
])
def test_weak_passwords_are_refused_with_a_reason(password, reason):
    problem = password_problem(password)
    assert problem and reason in problem
    assert password.strip() == "" or password not in problem


def test_the_users_own_name_and_address_count_against_the_password():
    password = "zebulonquarkwright"
    assert password_problem(password) is None
    assert "built from the name or e-mail address" in password_problem(
        password, ["zebulon.quarkwright@example.com", None])


def test_a_very_long_password_is_judged_quickly():
    import time

    started = time.perf_counter()
    assert password_problem("the quick brown fox jumps " * 9 + "x") is None  # 235 characters
    assert time.perf_counter() - started < 2
