"""The campaigns service's REST API. Every route needs a bearer token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Query, Response, UploadFile, status

from thidua_shared.auth import Principal
from thidua_shared.clock import today_in_vietnam
from thidua_shared.errors import Forbidden, Invalid, NotFound
from thidua_shared.events.campaigns import CampaignSnapshot, Indicator, RegistrationSnapshot
from thidua_shared.runtime import PrincipalDep, RuntimeDep

from thidua_campaigns.adapters.files import FileStore
from thidua_campaigns.adapters.repository import CampaignRepository
from thidua_campaigns.domain.model import campaign_years, ensure_in_scope
from thidua_campaigns.entrypoints.export import campaign_workbook
from thidua_campaigns.service_layer import commands as cmd
from thidua_campaigns.service_layer import services
from thidua_campaigns.service_layer.access import ensure_visible

router = APIRouter()


# --- presenting --------------------------------------------------------------------------
def indicator_tree(indicators: list[Indicator]) -> list[dict[str, Any]]:
    nodes = {i.code: {**i.model_dump(mode="json"), "children": []} for i in indicators}
    roots = []
    for i in indicators:
        (nodes[i.parent_code]["children"] if i.parent_code else roots).append(nodes[i.code])
    return roots


async def present(repo: CampaignRepository, campaign: CampaignSnapshot, *, with_tree: bool = False) -> dict[str, Any]:
    issuer = await repo.unit(campaign.issuer_unit_id)
    parent = await repo.campaign(campaign.parent_id) if campaign.parent_id else None
    children = await repo.list_campaigns(parent_id=campaign.id)
    body = campaign.model_dump(mode="json")
    body["issuer"] = {"id": issuer.id, "code": issuer.code, "name": issuer.name} if issuer else None
    body["parent"] = {"id": parent.id, "title": parent.title} if parent else None
    body["children"] = [{"id": c.id, "title": c.title, "issuer_unit_id": c.issuer_unit_id} for c in children]
    if with_tree:
        body["indicator_tree"] = indicator_tree(list(campaign.indicators))
    return body


async def read(runtime, campaign: CampaignSnapshot) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    async with runtime.db.sessions() as session:
        return await present(CampaignRepository(session), campaign, with_tree=True)


# --- campaigns ------------------------------------------------------------------------------
@router.post("/campaigns", status_code=status.HTTP_201_CREATED, tags=["campaigns"], summary="Soạn phong trào (nháp) / draft a campaign")
async def draft(command: cmd.DraftCampaign, runtime: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return await read(runtime, await services.draft_campaign(runtime.uow(), principal, command))


@router.patch("/campaigns/{campaign_id}", tags=["campaigns"], summary="Sửa bản nháp / edit a draft")
async def update_draft(campaign_id: str, command: cmd.UpdateDraft, runtime: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return await read(runtime, await services.update_draft(runtime.uow(), principal, campaign_id, command))


@router.post("/campaigns/{campaign_id}/launch", tags=["campaigns"], summary="Phát động / launch")
async def launch(campaign_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return await read(runtime, await services.launch_campaign(runtime.uow(), principal, campaign_id))


@router.post("/campaigns/{campaign_id}/revise", tags=["campaigns"], summary="Điều chỉnh sau phát động, có lý do / revise with a reason")
async def revise(campaign_id: str, command: cmd.ReviseCampaign, runtime: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return await read(runtime, await services.revise_campaign(runtime.uow(), principal, campaign_id, command))


@router.post("/campaigns/{campaign_id}/close", tags=["campaigns"], summary="Kết thúc / close")
async def close(campaign_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return await read(runtime, await services.close_campaign(runtime.uow(), principal, campaign_id))


@router.post("/campaigns/{campaign_id}/cancel", tags=["campaigns"], summary="Hủy / cancel")
async def cancel(campaign_id: str, command: cmd.CloseOrCancel, runtime: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return await read(runtime, await services.cancel_campaign(runtime.uow(), principal, campaign_id, command.reason))


@router.post("/campaigns/{campaign_id}/adopt", status_code=status.HTTP_201_CREATED, tags=["campaigns"],
             summary="Cụ thể hóa phong trào cấp trên / adopt a higher level's campaign")
async def adopt(campaign_id: str, command: cmd.AdoptCampaign, runtime: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return await read(runtime, await services.adopt_campaign(runtime.uow(), principal, campaign_id, command))


@router.get("/campaigns", tags=["campaigns"], summary="Danh sách phong trào / list campaigns")
async def list_campaigns(
    runtime: RuntimeDep, principal: PrincipalDep,
    level: str | None = Query(None, description="national | provincial"),
    status_: str | None = Query(None, alias="status"), year: int | None = None, q: str | None = None,
    unit: str | None = Query(None, description="Phong trào có đơn vị này trong đối tượng / campaigns targeting this unit"),
) -> list[dict[str, Any]]:
    async with runtime.db.sessions() as session:
        repo = CampaignRepository(session)
        found = await repo.list_campaigns(status=status_, year=year, text=q)
        visible = [c for c in found if await _visible(repo, principal, c)]
        if level:
            visible = [c for c in visible if await _level(repo, c) == level]
        if unit:
            visible = [c for c in visible if await _targets(repo, c, unit)]
        return [await present(repo, c) for c in visible]


async def _visible(repo: CampaignRepository, principal: Principal, campaign: CampaignSnapshot) -> bool:
    try:
        await ensure_visible(repo, principal, campaign)
    except Forbidden:  # a draft outside the token's reach is simply not listed
        return False
    return True


async def _level(repo: CampaignRepository, campaign: CampaignSnapshot) -> str:
    issuer = await repo.unit(campaign.issuer_unit_id)
    return {"national_alliance": "national", "provincial_alliance": "provincial"}.get(issuer.kind if issuer else "", "unit")


async def _targets(repo: CampaignRepository, campaign: CampaignSnapshot, unit_ref: str) -> bool:
    unit = await services.load_unit(repo, unit_ref)
    memberships = await repo.clusters_of(unit.id, campaign_years(campaign))
    try:
        ensure_in_scope(campaign, unit, await repo.lineage(unit.id), memberships)
    except Invalid:  # not targeted
        return False
    return True


@router.get("/campaigns/{campaign_id}", tags=["campaigns"], summary="Xem phong trào với cây tiêu chí / a campaign with its indicator tree")
async def get_campaign(campaign_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    async with runtime.db.sessions() as session:
        repo = CampaignRepository(session)
        campaign = await services.load_campaign(repo, campaign_id)
        await ensure_visible(repo, principal, campaign)
        return await present(repo, campaign, with_tree=True)


@router.get("/campaigns/{campaign_id}/export.xlsx", tags=["campaigns"], summary="Xuất Excel chỉ tiêu và đăng ký / export to Excel",
            response_class=Response)
async def export(campaign_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> Response:
    async with runtime.db.sessions() as session:
        repo = CampaignRepository(session)
        campaign = await services.load_campaign(repo, campaign_id)
        await ensure_visible(repo, principal, campaign)
        registrations = await _registrations_in_reach(repo, principal, campaign)
        units = await repo.unit_codes([r.unit_id for r in registrations])
    content = campaign_workbook(campaign, registrations, units)
    return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="campaign-{campaign_id}.xlsx"'})


async def _registrations_in_reach(repo: CampaignRepository, principal: Principal, campaign: CampaignSnapshot) -> list[RegistrationSnapshot]:
    """The issuer's side sees every registration; a unit sees its own subtree's."""
    if principal.scope_unit_id is None or principal.scope_unit_id in await repo.lineage(campaign.issuer_unit_id):
        return await repo.registrations_of(campaign.id)
    return await repo.registrations_of(campaign.id, within=await repo.subtree_ids(principal.scope_unit_id))


def files(runtime) -> FileStore:  # type: ignore[no-untyped-def]
    return FileStore(runtime.settings.var_dir / "attachments" / "campaigns")


@router.post("/campaigns/{campaign_id}/attachments", tags=["campaigns"],
             summary="Đính kèm văn bản (bản ký) / attach a document (the signed letter)")
async def attach(campaign_id: str, runtime: RuntimeDep, principal: PrincipalDep, file: UploadFile = File(...),
                 reason: str | None = Query(None, description="Bắt buộc sau khi phát động / required after launch")) -> dict[str, Any]:
    campaign = await services.attach(runtime.uow(), principal, campaign_id, file.filename or "van-ban", await file.read(), reason, files(runtime))
    return await read(runtime, campaign)


@router.get("/attachments/{digest}", tags=["campaigns"], summary="Tải văn bản đính kèm / download an attachment", response_class=Response)
async def download(digest: str, runtime: RuntimeDep, principal: PrincipalDep) -> Response:
    try:
        path = files(runtime).path(digest)
    except ValueError:
        raise NotFound("attachment_not_found") from None
    if not path.exists():
        raise NotFound("attachment_not_found")
    return Response(path.read_bytes(), media_type="application/octet-stream")


# --- registrations -------------------------------------------------------------------------------
@router.post("/campaigns/{campaign_id}/registrations", status_code=status.HTTP_201_CREATED, tags=["registrations"],
             summary="Đăng ký thi đua / register for a campaign")
async def register(campaign_id: str, command: cmd.Register, runtime: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    registration = await services.register(runtime.uow(), principal, campaign_id, command, today_in_vietnam())
    return registration.model_dump(mode="json")


@router.get("/campaigns/{campaign_id}/registrations", tags=["registrations"], summary="Danh sách đăng ký / registrations")
async def list_registrations(campaign_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    async with runtime.db.sessions() as session:
        repo = CampaignRepository(session)
        campaign = await services.load_campaign(repo, campaign_id)
        await ensure_visible(repo, principal, campaign)
        registrations = await _registrations_in_reach(repo, principal, campaign)
        units = await repo.unit_codes([r.unit_id for r in registrations])
        return [r.model_dump(mode="json") | {"unit_code": units.get(r.unit_id, ("", ""))[0]} for r in registrations]


@router.patch("/registrations/{registration_id}", tags=["registrations"], summary="Sửa đăng ký trước hạn / amend before the deadline")
async def amend(registration_id: str, command: cmd.Amend, runtime: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return (await services.amend(runtime.uow(), principal, registration_id, command, today_in_vietnam())).model_dump(mode="json")


@router.post("/registrations/{registration_id}/withdraw", tags=["registrations"], summary="Rút đăng ký / withdraw")
async def withdraw(registration_id: str, command: cmd.Withdraw, runtime: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return (await services.withdraw(runtime.uow(), principal, registration_id, command)).model_dump(mode="json")


# --- pledges -----------------------------------------------------------------------------------------
@router.post("/pledges", status_code=status.HTTP_201_CREATED, tags=["pledges"], summary="Mở giao ước thi đua của cụm / open a cluster's pledge")
async def open_pledge(command: cmd.OpenPledge, runtime: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    pledge_id = await services.open_pledge(runtime.uow(), principal, command)
    return await get_pledge(pledge_id, runtime, principal)


@router.post("/pledges/{pledge_id}/sign", tags=["pledges"], summary="Ký giao ước / sign the pledge")
async def sign_pledge(pledge_id: str, command: cmd.SignPledge, runtime: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    await services.sign_pledge(runtime.uow(), principal, pledge_id, command)
    return await get_pledge(pledge_id, runtime, principal)


@router.get("/pledges/{pledge_id}", tags=["pledges"], summary="Xem giao ước và chữ ký / a pledge and its signatures")
async def get_pledge(pledge_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    async with runtime.db.sessions() as session:
        repo = CampaignRepository(session)
        pledge = await repo.pledge(pledge_id)
        if pledge is None:
            raise NotFound("pledge_not_found", ref=pledge_id)
        signatures = await repo.signatures(pledge_id)
        units = await repo.unit_codes(list(pledge.members))
        signed = {s.unit_id: s for s in signatures}
        return {
            "id": pledge.id, "cluster_id": pledge.cluster_id, "year": pledge.year, "campaign_id": pledge.campaign_id,
            "title": pledge.title, "text": pledge.text, "complete": pledge.completed_at is not None,
            "members": [
                {"unit_id": u, "code": units.get(u, (u, ""))[0], "name": units.get(u, ("", ""))[1],
                 "signed": u in signed, "signed_by": signed[u].signed_by if u in signed else None}
                for u in pledge.members
            ],
        }
