"""theme successor: the theme a rebuild retired a theme into (most of its pain points went there)

Goals aimed at a theme follow it like a merge (api/goals/measure.py current_themes).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 02:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('successor_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_theme_successor_id_theme'), 'theme', ['successor_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_theme_successor_id_theme'), type_='foreignkey')
        batch_op.drop_column('successor_id')
