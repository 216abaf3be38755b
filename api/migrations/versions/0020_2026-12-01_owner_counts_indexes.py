"""owner counts indexes: counted pain points by time with their owner; those tagged with a company value

ix_pain_point_counted gains the owning and reported departments, so that a manager's dashboard (the themes
rising in their departments) is answered from the index alone, not by reading every row of the last weeks.
ix_pain_point_valued holds the few pain points tagged with a company value, for the values per week.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTED = "deleted_at IS NULL AND duplicate_of_id IS NULL"
VALUED = "value_id IS NOT NULL AND " + COUNTED


def _where(predicate: str) -> dict:
    return {"postgresql_where": sa.text(predicate), "sqlite_where": sa.text(predicate)}


def upgrade() -> None:
    # Indexes only: SQLite's batch mode changes them in place (see 0018).
    with op.batch_alter_table('pain_point', schema=None) as batch_op:
        batch_op.drop_index('ix_pain_point_counted', **_where(COUNTED))
        batch_op.create_index('ix_pain_point_counted', ['occurred_at', 'theme_id', 'owner_department_id',
                                                        'department_id'], unique=False, **_where(COUNTED))
        batch_op.create_index('ix_pain_point_valued', ['occurred_at', 'value_id', 'owner_department_id',
                                                       'department_id'], unique=False, **_where(VALUED))


def downgrade() -> None:
    with op.batch_alter_table('pain_point', schema=None) as batch_op:
        batch_op.drop_index('ix_pain_point_valued', **_where(VALUED))
        batch_op.drop_index('ix_pain_point_counted', **_where(COUNTED))
        batch_op.create_index('ix_pain_point_counted', ['occurred_at', 'theme_id'], unique=False,
                              **_where(COUNTED))
