"""Helper for bench/themes.py: load many pain points fast through the product's write path, and store
their embeddings as a rebuild would, so the timed rebuild runs "with stored embeddings".

Reads one text per line on stdin, each a base text plus a " (case N)" suffix; writes them as visits of 50
pain points for the bench author. Each copy gets its base text's vector (embedding 100,000 texts would
take most of an hour on 2 cores; the rebuild's cost does not depend on which vectors are stored)."""

import re
import sys
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlmodel import Session

from api.auth.users import get_user_by_email
from api.core.clock import utcnow
from api.db import get_engine
from api.themes import embeddings, engine
from api.themes.models import PainPointEmbedding
from api.visits.schemas import VisitWrite
from api.visits.writes import write_visits

texts = sys.stdin.read().split("\n")
bases = [re.sub(r" \(case \d+\)$", "", t) for t in texts]
unique = sorted(set(bases))
vectors = dict(zip(unique, engine.embed(unique)[0], strict=True))
name = engine.embedder_name()
start = datetime(2026, 9, 1, tzinfo=UTC)
with Session(get_engine(), expire_on_commit=False) as session:
    author = get_user_by_email(session=session, email="bench@themes.example")
    for v in range(0, len(texts), 5000):
        writes, stored = [], []
        for w in range(v, min(v + 5000, len(texts)), 50):
            points = [{"id": uuid.uuid4(), "text": t[:2000] or "-", "severity": 3} for t in texts[w:w + 50]]
            writes.append(VisitWrite.model_validate({
                "id": uuid.uuid4(), "kind": "listened_call", "started_at": start + timedelta(minutes=w),
                "pain_points": points}))
            stored += [{"pain_point_id": p["id"], "embedder": name, "created_at": utcnow(),
                        "text_hash": embeddings.text_hash(engine.pain_point_text(p["text"])),
                        "vector": embeddings.to_bytes(vectors[bases[w + i]])} for i, p in enumerate(points)]
        write_visits(session=session, author=author, writes=writes, source="import")
        session.execute(insert(PainPointEmbedding.__table__), stored)
        session.commit()
