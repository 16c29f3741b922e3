"""Read replicas of the registry, kept from its events only (no call to the registry, ever).

Unit events carry the unit's full snapshot, so one upsert per run of events
keeps `replica_units` current; membership events carry a year's full list.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.db import dialect_insert
from thidua_shared.events.envelope import Envelope, utc_now
from thidua_shared.runtime import ConsumerSpec

from thidua_campaigns.adapters.tables import messaging, replica_cluster_members, replica_clusters, replica_units

UNIT_EVENTS = ("registry.unit_registered", "registry.unit_updated", "registry.unit_merged", "registry.unit_dissolved")


async def upsert_units(session: AsyncSession, envelopes: list[Envelope]) -> None:
    rows = [_unit_row(e.payload["unit"]) for e in envelopes]
    statement = dialect_insert(session)(replica_units)
    columns = {c: statement.excluded[c] for c in rows[0] if c != "id"}
    await session.execute(statement.on_conflict_do_update(index_elements=[replica_units.c.id], set_=columns), rows)


def _unit_row(unit: dict) -> dict:
    status_date = unit.get("status_date")
    return {
        "id": unit["id"], "code": unit["code"], "name": unit["name"], "kind": unit["kind"],
        "parent_id": unit["parent_id"], "province_code": unit["province_code"], "status": unit["status"],
        "successor_id": unit.get("successor_id"), "status_date": date.fromisoformat(status_date) if status_date else None,
    }


async def upsert_cluster(session: AsyncSession, envelope: Envelope) -> None:
    cluster = envelope.payload["cluster"]
    statement = dialect_insert(session)(replica_clusters).values(
        id=cluster["id"], code=cluster["code"], name=cluster["name"], kind=cluster["kind"], owner_unit_id=cluster["owner_unit_id"]
    )
    await session.execute(statement.on_conflict_do_nothing(index_elements=[replica_clusters.c.id]))


async def replace_members(session: AsyncSession, envelope: Envelope) -> None:
    payload = envelope.payload
    members = replica_cluster_members
    await session.execute(delete(members).where(members.c.cluster_id == payload["cluster_id"], members.c.year == payload["year"]))
    if payload["members"]:
        await session.execute(
            insert(members), [{"cluster_id": payload["cluster_id"], "year": payload["year"], "unit_id": u} for u in payload["members"]]
        )


async def add_token(session: AsyncSession, envelope: Envelope) -> None:
    p, tokens = envelope.payload, messaging.access_tokens
    statement = dialect_insert(session)(tokens).values(
        id=p["token_id"], token_hash=p["token_hash"], holder_name=p["holder_name"], person_id=p["person_id"],
        role=p["role"], scope_unit_id=p["scope_unit_id"], issued_at=envelope.occurred_at,
    )
    await session.execute(statement.on_conflict_do_nothing(index_elements=[tokens.c.id]))


async def revoke_token(session: AsyncSession, envelope: Envelope) -> None:
    tokens = messaging.access_tokens
    await session.execute(update(tokens).where(tokens.c.id == envelope.payload["token_id"]).values(revoked_at=utc_now()))


def registry_replica_consumer() -> ConsumerSpec:
    """One durable consumer of every node's registry events."""
    return ConsumerSpec(
        name="campaigns-registry-replica",
        subject="thidua.events.*.registry.>",
        handlers={
            "registry.cluster_formed": upsert_cluster,
            "registry.cluster_membership_changed": replace_members,
            "registry.access_token_issued": add_token,
            "registry.access_token_revoked": revoke_token,
        },
        batch_handlers={event_type: upsert_units for event_type in UNIT_EVENTS},
    )
