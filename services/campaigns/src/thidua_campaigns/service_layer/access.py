"""Who may do what with campaigns. Issuers manage their campaigns; units register and sign for themselves."""

from __future__ import annotations

from thidua_shared.access.tokens import Principal
from thidua_shared.events.campaigns import CampaignSnapshot, CampaignStatus
from thidua_shared.events.registry import UnitStatus
from thidua_shared.roles import Role

from thidua_campaigns.adapters.repository import CampaignRepository
from thidua_campaigns.domain.model import UnitView

MANAGERS = (Role.NATIONAL_ADMIN, Role.PROVINCIAL_OFFICER)
REGISTRANTS = (Role.NATIONAL_ADMIN, Role.PROVINCIAL_OFFICER, Role.CLUSTER_LEADER, Role.UNIT_REPORTER)


async def ensure_reach(repo: CampaignRepository, principal: Principal, unit_id: str, label: str) -> None:
    if principal.scope_unit_id is not None:
        principal.require_reach(await repo.lineage(unit_id), label)


async def current_unit(repo: CampaignRepository, unit: UnitView) -> UnitView:
    """The living unit a merged one's history now follows (the end of its chain of mergers)."""
    seen = {unit.id}
    while unit.status is UnitStatus.MERGED and unit.successor_id and unit.successor_id not in seen:
        successor = (await repo.units([unit.successor_id])).get(unit.successor_id)
        if successor is None:
            break
        seen.add(successor.id)
        unit = successor
    return unit


async def may_back_fill(repo: CampaignRepository, principal: Principal, campaign: CampaignSnapshot) -> bool:
    """The issuer's officers record what was done on paper (a registration after its deadline)."""
    if principal.role not in MANAGERS:
        return False
    return principal.scope_unit_id is None or principal.scope_unit_id in await repo.lineage(campaign.issuer_unit_id)


async def ensure_manager(repo: CampaignRepository, principal: Principal, issuer: UnitView) -> None:
    """Officers within the issuer's reach manage its campaigns; those of a merged issuer, its successor's too."""
    principal.require_role(MANAGERS)
    if principal.scope_unit_id is None:
        return
    lineage = await repo.lineage(issuer.id)
    if issuer.status is UnitStatus.MERGED:
        lineage += await repo.lineage((await current_unit(repo, issuer)).id)
    principal.require_reach(lineage, issuer.code)


async def targeting_lineage(repo: CampaignRepository, unit_id: str) -> list[str]:
    """What decides whether a campaign targets a unit: its lineage, plus the units it or its ancestors
    left with a merger (and their ancestors), so that a merged issuer's running campaign still targets
    its former subtree inside the successor."""
    lineage = await repo.lineage(unit_id)
    pending, seen = list(lineage), set(lineage)
    while pending:
        moved = await repo.former_parents(pending)
        pending = []
        for former in (f for found in moved.values() for f in found):
            for ancestor in await repo.lineage(former):
                if ancestor not in seen:
                    seen.add(ancestor)
                    lineage.append(ancestor)
                    pending.append(ancestor)
    return lineage


async def ensure_visible(repo: CampaignRepository, principal: Principal, campaign: CampaignSnapshot) -> None:
    """Launched campaigns are read by everyone in the federation; drafts only within the issuer's reach."""
    if campaign.status is CampaignStatus.DRAFT:
        await ensure_reach(repo, principal, campaign.issuer_unit_id, campaign.title)
