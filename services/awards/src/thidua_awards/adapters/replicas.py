"""Replicas kept from events: people (from the registry), campaigns (from the campaigns service),
and the rankings every node's scoring publishes. Each event carries a full snapshot, so each is
a `Projection`, applied only if newer than what the replica holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.campaigns_replica import CAMPAIGN_EVENTS, campaigns_projection
from thidua_shared.db import dialect_insert
from thidua_shared.events import registry as rev
from thidua_shared.events import scoring as sev
from thidua_shared.events.catalog import Event
from thidua_shared.messaging.consumer import ConsumerSpec
from thidua_shared.messaging.replica import Projection

from thidua_awards.adapters.tables import replica_campaigns, replica_people, replica_rankings


async def _upsert(session: AsyncSession, table: Table, key: str, rows: list[dict[str, Any]]) -> None:
    statement = dialect_insert(session)(table)
    columns = {c: statement.excluded[c] for c in rows[0] if c != key}
    await session.execute(statement.on_conflict_do_update(index_elements=[table.c[key]], set_=columns), rows)


async def upsert_people(session: AsyncSession, events: list[Event[Any]]) -> None:
    await _upsert(session, replica_people, "id", [
        {"id": p.id, "unit_id": p.unit_id, "full_name": p.full_name, "position": p.position} for p in (e.payload.person for e in events)])


async def upsert_rankings(session: AsyncSession, events: list[Event[Any]]) -> None:
    await _upsert(session, replica_rankings, "round_id", [
        {"round_id": p.round_id, "node": p.node, "campaign_id": p.campaign_id, "cluster_id": p.cluster_id, "period": p.period.value,
         "year": p.year, "leader_unit_id": p.leader_unit_id, "open_ties": p.open_ties, "table_digest": p.table_digest,
         "rows": [{"unit_id": r.unit_id, "rank": r.rank, "total": str(r.total)} for r in p.rows]}
        for p in (e.payload for e in events)])


PEOPLE = Projection(kind="person", key=lambda e: e.payload.person.id, apply=upsert_people)
RANKINGS = Projection(kind="ranking", key=lambda e: e.payload.round_id, apply=upsert_rankings)


def people_consumer() -> ConsumerSpec:
    return ConsumerSpec(name="awards-people", source="registry",
                        projections={rev.PersonRegistered.event_type: PEOPLE, rev.PersonUpdated.event_type: PEOPLE})


def campaigns_consumer() -> ConsumerSpec:
    projection = campaigns_projection(replica_campaigns)
    return ConsumerSpec(name="awards-campaigns-replica", source="campaigns", projections={p.event_type: projection for p in CAMPAIGN_EVENTS})


def rankings_consumer() -> ConsumerSpec:
    """Published rankings from every node's scoring: who leads which cluster or block, each year."""
    return ConsumerSpec(name="awards-rankings", source="scoring", projections={sev.RankingPublished.event_type: RANKINGS})
