"""Primary keys: random UUIDs, so a phone can name a visit before the server has seen it."""

import uuid


def new_id() -> uuid.UUID:
    return uuid.uuid4()
