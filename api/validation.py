"""Input rules shared by every feature's write models and queries: limits, NUL, time bounds."""

from datetime import UTC, date, datetime, time, timedelta

from api.errors import Invalid, field_error

TEXT_MAX = 2000  # a pain point's text or quote, a bright spot's text
NAME_MAX = 200  # a person's name as typed (whom a bright spot recognises)


def has_nul(value: str) -> bool:
    return "\x00" in value


def no_nul(value: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL characters, and no person types one: refuse it (422) on every
    backend, instead of a database error on one and a silently stored control character on the other."""
    if value is not None and has_nul(value):
        raise ValueError("must not contain NUL characters")
    return value


def parse_bound(value: str | None, *, name: str, end: bool) -> datetime | None:
    """`since`/`until` of a feed: an ISO date (a whole UTC day; `until` includes that day) or a datetime with
    a zone."""
    if value is None or value == "":
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day + timedelta(days=1) if end else day, time(0), tzinfo=UTC)
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)  # 0001-01-01T00:00+01:00 has no UTC form: refused below
    except (ValueError, OverflowError):
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Invalid([field_error(["query", name], "an ISO 8601 date (YYYY-MM-DD) or a datetime with a time zone")])
    return moment
