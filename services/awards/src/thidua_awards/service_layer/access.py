"""Who may do what in awards.

A unit proposes only within its reach (its own people and units below it); the commendation
office of the organisation that decides (its officers, the VCA board) receives, checks, returns
and takes nominations to the council, opens ballots and postings and issues decisions; only the
council's members vote in a council ballot, and only a cluster's member units in a cluster
ballot; auditors read everything and write nothing (they hold none of these roles).
"""

from __future__ import annotations

from thidua_shared.access.rules import OFFICERS, ensure_acts_for, manages_cluster, reaches
from thidua_shared.access.tokens import Principal
from thidua_shared.errors import Forbidden
from thidua_shared.events.awards import BallotSnapshot, NominationSnapshot
from thidua_shared.roles import Role

from thidua_awards.adapters.repository import AwardsRepository

PROPOSERS = (Role.UNIT_REPORTER, Role.CLUSTER_LEADER, Role.PROVINCIAL_OFFICER, Role.NATIONAL_ADMIN)
OFFICE = OFFICERS
RECORDERS = (Role.UNIT_REPORTER, Role.PROVINCIAL_OFFICER, Role.NATIONAL_ADMIN)
CLUSTER_VOTERS = (Role.UNIT_REPORTER, Role.CLUSTER_LEADER, Role.PROVINCIAL_OFFICER, Role.NATIONAL_ADMIN)

__all__ = ["CLUSTER_VOTERS", "OFFICE", "PROPOSERS", "RECORDERS", "ensure_acts_for", "ensure_office", "manages_ballot", "manages_cluster",
           "may_read_nomination", "reaches", "records_facts", "ensure_confirms"]


async def ensure_office(repo: AwardsRepository, principal: Principal, to_unit_id: str, label: str | None = None) -> None:
    """The commendation office of the organisation that decides (a refusal names it by its code)."""
    principal.require_role(OFFICE)
    if not await reaches(repo, principal, to_unit_id):
        raise Forbidden("forbidden_scope", unit=label or await repo.code_of(to_unit_id))


async def manages_ballot(repo: AwardsRepository, principal: Principal, ballot: BallotSnapshot) -> bool:
    """The office that opened it, or, for a cluster's ballot, whoever manages the cluster that year."""
    if principal.role in OFFICE and await reaches(repo, principal, ballot.unit_id):
        return True
    if ballot.cluster_id is None:
        return False
    cluster = await repo.cluster(ballot.cluster_id)
    return cluster is not None and await manages_cluster(repo, principal, cluster, ballot.year)


async def may_read_nomination(repo: AwardsRepository, principal: Principal, nomination: NominationSnapshot) -> bool:
    """The deciding office, the proposer's side, those above either, and, for a cluster's leading unit
    proposed from its ranking, whoever manages that cluster in the year (who drafted it)."""
    if await reaches(repo, principal, nomination.to_unit_id) or await reaches(repo, principal, nomination.proposer_unit_id):
        return True
    cluster_id = await repo.nomination_cluster(nomination.id) if nomination.source == "ranking" else None
    cluster = await repo.cluster(cluster_id) if cluster_id else None
    return cluster is not None and await manages_cluster(repo, principal, cluster, nomination.year)


def records_facts(principal: Principal, subject_unit_id: str) -> bool:
    """What feeds eligibility (a yearly rating, an initiative) is a fact only when an office above the
    subject's unit records it; a unit's own word about itself or its people is a claim until confirmed.
    (The caller's reach of the unit is checked before.)"""
    return principal.role in OFFICE and principal.scope_unit_id != subject_unit_id


async def ensure_confirms(repo: AwardsRepository, principal: Principal, subject_unit_id: str, label: str) -> None:
    """Only an office of a higher level than the subject's unit confirms its claims."""
    await ensure_acts_for(repo, principal, subject_unit_id, label, OFFICE)
    if not records_facts(principal, subject_unit_id):
        raise Forbidden("claim_needs_higher_level", unit=label)
