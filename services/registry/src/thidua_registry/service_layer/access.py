"""Who may do what in the registry. Writes need a role; every unit touched must be within the token's scope."""

from __future__ import annotations

from thidua_shared.access.tokens import UNSCOPED_ROLES, Principal
from thidua_shared.errors import Forbidden, Invalid
from thidua_shared.roles import Role

from thidua_registry.adapters.repository import RegistryRepository
from thidua_registry.domain.model import Cluster, Unit

UNIT_WRITERS = (Role.NATIONAL_ADMIN, Role.PROVINCIAL_OFFICER)
UNIT_EDITORS = (Role.NATIONAL_ADMIN, Role.PROVINCIAL_OFFICER, Role.UNIT_REPORTER)
# Roles a provincial officer may grant inside their province.
PROVINCIAL_GRANTS = (Role.PROVINCIAL_OFFICER, Role.CLUSTER_LEADER, Role.UNIT_REPORTER, Role.REVIEWER)


async def ensure_reach(repo: RegistryRepository, principal: Principal, unit: Unit) -> None:
    if principal.scope_unit_id is not None:
        principal.require_reach(await repo.lineage(unit.id), unit.code)


async def ensure_cluster_visible(repo: RegistryRepository, principal: Principal, cluster: Cluster) -> None:
    """A scoped token sees clusters its units own, and clusters its own unit belongs to."""
    if principal.scope_unit_id is None:
        return
    if principal.scope_unit_id in await repo.lineage(cluster.owner_unit_id):
        return
    if await repo.ever_member(cluster.id, principal.scope_unit_id):
        return
    raise Forbidden("forbidden_scope", unit=cluster.code)


def ensure_can_grant(principal: Principal, role: Role, scope: Unit | None) -> None:
    principal.require_role((Role.NATIONAL_ADMIN, Role.PROVINCIAL_OFFICER))
    if principal.role is Role.PROVINCIAL_OFFICER and role not in PROVINCIAL_GRANTS:
        raise Forbidden("token_role_not_grantable", role=role.value)
    if scope is None and role not in UNSCOPED_ROLES:
        raise Invalid("token_scope_required", role=role.value)
