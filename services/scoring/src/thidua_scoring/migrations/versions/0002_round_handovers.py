"""round handovers: a round's writing passed from one node to another, and requests to get it back

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
        "round_handovers",
        sa.Column("round_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("from_node", sa.String(length=32), nullable=False),
        sa.Column("to_node", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state_digest", sa.String(length=64), nullable=False),
        sa.Column("handed_by", sa.String(length=255), nullable=False),
        sa.Column("handed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["review_rounds.id"], name=op.f("fk_round_handovers_round_id_review_rounds")),
        sa.PrimaryKeyConstraint("round_id", "position", name=op.f("pk_round_handovers")),
    )
    op.create_table(
        "round_return_requests",
        sa.Column("round_id", sa.String(length=36), nullable=False),
        sa.Column("node", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=255), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["review_rounds.id"], name=op.f("fk_round_return_requests_round_id_review_rounds")),
        sa.PrimaryKeyConstraint("round_id", "node", name=op.f("pk_round_return_requests")),
    )


def downgrade() -> None:
    op.drop_table("round_return_requests")
    op.drop_table("round_handovers")
