"""Reading and writing campaigns, registrations, pledges, and the registry replicas. Knows SQL; knows no rules."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, func, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.events.campaigns import CampaignSnapshot, RegistrationSnapshot
from thidua_shared import unit_tree
from thidua_shared.events.envelope import utc_now
from thidua_shared.events.registry import UnitStatus
from thidua_shared.text import search_key
from thidua_shared.unit_tree import ref_key

from thidua_campaigns.adapters.tables import (
    campaigns,
    pledge_signatures,
    pledges,
    registrations,
    replica_cluster_members,
    replica_clusters,
    replica_units,
)
from thidua_campaigns.domain.model import UnitView


class CampaignRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- campaigns -------------------------------------------------------------------
    async def campaign(self, campaign_id: str) -> CampaignSnapshot | None:
        snapshot = await self.session.scalar(select(campaigns.c.snapshot).where(campaigns.c.id == campaign_id))
        return CampaignSnapshot.model_validate(snapshot) if snapshot else None

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
        self, *, issuers: Sequence[str] | None = None, status: str | None = None, year: int | None = None,
        text: str | None = None, parent_id: str | None = None,
    ) -> list[CampaignSnapshot]:
        conditions = []
        if issuers is not None:
            conditions.append(campaigns.c.issuer_unit_id.in_(issuers))
        if status:
            conditions.append(campaigns.c.status == status)
        if year:
            conditions.append(and_(campaigns.c.year_from <= year, campaigns.c.year_to >= year))
        if text:
            conditions.append(campaigns.c.search_title.like(f"%{search_key(text)}%"))
        if parent_id:
            conditions.append(campaigns.c.parent_id == parent_id)
        query = select(campaigns.c.snapshot).where(and_(literal(True), *conditions)).order_by(campaigns.c.created_at)
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

    async def registrations_of(self, campaign_id: str, within: Sequence[str] | None = None) -> list[RegistrationSnapshot]:
        query = select(registrations.c.snapshot).where(registrations.c.campaign_id == campaign_id).order_by(registrations.c.created_at)
        if within is not None:
            query = query.where(registrations.c.unit_id.in_(within))
        return [RegistrationSnapshot.model_validate(s) for s in (await self.session.scalars(query)).all()]

    # --- pledges --------------------------------------------------------------------------
    async def pledge(self, pledge_id: str):  # type: ignore[no-untyped-def]
        return (await self.session.execute(select(pledges).where(pledges.c.id == pledge_id))).first()

    async def pledge_exists(self, cluster_id: str, year: int) -> bool:
        return await self.session.scalar(select(func.count()).where(pledges.c.cluster_id == cluster_id, pledges.c.year == year)) > 0

    async def add_pledge(self, **values: object) -> None:
        await self.session.execute(insert(pledges).values(**values, created_at=utc_now()))

    async def signers(self, pledge_id: str) -> list[str]:
        query = select(pledge_signatures.c.unit_id).where(pledge_signatures.c.pledge_id == pledge_id).order_by(pledge_signatures.c.signed_at)
        return list(await self.session.scalars(query))

    async def signatures(self, pledge_id: str):  # type: ignore[no-untyped-def]
        query = select(pledge_signatures).where(pledge_signatures.c.pledge_id == pledge_id).order_by(pledge_signatures.c.signed_at)
        return list((await self.session.execute(query)).all())

    async def add_signature(self, pledge_id: str, unit_id: str, signed_by: str) -> None:
        await self.session.execute(insert(pledge_signatures).values(pledge_id=pledge_id, unit_id=unit_id, signed_by=signed_by, signed_at=utc_now()))

    async def complete_pledge(self, pledge_id: str) -> None:
        await self.session.execute(update(pledges).where(pledges.c.id == pledge_id).values(completed_at=utc_now()))

    # --- registry replicas ------------------------------------------------------------------
    async def unit(self, ref: str) -> UnitView | None:
        key = ref_key(ref)
        successor = replica_units.alias("successor")
        query = (
            select(replica_units, successor.c.code.label("successor_code"))
            .outerjoin(successor, successor.c.id == replica_units.c.successor_id)
            .where(or_(replica_units.c.id == key, replica_units.c.code == key))
        )
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        return UnitView(
            id=row.id, code=row.code, name=row.name, kind=row.kind, parent_id=row.parent_id, province_code=row.province_code,
            status=UnitStatus(row.status), successor_code=row.successor_code, status_date=row.status_date,
        )

    async def lineage(self, unit_id: str) -> list[str]:
        return await unit_tree.lineage(self.session, replica_units, unit_id)

    async def subtree_ids(self, root_id: str) -> list[str]:
        return list(await self.session.scalars(unit_tree.subtree_ids(replica_units, root_id)))

    async def clusters_of(self, unit_id: str, years: Sequence[int]) -> set[str]:
        query = select(replica_cluster_members.c.cluster_id).where(
            replica_cluster_members.c.unit_id == unit_id, replica_cluster_members.c.year.in_(years)
        )
        return set(await self.session.scalars(query))

    async def cluster(self, ref: str):  # type: ignore[no-untyped-def]
        key = ref_key(ref)
        return (await self.session.execute(select(replica_clusters).where(or_(replica_clusters.c.id == key, replica_clusters.c.code == key)))).first()

    async def cluster_members(self, cluster_id: str, year: int) -> list[str]:
        query = select(replica_cluster_members.c.unit_id).where(
            replica_cluster_members.c.cluster_id == cluster_id, replica_cluster_members.c.year == year
        ).order_by(replica_cluster_members.c.unit_id)
        return list(await self.session.scalars(query))

    async def unit_codes(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        rows = (await self.session.execute(select(replica_units.c.id, replica_units.c.code, replica_units.c.name).where(replica_units.c.id.in_(ids)))).all()
        return {r.id: (r.code, r.name) for r in rows}
