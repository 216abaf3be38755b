"""org_setting.pulse_min_responses: pulse results only from this many executives a month

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('org_setting') as batch_op:
        batch_op.add_column(sa.Column('pulse_min_responses', sa.Integer(), nullable=False, server_default='3'))


def downgrade() -> None:
    with op.batch_alter_table('org_setting') as batch_op:
        batch_op.drop_column('pulse_min_responses')
