"""Reading and writing registry rows. Knows SQL; knows no rules."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, and_, delete, func, insert, literal, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared import unit_tree
from thidua_shared.events.envelope import utc_now
from thidua_shared.unit_tree import looks_like_id, ref_key
from thidua_shared.events.registry import ClusterKind, UnitKind, UnitStatus

from thidua_registry.adapters.tables import cluster_leaders, cluster_members, clusters, people, units
from thidua_registry.domain.model import Cluster, LeaderElection, Person, Unit, search_key


def _unit(row: Row) -> Unit:
    return Unit(
        id=row.id,
        code=row.code,
        name=row.name,
        kind=UnitKind(row.kind),
        parent_id=row.parent_id,
        province_code=row.province_code,
        status=UnitStatus(row.status),
        successor_id=row.successor_id,
        status_date=row.status_date,
    )


def _cluster(row: Row) -> Cluster:
    return Cluster(id=row.id, code=row.code, name=row.name, kind=ClusterKind(row.kind), owner_unit_id=row.owner_unit_id)


def _person(row: Row) -> Person:
    return Person(
        id=row.id, unit_id=row.unit_id, full_name=row.full_name, position=row.position,
        national_id_digest=row.national_id_digest,
    )


class RegistryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- units -------------------------------------------------------------
    async def unit(self, ref: str) -> Unit | None:
        """A unit by id or by code."""
        return (await self.units_by_refs([ref])).get(ref)

    async def units_by_refs(self, refs: Sequence[str]) -> dict[str, Unit]:
        """Units by id or code; refs that match nothing are absent from the result."""
        keys = {ref: ref_key(ref) for ref in refs}
        wanted = list(set(keys.values()))
        rows = (await self.session.execute(select(units).where(or_(units.c.id.in_(wanted), units.c.code.in_(wanted))))).all()
        found: dict[str, Unit] = {}
        for row in rows:
            found[row.id] = found[row.code] = _unit(row)
        return {ref: found[key] for ref, key in keys.items() if key in found}

    async def code_exists(self, code: str) -> bool:
        return await self.session.scalar(select(func.count()).where(units.c.code == code)) > 0

    async def add_unit(self, unit: Unit) -> None:
        now = utc_now()
        await self.session.execute(insert(units).values(**self._unit_values(unit), created_at=now, updated_at=now))

    async def save_unit(self, unit: Unit) -> None:
        await self.session.execute(
            update(units).where(units.c.id == unit.id).values(**self._unit_values(unit), updated_at=utc_now())
        )

    @staticmethod
    def _unit_values(unit: Unit) -> dict[str, object]:
        return {
            "id": unit.id, "code": unit.code, "name": unit.name, "search_name": search_key(unit.name),
            "kind": unit.kind.value, "parent_id": unit.parent_id, "province_code": unit.province_code,
            "status": unit.status.value, "successor_id": unit.successor_id, "status_date": unit.status_date,
        }

    async def lineage(self, unit_id: str) -> list[str]:
        return await unit_tree.lineage(self.session, units, unit_id)

    def subtree_ids(self, root_id: str) -> Select:
        return unit_tree.subtree_ids(units, root_id)

    async def children(self, unit_id: str, active_only: bool = True) -> list[Unit]:
        query = select(units).where(units.c.parent_id == unit_id)
        if active_only:
            query = query.where(units.c.status == UnitStatus.ACTIVE.value)
        return [_unit(r) for r in (await self.session.execute(query.order_by(units.c.code))).all()]

    async def list_units(
        self,
        *,
        within: str | None = None,
        text: str | None = None,
        kind: str | None = None,
        province_code: str | None = None,
        status: str | None = None,
        parent_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[Unit], int]:
        conditions = []
        if within:
            conditions.append(units.c.id.in_(self.subtree_ids(within)))
        if text:
            key = f"%{search_key(text)}%"
            conditions.append(or_(units.c.search_name.like(key), func.lower(units.c.code).like(key)))
        for column, value in ((units.c.kind, kind), (units.c.province_code, province_code), (units.c.status, status), (units.c.parent_id, parent_id)):
            if value is not None:
                conditions.append(column == value)
        where = and_(literal(True), *conditions)
        total = await self.session.scalar(select(func.count()).select_from(units).where(where))
        rows = (await self.session.execute(select(units).where(where).order_by(units.c.code).limit(limit).offset(offset))).all()
        return [_unit(r) for r in rows], int(total or 0)

    # --- clusters ------------------------------------------------------------
    async def cluster(self, ref: str) -> Cluster | None:
        key = ref_key(ref)
        row = (await self.session.execute(select(clusters).where(or_(clusters.c.id == key, clusters.c.code == key)))).first()
        return _cluster(row) if row else None

    async def cluster_code_exists(self, code: str) -> bool:
        return await self.session.scalar(select(func.count()).where(clusters.c.code == code)) > 0

    async def add_cluster(self, cluster: Cluster) -> None:
        await self.session.execute(
            insert(clusters).values(
                id=cluster.id, code=cluster.code, name=cluster.name, search_name=search_key(cluster.name),
                kind=cluster.kind.value, owner_unit_id=cluster.owner_unit_id, created_at=utc_now(),
            )
        )

    async def list_clusters(self, *, owners: Select | None = None, kind: str | None = None, text: str | None = None) -> list[Cluster]:
        query = select(clusters).order_by(clusters.c.code)
        if owners is not None:
            query = query.where(clusters.c.owner_unit_id.in_(owners))
        if kind:
            query = query.where(clusters.c.kind == kind)
        if text:
            query = query.where(clusters.c.search_name.like(f"%{search_key(text)}%"))
        return [_cluster(r) for r in (await self.session.execute(query)).all()]

    async def members(self, cluster_id: str, year: int) -> set[str]:
        rows = await self.session.scalars(
            select(cluster_members.c.unit_id).where(cluster_members.c.cluster_id == cluster_id, cluster_members.c.year == year)
        )
        return set(rows)

    async def ever_member(self, cluster_id: str, unit_id: str) -> bool:
        query = select(func.count()).where(cluster_members.c.cluster_id == cluster_id, cluster_members.c.unit_id == unit_id)
        return await self.session.scalar(query) > 0

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

    async def leader_history(self, cluster_id: str) -> list[Row]:
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
        return list((await self.session.execute(query)).all())

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
        return await self.session.scalar(query) > 0

    async def add_person(self, person: Person) -> None:
        now = utc_now()
        await self.session.execute(insert(people).values(**self._person_values(person), created_at=now, updated_at=now))

    async def save_person(self, person: Person) -> None:
        await self.session.execute(update(people).where(people.c.id == person.id).values(**self._person_values(person), updated_at=utc_now()))

    @staticmethod
    def _person_values(person: Person) -> dict[str, object]:
        return {
            "id": person.id, "unit_id": person.unit_id, "full_name": person.full_name,
            "search_name": search_key(person.full_name), "position": person.position,
            "national_id_digest": person.national_id_digest,
        }

    async def list_people(self, *, within: Select | None, unit_id: str | None, text: str | None, limit: int, offset: int) -> list[Person]:
        query = select(people).order_by(people.c.search_name).limit(limit).offset(offset)
        if within is not None:
            query = query.where(people.c.unit_id.in_(within))
        if unit_id:
            query = query.where(people.c.unit_id == unit_id)
        if text:
            query = query.where(people.c.search_name.like(f"%{search_key(text)}%"))
        return [_person(r) for r in (await self.session.execute(query)).all()]
