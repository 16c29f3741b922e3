"""Reading and writing registry rows. Knows SQL; knows no rules.

The write side loads and saves domain objects; the read side (`list_units`,
`people_page`, ...) returns whole pages in a fixed number of statements, joins
included, never one query per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, delete, func, insert, literal, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared import search, unit_tree
from thidua_shared.events.envelope import utc_now
from thidua_shared.events.registry import ClusterKind, UnitKind, UnitStatus
from thidua_shared.text import search_key
from thidua_shared.unit_tree import looks_like_id, ref_key

from thidua_registry.adapters.tables import cluster_leaders, cluster_members, clusters, messaging, people, units
from thidua_registry.domain.model import Cluster, LeaderElection, Person, Unit

tokens = messaging.access_tokens


def _unit(row: Row) -> Unit:
    return Unit(
        id=row.id, code=row.code, name=row.name, kind=UnitKind(row.kind), parent_id=row.parent_id,
        province_code=row.province_code, status=UnitStatus(row.status), successor_id=row.successor_id,
        status_date=row.status_date,
    )


def _cluster(row: Row) -> Cluster:
    return Cluster(id=row.id, code=row.code, name=row.name, kind=ClusterKind(row.kind), owner_unit_id=row.owner_unit_id)


def _person(row: Row) -> Person:
    return Person(
        id=row.id, unit_id=row.unit_id, full_name=row.full_name, position=row.position,
        national_id_digest=row.national_id_digest,
    )


@dataclass(frozen=True)
class UnitFilter:
    """What a list of units may be narrowed by."""

    within: str | None = None  # a unit id: that unit and its subtree
    text: str | None = None
    kind: str | None = None
    province_code: str | None = None
    status: str | None = None
    parent_id: str | None = None


@dataclass(frozen=True)
class UnitRow:
    """A unit with the codes and names of its parent and successor, as lists show it."""

    unit: Unit
    parent: tuple[str, str, str] | None  # (id, code, name)
    successor: tuple[str, str, str] | None


@dataclass(frozen=True)
class TokenRecord:
    id: str
    token_hash: str
    role: str
    scope_unit_id: str | None
    revoked_at: datetime | None


class RegistryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    # --- units -------------------------------------------------------------
    async def unit(self, ref: str) -> Unit | None:
        """A unit by id or by code."""
        return (await self.units_by_refs([ref])).get(ref)

    async def units_by_refs(self, refs: Sequence[str]) -> dict[str, Unit]:
        """Units by id or code; refs that match nothing are absent from the result."""
        keys = {ref: ref_key(ref) for ref in refs}
        wanted = sorted(set(keys.values()))
        found: dict[str, Unit] = {}
        for start in range(0, len(wanted), 400):
            chunk = wanted[start : start + 400]
            rows = await self.session.execute(select(units).where(or_(units.c.id.in_(chunk), units.c.code.in_(chunk))))
            for row in rows:
                found[row.id] = found[row.code] = _unit(row)
        return {ref: found[key] for ref, key in keys.items() if key in found}

    async def existing_codes(self, codes: Sequence[str]) -> set[str]:
        taken: set[str] = set()
        wanted = sorted(set(codes))
        for start in range(0, len(wanted), 400):
            taken.update(await self.session.scalars(select(units.c.code).where(units.c.code.in_(wanted[start : start + 400]))))
        return taken

    async def add_unit(self, unit: Unit) -> None:
        await self.add_units([unit])

    async def add_units(self, new_units: Sequence[Unit]) -> None:
        now = utc_now()
        for start in range(0, len(new_units), 2000):  # rows made a chunk at a time: a national import stays small
            rows = [self._unit_values(u) | {"created_at": now, "updated_at": now} for u in new_units[start : start + 2000]]
            await self.session.execute(insert(units), rows)

    async def save_unit(self, unit: Unit) -> None:
        await self.save_units([(unit, utc_now())])

    async def save_units(self, changed: Sequence[tuple[Unit, datetime]]) -> None:
        """Units changed, each with the moment it changed, in one statement (`audit replay` writes runs of them)."""
        rows = [{**self._unit_values(u), "unit_id": u.id, "updated_at": at} for u, at in changed]
        for row in rows:
            del row["id"]
        await self.session.execute(update(units).where(units.c.id == bindparam("unit_id")), rows)

    @staticmethod
    def _unit_values(unit: Unit) -> dict[str, object]:
        search_name = search_key(unit.name)
        return {
            "id": unit.id, "code": unit.code, "name": unit.name, "search_name": search_name,
            "search_text": f"{search_key(unit.code)} {search_name}".strip(),  # = search_key(f"{code} {name}"): folding is per character
            "kind": unit.kind.value, "parent_id": unit.parent_id, "province_code": unit.province_code,
            "status": unit.status.value, "successor_id": unit.successor_id, "status_date": unit.status_date,
        }

    async def lineage(self, unit_id: str) -> list[str]:
        return await unit_tree.lineage(self.session, units, unit_id)

    def subtree_ids(self, root_id: str) -> Select[Any]:
        return unit_tree.subtree_ids(units, root_id)

    async def subtree_id_set(self, root_id: str) -> set[str]:
        return set(await self.session.scalars(self.subtree_ids(root_id)))

    async def children(self, unit_id: str, active_only: bool = True) -> list[Unit]:
        query = select(units).where(units.c.parent_id == unit_id)
        if active_only:
            query = query.where(units.c.status == UnitStatus.ACTIVE.value)
        return [_unit(r) for r in (await self.session.execute(query.order_by(units.c.code))).all()]

    # --- units: the read side ---------------------------------------------------
    def _unit_conditions(self, f: UnitFilter) -> Any:
        conditions = []
        if f.within:
            conditions.append(units.c.id.in_(self.subtree_ids(f.within)))
        if f.text:
            conditions.append(search.matches(units, units.c.id, units.c.search_text, f.text, self._dialect))
        for column, value in ((units.c.kind, f.kind), (units.c.province_code, f.province_code), (units.c.status, f.status), (units.c.parent_id, f.parent_id)):
            if value is not None:
                conditions.append(column == value)
        return and_(literal(True), *conditions)

    @staticmethod
    def _joined_units() -> Select[Any]:
        """Units with their parent's and successor's id, code and name: what every list shows."""
        parent, successor = units.alias("parent"), units.alias("successor")
        return (
            select(
                units,
                parent.c.id.label("p_id"), parent.c.code.label("p_code"), parent.c.name.label("p_name"),
                successor.c.id.label("s_id"), successor.c.code.label("s_code"), successor.c.name.label("s_name"),
            )
            .outerjoin(parent, parent.c.id == units.c.parent_id)
            .outerjoin(successor, successor.c.id == units.c.successor_id)
        )

    @staticmethod
    def _unit_rows(rows: Sequence[Row]) -> list[UnitRow]:
        return [
            UnitRow(_unit(r), (r.p_id, r.p_code, r.p_name) if r.p_id else None, (r.s_id, r.s_code, r.s_name) if r.s_id else None)
            for r in rows
        ]

    async def list_units(self, f: UnitFilter, *, after: str | None = None, limit: int = 100, offset: int = 0) -> list[UnitRow]:
        """One page in code order, parent and successor joined: one statement for the whole page."""
        query = self._joined_units().where(self._unit_conditions(f)).order_by(units.c.code).limit(limit)
        if after is not None:
            query = query.where(units.c.code > after)
        elif offset:
            query = query.offset(offset)
        return self._unit_rows((await self.session.execute(query)).all())

    async def unit_rows(self, ids: Sequence[str]) -> list[UnitRow]:
        query = self._joined_units().where(units.c.id.in_(list(ids))).order_by(units.c.code)
        return self._unit_rows((await self.session.execute(query)).all())

    async def count_units(self, f: UnitFilter) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(units).where(self._unit_conditions(f))) or 0)

    async def successors(self, unit_ids: Sequence[str]) -> dict[str, tuple[str | None, tuple[str, str, str]]]:
        """For each id: (its successor id, (id, code, name)) — to follow chains of mergers a page at a time."""
        rows = await self.session.execute(
            select(units.c.id, units.c.code, units.c.name, units.c.successor_id).where(units.c.id.in_(list(unit_ids)))
        )
        return {r.id: (r.successor_id, (r.id, r.code, r.name)) for r in rows}

    # --- clusters ------------------------------------------------------------
    async def cluster(self, ref: str) -> Cluster | None:
        key = ref_key(ref)
        row = (await self.session.execute(select(clusters).where(or_(clusters.c.id == key, clusters.c.code == key)))).first()
        return _cluster(row) if row else None

    async def cluster_code_exists(self, code: str) -> bool:
        return bool(await self.session.scalar(select(func.count()).where(clusters.c.code == code)))

    async def add_cluster(self, cluster: Cluster) -> None:
        await self.session.execute(
            insert(clusters).values(
                id=cluster.id, code=cluster.code, name=cluster.name, search_name=search_key(cluster.name),
                kind=cluster.kind.value, owner_unit_id=cluster.owner_unit_id, created_at=utc_now(),
            )
        )

    async def list_clusters(self, *, visible_to: str | None, kind: str | None, text: str | None) -> list[tuple[Cluster, tuple[str, str, str]]]:
        """Clusters with their owner; `visible_to` (a scope unit id) keeps those owned inside that
        unit's subtree and those it has ever been a member of."""
        owner = units.alias("owner")
        query = (
            select(clusters, owner.c.id.label("o_id"), owner.c.code.label("o_code"), owner.c.name.label("o_name"))
            .join(owner, owner.c.id == clusters.c.owner_unit_id)
            .order_by(clusters.c.code)
        )
        if visible_to is not None:
            member_of = select(cluster_members.c.cluster_id).where(cluster_members.c.unit_id == visible_to)
            query = query.where(or_(clusters.c.owner_unit_id.in_(self.subtree_ids(visible_to)), clusters.c.id.in_(member_of)))
        if kind:
            query = query.where(clusters.c.kind == kind)
        if text:
            query = query.where(clusters.c.search_name.like(search.like_pattern(text), escape="\\"))
        return [(_cluster(r), (r.o_id, r.o_code, r.o_name)) for r in (await self.session.execute(query)).all()]

    async def members(self, cluster_id: str, year: int) -> set[str]:
        rows = await self.session.scalars(
            select(cluster_members.c.unit_id).where(cluster_members.c.cluster_id == cluster_id, cluster_members.c.year == year)
        )
        return set(rows)

    async def ever_member(self, cluster_id: str, unit_id: str) -> bool:
        query = select(func.count()).where(cluster_members.c.cluster_id == cluster_id, cluster_members.c.unit_id == unit_id)
        return bool(await self.session.scalar(query))

    async def member_units(self, cluster_id: str, year: int) -> list[Unit]:
        query = (
            select(units)
            .join(cluster_members, cluster_members.c.unit_id == units.c.id)
            .where(cluster_members.c.cluster_id == cluster_id, cluster_members.c.year == year)
            .order_by(units.c.code)
        )
        return [_unit(r) for r in (await self.session.execute(query)).all()]

    async def set_members(self, cluster_id: str, year: int, added: Sequence[str], removed: Sequence[str]) -> None:
        if removed:
            await self.session.execute(
                delete(cluster_members).where(
                    cluster_members.c.cluster_id == cluster_id, cluster_members.c.year == year,
                    cluster_members.c.unit_id.in_(removed),
                )
            )
        if added:
            await self.session.execute(
                insert(cluster_members), [{"cluster_id": cluster_id, "year": year, "unit_id": u} for u in added]
            )

    async def leader_code(self, cluster_id: str, year: int) -> str | None:
        query = (
            select(units.c.code)
            .join(cluster_leaders, cluster_leaders.c.leader_unit_id == units.c.id)
            .where(cluster_leaders.c.cluster_id == cluster_id, cluster_leaders.c.year == year)
        )
        return await self.session.scalar(query)

    async def add_leader(self, election: LeaderElection) -> None:
        await self.session.execute(
            insert(cluster_leaders).values(
                cluster_id=election.cluster_id, year=election.year, leader_unit_id=election.leader_unit_id,
                deputy_unit_id=election.deputy_unit_id, elected_on=election.elected_on,
            )
        )

    async def leader_history(self, cluster_id: str) -> list[tuple[int, date | None, tuple[str, str, str], tuple[str, str, str] | None]]:
        """(year, elected on, leader (id, code, name), deputy or None) for every year, oldest first."""
        leader, deputy = units.alias("leader"), units.alias("deputy")
        query = (
            select(
                cluster_leaders.c.year, cluster_leaders.c.elected_on,
                leader.c.id.label("leader_id"), leader.c.code.label("leader_code"), leader.c.name.label("leader_name"),
                deputy.c.id.label("deputy_id"), deputy.c.code.label("deputy_code"), deputy.c.name.label("deputy_name"),
            )
            .join(leader, leader.c.id == cluster_leaders.c.leader_unit_id)
            .outerjoin(deputy, deputy.c.id == cluster_leaders.c.deputy_unit_id)
            .where(cluster_leaders.c.cluster_id == cluster_id)
            .order_by(cluster_leaders.c.year)
        )
        return [
            (
                t.year, t.elected_on, (t.leader_id, t.leader_code, t.leader_name),
                (t.deputy_id, t.deputy_code, t.deputy_name) if t.deputy_id else None,
            )
            for t in (await self.session.execute(query)).all()
        ]

    # --- people --------------------------------------------------------------
    async def person(self, person_id: str) -> Person | None:
        if not looks_like_id(person_id):
            return None
        row = (await self.session.execute(select(people).where(people.c.id == person_id))).first()
        return _person(row) if row else None

    async def national_id_taken(self, digest: str, except_id: str | None = None) -> bool:
        query = select(func.count()).where(people.c.national_id_digest == digest)
        if except_id:
            query = query.where(people.c.id != except_id)
        return bool(await self.session.scalar(query))

    async def national_ids_taken(self, digests: Sequence[str]) -> set[str]:
        taken: set[str] = set()
        for start in range(0, len(digests), 400):
            chunk = list(digests[start : start + 400])
            taken.update(await self.session.scalars(select(people.c.national_id_digest).where(people.c.national_id_digest.in_(chunk))))
        return taken

    async def add_people(self, new_people: Sequence[Person]) -> None:
        now = utc_now()
        for start in range(0, len(new_people), 2000):
            rows = [self._person_values(p) | {"created_at": now, "updated_at": now} for p in new_people[start : start + 2000]]
            await self.session.execute(insert(people), rows)

    async def add_person(self, person: Person) -> None:
        now = utc_now()
        await self.session.execute(insert(people).values(**self._person_values(person), created_at=now, updated_at=now))

    async def save_person(self, person: Person) -> None:
        await self.save_people([(person, utc_now())])

    async def save_people(self, changed: Sequence[tuple[Person, datetime]], keep_national_id: bool = False) -> None:
        """People changed, each with the moment it changed, in one statement. `keep_national_id`: leave the
        digest as it is (`audit replay`: no event carries it)."""
        rows = [{**self._person_values(p), "person_id": p.id, "updated_at": at} for p, at in changed]
        for row in rows:
            del row["id"]
            if keep_national_id:
                del row["national_id_digest"]
        await self.session.execute(update(people).where(people.c.id == bindparam("person_id")), rows)

    @staticmethod
    def _person_values(person: Person) -> dict[str, object]:
        return {
            "id": person.id, "unit_id": person.unit_id, "full_name": person.full_name,
            "search_name": search_key(person.full_name), "position": person.position,
            "national_id_digest": person.national_id_digest,
        }

    async def list_people(
        self, *, within: str | None, unit_id: str | None, text: str | None, limit: int, offset: int
    ) -> list[tuple[Person, tuple[str, str, str]]]:
        """People with their unit joined, in name order."""
        unit = units.alias("unit")
        query = (
            select(people, unit.c.code.label("u_code"), unit.c.name.label("u_name"))
            .join(unit, unit.c.id == people.c.unit_id)
            .order_by(people.c.search_name, people.c.id)
            .limit(limit)
            .offset(offset)
        )
        if within is not None:
            query = query.where(people.c.unit_id.in_(self.subtree_ids(within)))
        if unit_id:
            query = query.where(people.c.unit_id == unit_id)
        if text:
            query = query.where(search.matches(people, people.c.id, people.c.search_name, text, self._dialect))
        return [(_person(r), (r.unit_id, r.u_code, r.u_name)) for r in (await self.session.execute(query)).all()]

    # --- access tokens -----------------------------------------------------------
    async def add_token(
        self, token_id: str, token_hash: str, holder_name: str, person_id: str | None, role: str, scope_unit_id: str | None
    ) -> None:
        await self.session.execute(
            insert(tokens).values(
                id=token_id, token_hash=token_hash, holder_name=holder_name, person_id=person_id, role=role,
                scope_unit_id=scope_unit_id, issued_at=utc_now(),
            )
        )

    async def token(self, token_id: str) -> TokenRecord | None:
        row = (await self.session.execute(select(tokens).where(tokens.c.id == token_id))).first()
        return TokenRecord(row.id, row.token_hash, row.role, row.scope_unit_id, row.revoked_at) if row else None

    async def list_tokens(self, active_only: bool, limit: int, offset: int) -> list[dict[str, Any]]:
        """Who holds which token: never its hash. The latest first; the scope named by its unit's code."""
        query = (select(tokens.c.id, tokens.c.holder_name, tokens.c.role, tokens.c.person_id, tokens.c.issued_at, tokens.c.revoked_at,
                        units.c.code.label("scope"))
                 .select_from(tokens.outerjoin(units, units.c.id == tokens.c.scope_unit_id))
                 .order_by(tokens.c.issued_at.desc(), tokens.c.id).limit(limit).offset(offset))
        if active_only:
            query = query.where(tokens.c.revoked_at.is_(None))
        return [dict(row._mapping) for row in await self.session.execute(query)]

    async def token_hash_known(self, token_hash: str) -> bool:
        return bool(await self.session.scalar(select(func.count()).where(tokens.c.token_hash == token_hash)))

    async def revoke_token(self, token_id: str) -> None:
        await self.session.execute(update(tokens).where(tokens.c.id == token_id).values(revoked_at=utc_now()))
