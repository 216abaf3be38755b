"""Redaction of personal data in pain-point text: the pure function, the setting, and exports."""

import csv
import io
import json
import uuid

import pytest

from api.config import Settings
from api.privacy.redaction import CARD_MASK, EMAIL_MASK, PHONE_MASK, redact
from tests.cli_helpers import run_cli
from tests.factories import visit_body


@pytest.mark.parametrize(("text", "expected"), [
    ("Customer left her number 07700 900123 for a call back", f"Customer left her number {PHONE_MASK} for a call back"),
    ("Ring +44 (0)20 7946 0958 after six", f"Ring {PHONE_MASK} after six"),
    ("US caller gave (555) 123-4567", f"US caller gave {PHONE_MASK}"),
    ("Agent read out 555.123.4567", f"Agent read out {PHONE_MASK}"),
    ("Wrote to jane.doe+orders@example.co.uk twice", f"Wrote to {EMAIL_MASK} twice"),
    ("Card 4111 1111 1111 1111 was charged twice", f"Card {CARD_MASK} was charged twice"),
    ("Card 4111-1111-1111-1111.", f"Card {CARD_MASK}."),
    ("Card 378282246310005 (Amex)", f"Card {CARD_MASK} (Amex)"),
    ("On 20/11/2026 07700 900123 rang", f"On 20/11/2026 {PHONE_MASK} rang"),
])
def test_personal_data_is_masked(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "Only 2 of 6 tills open; the queue reached 30 people",
    "Waited from 10:30 to 12:15 on 2026-11-20",
    "On 20/11/2026 and again 21.11.26 the app crashed",
    "Refund of £12.50 took 14 days; 1,200 customers affected",
    "Step 3 of the journey: the form lost everything",
    "",
])
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
