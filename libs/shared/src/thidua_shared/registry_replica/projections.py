"""Keeping the replica from the registry's events.

Unit events carry the unit's full snapshot and membership and leader events a year's whole
state, so each is a `Projection`: the consumer applies an event only if it is newer than what
the replica holds for that unit or that cluster-year.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.db import dialect_insert
from thidua_shared.events import registry as ev
from thidua_shared.events.catalog import Event
from thidua_shared.messaging.consumer import ConsumerSpec
from thidua_shared.messaging.replica import Projection
from thidua_shared.registry_replica.tables import RegistryReplicaTables

UNIT_EVENTS = (ev.UnitRegistered, ev.UnitUpdated, ev.UnitMerged, ev.UnitDissolved)


def registry_replica_consumer(service: str, tables: RegistryReplicaTables) -> ConsumerSpec:
    """The durable consumer `<service>-registry-replica` of every node's registry events."""

    async def upsert_units(session: AsyncSession, events: list[Event[Any]]) -> None:
        rows = [e.payload.unit.model_dump() for e in events]
        statement = dialect_insert(session)(tables.units)
        columns = {c: statement.excluded[c] for c in rows[0] if c != "id"}
        await session.execute(statement.on_conflict_do_update(index_elements=[tables.units.c.id], set_=columns), rows)
        moves = [
            {"unit_id": child, "from_unit_id": e.payload.unit.id}
            for e in events if isinstance(e.payload, ev.UnitMerged) for child in e.payload.moved_children
        ]
        if moves:
            await session.execute(dialect_insert(session)(tables.merger_moves).on_conflict_do_nothing(), moves)

    async def upsert_clusters(session: AsyncSession, events: list[Event[Any]]) -> None:
        statement = dialect_insert(session)(tables.clusters)
        columns = {c: statement.excluded[c] for c in ("code", "name", "kind", "owner_unit_id")}
        await session.execute(
            statement.on_conflict_do_update(index_elements=[tables.clusters.c.id], set_=columns),
            [e.payload.cluster.model_dump() for e in events],
        )

    async def replace_members(session: AsyncSession, events: list[Event[Any]]) -> None:
        members = tables.members
        for event in events:
            p: ev.ClusterMembershipChanged = event.payload
            await session.execute(delete(members).where(members.c.cluster_id == p.cluster_id, members.c.year == p.year))
            if p.members:
                await session.execute(insert(members), [{"cluster_id": p.cluster_id, "year": p.year, "unit_id": u} for u in p.members])

    async def upsert_leaders(session: AsyncSession, events: list[Event[Any]]) -> None:
        statement = dialect_insert(session)(tables.leaders)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[tables.leaders.c.cluster_id, tables.leaders.c.year],
                set_={"leader_unit_id": statement.excluded.leader_unit_id, "deputy_unit_id": statement.excluded.deputy_unit_id},
            ),
            [{"cluster_id": e.payload.cluster_id, "year": e.payload.year, "leader_unit_id": e.payload.leader_unit_id,
              "deputy_unit_id": e.payload.deputy_unit_id} for e in events],
        )

    units = Projection(kind="unit", key=lambda e: e.payload.unit.id, apply=upsert_units)
    clusters = Projection(kind="cluster", key=lambda e: e.payload.cluster.id, apply=upsert_clusters)
    membership = Projection(kind="cluster_members", key=lambda e: f"{e.payload.cluster_id}:{e.payload.year}", apply=replace_members)
    leaders = Projection(kind="cluster_leaders", key=lambda e: f"{e.payload.cluster_id}:{e.payload.year}", apply=upsert_leaders)
    return ConsumerSpec(
        name=f"{service}-registry-replica",
        source="registry",
        projections={
            **{payload.event_type: units for payload in UNIT_EVENTS},
            ev.ClusterFormed.event_type: clusters,
            ev.ClusterMembershipChanged.event_type: membership,
            ev.ClusterLeaderElected.event_type: leaders,
        },
    )
