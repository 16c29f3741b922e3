"""Access rules that more than one service decides by: written once, so that two services never
give two answers to "may this person act for that unit" or "does this person run that cluster".

Every rule reads the service's own copy of the registry (any reader with `lineage` and
`cluster_leader`): no service asks another at request time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from thidua_shared.access.tokens import Principal
from thidua_shared.errors import Forbidden
from thidua_shared.events.registry import UnitStatus
from thidua_shared.registry_replica import ClusterView, UnitView
from thidua_shared.roles import Role

# The commendation offices: the VCA's board and the provincial alliances' officers.
OFFICERS = (Role.PROVINCIAL_OFFICER, Role.NATIONAL_ADMIN)


class UnitTree(Protocol):
    """What the rules need from a service's copy of the registry."""

    async def lineage(self, unit_id: str) -> list[str]: ...

    async def units(self, refs: Sequence[str], by_code: bool = False) -> dict[str, UnitView]: ...

    async def cluster_leader(self, cluster_id: str, year: int) -> tuple[str, str | None] | None: ...


async def reaches(tree: UnitTree, principal: Principal, unit_id: str) -> bool:
    """An unscoped token reaches every unit; a scoped one its unit and everything below it, and a merged
    unit through its successor (a merger carries the unit's history: Lào Cai's officers read what Yên Bái's
    alliance did before it merged in)."""
    if principal.scope_unit_id is None:
        return True
    seen: set[str] = set()
    current: str | None = unit_id
    while current is not None and current not in seen and len(seen) < 10:
        if principal.scope_unit_id in await tree.lineage(current):
            return True
        seen.add(current)
        found = (await tree.units([current])).get(current)
        current = found.successor_id if found is not None and found.status is UnitStatus.MERGED else None
    return False


async def ensure_acts_for(tree: UnitTree, principal: Principal, unit_id: str, label: str, roles: tuple[Role, ...]) -> None:
    """The caller holds one of `roles` and reaches the unit (named by its code in the refusal)."""
    principal.require_role(roles)
    if not await reaches(tree, principal, unit_id):
        raise Forbidden("forbidden_scope", unit=label)


async def manages_cluster(tree: UnitTree, principal: Principal, cluster: ClusterView, year: int) -> bool:
    """The cluster's leader of that year (Cụm trưởng: a leader's token over the leading unit), or the
    officers of the cluster's owner side (the VCA board, the province): they open its rounds and ballots
    and propose its leading unit. Membership of the cluster is not required: a leader stays the leader."""
    if principal.role in OFFICERS and await reaches(tree, principal, cluster.owner_unit_id):
        return True
    if principal.role is not Role.CLUSTER_LEADER:
        return False
    leader = await tree.cluster_leader(cluster.id, year)
    return leader is not None and await reaches(tree, principal, leader[0])


async def ensure_manages_cluster(tree: UnitTree, principal: Principal, cluster: ClusterView, year: int) -> None:
    if not await manages_cluster(tree, principal, cluster, year):
        raise Forbidden("leader_only", cluster=cluster.code)
