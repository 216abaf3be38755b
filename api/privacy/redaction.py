"""Mask e-mail addresses, phone numbers and card-like numbers in free text.

Executives write down what customers and staff tell them, sometimes with a phone number or an e-mail
address in it. Managers and exports see the text through `redact()` when UNDERCOVER_REDACT is on (the
default). The author's own copy is never changed: redaction happens when text is shown, not stored.

Deliberately eager: a long order number may be masked as a phone number. Missing a real phone number
is the worse mistake. Dates and times are left alone.
"""

import re

EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"
CARD_MASK = "[card number]"

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A run of digits with the separators people type in numbers: spaces, dots, dashes, slashes, parentheses.
_NUMBER = re.compile(r"(?<![\w])\+?\(?\d[\d ().\-/]*\d\)?(?![\w])")
# 2026-11-20, 20/11/2026, 20.11.26: a number containing one is a date (and maybe a time), not a phone.
_DATE = re.compile(r"(?<!\d)(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})(?!\d)")
CARD_DIGITS = range(13, 20)
PHONE_DIGITS = range(7, 16)


def _mask_number(match: re.Match) -> str:
    candidate = match.group(0)
    digits = sum(ch.isdigit() for ch in candidate)
    if _DATE.search(candidate):
        # Keep the dates, judge what is around them on its own ("20/11/2026 07700 900123").
        parts = _DATE.split(candidate)
        return "".join(part if i % 2 else _NUMBER.sub(_mask_number, part) for i, part in enumerate(parts))
    if digits in CARD_DIGITS and not candidate.startswith("+"):
        return CARD_MASK
    if digits in PHONE_DIGITS:
        return PHONE_MASK
    if digits > max(CARD_DIGITS):
        return CARD_MASK  # a very long digit run: treat like an account number
    return candidate


def redact(text: str | None) -> str | None:
    """The text with e-mail addresses, phone numbers and card-like numbers masked; None stays None."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL_MASK, text)
    return _NUMBER.sub(_mask_number, text)


def redaction_enabled() -> bool:
    from api.config import get_settings

    return get_settings().redact


def maybe_redact(text: str | None) -> str | None:
    """`redact(text)` when the installation has redaction on (UNDERCOVER_REDACT, default on)."""
    return redact(text) if redaction_enabled() else text
