"""themes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 08:36:10.114752
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.core.types

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('theme',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('label_locked', sa.Boolean(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('representative_ids', sa.JSON(), nullable=False),
    sa.Column('centroid', sa.LargeBinary(), nullable=True),
    sa.Column('embedder', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('merged_into_id', sa.Uuid(), nullable=True),
    sa.Column('retired_at', api.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merged_into_id'], ['theme.id'], name=op.f('fk_theme_merged_into_id_theme'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme'))
    )
    op.create_table('theme_build',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('embedder', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('pain_points', sa.Integer(), nullable=False),
    sa.Column('themes', sa.Integer(), nullable=False),
    sa.Column('unthemed', sa.Integer(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('requested_by_id', sa.Uuid(), nullable=True),
    sa.Column('heartbeat_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', api.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_theme_build_requested_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_build'))
    )
    with op.batch_alter_table('theme_build', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_build_status'), ['status'], unique=False)

    op.create_table('pain_point_embedding',
    sa.Column('pain_point_id', sa.Uuid(), nullable=False),
    sa.Column('embedder', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('text_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pain_point_id'], ['pain_point.id'], name=op.f('fk_pain_point_embedding_pain_point_id_pain_point'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pain_point_id', name=op.f('pk_pain_point_embedding'))
    )
    with op.batch_alter_table('pain_point', schema=None) as batch_op:
        batch_op.add_column(sa.Column('theme_locked', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('resolved_at', api.core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_pain_point_theme_id'), ['theme_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_pain_point_theme_id_theme'), 'theme', ['theme_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('pain_point', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_pain_point_theme_id_theme'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_pain_point_theme_id'))
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('theme_locked')

    op.drop_table('pain_point_embedding')
    with op.batch_alter_table('theme_build', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_build_status'))

    op.drop_table('theme_build')
    op.drop_table('theme')
