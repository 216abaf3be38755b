"""The one password rule, used wherever a password is set: `undercover create-user`, POST /api/users,
PATCH /api/users/{id}, POST /api/me/password, an accepted invitation and a password reset.

A password must be 10 to 256 characters, not blank, not one or a few characters repeated, and hard enough
to guess by zxcvbn's estimate (score 3 of 4: about 10^8 guesses or more), which also refuses common
passwords, keyboard walks, dates and words taken from the user's own e-mail address or name. A
passphrase of a few ordinary words ("undercover-demo", "correct horse battery") passes.
"""

from collections.abc import Iterable

from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

MIN_LENGTH = 10
MAX_LENGTH = 256
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable", about 10^8 guesses (the demo password scores 3)
MIN_DISTINCT = 5  # fewer different characters than this is a repeat ("aaaaaaaaaa", "abababababab")
# zxcvbn looks at this many leading characters (its own guard against slow input); more only adds strength.
ZXCVBN_MAX_LENGTH = 72

RULE = (f"{MIN_LENGTH} to {MAX_LENGTH} characters and hard to guess: a few unrelated words make a good "
        "password")
# What a password field's schema shows. The lengths are checked by password_problem, not by the field, so
# that every refusal (blank, short, common) comes with this module's message.
SCHEMA = {"minLength": MIN_LENGTH, "maxLength": MAX_LENGTH, "description": RULE}


def password_problem(password: str, user_inputs: Iterable[str | None] = ()) -> str | None:
    """Why `password` may not be used, in a sentence for the person choosing it, or None if it may.
    `user_inputs` (the e-mail address, the display name) are words the password must not lean on."""
    if not password.strip():
        return "The password cannot be blank"
    if len(password) < MIN_LENGTH:
        return f"The password must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"The password must be at most {MAX_LENGTH} characters"
    if len(set(password.casefold())) < MIN_DISTINCT:
        return "The password repeats one or a few characters; use a few unrelated words instead"
    from zxcvbn import zxcvbn  # its word lists take ~12 MB: loaded only where a password is being set

    words = []
    for value in user_inputs:
        if value:
            words.append(value)
            words.extend(part for part in value.replace("@", " ").replace(".", " ").split() if len(part) > 2)
    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=words, max_length=ZXCVBN_MAX_LENGTH)
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result["feedback"]
    warning = (feedback.get("warning") or "").rstrip(".")
    warning = warning[:1].lower() + warning[1:]
    if not warning and any(m.get("dictionary_name") == "user_inputs" for m in result["sequence"]):
        warning = "it is built from the name or e-mail address"
    hint = " ".join(feedback.get("suggestions") or []) or "Add another word or two. Uncommon words are better."
    return f"The password is too easy to guess{': ' + warning if warning else ''}. {hint}"


def check_password(password: str, user_inputs: Iterable[str | None] = ()) -> str:
    """A pydantic validator's body: the password, or a field-level error with the reason."""
    problem = password_problem(password, user_inputs)
    if problem:
        raise PydanticCustomError("weak_password", problem)
    return password


def strong_password(field: str, *user_inputs: str):
    """The one validator of a new password, for a model's `field`: refused when weak, or when built from the
    model's other fields named in `user_inputs` (validated before it: declare them first)."""

    def check(cls, value: str, info: ValidationInfo) -> str:
        return check_password(value, [info.data.get(name) for name in user_inputs])

    return field_validator(field)(check)
