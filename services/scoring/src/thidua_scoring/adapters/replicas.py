"""Replicas kept from events: campaigns (with their criteria and rules) and registrations, from the
campaigns service; live standings, from the scoring events of every node.

Each event carries a full snapshot, so each is a `Projection`: applied only if newer than what
the replica holds for that campaign, registration or unit's standing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.campaigns_replica import CAMPAIGN_EVENTS, campaigns_projection
from thidua_shared.db import dialect_insert
from thidua_shared.events import campaigns as cev
from thidua_shared.events import scoring as sev
from thidua_shared.events.catalog import Event
from thidua_shared.messaging.consumer import ConsumerSpec
from thidua_shared.messaging.replica import Projection

from thidua_scoring.adapters.tables import replica_campaigns, replica_registrations, standings
from thidua_scoring.domain.fixed import points_int

REGISTRATION_EVENTS = (cev.RegistrationSubmitted, cev.RegistrationAmended, cev.RegistrationWithdrawn)
SUBMISSION_EVENTS = (sev.SubmissionReceived, sev.SubmissionRevised)


async def _upsert(session: AsyncSession, table: Any, rows: list[dict[str, Any]], keys: list[Any]) -> None:
    statement = dialect_insert(session)(table)
    columns = {c: statement.excluded[c] for c in rows[0] if c not in {k.name for k in keys}}
    await session.execute(statement.on_conflict_do_update(index_elements=keys, set_=columns), rows)


async def upsert_registrations(session: AsyncSession, events: list[Event[Any]]) -> None:
    rows = [{"id": r.id, "campaign_id": r.campaign_id, "unit_id": r.unit_id, "status": r.status,
             "snapshot": r.model_dump(mode="json")} for r in (e.payload.registration for e in events)]
    await _upsert(session, replica_registrations, rows, [replica_registrations.c.id])


async def upsert_standings(session: AsyncSession, events: list[Event[Any]]) -> None:
    rows = [{"campaign_id": s.campaign_id, "period": s.period.value, "unit_id": s.unit_id, "node": s.node,
             "version": s.version, "self_total": points_int(s.self_total), "updated_at": e.occurred_at}
            for e in events for s in [e.payload.submission]]
    await _upsert(session, standings, rows, [standings.c.campaign_id, standings.c.period, standings.c.unit_id])


CAMPAIGNS = campaigns_projection(replica_campaigns)
REGISTRATIONS = Projection(kind="registration", key=lambda e: e.payload.registration.id, apply=upsert_registrations)
STANDINGS = Projection(
    kind="standing",
    key=lambda e: f"{e.payload.submission.campaign_id}:{e.payload.submission.period.value}:{e.payload.submission.unit_id}",
    apply=upsert_standings,
)


def campaigns_replica_consumer() -> ConsumerSpec:
    return ConsumerSpec(
        name="scoring-campaigns-replica", source="campaigns",
        projections={**{p.event_type: CAMPAIGNS for p in CAMPAIGN_EVENTS}, **{p.event_type: REGISTRATIONS for p in REGISTRATION_EVENTS}},
    )


def standings_consumer() -> ConsumerSpec:
    """Live standings from every node's submissions (a province's arrive when its link is up)."""
    return ConsumerSpec(name="scoring-standings", source="scoring", projections={p.event_type: STANDINGS for p in SUBMISSION_EVENTS})
