"""overdue index: pain points with a due date, for the overdue counts of the personal dashboards

Only triaged pain points have a due date, so the index is small; the counts of overdue pain points now and a
week ago (GET /api/dashboard/me) and the digest's read it instead of every counted pain point.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 00:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DUE = "due_date IS NOT NULL AND deleted_at IS NULL AND duplicate_of_id IS NULL"


def upgrade() -> None:
    # An index only: SQLite's batch mode creates it in place, without rebuilding the table (a rebuild would
    # drop the full-text triggers, see api/pain_points/search.py).
    with op.batch_alter_table('pain_point', schema=None) as batch_op:
        batch_op.create_index('ix_pain_point_due', ['due_date', 'owner_department_id', 'department_id'],
                              unique=False, postgresql_where=sa.text(DUE), sqlite_where=sa.text(DUE))


def downgrade() -> None:
    with op.batch_alter_table('pain_point', schema=None) as batch_op:
        batch_op.drop_index('ix_pain_point_due', postgresql_where=sa.text(DUE), sqlite_where=sa.text(DUE))
