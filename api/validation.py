"""Input rules shared by every feature's write models."""


def has_nul(value: str) -> bool:
    return "\x00" in value


def no_nul(value: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL characters, and no person types one: refuse it (422) on every
    backend, instead of a database error on one and a silently stored control character on the other."""
    if value is not None and has_nul(value):
        raise ValueError("must not contain NUL characters")
    return value
