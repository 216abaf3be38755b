"""pain_point_event (field, created_at): the themes list reads recent theme moves from the audit lines

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 18:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_pain_point_event_field_created', 'pain_point_event', ['field', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_pain_point_event_field_created', table_name='pain_point_event')
