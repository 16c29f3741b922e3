"""units that moved with a merger

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "replica_merger_moves",
        sa.Column("unit_id", sa.String(length=36), nullable=False),
        sa.Column("from_unit_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "from_unit_id", name=op.f("pk_replica_merger_moves")),
    )
    op.create_index(op.f("ix_replica_merger_moves_from_unit_id"), "replica_merger_moves", ["from_unit_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_replica_merger_moves_from_unit_id"), table_name="replica_merger_moves")
    op.drop_table("replica_merger_moves")
