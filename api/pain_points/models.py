"""A pain point: what hurt, how badly, for whom; written inside a visit."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, String, Text, Uuid, or_, text
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow
from api.core.ids import new_id
from api.core.types import UTCDateTime
from api.validation import TEXT_MAX

# Which pain points count (dashboards, themes): not deleted — which includes withdrawn ones, see SHOWN —
# and not a duplicate of another. The one rule, as SQL text (partial indexes, raw queries) and as
# conditions on the table (counted_conditions).
COUNTED_WHEN_NULL = ("deleted_at", "duplicate_of_id")
COUNTED = " AND ".join(f"{column} IS NULL" for column in COUNTED_WHEN_NULL)
DUPLICATES = "duplicate_of_id IS NOT NULL"
ASSIGNED = "assignee_id IS NOT NULL"
DUE = "due_date IS NOT NULL AND " + COUNTED
VALUED = "value_id IS NOT NULL AND " + COUNTED
OPEN_COUNTED = "status IN ('new', 'acknowledged', 'in_progress') AND " + COUNTED
CLOSED_COUNTED = "status IN ('resolved', 'wont_fix') AND " + COUNTED


class FeltBy(StrEnum):
    customer = "customer"
    employee = "employee"
    both = "both"


class Status(StrEnum):
    new = "new"
    acknowledged = "acknowledged"
    in_progress = "in_progress"
    resolved = "resolved"
    wont_fix = "wont_fix"


CLOSED = {Status.resolved, Status.wont_fix}


class PainPointBase(SQLModel):
    text: str = Field(
        min_length=1, max_length=TEXT_MAX,
        schema_extra={"examples": ["Queue at the tills reached the back of the store; only 2 of 6 tills open"]},
    )
    severity: int = Field(default=3, ge=1, le=5, description="1 = minor irritation, 5 = lost customer or harm")
    felt_by: FeltBy = Field(default=FeltBy.customer, sa_type=String(10))
    department_id: uuid.UUID | None = Field(default=None, description="The owning department, if known")
    journey_step: int | None = Field(
        default=None, ge=0, le=99, description="0-based index into a journey walkthrough's details.steps"
    )
    quote: str | None = Field(default=None, max_length=TEXT_MAX, description="Verbatim words of a customer or employee")
    value_id: uuid.UUID | None = Field(default=None, description="The company value it breaks (GET /api/values)")


class PainPoint(PainPointBase, table=True):
    __tablename__ = "pain_point"
    __table_args__ = (
        Index("ix_pain_point_feed", "occurred_at", "id"),
        Index("ix_pain_point_visit_id", "visit_id"),
        # The feed filtered by theme walks this in order; it also serves every other lookup by theme.
        Index("ix_pain_point_theme_feed", "theme_id", "occurred_at", "id"),
        # The dashboard's counts leave out deleted pain points and duplicates; these partial indexes hold
        # just what each count reads, so PostgreSQL answers them from the index alone (the owner: a
        # manager's departments, e.g. the themes rising in them).
        Index("ix_pain_point_counted", "occurred_at", "theme_id", "owner_department_id", "department_id",
              postgresql_where=text(COUNTED), sqlite_where=text(COUNTED)),
        # The few pain points tagged with a company value, by time and owner: the dashboards' values per week.
        Index("ix_pain_point_valued", "occurred_at", "value_id", "owner_department_id", "department_id",
              postgresql_where=text(VALUED), sqlite_where=text(VALUED)),
        Index("ix_pain_point_closed", "resolved_at", "status", "occurred_at",
              postgresql_where=text(COUNTED), sqlite_where=text(COUNTED)),
        # With when and where: the goals' open pain points at past moments read the index alone.
        Index("ix_pain_point_open", "owner_department_id", "department_id", "occurred_at", "site_id",
              postgresql_where=text(OPEN_COUNTED), sqlite_where=text(OPEN_COUNTED)),
        # The other half of "open at a past moment": closed since then (api/goals/counts.py).
        Index("ix_pain_point_closed_owner", "resolved_at", "owner_department_id", "department_id", "occurred_at",
              "site_id", postgresql_where=text(CLOSED_COUNTED), sqlite_where=text(CLOSED_COUNTED)),
        # One person's counted pain points by status and time: an executive's open and resolved figures.
        Index("ix_pain_point_author_counted", "author_id", "status", "occurred_at", "resolved_at",
              postgresql_where=text(COUNTED), sqlite_where=text(COUNTED)),
        # A theme's counted pain points by time, site and department: goals' monthly counts, a theme's metrics.
        Index("ix_pain_point_theme_counted", "theme_id", "occurred_at", "site_id", "department_id",
              postgresql_where=text(COUNTED), sqlite_where=text(COUNTED)),
        # Partial, so that SQLite never takes it for `duplicate_of_id IS NULL` (nearly every row).
        Index("ix_pain_point_duplicate_of_id", "duplicate_of_id", postgresql_where=text(DUPLICATES),
              sqlite_where=text(DUPLICATES)),
        # Only triaged pain points have an assignee: new ones (every sync) need not touch this index.
        Index("ix_pain_point_assignee_id", "assignee_id", postgresql_where=text(ASSIGNED),
              sqlite_where=text(ASSIGNED)),
        # Only triaged pain points have a due date: the overdue counts (dashboards, digest) read just those.
        Index("ix_pain_point_due", "due_date", "owner_department_id", "department_id",
              postgresql_where=text(DUE), sqlite_where=text(DUE)),
    )

    id: uuid.UUID = Field(primary_key=True)
    visit_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("visit.id", ondelete="CASCADE"), nullable=False))
    text: str = Field(sa_type=Text)
    quote: str | None = Field(default=None, sa_type=Text)
    department_id: uuid.UUID | None = Field(default=None, foreign_key="department.id", ondelete="SET NULL")
    # Values are archived, never deleted: no ON DELETE (and SQLite's ADD COLUMN could not name one, see 0013).
    value_id: uuid.UUID | None = Field(default=None, foreign_key="company_value.id")
    position: int = Field(default=0, description="Order within the visit")
    status: Status = Field(default=Status.new, sa_type=String(16))
    theme_id: uuid.UUID | None = Field(default=None, foreign_key="theme.id", ondelete="SET NULL")
    theme_locked: bool = Field(default=False, description="Placed by a manager: rebuilds keep it there")
    ref: str | None = Field(default=None, max_length=200, description="Row id from an imported spreadsheet")
    # Copied from the visit so the feed filters and sorts without a join.
    author_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    site_id: uuid.UUID | None = Field(default=None, foreign_key="site.id", ondelete="SET NULL", index=True)
    visit_kind: str = Field(max_length=24)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Triage (managers): kept apart from the executive's content, which a visit rewrite replaces.
    owner_department_id: uuid.UUID | None = Field(
        default=None, foreign_key="department.id", ondelete="SET NULL",
        description="The department that owns the fix (triage); the reported department_id stays as written",
    )
    assignee_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    due_date: date | None = None
    resolution_note: str | None = Field(default=None, sa_type=Text)
    duplicate_of_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(Uuid, ForeignKey("pain_point.id", ondelete="SET NULL"), nullable=True),
    )
    withdrawn_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime,
        description="Dropped by its author (or its visit deleted) after triage: deleted for the author and "
        "for every count, still shown to managers",
    )


PAIN = PainPoint.__table__  # for Core reads; only api/pain_points/store.py writes it


# Which pain points managers can open and see in the feed: live ones, and those their author withdrew after
# triage (deleted_at and withdrawn_at both set). Deleted untriaged ones are gone.
SHOWN = or_(PainPoint.deleted_at.is_(None), PainPoint.withdrawn_at.is_not(None))


def is_shown(row) -> bool:
    """SHOWN for one row already read."""
    return row.deleted_at is None or row.withdrawn_at is not None


class PainPointEvent(SQLModel, table=True):
    """One line of a pain point's audit history: who changed which triage field from what to what."""

    __tablename__ = "pain_point_event"
    __table_args__ = (
        Index("ix_pain_point_event_pain_point", "pain_point_id", "created_at"),
        # The themes list asks which themes pain points were moved into or out of since its stored figures.
        Index("ix_pain_point_event_field_created", "field", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    pain_point_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("pain_point.id", ondelete="CASCADE"), nullable=False)
    )
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    field: str = Field(max_length=32)
    old_value: str | None = Field(default=None, sa_type=Text)
    new_value: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


EVENT = PainPointEvent.__table__

COMMENT_MAX = 2000


class PainPointComment(SQLModel, table=True):
    __tablename__ = "pain_point_comment"
    __table_args__ = (Index("ix_pain_point_comment_pain_point", "pain_point_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    pain_point_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("pain_point.id", ondelete="CASCADE"), nullable=False)
    )
    author_id: uuid.UUID = Field(foreign_key="user.id")
    body: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def counted_conditions() -> list:
    """COUNTED as conditions on the pain_point table, for queries that join other tables."""
    return [PAIN.c[column].is_(None) for column in COUNTED_WHEN_NULL]
