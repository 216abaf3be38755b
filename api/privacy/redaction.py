"""Mask e-mail addresses, phone numbers, card numbers and bank accounts in free text.

Executives write down what customers and staff tell them, sometimes with a phone number or an e-mail
address in it. Everyone but the author sees the text through `redact()` when UNDERCOVER_REDACT is on (the
default). The author's own copy is never changed: redaction happens when text is shown, not stored.

How it decides:
- Matching runs on a *folded* copy of the text, one character for one: every Unicode space (no-break,
  thin, zero-width, ideographic, bidi marks) becomes " ", every dash (en, em, non-breaking hyphen, minus)
  "-", every decimal digit of any script its ASCII digit, and full-width forms their ASCII letter (NFKC,
  only where it gives one ASCII character, so positions never shift). The answer keeps the author's own
  characters: only the masked spans are replaced, a no-break space or an en dash elsewhere stays.
- Deliberately eager: apart from the shapes below, any run of 7 or more digits is masked, even glued to
  letters ("Visa4111…", "tel0770…"), so a long order number may be masked as a phone number. Missing a
  real phone number is the worse mistake.
- What survives: runs of up to 6 digits (counts, prices, short references such as "AB-12345" or "#A1234"),
  dates (2026-11-20, 20/11/2026, 21.11.26), times (9.45, 14:30), year ranges (2019-2026) and amounts
  written next to a currency. A date-like run that goes on with the same separator ("06/12/34/56/78") is
  not a date but a phone number.
"""

import re
import unicodedata

EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"
CARD_MASK = "[card number]"
ACCOUNT_MASK = "[account number]"
MASKS = (EMAIL_MASK, PHONE_MASK, CARD_MASK, ACCOUNT_MASK)

PHONE_DIGITS = range(7, 16)  # 7 catches local numbers; E.164 allows at most 15 digits
CARD_DIGITS = range(13, 20)  # ISO/IEC 7812 card numbers


def _fold_char(code: int) -> int:
    char = chr(code)
    category = unicodedata.category(char)
    if category in ("Zs", "Cf"):  # spaces, and invisible format characters slipped into a number
        return ord(" ")
    if category == "Pd" or char == "\u2212":
        return ord("-")
    if category == "Nd":
        return ord("0") + unicodedata.decimal(char)
    compatible = unicodedata.normalize("NFKC", char)
    return ord(compatible) if len(compatible) == 1 and compatible.isascii() else code


class _Fold(dict):
    """A str.translate table filled in on first sight of each character (the whole of Unicode up front
    would cost a second at import)."""

    def __missing__(self, code: int) -> int:
        self[code] = folded = _fold_char(code)
        return folded


_FOLD = _Fold()
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold(text: str) -> str:
    # Only the non-ASCII stretches go through the table: most notes have one or two such characters.
    return text if text.isascii() else _NON_ASCII.sub(lambda m: m.group().translate(_FOLD), text)


# Local part, "@", then a dotted domain or a single name that starts with a letter ("john@localhost",
# but not "tomorrow@10"). It may only start where a run of such characters starts, and never gives back
# what it took (possessive): a long word without "@" is scanned once, not once per letter.
_EMAIL = re.compile(r"(?<![\w.+'%-])[\w.+'%-]++@(?:[\w-]+(?:\.[\w-]+)+|[^\W\d_][\w-]*)")
# Country, check digits, then groups of four; after the bank code every group holds a digit, so the
# words that follow an IBAN are never swallowed.
_IBAN = re.compile(
    r"\b[A-Z]{2}\d{2}[ -]?[A-Z0-9]{4}(?:[ -]?(?=[A-Z]{0,3}\d)[A-Z0-9]{4}){1,7}(?:[ -]?\d{1,3})?\b", re.I | re.A)
# Digit groups joined by what people type inside numbers: one or two of space . - / ( ). Letters may
# touch it ("Visa4111…"); what the run is made of is judged afterwards. (Written to open on one character
# class, "+", "(" or a digit, which lets the regex engine skip the rest of the text quickly.)
_NUMBER = re.compile(r"[+(\d](?:(?<=\+) ?\(?\d|(?<=\()\d|(?<=\d))\d*(?:[ ().\-/]{1,2}\d+)*\)?", re.A)
_GROUP = re.compile(r"\d+", re.A)
_CURRENCY_BEFORE = re.compile(r"(?:[£$€¥₹]|\b(?:EUR|GBP|USD|CHF)) ?\Z", re.I)
_CURRENCY_AFTER = re.compile(r"(?:,\d{1,2})? ?(?:[£$€¥₹]|(?:EUR|GBP|USD|CHF|euros?|pounds?|dollars?)\b)", re.I)
_AMOUNT = re.compile(r"\d+(?:\.\d{1,2})?|\d{1,3}([ .])\d{3}(?:\1\d{3})*(?:\.\d{1,2})?", re.A)


def _is_date(a: str, b: str, c: str) -> bool:
    if len(a) == 4:
        return len(b) <= 2 and len(c) <= 2 and 1 <= int(b) <= 12 and 1 <= int(c) <= 31
    if len(a) > 2 or len(b) > 2 or len(c) not in (2, 4):
        return False
    day_month = 1 <= int(a) <= 31 and 1 <= int(b) <= 12
    month_day = 1 <= int(a) <= 12 and 1 <= int(b) <= 31  # US order
    return day_month or month_day


def _kept_width(values: list[str], joins: list[str], i: int) -> int:
    """How many digit groups from the i-th form a date (3), a time or a year range (2), else 0.
    joins[i] is what stands between group i-1 and group i ("" at both ends). A shape counts only when
    its separator does not carry on beyond it: "06.12.34.56.78" holds no date and no time."""
    if i + 2 < len(values):
        sep = joins[i + 1]
        if sep in ("/", ".", "-") and joins[i + 2] == sep and sep not in (joins[i], joins[i + 3]):
            if _is_date(*values[i:i + 3]):
                return 3
    if i + 1 < len(values):
        sep, a, b = joins[i + 1], values[i], values[i + 1]
        if sep in (joins[i], joins[i + 2]):
            return 0
        if sep == "." and len(a) <= 2 and int(a) <= 23 and len(b) == 2 and int(b) <= 59:
            return 2
        if sep in ("-", "/") and len(a) == len(b) == 4 and 1900 <= int(a) <= 2099 and 1900 <= int(b) <= 2099:
            return 2
    return 0


def _mask_for(piece: str, digits: int) -> str | None:
    if digits < min(PHONE_DIGITS):
        return None
    international = piece.startswith(("+", "00")) or "(" in piece
    if digits in CARD_DIGITS and not international:
        return CARD_MASK
    if digits in PHONE_DIGITS:
        return PHONE_MASK
    return ACCOUNT_MASK


def _trim_brackets(start: int, end: int, folded: str) -> tuple[int, int]:
    """Leave the writer's own brackets around a masked number: "(07700 900123)" → "([phone])"."""
    piece = folded[start:end]
    inner = piece[1:-1]
    if piece.startswith("(") and piece.endswith(")") and "(" not in inner and ")" not in inner:
        return start + 1, end - 1
    if piece.startswith("(") and ")" not in piece:
        start += 1
    if piece.endswith(")") and "(" not in piece:
        end -= 1
    return start, end


def _digits(text: str) -> int:
    return sum(map(text.count, "0123456789"))  # ten scans in C: far cheaper than a loop in Python


def _number_spans(folded: str, match: re.Match) -> list[tuple[int, int, str]]:
    start, end = match.span()
    if end - start < min(PHONE_DIGITS) or _digits(match.group(0)) < min(PHONE_DIGITS):
        return []  # the common case: a count, a price, a time
    groups = [(g.start(), g.end()) for g in _GROUP.finditer(folded, start, end)]
    values = [folded[s:e] for s, e in groups]
    joins = ["", *(folded[groups[i - 1][1]:groups[i][0]] for i in range(1, len(groups))), ""]
    # Dates, times and year ranges are kept; each stretch of digit groups between them is judged alone
    # ("20/11/2026 07700 900123" keeps the date and masks the phone).
    runs, run, i = [], [], 0
    while i < len(groups):
        width = _kept_width(values, joins, i)
        if width:
            runs.append(run)
            run = []
            i += width
        else:
            run.append(i)
            i += 1
    runs.append(run)
    spans = []
    for run in filter(None, runs):
        first, last = run[0], run[-1]
        s = start if first == 0 else groups[first][0]  # a leading "+" or "(" belongs to the number
        e = end if last == len(groups) - 1 else groups[last][1]
        mask = _mask_for(folded[s:e], sum(len(values[k]) for k in run))
        if mask:
            spans.append((*_trim_brackets(s, e, folded), mask))
    if spans and _AMOUNT.fullmatch(match.group(0)) and (
            _CURRENCY_BEFORE.search(folded, max(0, start - 4), start) or _CURRENCY_AFTER.match(folded, end)):
        return []  # money: "$1 299 999", "1.299.999,00 €"
    return spans


def _blank(folded: str, spans: list[tuple[int, int, str]]) -> str:
    """Hide what is already masked from the next patterns, keeping every position where it was."""
    for s, e, _ in spans:
        folded = folded[:s] + "#" * (e - s) + folded[e:]
    return folded


def redact(text: str | None) -> str | None:
    """The text with e-mail addresses, phone, card and account numbers masked; None stays None."""
    if not text:
        return text
    folded = _fold(text)
    digits = _digits(folded)
    if digits < min(PHONE_DIGITS) and "@" not in folded:
        return text  # most notes: nothing that could be masked
    spans: list[tuple[int, int, str]] = []
    if "@" in folded:
        # Quotes around an address are the writer's, not part of it: "'jane@example.com'".
        spans += [(m.start() + len(m.group()) - len(m.group().lstrip("'")), m.end(), EMAIL_MASK)
                  for m in _EMAIL.finditer(folded)]
    if spans:
        folded = _blank(folded, spans)
    if digits >= 10:  # the shortest IBANs hold 13 digits; 10 leaves room for typing slips
        ibans = [(*m.span(), ACCOUNT_MASK) for m in _IBAN.finditer(folded) if _digits(m.group(0)) >= 10]
        if ibans:
            folded = _blank(folded, ibans)
            spans += ibans
    for match in _NUMBER.finditer(folded):
        spans += _number_spans(folded, match)
    if not spans:
        return text
    out, at = [], 0
    for s, e, mask in sorted(spans):
        out += [text[at:s], mask]
        at = e
    out.append(text[at:])
    return "".join(out)


def redaction_enabled() -> bool:
    from api.config import get_settings

    return get_settings().redact


def maybe_redact(text: str | None) -> str | None:
    """`redact(text)` when the installation has redaction on (UNDERCOVER_REDACT, default on)."""
    return redact(text) if redaction_enabled() else text
