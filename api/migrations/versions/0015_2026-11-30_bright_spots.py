"""Bright spots: what went well on a visit, which department, which company value, and who to recognise

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.core.types

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('bright_spot',
    sa.Column('department_id', sa.Uuid(), nullable=True),
    sa.Column('value_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('visit_id', sa.Uuid(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('recognise', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=True),
    sa.Column('visit_kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('occurred_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_bright_spot_author_id_user')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_bright_spot_department_id_department'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_bright_spot_site_id_site'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['value_id'], ['company_value.id'], name=op.f('fk_bright_spot_value_id_company_value')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_bright_spot_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bright_spot'))
    )
    with op.batch_alter_table('bright_spot', schema=None) as batch_op:
        batch_op.create_index('ix_bright_spot_feed', ['occurred_at', 'id'], unique=False)
        batch_op.create_index('ix_bright_spot_visit_id', ['visit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bright_spot_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bright_spot_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bright_spot_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bright_spot_value_id'), ['value_id'], unique=False)


def downgrade() -> None:
    op.drop_table('bright_spot')  # its indexes go with it
