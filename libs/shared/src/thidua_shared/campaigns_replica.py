"""A service's read replica of campaigns (with their criteria and scoring rules), from the
campaigns service's events only: the table (defined on the service's metadata, created by
the service's own migration), its projection, and the reads every service needs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Column, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.db import dialect_insert
from thidua_shared.events import campaigns as cev
from thidua_shared.events.campaigns import CampaignSnapshot
from thidua_shared.events.catalog import Event
from thidua_shared.messaging.replica import Projection
from thidua_shared.registry_replica.reader import chunks

CAMPAIGN_EVENTS = (cev.CampaignDrafted, cev.CampaignLaunched, cev.CampaignRevised, cev.CampaignClosed, cev.CampaignCancelled)


def define_campaigns_table(metadata: MetaData) -> Table:
    return Table(
        "replica_campaigns",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("issuer_unit_id", String(36), nullable=False),
        Column("parent_id", String(36), nullable=True, index=True),
        Column("status", String(20), nullable=False),
        Column("snapshot", JSON, nullable=False),
    )


def campaigns_projection(table: Table) -> Projection:
    """Each event carries the whole campaign: the newest one wins."""

    async def upsert(session: AsyncSession, events: list[Event[Any]]) -> None:
        rows = [{"id": c.id, "issuer_unit_id": c.issuer_unit_id, "parent_id": c.parent_id, "status": c.status.value,
                 "snapshot": c.model_dump(mode="json")} for c in (e.payload.campaign for e in events)]
        statement = dialect_insert(session)(table)
        columns = {name: statement.excluded[name] for name in rows[0] if name != "id"}
        await session.execute(statement.on_conflict_do_update(index_elements=[table.c.id], set_=columns), rows)

    return Projection(kind="campaign", key=lambda e: e.payload.campaign.id, apply=upsert)


class CampaignsReplicaReader:
    """A repository inherits it and sets `self.session` and `self.campaigns_table`."""

    session: AsyncSession
    campaigns_table: Table

    async def campaign(self, campaign_id: str) -> CampaignSnapshot | None:
        table = self.campaigns_table
        snapshot = await self.session.scalar(select(table.c.snapshot).where(table.c.id == campaign_id))
        return CampaignSnapshot.model_validate(snapshot) if snapshot else None

    async def adoptions_of(self, campaign_id: str) -> list[str]:
        """The campaigns that adopted this one (cụ thể hóa), at any depth."""
        table = self.campaigns_table
        tree = select(table.c.id).where(table.c.parent_id == campaign_id).cte("adopted", recursive=True)
        tree = tree.union_all(select(table.c.id).where(table.c.parent_id == tree.c.id))
        return list(await self.session.scalars(select(tree.c.id)))

    async def campaign_titles(self, campaign_ids: Sequence[str]) -> dict[str, str]:
        table, found = self.campaigns_table, {}
        for chunk in chunks(campaign_ids):
            for row in await self.session.execute(select(table.c.id, table.c.snapshot).where(table.c.id.in_(chunk))):
                found[row.id] = row.snapshot["title"]
        return found

    async def campaigns_all(self) -> list[CampaignSnapshot]:
        """Every campaign the replica holds (for yearly reports: a few thousand at most)."""
        table = self.campaigns_table
        return [CampaignSnapshot.model_validate(s) for s in await self.session.scalars(select(table.c.snapshot).order_by(table.c.id))]
