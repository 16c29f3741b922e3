"""The campaigns service's REST API. Every route needs a bearer token.

Handlers translate HTTP to a use case (service_layer/services.py) or a query
(service_layer/queries.py) and back; they hold no rules and no SQL.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response, status

from thidua_shared.clock import today_in_vietnam
from thidua_shared.http import DOCUMENT_BODY, PrincipalDep, RuntimeDep, add_document_download, store_document
from thidua_shared.paging import MAX_OFFSET
from thidua_shared.runtime import ServiceRuntime
from thidua_shared.units import UnitRef
from thidua_shared.validation import FIRST_YEAR, LAST_YEAR

from thidua_campaigns.entrypoints import schemas as out
from thidua_campaigns.entrypoints.export import campaign_workbook
from thidua_campaigns.service_layer import commands as cmd
from thidua_campaigns.service_layer import queries, services

router = APIRouter()


# --- presenting --------------------------------------------------------------------------
def campaign_out(view: queries.CampaignView) -> out.CampaignOut:
    return out.CampaignOut(
        **view.campaign.model_dump(),
        issuer=view.issuer,
        parent=out.CampaignRef(id=view.parent[0], title=view.parent[1]) if view.parent else None,
        children=[out.ChildCampaign(id=i, title=t, issuer_unit_id=u) for i, t, u in view.children],
        indicator_tree=view.indicator_tree,
    )


def registration_out(view: queries.RegistrationView) -> out.RegistrationOut:
    unit = view.unit or UnitRef(id=view.registration.unit_id, code="", name="")
    return out.RegistrationOut(**view.registration.model_dump(), unit_code=unit.code, unit_name=unit.name)


def pledge_out(view: queries.PledgeView) -> out.PledgeOut:
    p = view.pledge
    return out.PledgeOut(
        id=p.id, cluster_id=p.cluster_id, year=p.year, campaign_id=p.campaign_id, title=p.title, text=p.text, complete=p.complete,
        members=[out.PledgeMember(unit_id=m.id, code=m.code, name=m.name, signed=by is not None, signed_by=by) for m, by in view.members],
    )


async def read(runtime: ServiceRuntime, principal: PrincipalDep, campaign_id: str) -> out.CampaignOut:
    async with runtime.reader() as repo:
        return campaign_out(await queries.campaign_details(repo, principal, campaign_id))


# --- campaigns ------------------------------------------------------------------------------
@router.post("/campaigns", status_code=status.HTTP_201_CREATED, response_model=out.CampaignOut, tags=["campaigns"],
             summary="Soạn phong trào (nháp) / draft a campaign")
async def draft(command: cmd.DraftCampaign, runtime: RuntimeDep, principal: PrincipalDep) -> out.CampaignOut:
    return await read(runtime, principal, (await services.draft_campaign(runtime.uow(), principal, command)).id)


@router.patch("/campaigns/{campaign_id}", response_model=out.CampaignOut, tags=["campaigns"], summary="Sửa bản nháp / edit a draft")
async def update_draft(campaign_id: str, command: cmd.UpdateDraft, runtime: RuntimeDep, principal: PrincipalDep) -> out.CampaignOut:
    return await read(runtime, principal, (await services.update_draft(runtime.uow(), principal, campaign_id, command)).id)


@router.post("/campaigns/{campaign_id}/launch", response_model=out.CampaignOut, tags=["campaigns"], summary="Phát động / launch")
async def launch(campaign_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.CampaignOut:
    return await read(runtime, principal, (await services.launch_campaign(runtime.uow(), principal, campaign_id)).id)


@router.post("/campaigns/{campaign_id}/revise", response_model=out.CampaignOut, tags=["campaigns"],
             summary="Điều chỉnh sau phát động, có lý do / revise with a reason")
async def revise(campaign_id: str, command: cmd.ReviseCampaign, runtime: RuntimeDep, principal: PrincipalDep) -> out.CampaignOut:
    return await read(runtime, principal, (await services.revise_campaign(runtime.uow(), principal, campaign_id, command)).id)


@router.post("/campaigns/{campaign_id}/close", response_model=out.CampaignOut, tags=["campaigns"], summary="Kết thúc / close")
async def close(campaign_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.CampaignOut:
    return await read(runtime, principal, (await services.close_campaign(runtime.uow(), principal, campaign_id)).id)


@router.post("/campaigns/{campaign_id}/cancel", response_model=out.CampaignOut, tags=["campaigns"], summary="Hủy / cancel")
async def cancel(campaign_id: str, command: cmd.CloseOrCancel, runtime: RuntimeDep, principal: PrincipalDep) -> out.CampaignOut:
    return await read(runtime, principal, (await services.cancel_campaign(runtime.uow(), principal, campaign_id, command.reason)).id)


@router.post("/campaigns/{campaign_id}/adopt", status_code=status.HTTP_201_CREATED, response_model=out.CampaignOut, tags=["campaigns"],
             summary="Cụ thể hóa phong trào cấp trên / adopt a higher level's campaign")
async def adopt(campaign_id: str, command: cmd.AdoptCampaign, runtime: RuntimeDep, principal: PrincipalDep) -> out.CampaignOut:
    return await read(runtime, principal, (await services.adopt_campaign(runtime.uow(), principal, campaign_id, command)).id)


@router.get("/campaigns", response_model=list[out.CampaignOut], tags=["campaigns"], summary="Danh sách phong trào / list campaigns")
async def list_campaigns(
    runtime: RuntimeDep, principal: PrincipalDep,
    level: str | None = Query(None, pattern="^(national|provincial|unit)$", description="national | provincial | unit"),
    status_: str | None = Query(None, alias="status", pattern="^(draft|launched|closed|cancelled)$"),
    year: int | None = Query(None, ge=FIRST_YEAR, le=LAST_YEAR), q: str | None = Query(None, max_length=200),
    unit: str | None = Query(None, max_length=64, description="Phong trào có đơn vị này trong đối tượng / campaigns targeting this unit"),
    limit: int = Query(200, ge=1, le=500), offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[out.CampaignOut]:
    async with runtime.reader() as repo:
        views = await queries.campaign_list(repo, principal, level=level, status=status_, year=year, text=q, unit_ref=unit,
                                            limit=limit, offset=offset)
    return [campaign_out(v) for v in views]


@router.get("/campaigns/{campaign_id}", response_model=out.CampaignOut, tags=["campaigns"],
            summary="Xem phong trào với cây tiêu chí / a campaign with its indicator tree")
async def get_campaign(campaign_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.CampaignOut:
    return await read(runtime, principal, campaign_id)


@router.get("/campaigns/{campaign_id}/export.xlsx", tags=["campaigns"], summary="Xuất Excel chỉ tiêu và đăng ký / export to Excel",
            response_class=Response)
async def export(campaign_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> Response:
    async with runtime.reader() as repo:
        campaign, registrations = await queries.registrations_in_reach(repo, principal, campaign_id)
    content = campaign_workbook(campaign, registrations)
    return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="campaign-{campaign.id}.xlsx"'})


@router.post("/campaigns/{campaign_id}/attachments", response_model=out.CampaignOut, tags=["campaigns"], openapi_extra=DOCUMENT_BODY,
             summary="Đính kèm văn bản (bản ký) / attach a document (the signed letter)")
async def attach(request: Request, campaign_id: str, runtime: RuntimeDep, principal: PrincipalDep,
                 reason: str | None = Query(None, max_length=2000, description="Bắt buộc sau khi phát động / required after launch")) -> out.CampaignOut:
    async with runtime.reader() as repo:
        await services.load_managed_campaign(repo, principal, campaign_id)  # before a byte of the file is read
    document = await store_document(request, runtime)
    campaign = await services.attach(runtime.uow(), principal, campaign_id, document, reason)
    return await read(runtime, principal, campaign.id)


add_document_download(router, "campaigns")


# --- registrations -------------------------------------------------------------------------------
@router.post("/campaigns/{campaign_id}/registrations", status_code=status.HTTP_201_CREATED, response_model=out.RegistrationOut,
             tags=["registrations"], summary="Đăng ký thi đua / register for a campaign")
async def register(campaign_id: str, command: cmd.Register, runtime: RuntimeDep, principal: PrincipalDep) -> out.RegistrationOut:
    registration = await services.register(runtime.uow(), principal, campaign_id, command, today_in_vietnam())
    return await registration_view(registration.id, runtime, principal)


@router.get("/campaigns/{campaign_id}/registrations", response_model=list[out.RegistrationOut], tags=["registrations"],
            summary="Danh sách đăng ký / registrations")
async def list_registrations(campaign_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> list[out.RegistrationOut]:
    async with runtime.reader() as repo:
        _, registrations = await queries.registrations_in_reach(repo, principal, campaign_id)
    return [registration_out(r) for r in registrations]


@router.get("/registrations/{registration_id}", response_model=out.RegistrationOut, tags=["registrations"],
            summary="Xem một bản đăng ký / a registration")
async def registration_view(registration_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.RegistrationOut:
    async with runtime.reader() as repo:
        return registration_out(await queries.registration_details(repo, principal, registration_id))


@router.patch("/registrations/{registration_id}", response_model=out.RegistrationOut, tags=["registrations"],
              summary="Sửa đăng ký trước hạn / amend before the deadline")
async def amend(registration_id: str, command: cmd.Amend, runtime: RuntimeDep, principal: PrincipalDep) -> out.RegistrationOut:
    await services.amend(runtime.uow(), principal, registration_id, command, today_in_vietnam())
    return await registration_view(registration_id, runtime, principal)


@router.post("/registrations/{registration_id}/withdraw", response_model=out.RegistrationOut, tags=["registrations"],
             summary="Rút đăng ký / withdraw")
async def withdraw(registration_id: str, command: cmd.Withdraw, runtime: RuntimeDep, principal: PrincipalDep) -> out.RegistrationOut:
    await services.withdraw(runtime.uow(), principal, registration_id, command)
    return await registration_view(registration_id, runtime, principal)


# --- pledges -----------------------------------------------------------------------------------------
@router.post("/pledges", status_code=status.HTTP_201_CREATED, response_model=out.PledgeOut, tags=["pledges"],
             summary="Mở giao ước thi đua của cụm / open a cluster's pledge")
async def open_pledge(command: cmd.OpenPledge, runtime: RuntimeDep, principal: PrincipalDep) -> out.PledgeOut:
    pledge_id = await services.open_pledge(runtime.uow(), principal, command)
    return await get_pledge(pledge_id, runtime, principal)


@router.get("/pledges", response_model=list[out.PledgeOut], tags=["pledges"], summary="Giao ước của một cụm / a cluster's pledges")
async def list_pledges(runtime: RuntimeDep, principal: PrincipalDep, cluster: str = Query(max_length=64),
                       year: int | None = Query(None, ge=FIRST_YEAR, le=LAST_YEAR)) -> list[out.PledgeOut]:
    async with runtime.reader() as repo:
        return [pledge_out(v) for v in await queries.pledge_list(repo, principal, cluster, year)]


@router.post("/pledges/{pledge_id}/sign", response_model=out.PledgeOut, tags=["pledges"], summary="Ký giao ước / sign the pledge")
async def sign_pledge(pledge_id: str, command: cmd.SignPledge, runtime: RuntimeDep, principal: PrincipalDep) -> out.PledgeOut:
    await services.sign_pledge(runtime.uow(), principal, pledge_id, command)
    return await get_pledge(pledge_id, runtime, principal)


@router.get("/pledges/{pledge_id}", response_model=out.PledgeOut, tags=["pledges"], summary="Xem giao ước và chữ ký / a pledge and its signatures")
async def get_pledge(pledge_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.PledgeOut:
    async with runtime.reader() as repo:
        return pledge_out(await queries.pledge_details(repo, principal, pledge_id))


# --- a unit's history, predecessors included ------------------------------------------------------------
@router.get("/units/{unit_ref}/history", response_model=out.UnitHistoryOut, tags=["history"],
            summary="Đơn vị và các đơn vị tiền thân đã phát động, đăng ký, ký gì / what a unit and its predecessors issued, registered, signed")
async def unit_history(unit_ref: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.UnitHistoryOut:
    async with runtime.reader() as repo:
        h = await queries.unit_history(repo, principal, unit_ref)
    return out.UnitHistoryOut(
        unit=h.unit, predecessors=h.predecessors,
        issued=[
            out.IssuedCampaign(id=c.id, title=c.title, letter_number=c.letter_number, status=c.status.value,
                               period_start=c.period_start, period_end=c.period_end, via=via)
            for c, via in h.issued
        ],
        registered=[
            out.RegisteredCampaign(registration_id=r.id, campaign_id=r.campaign_id, campaign_title=title, status=r.status,
                                   titles=r.titles, targets=r.targets, via=via)
            for r, title, via in h.registered
        ],
        signed=[out.SignedPledge(pledge_id=p.id, title=p.title, year=p.year, cluster_id=p.cluster_id, via=via) for p, via in h.signed],
    )
