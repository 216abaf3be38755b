"""Redaction of personal data in pain-point text: the pure function, the setting, and exports."""

import csv
import io
import json
import uuid

import pytest

from api.config import Settings
from api.privacy.redaction import ACCOUNT_MASK, CARD_MASK, EMAIL_MASK, PHONE_MASK, redact
from tests.cli_helpers import run_cli
from tests.factories import visit_body

NBSP, NNBSP, THIN, EN, NB_HYPHEN, EM = "\u00a0", "\u202f", "\u2009", "\u2013", "\u2011", "\u2014"

# What must be masked, and exactly what the reader sees instead.
POSITIVE = [
    # Phones: national and international, every separator people type.
    ("Customer left her number 07700 900123 for a call back", f"Customer left her number {PHONE_MASK} for a call back"),
    ("Ring +44 (0)20 7946 0958 after six", f"Ring {PHONE_MASK} after six"),
    ("US caller gave (555) 123-4567", f"US caller gave {PHONE_MASK}"),
    ("Agent read out 555.123.4567", f"Agent read out {PHONE_MASK}"),
    ("Her mobile 06.12.34.56.78", f"Her mobile {PHONE_MASK}"),
    ("Her mobile 06/12/34/56/78", f"Her mobile {PHONE_MASK}"),
    ("Her mobile 06 12 34 56 78", f"Her mobile {PHONE_MASK}"),
    ("Her mobile 06-12-34-56-78", f"Her mobile {PHONE_MASK}"),
    ("Call +33 6 12 34 56 78 tonight", f"Call {PHONE_MASK} tonight"),
    ("Call +1-555-123-4567", f"Call {PHONE_MASK}"),
    ("Call 0044 20 7946 0958", f"Call {PHONE_MASK}"),
    ("Call +49 (0)30 1234567", f"Call {PHONE_MASK}"),
    ("Call (020) 7946 0958 now", f"Call {PHONE_MASK} now"),
    (f"Call 07700{NB_HYPHEN}900{NB_HYPHEN}123", f"Call {PHONE_MASK}"),
    (f"Call 07700{NBSP}900123", f"Call {PHONE_MASK}"),
    ("tel07700900123", f"tel{PHONE_MASK}"),
    ("tel:+447700900123", f"tel:{PHONE_MASK}"),
    ("Said to call07700900123 today", f"Said to call{PHONE_MASK} today"),
    ("On 20/11/2026 07700 900123 rang", f"On 20/11/2026 {PHONE_MASK} rang"),
    ("At 9.45 she gave 0161 496 0000", f"At 9.45 she gave {PHONE_MASK}"),
    ("2026-11-20 14:30 rang from 0161 496 0000", f"2026-11-20 14:30 rang from {PHONE_MASK}"),
    ("(call me on 07700 900123)", f"(call me on {PHONE_MASK})"),
    ("Numbers: (07700 900123)", f"Numbers: ({PHONE_MASK})"),
    ("Mobile \u0660\u0667\u0667\u0660\u0660 \u0669\u0660\u0660\u0661\u0662\u0663", f"Mobile {PHONE_MASK}"),
    # E-mail addresses.
    ("Wrote to jane.doe+orders@example.co.uk twice", f"Wrote to {EMAIL_MASK} twice"),
    ("Mail john@localhost about it", f"Mail {EMAIL_MASK} about it"),
    ("Reply to JOHN.SMITH@EXAMPLE.COM.", f"Reply to {EMAIL_MASK}."),
    ("cc a.b@mail.eu.example.org and o'brien@example.ie", f"cc {EMAIL_MASK} and {EMAIL_MASK}"),
    ("'jane@example.com'", f"'{EMAIL_MASK}'"),
    ("Mail \uff4a\uff4f\uff48\uff4e\uff20\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\uff0e\uff43\uff4f\uff4d",
     f"Mail {EMAIL_MASK}"),
    # Card numbers: with spaces, dashes, no-break or thin spaces, en dashes, none, glued to a word.
    ("Card 4111 1111 1111 1111 was charged twice", f"Card {CARD_MASK} was charged twice"),
    ("Card 4111-1111-1111-1111.", f"Card {CARD_MASK}."),
    ("Card 378282246310005 (Amex)", f"Card {CARD_MASK} (Amex)"),
    (f"Card 4111{NBSP}1111{NBSP}1111{NBSP}1111", f"Card {CARD_MASK}"),
    (f"Card 4111{EN}1111{EN}1111{EN}1111", f"Card {CARD_MASK}"),
    (f"Card 4111{NNBSP}1111 1111{THIN}1111", f"Card {CARD_MASK}"),
    ("Card 4111\u200b1111\u200b1111\u200b1111", f"Card {CARD_MASK}"),
    ("Paid with Visa4111111111111111", f"Paid with Visa{CARD_MASK}"),
    ("Amex 3782 822463 10005 declined", f"Amex {CARD_MASK} declined"),
    # Bank accounts: IBANs and long digit runs.
    ("IBAN GB82 WEST 1234 5698 7654 32 please", f"IBAN {ACCOUNT_MASK} please"),
    ("Refund to DE89370400440532013000", f"Refund to {ACCOUNT_MASK}"),
    ("fr76 3000 6000 0112 3456 7890 189.", f"{ACCOUNT_MASK}."),
    ("Account 12345678901234567890123", f"Account {ACCOUNT_MASK}"),
    # The author's own characters stay everywhere but in the masked part.
    (f"Call{NBSP}07700 900123 {EM} thanks{NBSP}!", f"Call{NBSP}{PHONE_MASK} {EM} thanks{NBSP}!"),
]

# What must survive: dates, times, prices, counts and short or prefixed references.
NEGATIVE = [
    "Only 2 of 6 tills open; the queue reached 30 people",
    "Waited from 10:30 to 12:15 on 2026-11-20",
    "On 20/11/2026 and again 21.11.26 the app crashed",
    "Refund of £12.50 took 14 days; 1,200 customers affected",
    "Step 3 of the journey: the form lost everything",
    "",
    "Deadline 2026-11-20",
    "Due 20/11/2026, paid 20-11-2026",
    "US date 11/20/2026 and 2026/11/20",
    f"Opened 20{EN}11{EN}2026 at 14:30{EN}15:00",
    "Price £1,299.99 or 12,50 €",
    "€1.299,99 per unit, $1 299 999 for the building",
    "Open 14:30 to 18:00, doors at 9.45am",
    "Shift 9.00-17.30 every day",
    "Shift 9.00 - 17.30 every day",
    "See order AB-12345 and ticket #A1234",
    "ref 12345 reopened as INC-2231",
    "Room 101, floor 3",
    "Sales 2019-2026 grew, 2025/26 too",
    "Temperature was 21.5°C",
    "Version 10.2.15 of the app",
    "Score 8/10, NPS 45",
    "Call centre open 24/7 with a 50/50 split",
    "Queue of 12 - 15 people",
    "@john said hi, arrived @ 9 and left @ 5",
    "Bought 3 @ £4.99; see you tomorrow@10",
    "Postcode LS5 3EX, gate B12, seat 14C",
    "A 10% discount on 2 items",
    "Between 1990 and 2026",
    "Model ABC-123-XYZ",
    "Tuesday 14h30, week 47, Q4 2026",
    "the 2026-11-20T14:30:00Z timestamp",
    f"10{NBSP}people waited 10{EN}15{NBSP}min {EM} again",
    "Spent 1h 45m on hold",
]


def test_the_case_tables_are_big_enough():
    assert len(POSITIVE) >= 30 and len([t for t in NEGATIVE if t]) >= 30


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_personal_data_is_masked(text, expected):
    assert redact(text) == expected
    assert redact(expected) == expected  # idempotent: masks hold nothing to mask again


@pytest.mark.parametrize("text", NEGATIVE)
def test_ordinary_text_is_left_alone(text):
    assert redact(text) == text


def test_none_stays_none_and_redaction_is_idempotent():
    assert redact(None) is None
    once = redact("mail a@b.example or call 07700 900123, card 4111111111111111")
    assert redact(once) == once
    assert "a@b.example" not in once and "900123" not in once and "4111" not in once


def test_redaction_is_on_by_default(monkeypatch):
    monkeypatch.delenv("UNDERCOVER_REDACT", raising=False)
    assert Settings(UNDERCOVER_ENV="test", UNDERCOVER_SECRET_KEY="x").redact is True
    monkeypatch.setenv("UNDERCOVER_REDACT", "false")
    assert Settings(UNDERCOVER_ENV="test", UNDERCOVER_SECRET_KEY="x").redact is False


PERSONAL = "Customer jane@example.com, 07700 900123, card 4111 1111 1111 1111, was double charged"


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_masks_personal_data_unless_turned_off(client, executive, database_url, monkeypatch, fmt):
    body = visit_body(pain_points=1)
    body["pain_points"][0]["text"] = PERSONAL
    assert client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=executive.headers).status_code == 201

    def exported_texts() -> list[str]:
        res = run_cli(database_url, "export", "--format", fmt)
        assert res.returncode == 0, res.stderr
        if fmt == "csv":
            return [row["text"] for row in csv.DictReader(io.StringIO(res.stdout))]
        return [json.loads(line)["text"] for line in res.stdout.splitlines()]

    monkeypatch.delenv("UNDERCOVER_REDACT", raising=False)
    (masked,) = exported_texts()
    assert masked == f"Customer {EMAIL_MASK}, {PHONE_MASK}, card {CARD_MASK}, was double charged"
    monkeypatch.setenv("UNDERCOVER_REDACT", "false")
    assert exported_texts() == [PERSONAL]
    # The author's own copy is never changed.
    own = client.get("/api/visits", headers=executive.headers).json()
    assert own[0]["pain_points"][0]["text"] == PERSONAL
