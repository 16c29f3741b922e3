"""Reading the replica: what a service knows of units and clusters, in a fixed number of statements.

A service's repository inherits `RegistryReplicaReader` and sets `self.session` and
`self.registry` (its `RegistryReplicaTables`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared import unit_tree, units
from thidua_shared.errors import NotFound
from thidua_shared.events.registry import UnitStatus
from thidua_shared.registry_replica.tables import RegistryReplicaTables
from thidua_shared.unit_tree import ref_key

CHUNK = 400  # ids per IN (...) list: well under SQLite's limit on bound parameters


@dataclass(frozen=True)
class UnitView:
    """What a service knows of a unit: its replica, built from registry events."""

    id: str
    code: str
    name: str
    kind: str
    parent_id: str | None
    province_code: str | None
    status: UnitStatus
    successor_id: str | None = None
    successor_code: str | None = None
    status_date: date | None = None

    def ensure_active(self) -> None:
        units.ensure_active(self.code, self.status, self.successor_code, self.status_date)


@dataclass(frozen=True)
class ClusterView:
    id: str
    code: str
    name: str
    owner_unit_id: str
    kind: str = "cluster"


async def load_unit(reader: "RegistryReplicaReader", ref: str) -> UnitView:
    """A unit named by id or code, or a 404 naming what was asked for."""
    unit = await reader.unit(ref)
    if unit is None:
        raise NotFound("unit_not_found", ref=ref)
    return unit


async def load_cluster(reader: "RegistryReplicaReader", ref: str) -> ClusterView:
    cluster = await reader.cluster(ref)
    if cluster is None:
        raise NotFound("cluster_not_found", ref=ref)
    return cluster


def chunks(ids: Sequence[str]) -> list[list[str]]:
    unique = sorted(set(ids))
    return [unique[start : start + CHUNK] for start in range(0, len(unique), CHUNK)]


class RegistryReplicaReader:
    session: AsyncSession
    registry: RegistryReplicaTables

    async def unit(self, ref: str) -> UnitView | None:
        found = await self.units([ref_key(ref)], by_code=True)
        return next(iter(found.values()), None)

    async def units(self, refs: Sequence[str], by_code: bool = False) -> dict[str, UnitView]:
        """Units by id (and by code when asked), keyed by id."""
        table = self.registry.units
        successor = table.alias("successor")
        found: dict[str, UnitView] = {}
        for chunk in chunks(refs):
            match = or_(table.c.id.in_(chunk), table.c.code.in_(chunk)) if by_code else table.c.id.in_(chunk)
            query = select(table, successor.c.code.label("successor_code")).outerjoin(successor, successor.c.id == table.c.successor_id).where(match)
            for row in await self.session.execute(query):
                found[row.id] = UnitView(
                    id=row.id, code=row.code, name=row.name, kind=row.kind, parent_id=row.parent_id,
                    province_code=row.province_code, status=UnitStatus(row.status), successor_id=row.successor_id,
                    successor_code=row.successor_code, status_date=row.status_date,
                )
        return found

    async def code_of(self, unit_id: str) -> str:
        """How a person knows a unit: its code (the id only when the copy does not hold the unit)."""
        found = await self.units([unit_id])
        return found[unit_id].code if unit_id in found else unit_id

    async def lineage(self, unit_id: str) -> list[str]:
        return await unit_tree.lineage(self.session, self.registry.units, unit_id)

    def subtree_query(self, root_id: str) -> Select[Any]:
        return unit_tree.subtree_ids(self.registry.units, root_id, with_merged=True)  # reach follows mergers

    async def subtree_ids(self, root_id: str) -> list[str]:
        return list(await self.session.scalars(self.subtree_query(root_id)))

    async def within(self, root_id: str, unit_ids: Sequence[str]) -> set[str]:
        """Which of these units lie in `root_id`'s subtree (itself included)."""
        tree = self.subtree_query(root_id).subquery()
        found: set[str] = set()
        for chunk in chunks(unit_ids):
            found.update(await self.session.scalars(select(tree.c.id).where(tree.c.id.in_(chunk))))
        return found

    async def former_parents(self, unit_ids: Sequence[str]) -> dict[str, list[str]]:
        """The units each of these left with a merger (moved to the merged unit's successor)."""
        moves = self.registry.merger_moves
        found: dict[str, list[str]] = {}
        for chunk in chunks(unit_ids):
            for row in await self.session.execute(select(moves).where(moves.c.unit_id.in_(chunk))):
                found.setdefault(row.unit_id, []).append(row.from_unit_id)
        return found

    async def predecessors(self, unit_id: str) -> list[tuple[str, str]]:
        """(id, code) of every unit merged into this one, directly or through a chain of mergers."""
        table = self.registry.units
        tree = select(table.c.id, table.c.code).where(table.c.successor_id == unit_id).cte("merged", recursive=True)
        tree = tree.union_all(select(table.c.id, table.c.code).where(table.c.successor_id == tree.c.id))
        return [(r.id, r.code) for r in await self.session.execute(select(tree.c.id, tree.c.code))]

    async def predecessors_of(self, unit_ids: Sequence[str]) -> dict[str, list[str]]:
        """For many units at once: the ids of every unit merged into each, through chains of mergers
        (one query per level of the chains, whatever the number of units)."""
        table = self.registry.units
        found: dict[str, list[str]] = {u: [] for u in unit_ids}
        frontier = {u: u for u in unit_ids}  # a unit reached → the unit it counts for
        while frontier:
            reached: dict[str, str] = {}
            for chunk in chunks(list(frontier)):
                for row in await self.session.execute(select(table.c.id, table.c.successor_id).where(table.c.successor_id.in_(chunk))):
                    root = frontier[row.successor_id]
                    if row.id not in found[root] and row.id != root:
                        found[root].append(row.id)
                        reached[row.id] = root
            frontier = reached
        return found

    async def clusters_of(self, unit_id: str, years: Sequence[int]) -> set[str]:
        members = self.registry.members
        query = select(members.c.cluster_id).where(members.c.unit_id == unit_id, members.c.year.in_(list(years)))
        return set(await self.session.scalars(query))

    async def memberships(self, unit_id: str) -> dict[int, set[str]]:
        """The clusters a unit belongs to, by year."""
        members = self.registry.members
        found: dict[int, set[str]] = {}
        for row in await self.session.execute(select(members.c.year, members.c.cluster_id).where(members.c.unit_id == unit_id)):
            found.setdefault(row.year, set()).add(row.cluster_id)
        return found

    async def cluster(self, ref: str) -> ClusterView | None:
        clusters, key = self.registry.clusters, ref_key(ref)
        row = (await self.session.execute(select(clusters).where(or_(clusters.c.id == key, clusters.c.code == key)))).first()
        return ClusterView(row.id, row.code, row.name, row.owner_unit_id, row.kind) if row else None

    async def clusters(self, cluster_ids: Sequence[str]) -> dict[str, ClusterView]:
        """Clusters by id, for a page at once."""
        table = self.registry.clusters
        found = {}
        for chunk in chunks(cluster_ids):
            for row in await self.session.execute(select(table).where(table.c.id.in_(chunk))):
                found[row.id] = ClusterView(row.id, row.code, row.name, row.owner_unit_id, row.kind)
        return found

    async def cluster_members(self, cluster_id: str, year: int) -> list[str]:
        members = self.registry.members
        query = select(members.c.unit_id).where(members.c.cluster_id == cluster_id, members.c.year == year).order_by(members.c.unit_id)
        return list(await self.session.scalars(query))

    async def cluster_leader(self, cluster_id: str, year: int) -> tuple[str, str | None] | None:
        """(leader unit id, deputy unit id or None) of a cluster in a year, if elected."""
        leaders = self.registry.leaders
        row = (await self.session.execute(select(leaders).where(leaders.c.cluster_id == cluster_id, leaders.c.year == year))).first()
        return (row.leader_unit_id, row.deputy_unit_id) if row else None
