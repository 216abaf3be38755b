"""Who sees a free text as written: its author. Everyone else, and files with no reader, see it masked.

The one rule every answer, file and message applies to free text (pain-point text and quotes, visit notes and
details, comments, resolution notes, audit values, pulse answers): call `shown` with the text's author and the
reader. Masking itself is `api.privacy.redaction.maybe_redact` (UNDERCOVER_REDACT, on by default).
"""

import re
import uuid
from typing import Any

from api.privacy.redaction import MASKS, maybe_redact


def sees_raw(*, author_id: uuid.UUID | None, reader_id: uuid.UUID | None) -> bool:
    return reader_id is not None and author_id == reader_id


def shown(text: str | None, *, author_id: uuid.UUID | None, reader_id: uuid.UUID | None) -> str | None:
    """`text` as `reader_id` may read it: unchanged for its author, masked for anyone else (or no reader)."""
    return text if sees_raw(author_id=author_id, reader_id=reader_id) else maybe_redact(text)


def masked(text: str | None) -> str | None:
    """Text shared with no single author in mind (pulse answers, resolution notes): always masked."""
    return maybe_redact(text)


def shown_strings(value: Any, *, author_id: uuid.UUID | None, reader_id: uuid.UUID | None) -> Any:
    """Every string inside a JSON-like value (visit details: names, queues, journey steps) as `shown`."""
    if sees_raw(author_id=author_id, reader_id=reader_id):
        return value
    if isinstance(value, str):
        return maybe_redact(value)
    if isinstance(value, dict):
        return {key: shown_strings(item, author_id=author_id, reader_id=reader_id) for key, item in value.items()}
    if isinstance(value, list):
        return [shown_strings(item, author_id=author_id, reader_id=reader_id) for item in value]
    return value


_PLACEHOLDERS = re.compile("|".join(re.escape(m) for m in MASKS))


def for_labels(text: str | None) -> str | None:
    """Text that theme labels and keywords are picked from (shown to every reader): masked, and without the
    mask placeholders, so "[email]" never becomes a theme's keyword."""
    masked_text = maybe_redact(text)
    return _PLACEHOLDERS.sub(" ", masked_text) if masked_text else masked_text
