"""The pain-point CSV shared by import and export (see CONTRACT.md), and the one way cells are written.

A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, so
every text cell that does is written with a leading `'` (the spreadsheet convention for "this is text").
Import takes exactly one such `'` off again, so an export re-imports unchanged; a text that itself starts with
`'` and then one of those characters gets one more `'`, for the same reason.
"""

import csv
import re
from collections.abc import Iterable
from typing import TextIO

COLUMNS = ["ref", "text", "severity", "felt_by", "visit_kind", "site", "department", "occurred_at",
           "theme_id", "theme_label"]
JSONL_EXTRA = ["id", "visit_id", "status", "author_email", "media"]  # media: [{"id", "content_type"}]

_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")


def csv_cell(value):
    """A value as written to a CSV file: text that a spreadsheet would run gets a leading `'`; numbers stay."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def from_csv_cell(value: str) -> str:
    """The text a cell stands for: undoes `csv_cell` (one leading `'` before a formula character)."""
    return value[1:] if _ESCAPED.match(value) else value


def write_csv(out: TextIO, columns: list[str], rows: Iterable[dict]) -> int:
    """Header, then one line per row (only `columns`, each cell through `csv_cell`); returns the row count."""
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(row[name]) for name in columns])
        count += 1
    return count
