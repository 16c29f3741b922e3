"""Read replicas of the registry, kept from its events only (no call to the registry, ever).

Unit events carry the unit's full snapshot and membership events a year's full list,
so each is a `Projection`: the shared consumer applies an event only if it is newer
than what the replica holds for that unit or that cluster-year.
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

from thidua_campaigns.adapters.tables import replica_cluster_members, replica_clusters, replica_merger_moves, replica_units

UNIT_EVENTS = (ev.UnitRegistered, ev.UnitUpdated, ev.UnitMerged, ev.UnitDissolved)


async def upsert_units(session: AsyncSession, events: list[Event[Any]]) -> None:
    rows = [e.payload.unit.model_dump() for e in events]
    statement = dialect_insert(session)(replica_units)
    columns = {c: statement.excluded[c] for c in rows[0] if c != "id"}
    await session.execute(statement.on_conflict_do_update(index_elements=[replica_units.c.id], set_=columns), rows)
    moves = [
        {"unit_id": child, "from_unit_id": e.payload.unit.id}
        for e in events if isinstance(e.payload, ev.UnitMerged) for child in e.payload.moved_children
    ]
    if moves:
        await session.execute(dialect_insert(session)(replica_merger_moves).on_conflict_do_nothing(), moves)


async def upsert_clusters(session: AsyncSession, events: list[Event[Any]]) -> None:
    statement = dialect_insert(session)(replica_clusters)
    columns = {c: statement.excluded[c] for c in ("code", "name", "kind", "owner_unit_id")}
    await session.execute(
        statement.on_conflict_do_update(index_elements=[replica_clusters.c.id], set_=columns),
        [e.payload.cluster.model_dump() for e in events],
    )


async def replace_members(session: AsyncSession, events: list[Event[Any]]) -> None:
    members = replica_cluster_members
    for event in events:
        p: ev.ClusterMembershipChanged = event.payload
        await session.execute(delete(members).where(members.c.cluster_id == p.cluster_id, members.c.year == p.year))
        if p.members:
            await session.execute(insert(members), [{"cluster_id": p.cluster_id, "year": p.year, "unit_id": u} for u in p.members])


UNITS = Projection(kind="unit", key=lambda e: e.payload.unit.id, apply=upsert_units)
CLUSTERS = Projection(kind="cluster", key=lambda e: e.payload.cluster.id, apply=upsert_clusters)
MEMBERSHIP = Projection(kind="cluster_members", key=lambda e: f"{e.payload.cluster_id}:{e.payload.year}", apply=replace_members)


def registry_replica_consumer() -> ConsumerSpec:
    """One durable consumer of every node's registry events."""
    return ConsumerSpec(
        name="campaigns-registry-replica",
        source="registry",
        projections={
            **{payload.event_type: UNITS for payload in UNIT_EVENTS},
            ev.ClusterFormed.event_type: CLUSTERS,
            ev.ClusterMembershipChanged.event_type: MEMBERSHIP,
        },
    )
