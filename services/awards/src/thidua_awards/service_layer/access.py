"""Who may do what in awards.

A unit proposes only within its reach (its own people and units below it); the commendation
office of the organisation that decides (its officers, the VCA board) receives, checks, returns
and takes nominations to the council, opens ballots and postings and issues decisions; only the
council's members vote in a council ballot, and only a cluster's member units in a cluster
ballot; auditors read everything and write nothing (they hold none of these roles).
"""

from __future__ import annotations

from thidua_shared.access.tokens import Principal
from thidua_shared.errors import Forbidden
from thidua_shared.roles import Role

from thidua_awards.adapters.repository import AwardsRepository

PROPOSERS = (Role.UNIT_REPORTER, Role.CLUSTER_LEADER, Role.PROVINCIAL_OFFICER, Role.NATIONAL_ADMIN)
OFFICE = (Role.PROVINCIAL_OFFICER, Role.NATIONAL_ADMIN)
RECORDERS = (Role.UNIT_REPORTER, Role.PROVINCIAL_OFFICER, Role.NATIONAL_ADMIN)
CLUSTER_VOTERS = (Role.UNIT_REPORTER, Role.CLUSTER_LEADER, Role.PROVINCIAL_OFFICER, Role.NATIONAL_ADMIN)


async def reaches(repo: AwardsRepository, principal: Principal, unit_id: str) -> bool:
    return principal.scope_unit_id is None or principal.scope_unit_id in await repo.lineage(unit_id)


async def ensure_acts_for(repo: AwardsRepository, principal: Principal, unit_id: str, label: str, roles: tuple[Role, ...]) -> None:
    principal.require_role(roles)
    if not await reaches(repo, principal, unit_id):
        raise Forbidden("forbidden_scope", unit=label)


async def ensure_office(repo: AwardsRepository, principal: Principal, to_unit_id: str, label: str) -> None:
    """The commendation office of the organisation that decides."""
    await ensure_acts_for(repo, principal, to_unit_id, label, OFFICE)
