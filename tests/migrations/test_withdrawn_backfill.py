"""Migration 0007 gives back to managers what deleting used to hide: triaged pain points deleted before it
are marked withdrawn, and live duplicates of a deleted pain point lose that link."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, Integer, String, Uuid, column, insert, select, table

from api.core.types import UTCDateTime
from api.db import make_engine
from api.migrate import upgrade
from tests.migrations.test_migrations import empty_database  # noqa: F401 - the fixture


def _table(name: str, **types):
    """The columns this test writes, as they are at revision 0005 (not as the models are today)."""
    return table(name, *(column(key, kind) for key, kind in types.items()))


USER = _table("user", id=Uuid, email=String, display_name=String, role=String, password_hash=String,
              is_active=Boolean, created_at=UTCDateTime, updated_at=UTCDateTime)
VISIT = _table("visit", id=Uuid, kind=String, author_id=Uuid, started_at=UTCDateTime, content_hash=String,
               txid=Integer, details=JSON, notes=String, private_notes=String, incognito=Boolean, version=Integer,
               source=String, created_at=UTCDateTime, updated_at=UTCDateTime)
PAIN = _table("pain_point", id=Uuid, visit_id=Uuid, text=String, severity=Integer, felt_by=String,
              position=Integer, status=String, theme_locked=Boolean, author_id=Uuid, visit_kind=String,
              occurred_at=UTCDateTime, version=Integer, created_at=UTCDateTime, updated_at=UTCDateTime,
              deleted_at=UTCDateTime, duplicate_of_id=Uuid)


def test_triaged_pain_points_deleted_before_0007_are_withdrawn(empty_database):  # noqa: F811
    upgrade(empty_database, "0005")
    engine = make_engine(empty_database)
    now = datetime(2026, 11, 20, 9, tzinfo=UTC)
    user, visit = uuid.uuid4(), uuid.uuid4()
    triaged, plain, duplicate, live = (uuid.uuid4() for _ in range(4))

    def point(pid, **extra):
        return {"id": pid, "visit_id": visit, "text": "t", "severity": 3, "felt_by": "customer", "position": 0,
                "status": "new", "theme_locked": False, "author_id": user, "visit_kind": "shop_floor_shift",
                "occurred_at": now, "version": 1, "created_at": now, "updated_at": now, "deleted_at": None,
                "duplicate_of_id": None, **extra}

    with engine.begin() as conn:
        conn.execute(insert(USER).values(id=user, email="a@example.com", display_name="A", role="executive",
                                         password_hash="x", is_active=True, created_at=now,
                                         updated_at=now))
        conn.execute(insert(VISIT).values(id=visit, kind="shop_floor_shift", author_id=user, started_at=now,
                                          content_hash="x", txid=1, details={}, notes="", private_notes="",
                                          incognito=False, version=1, source="app", created_at=now,
                                          updated_at=now))
        conn.execute(insert(PAIN), [point(triaged, status="acknowledged", deleted_at=now),
                                    point(plain, deleted_at=now), point(duplicate, duplicate_of_id=triaged),
                                    point(live)])
    upgrade(empty_database)
    withdrawn = column("withdrawn_at", UTCDateTime)
    with engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(select(PAIN.c.id, withdrawn, PAIN.c.duplicate_of_id)
                                              .select_from(PAIN))}
    engine.dispose()
    assert rows[triaged].withdrawn_at == now
    assert rows[plain].withdrawn_at is None and rows[live].withdrawn_at is None
    assert rows[duplicate].duplicate_of_id is None
