"""Helper for bench/themes.py: load many pain points fast through the product's write path.

Reads one text per line on stdin; writes them as visits of 50 pain points each for the bench author."""

import sys
import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from api.db import get_engine
from api.users.service import get_user_by_email
from api.visits.models import VisitWrite
from api.visits.writes import write_visits

texts = sys.stdin.read().split("\n")
start = datetime(2026, 9, 1, tzinfo=UTC)
with Session(get_engine(), expire_on_commit=False) as session:
    author = get_user_by_email(session=session, email="bench@themes.example")
    batch = []
    for v in range(0, len(texts), 50):
        batch.append(VisitWrite.model_validate({
            "id": uuid.uuid4(), "kind": "listened_call", "started_at": start + timedelta(minutes=v),
            "pain_points": [{"id": uuid.uuid4(), "text": t[:2000] or "-", "severity": 3}
                            for t in texts[v:v + 50]],
        }))
        if len(batch) == 100:
            write_visits(session=session, author=author, writes=batch, source="import")
            session.commit()
            batch = []
    if batch:
        write_visits(session=session, author=author, writes=batch, source="import")
        session.commit()
