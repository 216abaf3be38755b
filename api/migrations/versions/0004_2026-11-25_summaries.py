"""summaries: stored results of costly aggregates (themes list, flow dashboard)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.core.types

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('summary',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('computed_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('took_ms', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_summary'))
    )


def downgrade() -> None:
    op.drop_table('summary')
