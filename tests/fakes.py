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
from thidua_shared.events.scoring import RoundSnapshot, SubmissionSnapshot
from thidua_shared.files import StoredFile
from thidua_shared.unit_tree import ref_key

from thidua_campaigns.domain.model import ClusterView, Pledge, UnitView
from thidua_registry.adapters.repository import TokenRecord
from thidua_registry.domain.model import Cluster, LeaderElection, Person, Unit
from thidua_scoring.adapters.repository import ConflictRow, ReviewRow, RoundResult

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


# --- the registry replica every other service keeps --------------------------------------------------
@dataclass
class FakeRegistryReplica:
    """Units and clusters as a service's replica knows them (UnitViews, ClusterViews, members, leaders)."""

    unit_views: dict[str, UnitView] = field(default_factory=dict)
    cluster_views: dict[str, ClusterView] = field(default_factory=dict)
    memberships: dict[tuple[str, int], list[str]] = field(default_factory=dict)  # (cluster, year) -> members
    leaders: dict[tuple[str, int], tuple[str, str | None]] = field(default_factory=dict)  # (cluster, year) -> (leader, deputy)
    merger_moves: dict[str, list[str]] = field(default_factory=dict)  # unit -> units it left with a merger

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

    async def within(self, root_id: str, unit_ids: Iterable[str]) -> set[str]:
        return {u for u in unit_ids if root_id in await self.lineage(u)}

    async def former_parents(self, unit_ids: Iterable[str]) -> dict[str, list[str]]:
        return {u: self.merger_moves[u] for u in unit_ids if u in self.merger_moves}

    async def clusters_of(self, unit_id: str, years: Iterable[int]) -> set[str]:
        return {c for (c, y), members in self.memberships.items() if y in set(years) and unit_id in members}

    async def cluster(self, ref: str) -> ClusterView | None:
        key = ref_key(ref)
        return self.cluster_views.get(ref) or next((c for c in self.cluster_views.values() if c.code == key), None)

    async def cluster_members(self, cluster_id: str, year: int) -> list[str]:
        return sorted(self.memberships.get((cluster_id, year), []))

    async def cluster_leader(self, cluster_id: str, year: int) -> tuple[str, str | None] | None:
        return self.leaders.get((cluster_id, year))


# --- campaigns -------------------------------------------------------------------------------------
@dataclass
class FakeCampaignRepository(FakeRegistryReplica):
    """Campaigns, registrations and pledges, with the registry replica given as UnitViews."""

    campaigns: dict[str, CampaignSnapshot] = field(default_factory=dict)
    registrations: dict[str, RegistrationSnapshot] = field(default_factory=dict)
    pledges: dict[str, Pledge] = field(default_factory=dict)
    signed_at: dict[tuple[str, str], datetime] = field(default_factory=dict)

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


# --- scoring ------------------------------------------------------------------------------------------
@dataclass
class FakeScoringRepository(FakeRegistryReplica):
    """Submissions, rounds, reviews and results in memory, with the campaigns replica as snapshots."""

    campaigns: dict[str, CampaignSnapshot] = field(default_factory=dict)
    registrations: dict[str, RegistrationSnapshot] = field(default_factory=dict)
    submissions: dict[str, SubmissionSnapshot] = field(default_factory=dict)
    versions: dict[str, list[SubmissionSnapshot]] = field(default_factory=dict)
    evidence: dict[str, StoredFile] = field(default_factory=dict)
    rounds: dict[str, RoundSnapshot] = field(default_factory=dict)
    assigned: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    conflict_rows: dict[str, dict[tuple[str, str], ConflictRow]] = field(default_factory=dict)
    review_rows: dict[str, list[ReviewRow]] = field(default_factory=dict)
    explanations: dict[tuple[str, str, str], str] = field(default_factory=dict)
    results: dict[str, RoundResult] = field(default_factory=dict)

    async def campaign(self, campaign_id: str) -> CampaignSnapshot | None:
        return self.campaigns.get(campaign_id)

    async def adoptions_of(self, campaign_id: str) -> list[str]:
        direct = [c.id for c in self.campaigns.values() if c.parent_id == campaign_id]
        return [*direct, *[d for child in direct for d in await self.adoptions_of(child)]]

    async def active_registration(self, campaign_id: str, unit_id: str) -> RegistrationSnapshot | None:
        return next((r for r in self.registrations.values()
                     if (r.campaign_id, r.unit_id, r.status) == (campaign_id, unit_id, "active")), None)

    async def registered_units(self, campaign_ids: Iterable[str]) -> set[str]:
        return {r.unit_id for r in self.registrations.values() if r.campaign_id in set(campaign_ids) and r.status == "active"}

    async def registrations_of(self, campaign_ids: list[str], units: Iterable[str] | None = None, within: str | None = None) -> list[RegistrationSnapshot]:
        wanted = set(units) if units is not None else None
        found: dict[str, RegistrationSnapshot] = {}
        for campaign_id in campaign_ids:  # the first campaign's registration wins, as in the real repository
            for r in sorted(self.registrations.values(), key=lambda r: r.unit_id):
                if r.campaign_id == campaign_id and r.status == "active" and (wanted is None or r.unit_id in wanted):
                    found.setdefault(r.unit_id, r)
        return list(found.values())

    async def submission_in(self, campaign_ids: Iterable[str], unit_id: str, period: str) -> SubmissionSnapshot | None:
        ids = set(campaign_ids)
        return next((s for s in self.submissions.values() if s.campaign_id in ids and s.unit_id == unit_id and s.period.value == period), None)

    async def save_submission(self, snapshot: SubmissionSnapshot, submitted_by: str, reason: str | None, self_total: int) -> None:
        self.submissions[snapshot.id] = snapshot
        self.versions.setdefault(snapshot.id, []).append(snapshot)

    async def submissions_of(self, campaign_ids: Iterable[str], period: str | None, units: Iterable[str] | None = None, **_: object) -> list[SubmissionSnapshot]:
        ids, wanted = set(campaign_ids), set(units) if units is not None else None
        return sorted((s for s in self.submissions.values() if s.campaign_id in ids and (period is None or s.period.value == period)
                       and (wanted is None or s.unit_id in wanted)), key=lambda s: s.unit_id)

    async def add_evidence(self, stored: StoredFile, uploaded_by: str) -> None:
        self.evidence[stored.sha256] = stored

    async def evidence_by_hash(self, hashes: Iterable[str]) -> dict[str, StoredFile]:
        return {h: self.evidence[h] for h in hashes if h in self.evidence}

    async def locking_round(self, campaign_ids: Iterable[str], period: str, unit_id: str) -> str | None:
        ids = set(campaign_ids)
        return next((r.id for r in self.rounds.values() if r.campaign_id in ids and r.period.value == period and unit_id in r.members), None)

    async def round(self, round_id: str) -> RoundSnapshot | None:
        return self.rounds.get(round_id)

    async def open_round_for(self, campaign_id: str, period: str, cluster_id: str) -> str | None:
        return next((r.id for r in self.rounds.values()
                     if (r.campaign_id, r.period.value, r.cluster_id, r.status) == (campaign_id, period, cluster_id, "open")), None)

    async def add_round(self, snapshot: RoundSnapshot) -> None:
        self.rounds[snapshot.id] = snapshot

    async def close_round(self, snapshot: RoundSnapshot, result: RoundResult) -> None:
        self.rounds[snapshot.id], self.results[snapshot.id] = snapshot, result

    async def assignments(self, round_id: str) -> set[tuple[str, str]]:
        return set(self.assigned.get(round_id, set()))

    async def add_assignments(self, round_id: str, pairs: Iterable[tuple[str, str]]) -> None:
        self.assigned.setdefault(round_id, set()).update(pairs)

    async def conflicts(self, round_id: str) -> list[ConflictRow]:
        return list(self.conflict_rows.get(round_id, {}).values())

    async def add_conflict(self, round_id: str, reviewer: str, unit: str, reason: str, automatic: bool, declared_by: str) -> None:
        self.conflict_rows.setdefault(round_id, {}).setdefault((reviewer, unit), ConflictRow(reviewer, unit, reason, automatic))

    async def reviews(self, round_id: str, unit_id: str | None = None, reviewer: str | None = None) -> list[ReviewRow]:
        return [r for r in self.review_rows.get(round_id, [])
                if (unit_id is None or r.unit_id == unit_id) and (reviewer is None or r.reviewer_unit_id == reviewer)]

    async def add_reviews(self, round_id: str, rows: Iterable[ReviewRow], reviewed_by: str) -> None:
        self.review_rows.setdefault(round_id, []).extend(rows)

    async def explained(self, round_id: str, unit_id: str | None = None) -> dict[tuple[str, str], str]:
        return {(u, code): text for (r, u, code), text in self.explanations.items() if r == round_id and (unit_id is None or u == unit_id)}

    async def add_explanation(self, round_id: str, unit_id: str, code: str, text: str, by: str) -> None:
        self.explanations[(round_id, unit_id, code)] = text
