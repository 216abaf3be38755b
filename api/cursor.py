"""Page cursors: opaque text a client hands back unchanged, as URL-safe base64.

The one codec for every paginated read (the sync pull, the pain-point and bright-spot feeds); each feature
decides what goes inside, and the newest-first feeds share one position (time, id). Padding is optional on
the way in, so cursors given out with or without it still decode."""

import base64
import json
import uuid
from datetime import UTC, datetime

from api.errors import Invalid, field_error


def to_token(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def from_token(token: str) -> str:
    """The text inside a cursor; ValueError when the token is not one (not base64, or not UTF-8 inside)."""
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()


def encode_position(moment: datetime, row_id: uuid.UUID) -> str:
    """A newest-first feed's cursor: the time and id of the last row given out."""
    return to_token(json.dumps([moment.astimezone(UTC).isoformat(), str(row_id)], separators=(",", ":")))


def decode_position(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (time, id) inside a feed's cursor; a 422 on the `cursor` query field when it is not one."""
    try:
        at, row_id = json.loads(from_token(cursor))
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError
        return moment, uuid.UUID(row_id)
    except (ValueError, TypeError):  # bad base64, UTF-8 or JSON are all ValueErrors
        raise Invalid([field_error(["query", "cursor"], "not a cursor this feed gave out")]) from None
