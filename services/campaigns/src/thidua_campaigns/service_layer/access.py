"""Who may do what with campaigns. Issuers manage their campaigns; units register and sign for themselves."""

from __future__ import annotations

from thidua_shared.auth import Principal
from thidua_shared.events.campaigns import CampaignSnapshot, CampaignStatus
from thidua_shared.roles import Role

from thidua_campaigns.adapters.repository import CampaignRepository
from thidua_campaigns.domain.model import UnitView

MANAGERS = (Role.NATIONAL_ADMIN, Role.PROVINCIAL_OFFICER)
REGISTRANTS = (Role.NATIONAL_ADMIN, Role.PROVINCIAL_OFFICER, Role.CLUSTER_LEADER, Role.UNIT_REPORTER)


async def ensure_reach(repo: CampaignRepository, principal: Principal, unit_id: str, label: str) -> None:
    if principal.scope_unit_id is not None:
        principal.require_reach(await repo.lineage(unit_id), label)


async def ensure_manager(repo: CampaignRepository, principal: Principal, issuer: UnitView) -> None:
    principal.require_role(MANAGERS)
    await ensure_reach(repo, principal, issuer.id, issuer.code)


async def ensure_visible(repo: CampaignRepository, principal: Principal, campaign: CampaignSnapshot) -> None:
    """Launched campaigns are read by everyone in the federation; drafts only within the issuer's reach."""
    if campaign.status is CampaignStatus.DRAFT:
        await ensure_reach(repo, principal, campaign.issuer_unit_id, campaign.title)
