"""The replica's tables; created by the `registry_replica` migration branch beside them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Date, Integer, MetaData, String, Table


@dataclass(frozen=True)
class RegistryReplicaTables:
    units: Table
    clusters: Table
    members: Table
    leaders: Table
    merger_moves: Table

    @classmethod
    def define(cls, metadata: MetaData) -> "RegistryReplicaTables":
        units = Table(
            "replica_units",
            metadata,
            Column("id", String(36), primary_key=True),
            Column("code", String(64), nullable=False, index=True),
            Column("name", String(255), nullable=False),
            Column("kind", String(40), nullable=False),
            Column("parent_id", String(36), nullable=True, index=True),
            Column("province_code", String(16), nullable=True),
            Column("status", String(20), nullable=False),
            Column("successor_id", String(36), nullable=True, index=True),
            Column("status_date", Date, nullable=True),
        )
        clusters = Table(
            "replica_clusters",
            metadata,
            Column("id", String(36), primary_key=True),
            Column("code", String(64), nullable=False, index=True),
            Column("name", String(255), nullable=False),
            Column("kind", String(20), nullable=False),
            Column("owner_unit_id", String(36), nullable=False),
        )
        members = Table(
            "replica_cluster_members",
            metadata,
            Column("cluster_id", String(36), primary_key=True),
            Column("year", Integer, primary_key=True),
            Column("unit_id", String(36), primary_key=True, index=True),
        )
        leaders = Table(
            "replica_cluster_leaders",
            metadata,
            Column("cluster_id", String(36), primary_key=True),
            Column("year", Integer, primary_key=True),
            Column("leader_unit_id", String(36), nullable=False),
            Column("deputy_unit_id", String(36), nullable=True),
        )
        # Units that moved to a successor with a merger (Yên Bái's cooperatives into Lào Cai): work
        # the merged unit began still reaches them, and their history names where they came from.
        merger_moves = Table(
            "replica_merger_moves",
            metadata,
            Column("unit_id", String(36), primary_key=True),
            Column("from_unit_id", String(36), primary_key=True, index=True),
        )
        return cls(units, clusters, members, leaders, merger_moves)
