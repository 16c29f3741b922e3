"""The registry's read side: what lists and detail pages show, checked against the caller's scope.

Each query loads a whole page in a fixed number of statements (the repository joins
parents and successors; chains of mergers are followed a page at a time), so a page
of 1,000 units costs the same few queries as a page of 10.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from thidua_shared.access.tokens import Principal
from thidua_shared.errors import NotFound
from thidua_shared.events.registry import ClusterKind, UnitKind, UnitStatus
from thidua_shared.paging import Page, decode_cursor, encode_cursor
from thidua_shared.units import UnitRef

from thidua_registry.adapters.repository import RegistryRepository, UnitFilter, UnitRow
from thidua_registry.domain.model import Person, check_year
from thidua_registry.service_layer.access import ensure_cluster_visible, ensure_reach
from thidua_registry.service_layer.services import load_cluster, load_unit


@dataclass(frozen=True)
class UnitDetails:
    id: str
    code: str
    name: str
    kind: UnitKind
    province_code: str | None
    status: UnitStatus
    status_date: date | None
    parent: UnitRef | None
    successor: UnitRef | None
    current: UnitRef | None  # for a merged unit: the active unit its history now follows


@dataclass(frozen=True)
class ClusterDetails:
    id: str
    code: str
    name: str
    kind: ClusterKind
    owner: UnitRef


@dataclass(frozen=True)
class LeaderTerm:
    year: int
    elected_on: date | None
    leader: UnitRef
    deputy: UnitRef | None


@dataclass(frozen=True)
class Members:
    cluster: ClusterDetails
    year: int
    members: list[UnitRef]
    leader: UnitRef | None
    deputy: UnitRef | None


@dataclass(frozen=True)
class PersonDetails:
    id: str
    full_name: str
    position: str | None
    unit: UnitRef
    has_national_id: bool


# --- units ---------------------------------------------------------------------------
async def _details(repo: RegistryRepository, rows: list[UnitRow]) -> list[UnitDetails]:
    """Units as shown, with the living unit at the end of each chain of mergers (`current`)."""
    current: dict[str, tuple[str, str, str]] = {}
    # For each unit merged away: follow successors, a whole page per round (chains are short).
    heads = {row.unit.id: row.successor[0] for row in rows if row.successor}
    frontier = {s for s in heads.values()}
    known: dict[str, tuple[str | None, tuple[str, str, str]]] = {}
    while frontier:
        found = await repo.successors(sorted(frontier - known.keys()))
        known.update(found)
        frontier = {nxt for nxt, _ in found.values() if nxt and nxt not in known}
    for unit_id, successor_id in heads.items():
        seen, step = set(), successor_id
        while step in known and known[step][0] and step not in seen:
            seen.add(step)
            step = known[step][0]  # type: ignore[assignment]
        if step in known:
            current[unit_id] = known[step][1]
    return [
        UnitDetails(
            id=r.unit.id, code=r.unit.code, name=r.unit.name, kind=r.unit.kind, province_code=r.unit.province_code,
            status=r.unit.status, status_date=r.unit.status_date, parent=UnitRef.of(r.parent), successor=UnitRef.of(r.successor),
            current=UnitRef.of(current.get(r.unit.id)),
        )
        for r in rows
    ]


async def unit_page(
    repo: RegistryRepository, principal: Principal, filters: UnitFilter, *,
    cursor: str | None, limit: int, offset: int, with_total: bool,
) -> Page[UnitDetails]:
    """A page of units in code order, limited to the caller's scope."""
    if principal.scope_unit_id is not None:
        if filters.within is not None:
            await ensure_reach(repo, principal, await load_unit(repo, filters.within))
        else:
            filters = UnitFilter(**{**filters.__dict__, "within": principal.scope_unit_id})
    rows = await repo.list_units(filters, after=decode_cursor(cursor), limit=limit, offset=offset)
    total = await repo.count_units(filters) if with_total else None
    next_cursor = encode_cursor(rows[-1].unit.code) if len(rows) == limit else None
    return Page(await _details(repo, rows), next_cursor, total)


async def unit_details(repo: RegistryRepository, principal: Principal, ref: str) -> UnitDetails:
    unit = await load_unit(repo, ref)
    await ensure_reach(repo, principal, unit)
    return (await _details(repo, await repo.unit_rows([unit.id])))[0]


# --- clusters --------------------------------------------------------------------------
async def cluster_list(repo: RegistryRepository, principal: Principal, kind: str | None, text: str | None) -> list[ClusterDetails]:
    found = await repo.list_clusters(visible_to=principal.scope_unit_id, kind=kind, text=text)
    return [ClusterDetails(c.id, c.code, c.name, c.kind, UnitRef.of(owner)) for c, owner in found]


async def cluster_details(repo: RegistryRepository, principal: Principal, ref: str) -> ClusterDetails:
    cluster = await load_cluster(repo, ref)
    await ensure_cluster_visible(repo, principal, cluster)
    owner = await load_unit(repo, cluster.owner_unit_id)
    return ClusterDetails(cluster.id, cluster.code, cluster.name, cluster.kind, UnitRef(id=owner.id, code=owner.code, name=owner.name))


async def leader_terms(repo: RegistryRepository, principal: Principal, ref: str) -> list[LeaderTerm]:
    cluster = await cluster_details(repo, principal, ref)
    return [LeaderTerm(year, on, UnitRef.of(leader), UnitRef.of(deputy)) for year, on, leader, deputy in await repo.leader_history(cluster.id)]


async def members_of(repo: RegistryRepository, principal: Principal, ref: str, year: int) -> Members:
    cluster = await cluster_details(repo, principal, ref)
    check_year(year)
    term = next((t for t in await leader_terms(repo, principal, ref) if t.year == year), None)
    members = [UnitRef(id=u.id, code=u.code, name=u.name) for u in await repo.member_units(cluster.id, year)]
    return Members(cluster, year, members, term.leader if term else None, term.deputy if term else None)


# --- people ------------------------------------------------------------------------------
def _person(person: Person, unit: tuple[str, str, str]) -> PersonDetails:
    return PersonDetails(person.id, person.full_name, person.position, UnitRef.of(unit), person.national_id_digest is not None)


async def people_list(
    repo: RegistryRepository, principal: Principal, unit_ref: str | None, text: str | None, limit: int, offset: int
) -> list[PersonDetails]:
    unit_id = None
    if unit_ref:
        target = await load_unit(repo, unit_ref)
        await ensure_reach(repo, principal, target)
        unit_id = target.id
    found = await repo.list_people(within=principal.scope_unit_id, unit_id=unit_id, text=text, limit=limit, offset=offset)
    return [_person(p, u) for p, u in found]


async def person_details(repo: RegistryRepository, principal: Principal, person_id: str) -> PersonDetails:
    person = await repo.person(person_id)
    if person is None:
        raise NotFound("person_not_found", ref=person_id)
    unit = await load_unit(repo, person.unit_id)
    await ensure_reach(repo, principal, unit)
    return _person(person, (unit.id, unit.code, unit.name))
