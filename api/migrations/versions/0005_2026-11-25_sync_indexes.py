"""sync indexes: fewer indexes for every synced pain point to maintain

ix_pain_point_theme_id duplicated the leading column of ix_pain_point_theme_feed, which serves every
lookup by theme; ix_pain_point_assignee_id holds only assigned pain points now (new ones have none).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 10:58:58.555248
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ASSIGNED = "assignee_id IS NOT NULL"


def upgrade() -> None:
    # Index changes only: SQLite's batch mode creates and drops them in place, without rebuilding the table
    # (a rebuild would drop the full-text triggers, see api/pain_points/search.py).
    with op.batch_alter_table('pain_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pain_point_theme_id'))
        batch_op.drop_index(batch_op.f('ix_pain_point_assignee_id'))
        batch_op.create_index('ix_pain_point_assignee_id', ['assignee_id'], unique=False,
                              postgresql_where=sa.text(ASSIGNED), sqlite_where=sa.text(ASSIGNED))


def downgrade() -> None:
    with op.batch_alter_table('pain_point', schema=None) as batch_op:
        batch_op.drop_index('ix_pain_point_assignee_id', postgresql_where=sa.text(ASSIGNED),
                            sqlite_where=sa.text(ASSIGNED))
        batch_op.create_index(batch_op.f('ix_pain_point_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pain_point_theme_id'), ['theme_id'], unique=False)
