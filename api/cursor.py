"""Page cursors: opaque text a client hands back unchanged, as URL-safe base64.

The one codec for every paginated read (the sync pull, the pain-point feed); each feature decides what
goes inside. Padding is optional on the way in, so cursors given out with or without it still decode."""

import base64


def to_token(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def from_token(token: str) -> str:
    """The text inside a cursor; ValueError when the token is not one (not base64, or not UTF-8 inside)."""
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
