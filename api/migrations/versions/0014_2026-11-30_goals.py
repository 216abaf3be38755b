"""Shared goals (goal) and their owning departments (goal_department)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 00:02:28.754701
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.core.types

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('goal',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('kpi_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('theme_id', sa.Uuid(), nullable=True),
    sa.Column('site_id', sa.Uuid(), nullable=True),
    sa.Column('comparison', sa.String(length=8), nullable=False),
    sa.Column('target_value', sa.Float(), nullable=False),
    sa.Column('baseline', sa.Float(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('last_status', sa.String(length=10), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_goal_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_goal_site_id_site'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_goal_theme_id_theme'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal'))
    )
    op.create_table('goal_department',
    sa.Column('goal_id', sa.Uuid(), nullable=False),
    sa.Column('department_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_goal_department_department_id_department'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['goal_id'], ['goal.id'], name=op.f('fk_goal_department_goal_id_goal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('goal_id', 'department_id', name=op.f('pk_goal_department'))
    )
    with op.batch_alter_table('goal_department', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_department_department_id'), ['department_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('goal_department', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_department_department_id'))

    op.drop_table('goal_department')
    op.drop_table('goal')
