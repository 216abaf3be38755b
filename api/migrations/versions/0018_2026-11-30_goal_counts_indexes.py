"""goal counts indexes: open pain points of departments at past moments, theme counts by site, own figures

ix_pain_point_open gains occurred_at and site_id, and ix_pain_point_closed_owner holds the closed ones by
resolution time: the goals' "open at the end of each week" (api/goals/counts.py) then reads two small
indexes, not the table. ix_pain_point_theme_counted serves a theme's counts per month, site and department
(goals, a theme's metrics) from the index alone, and ix_pain_point_author_counted an executive's open and
resolved figures on the personal dashboard.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTED = "deleted_at IS NULL AND duplicate_of_id IS NULL"
OPEN = "status IN ('new', 'acknowledged', 'in_progress') AND " + COUNTED
CLOSED = "status IN ('resolved', 'wont_fix') AND " + COUNTED


def _where(predicate: str) -> dict:
    return {"postgresql_where": sa.text(predicate), "sqlite_where": sa.text(predicate)}


def upgrade() -> None:
    # Indexes only: SQLite's batch mode creates them in place, without rebuilding the table (a rebuild would
    # drop the full-text triggers, see api/pain_points/search.py).
    with op.batch_alter_table('pain_point', schema=None) as batch_op:
        batch_op.drop_index('ix_pain_point_open', **_where(OPEN))
        batch_op.create_index('ix_pain_point_open', ['owner_department_id', 'department_id', 'occurred_at',
                                                     'site_id'], unique=False, **_where(OPEN))
        batch_op.create_index('ix_pain_point_closed_owner', ['resolved_at', 'owner_department_id', 'department_id',
                                                             'occurred_at', 'site_id'], unique=False, **_where(CLOSED))
        batch_op.create_index('ix_pain_point_theme_counted', ['theme_id', 'occurred_at', 'site_id', 'department_id'],
                              unique=False, **_where(COUNTED))
        batch_op.create_index('ix_pain_point_author_counted', ['author_id', 'status', 'occurred_at', 'resolved_at'],
                              unique=False, **_where(COUNTED))


def downgrade() -> None:
    with op.batch_alter_table('pain_point', schema=None) as batch_op:
        batch_op.drop_index('ix_pain_point_author_counted', **_where(COUNTED))
        batch_op.drop_index('ix_pain_point_theme_counted', **_where(COUNTED))
        batch_op.drop_index('ix_pain_point_closed_owner', **_where(CLOSED))
        batch_op.drop_index('ix_pain_point_open', **_where(OPEN))
        batch_op.create_index('ix_pain_point_open', ['owner_department_id', 'department_id'], unique=False,
                              **_where(OPEN))
