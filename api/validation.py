"""Input rules shared by every feature's write models."""


def no_nul(value: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL characters, and no person types one: refuse it (422) on every
    backend, instead of a database error on one and a silently stored control character on the other."""
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value
