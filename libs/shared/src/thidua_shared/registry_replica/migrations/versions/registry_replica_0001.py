"""registry replica: units, clusters, members and leaders per year, merger moves

Revision ID: registry_replica_0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "registry_replica_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("registry_replica",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "replica_units",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("parent_id", sa.String(length=36), nullable=True),
        sa.Column("province_code", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("successor_id", sa.String(length=36), nullable=True),
        sa.Column("status_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replica_units")),
    )
    for column in ("code", "parent_id", "successor_id"):
        op.create_index(op.f(f"ix_replica_units_{column}"), "replica_units", [column])
    op.create_table(
        "replica_clusters",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("owner_unit_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replica_clusters")),
    )
    op.create_index(op.f("ix_replica_clusters_code"), "replica_clusters", ["code"])
    op.create_table(
        "replica_cluster_members",
        sa.Column("cluster_id", sa.String(length=36), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("cluster_id", "year", "unit_id", name=op.f("pk_replica_cluster_members")),
    )
    op.create_index(op.f("ix_replica_cluster_members_unit_id"), "replica_cluster_members", ["unit_id"])
    op.create_table(
        "replica_cluster_leaders",
        sa.Column("cluster_id", sa.String(length=36), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("leader_unit_id", sa.String(length=36), nullable=False),
        sa.Column("deputy_unit_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("cluster_id", "year", name=op.f("pk_replica_cluster_leaders")),
    )
    op.create_table(
        "replica_merger_moves",
        sa.Column("unit_id", sa.String(length=36), nullable=False),
        sa.Column("from_unit_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "from_unit_id", name=op.f("pk_replica_merger_moves")),
    )
    op.create_index(op.f("ix_replica_merger_moves_from_unit_id"), "replica_merger_moves", ["from_unit_id"])


def downgrade() -> None:
    for table in ("replica_merger_moves", "replica_cluster_leaders", "replica_cluster_members", "replica_clusters", "replica_units"):
        op.drop_table(table)
