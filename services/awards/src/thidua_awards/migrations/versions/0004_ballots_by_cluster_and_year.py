"""ballots found by cluster and year (the columns of a list), filled from each ballot's snapshot

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ballots = sa.table("ballots", sa.column("id", sa.String()), sa.column("snapshot", sa.JSON()),
                   sa.column("cluster_id", sa.String()), sa.column("year", sa.Integer()))


def upgrade() -> None:
    # Added in place (a default keeps the NOT NULL column addable): rebuilding the table, as SQLite would to
    # change a column, is refused while the box, voters and questions refer to it.
    op.add_column("ballots", sa.Column("cluster_id", sa.String(length=36), nullable=True))
    op.add_column("ballots", sa.Column("year", sa.Integer(), nullable=False, server_default="0"))
    connection = op.get_bind()
    # Ballots are few (one a cluster or council a year): read them once, each row's own values written back.
    for ballot_id, snapshot in connection.execute(sa.select(ballots.c.id, ballots.c.snapshot)).all():
        connection.execute(sa.update(ballots).where(ballots.c.id == ballot_id).values(
            cluster_id=snapshot.get("cluster_id"), year=int(snapshot["year"])))
    op.create_index(op.f("ix_ballots_cluster_id"), "ballots", ["cluster_id"], unique=False)
    op.create_index(op.f("ix_ballots_year"), "ballots", ["year"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ballots_year"), table_name="ballots")
    op.drop_index(op.f("ix_ballots_cluster_id"), table_name="ballots")
    op.drop_column("ballots", "year")
    op.drop_column("ballots", "cluster_id")
