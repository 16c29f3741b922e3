"""Who may do what in scoring.

A unit's reporter reports its results, and never scores it; a reviewer scores only the units
its unit is assigned; the cluster's leader (or the cluster's owner, the VCA board or the
province) opens, assigns and closes its cluster's rounds; the issuer's side may type results
in after the deadline. Every unit named must be within the token's reach.
"""

from __future__ import annotations

from collections.abc import Iterable

from thidua_shared.access.rules import OFFICERS, ensure_acts_for, ensure_manages_cluster, manages_cluster, reaches
from thidua_shared.access.tokens import Principal
from thidua_shared.errors import Forbidden
from thidua_shared.events.campaigns import CampaignSnapshot
from thidua_shared.events.scoring import RoundSnapshot
from thidua_shared.registry_replica import ClusterView
from thidua_shared.roles import Role

from thidua_scoring.adapters.repository import ScoringRepository

REPORTERS = (Role.UNIT_REPORTER, Role.CLUSTER_LEADER, Role.PROVINCIAL_OFFICER, Role.NATIONAL_ADMIN)
REVIEWERS = (Role.REVIEWER, Role.CLUSTER_LEADER, Role.PROVINCIAL_OFFICER, Role.NATIONAL_ADMIN)
MANAGERS = OFFICERS

__all__ = ["MANAGERS", "REPORTERS", "REVIEWERS", "ensure_acts_for", "ensure_manages_cluster", "manages_cluster", "reaches"]


async def may_back_fill(repo: ScoringRepository, principal: Principal, campaign: CampaignSnapshot) -> bool:
    """The issuer's side types old results in (after the deadline, with a reason)."""
    return principal.role in MANAGERS and await reaches(repo, principal, campaign.issuer_unit_id)


async def ensure_not_inside(repo: ScoringRepository, principal: Principal, unit_id: str, label: str) -> None:
    """Nobody scores the unit they work in: a token scoped at the unit (or below it) never reviews it."""
    if principal.scope_unit_id is not None and unit_id in await repo.lineage(principal.scope_unit_id):
        raise Forbidden("review_own_unit", unit=label)


async def own_units(repo: ScoringRepository, principal: Principal, unit_ids: Iterable[str]) -> set[str] | None:
    """Which of these units the caller acts for (one query); None for an unscoped caller, who acts for all."""
    if principal.scope_unit_id is None:
        return None
    return await repo.within(principal.scope_unit_id, list(unit_ids))


async def ensure_round_visible(repo: ScoringRepository, principal: Principal, round_: RoundSnapshot, cluster: ClusterView | None) -> None:
    """A round is read by whoever may manage it (the year's leader, the owner side), its members, the units
    reviewing in it (a panel, assigned reviewers), those above any of them, and unscoped roles: whoever may
    write to a round may read it, so that no answer to a write is a refusal to show what was written."""
    if principal.scope_unit_id is None:
        return
    # Members and the owner side first, from the round itself: the assignments are read only for a caller
    # that is neither (a reviewing unit from outside), so that listing a unit's rounds stays one query each.
    candidates = [*round_.members, *round_.rule.panel, *([cluster.owner_unit_id] if cluster else [])]
    if await repo.within(principal.scope_unit_id, candidates):
        return
    if cluster is not None and await manages_cluster(repo, principal, cluster, round_.year):
        return
    if await repo.within(principal.scope_unit_id, [reviewer for reviewer, _ in await repo.assignments(round_.id)]):
        return
    raise Forbidden("forbidden_scope", unit=cluster.code if cluster else round_.cluster_id)
