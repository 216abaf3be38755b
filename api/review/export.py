"""Pain points as files: the feed's CSV download and `undercover export` (CSV or JSON lines), one writer.

Each row is built once, for a reader: the author sees their own text as written, anyone else masked; the
command line has no reader, so its files are masked throughout.
"""

import io
import json
import tempfile
import uuid
from collections.abc import Iterator
from typing import TextIO

from sqlalchemy import select
from sqlmodel import Session

from api.auth.models import User
from api.pain_points.csv_format import COLUMNS, JSONL_EXTRA, write_csv
from api.privacy.reader import shown
from api.review.feed import FeedFilters, Lookups, matching_rows

FEED_COLUMNS = [*COLUMNS, "status", "owner", "assignee"]
BATCH = 2000


def export_row(row, lookups: Lookups, reader_id: uuid.UUID | None) -> dict:
    seen = {"author_id": row.author_id, "reader_id": reader_id}
    return {
        "ref": row.ref or str(row.id),
        "text": shown(row.text, **seen),
        "severity": row.severity,
        "felt_by": row.felt_by,
        "visit_kind": row.visit_kind,
        "site": lookups.sites.get(row.site_id, ""),
        "department": lookups.departments.get(row.department_id, ""),
        "occurred_at": row.occurred_at.isoformat(),
        "theme_id": str(row.theme_id) if row.theme_id else "",
        "theme_label": lookups.themes.get(row.theme_id, "") if row.theme_id else "",
        "status": row.status,
        "owner": lookups.departments.get(row.owner_department_id, ""),
        "assignee": lookups.users.get(row.assignee_id, ""),
        "id": str(row.id),
        "visit_id": str(row.visit_id),
        "media": [{"id": str(m["id"]), "content_type": m["content_type"]} for m in lookups.media.get(row.id, [])],
    }


def export_rows(*, session: Session, filters: FeedFilters, reader_id: uuid.UUID | None,
                oldest_first: bool = False, author_emails: bool = False) -> Iterator[dict]:
    """Every pain point matching `filters`, newest first (or oldest first), read in batches; with
    `author_emails`, each row also carries its author's e-mail (JSON lines)."""
    cursor = None
    while True:
        rows = matching_rows(session, filters, cursor, BATCH, reader_id, oldest_first)
        if not rows:
            return
        lookups = Lookups.load(session, rows)
        emails = dict(session.execute(select(User.id, User.email)
                                      .where(User.id.in_({r.author_id for r in rows}))).all()) if author_emails else {}
        for row in rows:
            yield {**export_row(row, lookups, reader_id), "author_email": emails.get(row.author_id, "")}
        if len(rows) < BATCH:
            return
        cursor = (rows[-1].occurred_at, rows[-1].id)


def feed_csv(*, session: Session, viewer: User, filters: FeedFilters) -> tuple[tempfile.SpooledTemporaryFile, int]:
    """The filtered feed as CSV, newest first, written to a spooled file (memory, then disk when large)
    so the database work ends before the response streams."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b")  # noqa: SIM115 - closed by caller
    text_out = io.TextIOWrapper(out, encoding="utf-8", newline="")
    count = write_csv(text_out, FEED_COLUMNS, export_rows(session=session, filters=filters, reader_id=viewer.id))
    text_out.flush()
    text_out.detach()
    out.seek(0)
    return out, count


def write_export(*, session: Session, out: TextIO, fmt: str = "csv") -> int:
    """`undercover export`: every live pain point, oldest first, masked (a file has no single reader)."""
    rows = export_rows(session=session, filters=FeedFilters(), reader_id=None, oldest_first=True,
                       author_emails=fmt != "csv")
    if fmt == "csv":
        return write_csv(out, COLUMNS, rows)
    count = 0
    for row in rows:
        out.write(json.dumps({k: row[k] for k in [*COLUMNS, *JSONL_EXTRA]}, ensure_ascii=False) + "\n")
        count += 1
    return count


def iter_file(handle, chunk: int = 64 * 1024) -> Iterator[bytes]:
    try:
        while data := handle.read(chunk):
            yield data
    finally:
        handle.close()
