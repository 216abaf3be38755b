"""review: triage, audit history, comments, duplicates, full-text search, org settings, pulse

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 08:44:06.690416
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.core.types

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTED = "deleted_at IS NULL AND duplicate_of_id IS NULL"
DUPLICATES = "duplicate_of_id IS NOT NULL"
OPEN_COUNTED = "status IN ('new', 'acknowledged', 'in_progress') AND " + COUNTED

# Full-text search lives outside the models (see api/pain_points/search.py, which must match these).
PG_SEARCH_INDEX = (
    "CREATE INDEX ix_pain_point_search ON pain_point USING gin "
    "(to_tsvector('simple'::regconfig, coalesce(\"text\", '') || ' ' || coalesce(quote, '')))"
)
# A copy of text + quote per pain point, keyed by the pain point's id (an indexed token, so the triggers
# find their row through the FTS index; rowids of pain_point are not stable across VACUUM).
SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE pain_point_fts USING fts5(pain_point_id, body, tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE TRIGGER pain_point_fts_insert AFTER INSERT ON pain_point BEGIN "
    "INSERT INTO pain_point_fts (pain_point_id, body) VALUES (NEW.id, NEW.text || ' ' || coalesce(NEW.quote, '')); "
    "END",
    "CREATE TRIGGER pain_point_fts_delete AFTER DELETE ON pain_point BEGIN "
    "DELETE FROM pain_point_fts WHERE pain_point_fts MATCH 'pain_point_id : \"' || OLD.id || '\"'; "
    "END",
    "CREATE TRIGGER pain_point_fts_update AFTER UPDATE OF text, quote ON pain_point "
    "WHEN OLD.text IS NOT NEW.text OR OLD.quote IS NOT NEW.quote BEGIN "
    "UPDATE pain_point_fts SET body = NEW.text || ' ' || coalesce(NEW.quote, '') "
    "WHERE pain_point_fts MATCH 'pain_point_id : \"' || OLD.id || '\"'; "
    "END",
    "INSERT INTO pain_point_fts (pain_point_id, body) SELECT id, text || ' ' || coalesce(quote, '') FROM pain_point",
)
SQLITE_SEARCH_DROP = (
    "DROP TRIGGER IF EXISTS pain_point_fts_update",
    "DROP TRIGGER IF EXISTS pain_point_fts_delete",
    "DROP TRIGGER IF EXISTS pain_point_fts_insert",
    "DROP TABLE IF EXISTS pain_point_fts",
)


def _create_search() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(PG_SEARCH_INDEX)
    elif dialect == "sqlite":
        for statement in SQLITE_SEARCH:
            op.execute(statement)


def _drop_search() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_pain_point_search")
    elif dialect == "sqlite":
        for statement in SQLITE_SEARCH_DROP:
            op.execute(statement)


def upgrade() -> None:
    op.create_table('pulse_question',
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retired_at', api.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_question'))
    )
    op.create_table('org_setting',
    sa.Column('field_hours_target', sa.Float(), nullable=False),
    sa.Column('executives_see_feed', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('updated_at', api.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_org_setting_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_setting'))
    )
    op.create_table('pulse_answer',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('question_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('answer_text', sa.Text(), nullable=True),
    sa.Column('created_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['pulse_question.id'], name=op.f('fk_pulse_answer_question_id_pulse_question')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_pulse_answer_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_answer')),
    sa.UniqueConstraint('question_id', 'user_id', 'month', name=op.f('uq_pulse_answer_question_id'))
    )
    with op.batch_alter_table('pulse_answer', schema=None) as batch_op:
        batch_op.create_index('ix_pulse_answer_month', ['month', 'question_id'], unique=False)

    op.create_table('pain_point_comment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pain_point_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_pain_point_comment_author_id_user')),
    sa.ForeignKeyConstraint(['pain_point_id'], ['pain_point.id'], name=op.f('fk_pain_point_comment_pain_point_id_pain_point'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pain_point_comment'))
    )
    with op.batch_alter_table('pain_point_comment', schema=None) as batch_op:
        batch_op.create_index('ix_pain_point_comment_pain_point', ['pain_point_id', 'created_at'], unique=False)

    op.create_table('pain_point_event',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pain_point_id', sa.Uuid(), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('created_at', api.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_pain_point_event_actor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pain_point_id'], ['pain_point.id'], name=op.f('fk_pain_point_event_pain_point_id_pain_point'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pain_point_event'))
    )
    with op.batch_alter_table('pain_point_event', schema=None) as batch_op:
        batch_op.create_index('ix_pain_point_event_pain_point', ['pain_point_id', 'created_at'], unique=False)

    with op.batch_alter_table('pain_point', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_department_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('assignee_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('due_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('resolution_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('duplicate_of_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_pain_point_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index('ix_pain_point_duplicate_of_id', ['duplicate_of_id'], unique=False,
                              postgresql_where=sa.text(DUPLICATES), sqlite_where=sa.text(DUPLICATES))
        batch_op.create_index('ix_pain_point_counted', ['occurred_at', 'theme_id'], unique=False,
                              postgresql_where=sa.text(COUNTED), sqlite_where=sa.text(COUNTED))
        batch_op.create_index('ix_pain_point_closed', ['resolved_at', 'status', 'occurred_at'], unique=False,
                              postgresql_where=sa.text(COUNTED), sqlite_where=sa.text(COUNTED))
        batch_op.create_index('ix_pain_point_open', ['owner_department_id', 'department_id'], unique=False,
                              postgresql_where=sa.text(OPEN_COUNTED), sqlite_where=sa.text(OPEN_COUNTED))
        batch_op.create_index('ix_pain_point_theme_feed', ['theme_id', 'occurred_at', 'id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_pain_point_owner_department_id_department'), 'department', ['owner_department_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_pain_point_assignee_id_user'), 'user', ['assignee_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_pain_point_duplicate_of_id_pain_point'), 'pain_point', ['duplicate_of_id'], ['id'], ondelete='SET NULL')
    # After the batch above: on SQLite it rebuilds pain_point, which would drop the search triggers.
    _create_search()


def downgrade() -> None:
    _drop_search()
    with op.batch_alter_table('pain_point', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_pain_point_duplicate_of_id_pain_point'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_pain_point_assignee_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_pain_point_owner_department_id_department'), type_='foreignkey')
        batch_op.drop_index('ix_pain_point_theme_feed')
        batch_op.drop_index('ix_pain_point_open')
        batch_op.drop_index('ix_pain_point_closed')
        batch_op.drop_index('ix_pain_point_counted')
        batch_op.drop_index('ix_pain_point_duplicate_of_id')
        batch_op.drop_index(batch_op.f('ix_pain_point_assignee_id'))
        batch_op.drop_column('duplicate_of_id')
        batch_op.drop_column('resolution_note')
        batch_op.drop_column('due_date')
        batch_op.drop_column('assignee_id')
        batch_op.drop_column('owner_department_id')

    with op.batch_alter_table('pain_point_event', schema=None) as batch_op:
        batch_op.drop_index('ix_pain_point_event_pain_point')

    op.drop_table('pain_point_event')
    with op.batch_alter_table('pain_point_comment', schema=None) as batch_op:
        batch_op.drop_index('ix_pain_point_comment_pain_point')

    op.drop_table('pain_point_comment')
    with op.batch_alter_table('pulse_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_pulse_answer_month')

    op.drop_table('pulse_answer')
    op.drop_table('org_setting')
    op.drop_table('pulse_question')
