"""withdrawn pain points: kept for managers when their author drops them after triage

Also recovers what was lost before: deleted pain points that a manager had triaged (status moved, owner,
assignee, due date, duplicate link, placed theme, resolution note, an audit line, or another person's
comment) are marked withdrawn, so managers can open them again; live duplicates of a deleted pain point
lose that link (they count again, as the original no longer does).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.core.types

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# api/pain_points/triage.py triaged(), frozen as of this revision.
TRIAGED = """(p.status <> 'new' OR p.owner_department_id IS NOT NULL OR p.assignee_id IS NOT NULL
  OR p.due_date IS NOT NULL OR p.duplicate_of_id IS NOT NULL OR p.theme_locked
  OR p.resolution_note IS NOT NULL
  OR EXISTS (SELECT 1 FROM pain_point_event e WHERE e.pain_point_id = p.id)
  OR EXISTS (SELECT 1 FROM pain_point_comment c WHERE c.pain_point_id = p.id AND c.author_id <> p.author_id))"""


def upgrade() -> None:
    # A plain ADD COLUMN: on SQLite a batch rebuild of pain_point would drop its search triggers.
    op.add_column('pain_point', sa.Column('withdrawn_at', api.core.types.UTCDateTime(timezone=True), nullable=True))
    op.execute(f"UPDATE pain_point SET withdrawn_at = deleted_at WHERE deleted_at IS NOT NULL AND id IN "  # noqa: S608
               f"(SELECT p.id FROM pain_point p WHERE p.deleted_at IS NOT NULL AND {TRIAGED})")
    op.execute("UPDATE pain_point SET duplicate_of_id = NULL WHERE deleted_at IS NULL AND duplicate_of_id IN "
               "(SELECT o.id FROM pain_point o WHERE o.deleted_at IS NOT NULL)")


def downgrade() -> None:
    op.drop_column('pain_point', 'withdrawn_at')  # SQLite 3.35+ drops it in place (no rebuild, see above)
