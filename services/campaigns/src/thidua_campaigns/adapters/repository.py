"""Reading and writing campaigns, registrations, pledges, and the registry replicas. Knows SQL; knows no rules.

Lists load what they show for a whole page at once (issuers, parents, children counts
by one statement each), never one query per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, func, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared import unit_tree
from thidua_shared.events.campaigns import CampaignSnapshot, RegistrationSnapshot
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
    replica_merger_moves,
    replica_units,
)
from thidua_campaigns.domain.model import ClusterView, Pledge, UnitView

CHUNK = 400  # ids per IN (...) list: well under SQLite's limit on bound parameters


class CampaignRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- campaigns -------------------------------------------------------------------
    async def campaign(self, campaign_id: str) -> CampaignSnapshot | None:
        snapshot = await self.session.scalar(select(campaigns.c.snapshot).where(campaigns.c.id == campaign_id))
        return CampaignSnapshot.model_validate(snapshot) if snapshot else None

    async def campaigns_by_ids(self, ids: Sequence[str]) -> dict[str, CampaignSnapshot]:
        found: dict[str, CampaignSnapshot] = {}
        for chunk in _chunks(ids):
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
            conditions.append(or_(campaigns.c.status != "draft", campaigns.c.issuer_unit_id.in_(self._subtree(drafts_within))))
        if status:
            conditions.append(campaigns.c.status == status)
        if year:
            conditions.append(and_(campaigns.c.year_from <= year, campaigns.c.year_to >= year))
        if text:
            conditions.append(campaigns.c.search_title.like(f"%{search_key(text)}%"))
        if parent_id:
            conditions.append(campaigns.c.parent_id == parent_id)
        if issuer_kinds is not None:
            kinds = select(replica_units.c.id).where(replica_units.c.kind.in_(list(issuer_kinds)))
            conditions.append(campaigns.c.issuer_unit_id.in_(kinds))
        query = (
            select(campaigns.c.snapshot).where(and_(literal(True), *conditions))
            .order_by(campaigns.c.created_at, campaigns.c.id).limit(limit).offset(offset)
        )
        return [CampaignSnapshot.model_validate(s) for s in (await self.session.scalars(query)).all()]

    async def children_of(self, parent_ids: Sequence[str]) -> dict[str, list[tuple[str, str, str]]]:
        """(id, title, issuer id) of each campaign's adoptions, for a page of campaigns at once."""
        found: dict[str, list[tuple[str, str, str]]] = {}
        for chunk in _chunks(parent_ids):
            query = (
                select(campaigns.c.parent_id, campaigns.c.id, campaigns.c.title, campaigns.c.issuer_unit_id)
                .where(campaigns.c.parent_id.in_(chunk)).order_by(campaigns.c.created_at)
            )
            for row in await self.session.execute(query):
                found.setdefault(row.parent_id, []).append((row.id, row.title, row.issuer_unit_id))
        return found

    async def titles(self, ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in _chunks(ids):
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
            query = query.where(registrations.c.unit_id.in_(self._subtree(within)))
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
        for chunk in _chunks(ids):
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

    # --- registry replicas ------------------------------------------------------------------
    async def unit(self, ref: str) -> UnitView | None:
        found = await self.units([ref_key(ref)], by_code=True)
        return next(iter(found.values()), None)

    async def units(self, refs: Sequence[str], by_code: bool = False) -> dict[str, UnitView]:
        """Units by id (and by code when asked), keyed by id."""
        successor = replica_units.alias("successor")
        found: dict[str, UnitView] = {}
        for chunk in _chunks(refs):
            match = or_(replica_units.c.id.in_(chunk), replica_units.c.code.in_(chunk)) if by_code else replica_units.c.id.in_(chunk)
            query = (
                select(replica_units, successor.c.code.label("successor_code"))
                .outerjoin(successor, successor.c.id == replica_units.c.successor_id)
                .where(match)
            )
            for row in await self.session.execute(query):
                found[row.id] = UnitView(
                    id=row.id, code=row.code, name=row.name, kind=row.kind, parent_id=row.parent_id,
                    province_code=row.province_code, status=UnitStatus(row.status), successor_id=row.successor_id,
                    successor_code=row.successor_code, status_date=row.status_date,
                )
        return found

    async def lineage(self, unit_id: str) -> list[str]:
        return await unit_tree.lineage(self.session, replica_units, unit_id)

    def _subtree(self, root_id: str) -> Select[Any]:
        return unit_tree.subtree_ids(replica_units, root_id)

    async def subtree_ids(self, root_id: str) -> list[str]:
        return list(await self.session.scalars(self._subtree(root_id)))

    async def former_parents(self, unit_ids: Sequence[str]) -> dict[str, list[str]]:
        """The units each of these left with a merger (moved to the merged unit's successor)."""
        query = select(replica_merger_moves).where(replica_merger_moves.c.unit_id.in_(list(unit_ids)))
        found: dict[str, list[str]] = {}
        for row in await self.session.execute(query):
            found.setdefault(row.unit_id, []).append(row.from_unit_id)
        return found

    async def predecessors(self, unit_id: str) -> list[tuple[str, str]]:
        """(id, code) of every unit merged into this one, directly or through a chain of mergers."""
        tree = select(replica_units.c.id, replica_units.c.code).where(replica_units.c.successor_id == unit_id).cte("merged", recursive=True)
        tree = tree.union_all(select(replica_units.c.id, replica_units.c.code).where(replica_units.c.successor_id == tree.c.id))
        return [(r.id, r.code) for r in await self.session.execute(select(tree.c.id, tree.c.code))]

    async def clusters_of(self, unit_id: str, years: Sequence[int]) -> set[str]:
        query = select(replica_cluster_members.c.cluster_id).where(
            replica_cluster_members.c.unit_id == unit_id, replica_cluster_members.c.year.in_(list(years))
        )
        return set(await self.session.scalars(query))

    async def memberships(self, unit_id: str) -> dict[int, set[str]]:
        """The clusters a unit belongs to, by year."""
        query = select(replica_cluster_members.c.year, replica_cluster_members.c.cluster_id).where(replica_cluster_members.c.unit_id == unit_id)
        found: dict[int, set[str]] = {}
        for row in await self.session.execute(query):
            found.setdefault(row.year, set()).add(row.cluster_id)
        return found

    async def cluster(self, ref: str) -> ClusterView | None:
        key = ref_key(ref)
        row = (await self.session.execute(select(replica_clusters).where(or_(replica_clusters.c.id == key, replica_clusters.c.code == key)))).first()
        return ClusterView(row.id, row.code, row.name, row.owner_unit_id) if row else None

    async def cluster_members(self, cluster_id: str, year: int) -> list[str]:
        query = select(replica_cluster_members.c.unit_id).where(
            replica_cluster_members.c.cluster_id == cluster_id, replica_cluster_members.c.year == year
        ).order_by(replica_cluster_members.c.unit_id)
        return list(await self.session.scalars(query))


def _chunks(ids: Sequence[str]) -> list[list[str]]:
    unique = sorted(set(ids))
    return [unique[start : start + CHUNK] for start in range(0, len(unique), CHUNK)]
