"""KPIs and their values (one key per KPI, period and place: the scope column), company values,
pain_point.value_id and org_setting.executives_see_all_kpis

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 23:22:19.275756
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.core.types

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('company_value',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('meaning', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_value')),
    sa.UniqueConstraint('name', name=op.f('uq_company_value_name'))
    )
    op.create_table('kpi',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('kind', sa.String(length=3), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('higher_is_better', sa.Boolean(), nullable=False),
    sa.Column('period', sa.String(length=5), nullable=False),
    sa.Column('scale_min', sa.Float(), nullable=True),
    sa.Column('scale_max', sa.Float(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_kpi_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi')),
    sa.UniqueConstraint('key', name=op.f('uq_kpi_key'))
    )
    op.create_table('kpi_value',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kpi_id', sa.Uuid(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=True),
    sa.Column('department_id', sa.Uuid(), nullable=True),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=65), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=True),
    sa.Column('updated_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_kpi_value_department_id_department')),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpi.id'], name=op.f('fk_kpi_value_kpi_id_kpi'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_kpi_value_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_value')),
    sa.UniqueConstraint('kpi_id', 'period_start', 'scope', name=op.f('uq_kpi_value_kpi_id'))
    )
    with op.batch_alter_table('kpi_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_value_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpi_value_site_id'), ['site_id'], unique=False)

    # A plain ADD COLUMN: on SQLite a batch rebuild of pain_point would drop its search triggers (as in 0007).
    if op.get_bind().dialect.name == 'sqlite':  # SQLite adds a constraint only with its column
        op.execute('ALTER TABLE pain_point ADD COLUMN value_id CHAR(32) CONSTRAINT '
                   'fk_pain_point_value_id_company_value REFERENCES company_value (id)')
    else:
        op.add_column('pain_point', sa.Column('value_id', sa.Uuid(), nullable=True))
        op.create_foreign_key(op.f('fk_pain_point_value_id_company_value'), 'pain_point', 'company_value',
                              ['value_id'], ['id'])
    with op.batch_alter_table('org_setting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('executives_see_all_kpis', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))



def downgrade() -> None:
    with op.batch_alter_table('org_setting', schema=None) as batch_op:
        batch_op.drop_column('executives_see_all_kpis')
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(op.f('fk_pain_point_value_id_company_value'), 'pain_point', type_='foreignkey')
    op.drop_column('pain_point', 'value_id')  # SQLite 3.35+ drops it in place (no rebuild, see above)

    with op.batch_alter_table('kpi_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_value_site_id'))
        batch_op.drop_index(batch_op.f('ix_kpi_value_department_id'))

    op.drop_table('kpi_value')
    op.drop_table('kpi')
    op.drop_table('company_value')
