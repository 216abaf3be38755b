"""The pain-point CSV shared by import and export (see CONTRACT.md)."""

COLUMNS = ["ref", "text", "severity", "felt_by", "visit_kind", "site", "department", "occurred_at",
           "theme_id", "theme_label"]
JSONL_EXTRA = ["id", "visit_id", "status", "author_email"]
