"""A fake unit of work and in-memory repositories, so that use cases with rules are tested without a database.

They stand in for the real ones in tests/unit only; the real unit of work, repositories and
database are proved in tests/integration. The fake keeps the one behaviour a use case relies
on beyond its repository: what it records is committed only by `commit`, and a use case that
fails leaves the repository as it found it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from thidua_shared.events.campaigns import CampaignSnapshot, RegistrationSnapshot
from thidua_shared.events.catalog import EventPayload
from thidua_shared.events.envelope import Actor, utc_now
from thidua_shared.events.registry import UnitStatus
from thidua_shared.unit_tree import ref_key

from thidua_campaigns.domain.model import ClusterView, Pledge, UnitView
from thidua_registry.adapters.repository import TokenRecord
from thidua_registry.domain.model import Cluster, LeaderElection, Person, Unit

R = TypeVar("R")
T = TypeVar("T")


@dataclass(frozen=True)
class Recorded:
    payload: EventPayload
    aggregate_id: str
    actor: Actor


class FakeUnitOfWork(Generic[R]):
    def __init__(self, repo: R) -> None:
        self.repo = repo
        self.committed: list[Recorded] = []  # every event committed, in order
        self._pending: list[tuple[Any, str, Actor]] = []
        self._saved: Any = None

    async def __aenter__(self) -> "FakeUnitOfWork[R]":
        self._pending = []
        self._saved = copy.deepcopy(self.repo.__dict__)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if exc_type is not None:  # a failed use case changes nothing
            self.repo.__dict__.clear()
            self.repo.__dict__.update(self._saved)
        self._pending = []

    def record(self, payload: Any, *, aggregate_id: str, actor: Actor, **_: object) -> None:
        self._pending.append((payload, aggregate_id, actor))

    def record_each(self, items: Iterable[T], payload: Callable[[T], EventPayload], aggregate_id: Callable[[T], str], *, actor: Actor) -> None:
        for item in items:
            self.record(payload(item), aggregate_id=aggregate_id(item), actor=actor)

    async def commit(self, progress: Callable[[int], None] | None = None) -> int:
        self.committed += [Recorded(p if isinstance(p, EventPayload) else p(), a, actor) for p, a, actor in self._pending]
        count, self._pending = len(self._pending), []
        self._saved = copy.deepcopy(self.repo.__dict__)
        return count

    def types(self) -> list[str]:
        return [r.payload.event_type for r in self.committed]


# --- the registry -------------------------------------------------------------------------------
@dataclass
class FakeRegistryRepository:
    units: dict[str, Unit] = field(default_factory=dict)
    clusters: dict[str, Cluster] = field(default_factory=dict)
    memberships: dict[tuple[str, int], set[str]] = field(default_factory=dict)
    leaders: dict[tuple[str, int], LeaderElection] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    tokens: dict[str, TokenRecord] = field(default_factory=dict)

    def _find(self, ref: str) -> Unit | None:
        key = ref_key(ref)
        return self.units.get(key) or next((u for u in self.units.values() if u.code == key), None)

    async def unit(self, ref: str) -> Unit | None:
        return self._find(ref)

    async def units_by_refs(self, refs: Iterable[str]) -> dict[str, Unit]:
        return {ref: unit for ref in refs if (unit := self._find(ref)) is not None}

    async def existing_codes(self, codes: Iterable[str]) -> set[str]:
        return {u.code for u in self.units.values()} & set(codes)

    async def add_unit(self, unit: Unit) -> None:
        self.units[unit.id] = unit

    async def add_units(self, units: Iterable[Unit]) -> None:
        for unit in units:
            self.units[unit.id] = unit

    async def save_unit(self, unit: Unit) -> None:
        self.units[unit.id] = unit

    async def lineage(self, unit_id: str) -> list[str]:
        chain, current = [], self.units.get(unit_id)
        while current is not None and current.id not in chain:
            chain.append(current.id)
            current = self.units.get(current.parent_id) if current.parent_id else None
        return chain

    async def subtree_id_set(self, root_id: str) -> set[str]:
        return {u.id for u in self.units.values() if root_id in await self.lineage(u.id)}

    async def children(self, unit_id: str, active_only: bool = True) -> list[Unit]:
        return sorted((u for u in self.units.values() if u.parent_id == unit_id and (not active_only or u.status is UnitStatus.ACTIVE)),
                      key=lambda u: u.code)

    async def cluster(self, ref: str) -> Cluster | None:
        key = ref_key(ref)
        return self.clusters.get(key) or next((c for c in self.clusters.values() if c.code == key), None)

    async def cluster_code_exists(self, code: str) -> bool:
        return any(c.code == code for c in self.clusters.values())

    async def add_cluster(self, cluster: Cluster) -> None:
        self.clusters[cluster.id] = cluster

    async def members(self, cluster_id: str, year: int) -> set[str]:
        return set(self.memberships.get((cluster_id, year), set()))

    async def ever_member(self, cluster_id: str, unit_id: str) -> bool:
        return any(c == cluster_id and unit_id in m for (c, _), m in self.memberships.items())

    async def set_members(self, cluster_id: str, year: int, added: Iterable[str], removed: Iterable[str]) -> None:
        self.memberships[(cluster_id, year)] = (self.memberships.get((cluster_id, year), set()) | set(added)) - set(removed)

    async def leader_code(self, cluster_id: str, year: int) -> str | None:
        election = self.leaders.get((cluster_id, year))
        return self.units[election.leader_unit_id].code if election else None

    async def add_leader(self, election: LeaderElection) -> None:
        self.leaders[(election.cluster_id, election.year)] = election

    async def person(self, person_id: str) -> Person | None:
        return self.people.get(person_id)

    async def national_id_taken(self, digest: str, except_id: str | None = None) -> bool:
        return any(p.national_id_digest == digest and p.id != except_id for p in self.people.values())

    async def add_person(self, person: Person) -> None:
        self.people[person.id] = person

    async def save_person(self, person: Person) -> None:
        self.people[person.id] = person

    async def add_token(self, token_id: str, token_hash: str, holder_name: str, person_id: str | None, role: str, scope_unit_id: str | None) -> None:
        self.tokens[token_id] = TokenRecord(token_id, token_hash, role, scope_unit_id, None)

    async def token(self, token_id: str) -> TokenRecord | None:
        return self.tokens.get(token_id)

    async def token_hash_known(self, token_hash: str) -> bool:
        return any(t.token_hash == token_hash for t in self.tokens.values())

    async def revoke_token(self, token_id: str) -> None:
        self.tokens[token_id] = replace(self.tokens[token_id], revoked_at=utc_now())


# --- campaigns -------------------------------------------------------------------------------------
@dataclass
class FakeCampaignRepository:
    """Campaigns, registrations and pledges, with the registry replica given as UnitViews."""

    unit_views: dict[str, UnitView] = field(default_factory=dict)
    cluster_views: dict[str, ClusterView] = field(default_factory=dict)
    memberships: dict[tuple[str, int], list[str]] = field(default_factory=dict)  # (cluster, year) -> members
    merger_moves: dict[str, list[str]] = field(default_factory=dict)  # unit -> units it left with a merger
    campaigns: dict[str, CampaignSnapshot] = field(default_factory=dict)
    registrations: dict[str, RegistrationSnapshot] = field(default_factory=dict)
    pledges: dict[str, Pledge] = field(default_factory=dict)
    signed_at: dict[tuple[str, str], datetime] = field(default_factory=dict)

    async def unit(self, ref: str) -> UnitView | None:
        key = ref_key(ref)
        return self.unit_views.get(ref) or next((u for u in self.unit_views.values() if u.code == key), None)

    async def units(self, refs: Iterable[str], by_code: bool = False) -> dict[str, UnitView]:
        found = [await self.unit(ref) if by_code else self.unit_views.get(ref) for ref in refs]
        return {u.id: u for u in found if u is not None}

    async def lineage(self, unit_id: str) -> list[str]:
        chain, current = [], self.unit_views.get(unit_id)
        while current is not None and current.id not in chain:
            chain.append(current.id)
            current = self.unit_views.get(current.parent_id) if current.parent_id else None
        return chain

    async def former_parents(self, unit_ids: Iterable[str]) -> dict[str, list[str]]:
        return {u: self.merger_moves[u] for u in unit_ids if u in self.merger_moves}

    async def clusters_of(self, unit_id: str, years: Iterable[int]) -> set[str]:
        return {c for (c, y), members in self.memberships.items() if y in set(years) and unit_id in members}

    async def cluster(self, ref: str) -> ClusterView | None:
        key = ref_key(ref)
        return self.cluster_views.get(ref) or next((c for c in self.cluster_views.values() if c.code == key), None)

    async def cluster_members(self, cluster_id: str, year: int) -> list[str]:
        return sorted(self.memberships.get((cluster_id, year), []))

    async def campaign(self, campaign_id: str) -> CampaignSnapshot | None:
        return self.campaigns.get(campaign_id)

    async def add_campaign(self, campaign: CampaignSnapshot) -> None:
        self.campaigns[campaign.id] = campaign

    async def save_campaign(self, campaign: CampaignSnapshot) -> None:
        self.campaigns[campaign.id] = campaign

    async def registration(self, registration_id: str) -> RegistrationSnapshot | None:
        return self.registrations.get(registration_id)

    async def active_registration(self, campaign_id: str, unit_id: str) -> RegistrationSnapshot | None:
        return next((r for r in self.registrations.values()
                     if r.campaign_id == campaign_id and r.unit_id == unit_id and r.status == "active"), None)

    async def add_registration(self, registration: RegistrationSnapshot) -> None:
        self.registrations[registration.id] = registration

    async def save_registration(self, registration: RegistrationSnapshot) -> None:
        self.registrations[registration.id] = registration

    async def pledge(self, pledge_id: str) -> Pledge | None:
        return self.pledges.get(pledge_id)

    async def pledge_exists(self, cluster_id: str, year: int) -> bool:
        return any(p.cluster_id == cluster_id and p.year == year for p in self.pledges.values())

    async def add_pledge(self, pledge: Pledge) -> None:
        self.pledges[pledge.id] = pledge

    async def add_signature(self, pledge_id: str, unit_id: str, signed_by: str) -> None:
        pledge = self.pledges[pledge_id]
        self.pledges[pledge_id] = replace(pledge, signatures=(*pledge.signatures, (unit_id, signed_by)))

    async def complete_pledge(self, pledge_id: str) -> None:
        self.pledges[pledge_id] = replace(self.pledges[pledge_id], complete=True)
