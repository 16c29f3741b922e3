"""claims: a unit's own ratings and initiatives count only once an officer of a higher level confirms them

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("initiatives", "task_ratings"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("claimed", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    for table in ("initiatives", "task_ratings"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("claimed")
