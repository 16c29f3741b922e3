"""Reading and writing campaigns, registrations, pledges, and the registry replicas. Knows SQL; knows no rules.

Lists load what they show for a whole page at once (issuers, parents, children counts
by one statement each), never one query per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.registry_replica import RegistryReplicaReader
from thidua_shared.registry_replica.reader import chunks
from thidua_shared.events.campaigns import CampaignSnapshot, RegistrationSnapshot
from thidua_shared.events.envelope import utc_now
from thidua_shared.text import search_key

from thidua_campaigns.adapters.tables import campaigns, pledge_signatures, pledges, registrations, registry
from thidua_campaigns.domain.model import Pledge


class CampaignRepository(RegistryReplicaReader):
    """Campaigns, registrations and pledges; units and clusters from the registry replica it inherits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.registry = registry

    # --- campaigns -------------------------------------------------------------------
    async def campaign(self, campaign_id: str) -> CampaignSnapshot | None:
        snapshot = await self.session.scalar(select(campaigns.c.snapshot).where(campaigns.c.id == campaign_id))
        return CampaignSnapshot.model_validate(snapshot) if snapshot else None

    async def campaigns_by_ids(self, ids: Sequence[str]) -> dict[str, CampaignSnapshot]:
        found: dict[str, CampaignSnapshot] = {}
        for chunk in chunks(ids):
            for snapshot in await self.session.scalars(select(campaigns.c.snapshot).where(campaigns.c.id.in_(chunk))):
                campaign = CampaignSnapshot.model_validate(snapshot)
                found[campaign.id] = campaign
        return found

    async def add_campaign(self, campaign: CampaignSnapshot) -> None:
        now = utc_now()
        await self.session.execute(insert(campaigns).values(**self._values(campaign), created_at=now, updated_at=now))

    async def save_campaign(self, campaign: CampaignSnapshot) -> None:
        await self.session.execute(update(campaigns).where(campaigns.c.id == campaign.id).values(**self._values(campaign), updated_at=utc_now()))

    @staticmethod
    def _values(c: CampaignSnapshot) -> dict[str, object]:
        return {
            "id": c.id, "issuer_unit_id": c.issuer_unit_id, "title": c.title, "search_title": search_key(c.title),
            "kind": c.kind.value, "status": c.status.value, "parent_id": c.parent_id,
            "year_from": c.period_start.year if c.period_start else None,
            "year_to": c.period_end.year if c.period_end else None,
            "snapshot": c.model_dump(mode="json"),
        }

    async def list_campaigns(
        self, *, drafts_within: str | None, status: str | None = None, year: int | None = None, text: str | None = None,
        parent_id: str | None = None, issuer_kinds: Sequence[str] | None = None, limit: int = 200, offset: int = 0,
    ) -> list[CampaignSnapshot]:
        """Campaigns in creation order. Drafts only where the issuer lies in `drafts_within`'s subtree
        (None: every draft); launched, closed and cancelled ones are public to the federation."""
        conditions: list[Any] = []
        if drafts_within is not None:
            conditions.append(or_(campaigns.c.status != "draft", campaigns.c.issuer_unit_id.in_(self.subtree_query(drafts_within))))
        if status:
            conditions.append(campaigns.c.status == status)
        if year:
            conditions.append(and_(campaigns.c.year_from <= year, campaigns.c.year_to >= year))
        if text:
            conditions.append(campaigns.c.search_title.like(f"%{search_key(text)}%"))
        if parent_id:
            conditions.append(campaigns.c.parent_id == parent_id)
        if issuer_kinds is not None:
            kinds = select(registry.units.c.id).where(registry.units.c.kind.in_(list(issuer_kinds)))
            conditions.append(campaigns.c.issuer_unit_id.in_(kinds))
        query = (
            select(campaigns.c.snapshot).where(and_(literal(True), *conditions))
            .order_by(campaigns.c.created_at, campaigns.c.id).limit(limit).offset(offset)
        )
        return [CampaignSnapshot.model_validate(s) for s in (await self.session.scalars(query)).all()]

    async def children_of(self, parent_ids: Sequence[str]) -> dict[str, list[tuple[str, str, str]]]:
        """(id, title, issuer id) of each campaign's adoptions, for a page of campaigns at once."""
        found: dict[str, list[tuple[str, str, str]]] = {}
        for chunk in chunks(parent_ids):
            query = (
                select(campaigns.c.parent_id, campaigns.c.id, campaigns.c.title, campaigns.c.issuer_unit_id)
                .where(campaigns.c.parent_id.in_(chunk)).order_by(campaigns.c.created_at)
            )
            for row in await self.session.execute(query):
                found.setdefault(row.parent_id, []).append((row.id, row.title, row.issuer_unit_id))
        return found

    async def titles(self, ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in chunks(ids):
            found.update({r.id: r.title for r in await self.session.execute(select(campaigns.c.id, campaigns.c.title).where(campaigns.c.id.in_(chunk)))})
        return found

    async def campaigns_issued_by(self, unit_ids: Sequence[str]) -> list[CampaignSnapshot]:
        query = select(campaigns.c.snapshot).where(campaigns.c.issuer_unit_id.in_(list(unit_ids))).order_by(campaigns.c.created_at)
        return [CampaignSnapshot.model_validate(s) for s in (await self.session.scalars(query)).all()]

    # --- registrations -----------------------------------------------------------------
    async def registration(self, registration_id: str) -> RegistrationSnapshot | None:
        snapshot = await self.session.scalar(select(registrations.c.snapshot).where(registrations.c.id == registration_id))
        return RegistrationSnapshot.model_validate(snapshot) if snapshot else None

    async def active_registration(self, campaign_id: str, unit_id: str) -> RegistrationSnapshot | None:
        query = select(registrations.c.snapshot).where(
            registrations.c.campaign_id == campaign_id, registrations.c.unit_id == unit_id, registrations.c.status == "active"
        )
        snapshot = await self.session.scalar(query)
        return RegistrationSnapshot.model_validate(snapshot) if snapshot else None

    async def add_registration(self, registration: RegistrationSnapshot) -> None:
        now = utc_now()
        await self.session.execute(insert(registrations).values(
            id=registration.id, campaign_id=registration.campaign_id, unit_id=registration.unit_id,
            status=registration.status, snapshot=registration.model_dump(mode="json"), created_at=now, updated_at=now,
        ))

    async def save_registration(self, registration: RegistrationSnapshot) -> None:
        await self.session.execute(update(registrations).where(registrations.c.id == registration.id).values(
            status=registration.status, snapshot=registration.model_dump(mode="json"), updated_at=utc_now(),
        ))

    async def registrations_of(self, campaign_id: str, within: str | None = None) -> list[RegistrationSnapshot]:
        """A campaign's registrations; `within` (a unit id) keeps those of that unit's subtree."""
        query = select(registrations.c.snapshot).where(registrations.c.campaign_id == campaign_id).order_by(registrations.c.created_at)
        if within is not None:
            query = query.where(registrations.c.unit_id.in_(self.subtree_query(within)))
        return [RegistrationSnapshot.model_validate(s) for s in (await self.session.scalars(query)).all()]

    async def registrations_by_units(self, unit_ids: Sequence[str]) -> list[RegistrationSnapshot]:
        query = select(registrations.c.snapshot).where(registrations.c.unit_id.in_(list(unit_ids))).order_by(registrations.c.created_at)
        return [RegistrationSnapshot.model_validate(s) for s in (await self.session.scalars(query)).all()]

    # --- pledges --------------------------------------------------------------------------
    async def pledge(self, pledge_id: str) -> Pledge | None:
        return (await self.pledges_by_ids([pledge_id])).get(pledge_id)

    async def pledges_by_ids(self, ids: Sequence[str]) -> dict[str, Pledge]:
        """Pledges with their signatures, two statements per chunk of ids."""
        found: dict[str, Pledge] = {}
        for chunk in chunks(ids):
            rows = (await self.session.execute(select(pledges).where(pledges.c.id.in_(chunk)))).all()
            query = select(pledge_signatures).where(pledge_signatures.c.pledge_id.in_(chunk)).order_by(pledge_signatures.c.signed_at)
            signatures: dict[str, list[tuple[str, str]]] = {}
            for sig in await self.session.execute(query):
                signatures.setdefault(sig.pledge_id, []).append((sig.unit_id, sig.signed_by))
            for row in rows:
                found[row.id] = Pledge(
                    id=row.id, cluster_id=row.cluster_id, year=row.year, campaign_id=row.campaign_id, title=row.title,
                    text=row.text, members=tuple(row.members), signatures=tuple(signatures.get(row.id, [])),
                    complete=row.completed_at is not None,
                )
        return found

    async def pledges_of(self, cluster_id: str, year: int | None) -> list[Pledge]:
        query = select(pledges.c.id).where(pledges.c.cluster_id == cluster_id).order_by(pledges.c.year)
        if year is not None:
            query = query.where(pledges.c.year == year)
        found = await self.pledges_by_ids(list(await self.session.scalars(query)))
        return sorted(found.values(), key=lambda p: p.year)

    async def pledge_exists(self, cluster_id: str, year: int) -> bool:
        return bool(await self.session.scalar(select(func.count()).where(pledges.c.cluster_id == cluster_id, pledges.c.year == year)))

    async def add_pledge(self, pledge: Pledge) -> None:
        await self.session.execute(insert(pledges).values(
            id=pledge.id, cluster_id=pledge.cluster_id, year=pledge.year, campaign_id=pledge.campaign_id,
            title=pledge.title, text=pledge.text, members=list(pledge.members), created_at=utc_now(),
        ))

    async def add_signature(self, pledge_id: str, unit_id: str, signed_by: str) -> None:
        await self.session.execute(insert(pledge_signatures).values(pledge_id=pledge_id, unit_id=unit_id, signed_by=signed_by, signed_at=utc_now()))

    async def complete_pledge(self, pledge_id: str) -> None:
        await self.session.execute(update(pledges).where(pledges.c.id == pledge_id).values(completed_at=utc_now()))

    async def pledges_signed_by(self, unit_ids: Sequence[str]) -> list[tuple[Pledge, str]]:
        """(pledge, signing unit id) for every signature of these units."""
        query = select(pledge_signatures.c.pledge_id, pledge_signatures.c.unit_id).where(pledge_signatures.c.unit_id.in_(list(unit_ids)))
        signed = (await self.session.execute(query)).all()
        found = await self.pledges_by_ids([row.pledge_id for row in signed])
        return [(found[row.pledge_id], row.unit_id) for row in signed if row.pledge_id in found]

