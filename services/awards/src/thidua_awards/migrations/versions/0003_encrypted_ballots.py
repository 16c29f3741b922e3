"""encrypted ballots: the box holds ballots encrypted to the tellers' joint key, one row each; tellers' keys, deals and counts

The old box (`ballot_boxes`, readable choices) is dropped: that is the leak this revision closes. A
ballot still open when upgrading cannot be counted without it and is closed with no result.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("ballot_boxes")
    op.execute("UPDATE ballots SET status = 'closed' WHERE status = 'open'")
    with op.batch_alter_table("ballots") as batch:
        batch.add_column(sa.Column("tally", sa.JSON(), nullable=True))
    op.create_table(
        "ballot_box",
        sa.Column("ballot_id", sa.String(length=36), nullable=False),
        sa.Column("receipt", sa.String(length=64), nullable=False),
        sa.Column("ballot", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["ballot_id"], ["ballots.id"], name=op.f("fk_ballot_box_ballot_id_ballots")),
        sa.PrimaryKeyConstraint("ballot_id", "receipt", name=op.f("pk_ballot_box")),
    )
    op.create_table(
        "teller_keys",
        sa.Column("teller", sa.String(length=36), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("teller", name=op.f("pk_teller_keys")),
    )
    for name, column in (("ballot_deals", "deal"), ("ballot_counts", "count")):
        op.create_table(
            name,
            sa.Column("ballot_id", sa.String(length=36), nullable=False),
            sa.Column("teller_index", sa.Integer(), nullable=False),
            sa.Column("teller", sa.String(length=36), nullable=False),
            sa.Column(column, sa.JSON(), nullable=False),
            sa.ForeignKeyConstraint(["ballot_id"], ["ballots.id"], name=op.f(f"fk_{name}_ballot_id_ballots")),
            sa.PrimaryKeyConstraint("ballot_id", "teller_index", name=op.f(f"pk_{name}")),
        )


def downgrade() -> None:
    for name in ("ballot_counts", "ballot_deals", "teller_keys", "ballot_box"):
        op.drop_table(name)
    with op.batch_alter_table("ballots") as batch:
        batch.drop_column("tally")
    op.create_table(
        "ballot_boxes",
        sa.Column("ballot_id", sa.String(length=36), nullable=False),
        sa.Column("cast", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["ballot_id"], ["ballots.id"], name=op.f("fk_ballot_boxes_ballot_id_ballots")),
        sa.PrimaryKeyConstraint("ballot_id", name=op.f("pk_ballot_boxes")),
    )
