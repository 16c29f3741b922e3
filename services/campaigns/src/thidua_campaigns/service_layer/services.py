"""Campaign use cases: load, check access, apply the domain rule, save and record events in one unit of work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from thidua_shared.access.tokens import Principal
from thidua_shared.errors import Conflict, NotFound
from thidua_shared.ids import new_id
from thidua_shared.events import campaigns as ev
from thidua_shared.events.catalog import EventPayload
from thidua_shared.events.campaigns import Attachment, CampaignSnapshot, CampaignStatus, RegistrationSnapshot, Scope
from thidua_shared.files import StoredFile
from thidua_shared.messaging.unit_of_work import UnitOfWork
from thidua_shared.registry_replica import load_cluster, load_unit

from thidua_campaigns.adapters.repository import CampaignRepository
from thidua_campaigns.domain import model
from thidua_campaigns.domain.model import Pledge
from thidua_campaigns.service_layer import commands as cmd
from thidua_campaigns.service_layer.access import REGISTRANTS, ensure_manager, ensure_reach, may_back_fill, targeting_lineage

CampaignsUnitOfWork = UnitOfWork[CampaignRepository]


# --- loading ---------------------------------------------------------------------------
async def load_campaign(repo: CampaignRepository, campaign_id: str) -> CampaignSnapshot:
    campaign = await repo.campaign(campaign_id)
    if campaign is None:
        raise NotFound("campaign_not_found", ref=campaign_id)
    return campaign


async def load_managed_campaign(repo: CampaignRepository, principal: Principal, campaign_id: str) -> CampaignSnapshot:
    """A campaign the principal may manage: one issued within the token's reach, by an officer or admin."""
    campaign = await load_campaign(repo, campaign_id)
    await ensure_manager(repo, principal, await load_unit(repo, campaign.issuer_unit_id))
    return campaign


async def _scope(repo: CampaignRepository, scope: cmd.ScopeIn) -> Scope:
    cluster_ids = []
    for ref in scope.clusters:
        cluster_ids.append((await load_cluster(repo, ref)).id)
    return Scope(unit_kinds=scope.unit_kinds, cluster_ids=cluster_ids, province_codes=scope.province_codes)


# --- campaigns ---------------------------------------------------------------------------
async def draft_campaign(uow: CampaignsUnitOfWork, principal: Principal, command: cmd.DraftCampaign) -> CampaignSnapshot:
    async with uow:
        repo = uow.repo
        issuer = await load_unit(repo, command.issuer)
        issuer.ensure_active()
        await ensure_manager(repo, principal, issuer)
        fields = command.model_dump(exclude={"issuer", "scope"})
        campaign = CampaignSnapshot(
            id=new_id(), issuer_unit_id=issuer.id, scope=await _scope(repo, command.scope), parent_id=None,
            status=CampaignStatus.DRAFT, revision=0, **fields,
        )
        model.check_dates(campaign)
        await repo.add_campaign(campaign)
        uow.record(ev.CampaignDrafted(campaign=campaign), aggregate_id=campaign.id, actor=principal.actor)
        await uow.commit()
    return campaign


async def update_draft(uow: CampaignsUnitOfWork, principal: Principal, campaign_id: str, command: cmd.UpdateDraft) -> CampaignSnapshot:
    async with uow:
        repo = uow.repo
        campaign = await load_managed_campaign(repo, principal, campaign_id)
        model.ensure_draft(campaign)
        changes = command.model_dump(exclude_unset=True, exclude={"scope"})
        if command.scope is not None:
            changes["scope"] = (await _scope(repo, command.scope)).model_dump()
        updated = CampaignSnapshot.model_validate(campaign.model_dump() | changes)
        model.check_dates(updated)
        await repo.save_campaign(updated)
        uow.record(ev.CampaignDrafted(campaign=updated), aggregate_id=campaign.id, actor=principal.actor)
        await uow.commit()
    return updated


async def _transition(
    uow: CampaignsUnitOfWork,
    principal: Principal,
    campaign_id: str,
    decide: Callable[[CampaignSnapshot], CampaignSnapshot],
    make_event: Callable[[CampaignSnapshot], EventPayload],
) -> CampaignSnapshot:
    """Shared shape of launch, close and cancel: load, check the issuer's manager, decide, save, record."""
    async with uow:
        repo = uow.repo
        campaign = await load_managed_campaign(repo, principal, campaign_id)
        changed = decide(campaign)
        await repo.save_campaign(changed)
        uow.record(make_event(changed), aggregate_id=campaign.id, actor=principal.actor)
        await uow.commit()
    return changed


async def launch_campaign(uow: CampaignsUnitOfWork, principal: Principal, campaign_id: str) -> CampaignSnapshot:
    return await _transition(uow, principal, campaign_id, model.launch, lambda c: ev.CampaignLaunched(campaign=c))


async def close_campaign(uow: CampaignsUnitOfWork, principal: Principal, campaign_id: str) -> CampaignSnapshot:
    return await _transition(uow, principal, campaign_id, model.close, lambda c: ev.CampaignClosed(campaign=c))


async def cancel_campaign(uow: CampaignsUnitOfWork, principal: Principal, campaign_id: str, reason: str) -> CampaignSnapshot:
    return await _transition(uow, principal, campaign_id, model.cancel, lambda c: ev.CampaignCancelled(campaign=c, reason=reason))


async def revise_campaign(uow: CampaignsUnitOfWork, principal: Principal, campaign_id: str, command: cmd.ReviseCampaign) -> CampaignSnapshot:
    async with uow:
        repo = uow.repo
        campaign = await load_managed_campaign(repo, principal, campaign_id)
        revised, changed = model.revise(campaign, command.changes, command.reason)
        await repo.save_campaign(revised)
        uow.record(ev.CampaignRevised(campaign=revised, reason=command.reason, changed=changed), aggregate_id=campaign.id, actor=principal.actor)
        await uow.commit()
    return revised


async def adopt_campaign(uow: CampaignsUnitOfWork, principal: Principal, parent_id: str, command: cmd.AdoptCampaign) -> CampaignSnapshot:
    """Cụ thể hóa: a draft child campaign of the issuer's own, inheriting the parent's indicators."""
    async with uow:
        repo = uow.repo
        parent = await load_campaign(repo, parent_id)
        issuer = await load_unit(repo, command.issuer)
        issuer.ensure_active()
        await ensure_manager(repo, principal, issuer)
        fields = command.model_dump(exclude={"issuer", "scope", "local_targets", "kind"})
        child = CampaignSnapshot(
            id=new_id(), issuer_unit_id=issuer.id, scope=await _scope(repo, command.scope), parent_id=parent.id,
            status=CampaignStatus.DRAFT, revision=0, kind=command.kind or parent.kind, scale=parent.scale,
            awards=parent.awards, attachments=[], indicators=[], **fields,
        )
        child = model.adopt(parent, child, command.local_targets)
        model.check_dates(child)
        await repo.add_campaign(child)
        uow.record(ev.CampaignDrafted(campaign=child), aggregate_id=child.id, actor=principal.actor)
        await uow.commit()
    return child


async def attach(
    uow: CampaignsUnitOfWork, principal: Principal, campaign_id: str, document: StoredFile, reason: str | None
) -> CampaignSnapshot:
    """Attach a stored document (the signed letter): to a draft directly, after launch as a revision with a reason."""
    async with uow:
        repo = uow.repo
        campaign = await load_managed_campaign(repo, principal, campaign_id)
        attachment = Attachment(name=document.name, sha256=document.sha256, url=f"/attachments/{document.sha256}")
        attachments = [*campaign.attachments, attachment]
        if campaign.status is CampaignStatus.DRAFT:
            changed = campaign.model_copy(update={"attachments": attachments})
            uow.record(ev.CampaignDrafted(campaign=changed), aggregate_id=campaign.id, actor=principal.actor)
        else:
            changed, fields = model.revise(campaign, {"attachments": [a.model_dump() for a in attachments]}, reason or "")
            uow.record(ev.CampaignRevised(campaign=changed, reason=reason or "", changed=fields), aggregate_id=campaign.id, actor=principal.actor)
        await repo.save_campaign(changed)
        await uow.commit()
    return changed


# --- registrations ------------------------------------------------------------------------
async def register(uow: CampaignsUnitOfWork, principal: Principal, campaign_id: str, command: cmd.Register, today: date) -> RegistrationSnapshot:
    async with uow:
        repo = uow.repo
        campaign = await load_campaign(repo, campaign_id)
        unit = await load_unit(repo, command.unit)
        principal.require_role(REGISTRANTS)
        await ensure_reach(repo, principal, unit.id, unit.code)
        unit.ensure_active()
        model.ensure_registration_open(campaign, today, command.late_reason, await may_back_fill(repo, principal, campaign))
        years = model.campaign_years(campaign)
        model.ensure_in_scope(campaign, unit, await targeting_lineage(repo, unit.id), await repo.clusters_of(unit.id, years))
        if await repo.active_registration(campaign.id, unit.id):
            raise Conflict("registration_duplicate", unit=unit.code)
        model.check_targets(campaign, command.targets)
        registration = RegistrationSnapshot(
            id=new_id(), campaign_id=campaign.id, unit_id=unit.id, targets=command.targets, titles=command.titles, status="active",
            late_reason=command.late_reason,
        )
        await repo.add_registration(registration)
        uow.record(ev.RegistrationSubmitted(registration=registration), aggregate_id=registration.id, actor=principal.actor)
        await uow.commit()
    return registration


async def _load_own_registration(repo: CampaignRepository, principal: Principal, registration_id: str) -> tuple[RegistrationSnapshot, CampaignSnapshot]:
    registration = await repo.registration(registration_id)
    if registration is None:
        raise NotFound("registration_not_found", ref=registration_id)
    principal.require_role(REGISTRANTS)
    unit = await load_unit(repo, registration.unit_id)
    await ensure_reach(repo, principal, unit.id, unit.code)
    model.ensure_active_registration(registration)
    return registration, await load_campaign(repo, registration.campaign_id)


async def amend(uow: CampaignsUnitOfWork, principal: Principal, registration_id: str, command: cmd.Amend, today: date) -> RegistrationSnapshot:
    async with uow:
        repo = uow.repo
        registration, campaign = await _load_own_registration(repo, principal, registration_id)
        model.ensure_registration_open(campaign, today)
        changes = command.model_dump(exclude_unset=True)
        amended = RegistrationSnapshot.model_validate(registration.model_dump() | changes)
        model.check_targets(campaign, amended.targets)
        await repo.save_registration(amended)
        uow.record(ev.RegistrationAmended(registration=amended), aggregate_id=registration.id, actor=principal.actor)
        await uow.commit()
    return amended


async def withdraw(uow: CampaignsUnitOfWork, principal: Principal, registration_id: str, command: cmd.Withdraw) -> RegistrationSnapshot:
    async with uow:
        repo = uow.repo
        registration, _ = await _load_own_registration(repo, principal, registration_id)
        withdrawn = registration.model_copy(update={"status": "withdrawn"})
        await repo.save_registration(withdrawn)
        uow.record(ev.RegistrationWithdrawn(registration=withdrawn, reason=command.reason), aggregate_id=registration.id, actor=principal.actor)
        await uow.commit()
    return withdrawn


# --- pledges (giao ước thi đua) ---------------------------------------------------------------
async def open_pledge(uow: CampaignsUnitOfWork, principal: Principal, command: cmd.OpenPledge) -> str:
    async with uow:
        repo = uow.repo
        cluster = await load_cluster(repo, command.cluster)
        principal.require_role(REGISTRANTS)
        members = await repo.cluster_members(cluster.id, command.year)
        if principal.scope_unit_id not in members:  # a member's cluster leader, or the owner's officers
            await ensure_reach(repo, principal, cluster.owner_unit_id, cluster.code)
        if not members:
            raise Conflict("pledge_no_members", cluster=cluster.code, year=command.year)
        if await repo.pledge_exists(cluster.id, command.year):
            raise Conflict("pledge_exists", cluster=cluster.code, year=command.year)
        if command.campaign:
            await load_campaign(repo, command.campaign)
        pledge = Pledge(id=new_id(), cluster_id=cluster.id, year=command.year, campaign_id=command.campaign,
                        title=command.title, text=command.text, members=tuple(members))
        await repo.add_pledge(pledge)
        uow.record(
            ev.PledgeOpened(pledge_id=pledge.id, cluster_id=cluster.id, year=command.year, campaign_id=command.campaign,
                            title=command.title, text=command.text, members=members),
            aggregate_id=pledge.id, actor=principal.actor,
        )
        await uow.commit()
    return pledge.id


async def sign_pledge(uow: CampaignsUnitOfWork, principal: Principal, pledge_id: str, command: cmd.SignPledge) -> bool:
    """One member signs; the pledge is complete when every member of that year has signed."""
    async with uow:
        repo = uow.repo
        pledge = await repo.pledge(pledge_id)
        if pledge is None:
            raise NotFound("pledge_not_found", ref=pledge_id)
        unit = await load_unit(repo, command.unit)
        principal.require_role(REGISTRANTS)
        await ensure_reach(repo, principal, unit.id, unit.code)
        complete = model.sign_pledge(list(pledge.members), pledge.signers, unit, pledge.year)
        await repo.add_signature(pledge_id, unit.id, principal.holder_name)
        uow.record(ev.PledgeSigned(pledge_id=pledge_id, unit_id=unit.id, signed_by=principal.holder_name), aggregate_id=pledge_id, actor=principal.actor)
        if complete:
            await repo.complete_pledge(pledge_id)
            uow.record(
                ev.PledgeCompleted(pledge_id=pledge_id, cluster_id=pledge.cluster_id, year=pledge.year, signers=[*pledge.signers, unit.id]),
                aggregate_id=pledge_id, actor=principal.actor,
            )
        await uow.commit()
    return complete


