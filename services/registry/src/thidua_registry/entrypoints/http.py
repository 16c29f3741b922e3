"""The registry's REST API. Every route needs a bearer token; reads are limited to the token's scope.

Handlers only translate HTTP to a use case (service_layer/services.py) or a query
(service_layer/queries.py) and back; they hold no rules and no SQL.
"""

from __future__ import annotations

import asyncio
import pathlib

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import JSONResponse, Response

from thidua_shared.http import UPLOAD_BODY, XLSX, LanguageDep, PrincipalDep, RuntimeDep, attachment, start_import
from thidua_shared.tabular import template_workbook
from thidua_shared.jobs import JobView, Progress
from thidua_shared.keys import derive_secret
from thidua_shared.paging import MAX_OFFSET
from thidua_shared.roles import Role
from thidua_shared.runtime import ServiceRuntime
from thidua_shared.spreadsheets import SheetLimits
from thidua_shared.validation import FIRST_YEAR, LAST_YEAR

from thidua_registry.adapters.repository import UnitFilter
from thidua_registry.entrypoints import schemas as out
from thidua_registry.service_layer import commands as cmd
from thidua_registry.service_layer import importing, importing_people, queries, services

router = APIRouter()
YearPath = Annotated[int, Path(ge=FIRST_YEAR, le=LAST_YEAR, description="Năm / the year")]


def id_secret(runtime: ServiceRuntime) -> bytes:
    return derive_secret(runtime.source.key, "registry.national-id")


async def unit_out(runtime: ServiceRuntime, principal: PrincipalDep, ref: str) -> queries.UnitDetails:
    async with runtime.reader() as repo:
        return await queries.unit_details(repo, principal, ref)


# --- units -----------------------------------------------------------------------
@router.post("/units", status_code=status.HTTP_201_CREATED, response_model=out.UnitOut, tags=["units"],
             summary="Đăng ký đơn vị / register a unit")
async def register_unit(command: cmd.RegisterUnit, runtime: RuntimeDep, principal: PrincipalDep) -> queries.UnitDetails:
    unit = await services.register_unit(runtime.uow(), principal, command)
    return await unit_out(runtime, principal, unit.id)


@router.get("/units", response_model=out.UnitPage, tags=["units"], summary="Danh sách, tìm kiếm đơn vị / list and search units")
async def list_units(
    runtime: RuntimeDep,
    principal: PrincipalDep,
    q: str | None = Query(None, max_length=200, description="Tìm theo tên hoặc mã, có hoặc không dấu / name or code, with or without diacritics"),
    kind: str | None = Query(None, max_length=40),
    province: str | None = Query(None, max_length=16),
    status_: str | None = Query(None, alias="status", max_length=20),
    parent: str | None = Query(None, max_length=64),
    limit: int = Query(100, ge=1, le=1000),
    cursor: str | None = Query(None, max_length=400, description="`next_cursor` của trang trước / the previous page's `next_cursor`"),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    with_total: bool = Query(False, description="Đếm tổng số / count the total"),
) -> queries.Page[queries.UnitDetails]:
    async with runtime.reader() as repo:
        parent_id = (await services.load_unit(repo, parent)).id if parent else None
        filters = UnitFilter(text=q, kind=kind, province_code=province, status=status_, parent_id=parent_id)
        return await queries.unit_page(repo, principal, filters, cursor=cursor, limit=limit, offset=offset, with_total=with_total)


@router.get("/units/{unit_ref}", response_model=out.UnitOut, tags=["units"],
            summary="Xem đơn vị theo mã hoặc id; mã cũ dẫn tới đơn vị kế thừa / a unit by code or id")
async def get_unit(unit_ref: str, runtime: RuntimeDep, principal: PrincipalDep) -> queries.UnitDetails:
    return await unit_out(runtime, principal, unit_ref)


@router.get("/units/{unit_ref}/subtree", response_model=out.UnitPage, tags=["units"],
            summary="Đơn vị và toàn bộ cấp dưới / a unit and all its descendants")
async def get_subtree(
    unit_ref: str, runtime: RuntimeDep, principal: PrincipalDep,
    limit: int = Query(1000, ge=1, le=10000), cursor: str | None = Query(None, max_length=400),
    offset: int = Query(0, ge=0, le=MAX_OFFSET), with_total: bool = False,
) -> queries.Page[queries.UnitDetails]:
    async with runtime.reader() as repo:
        unit = await services.load_unit(repo, unit_ref)
        return await queries.unit_page(
            repo, principal, UnitFilter(within=unit.id), cursor=cursor, limit=limit, offset=offset, with_total=with_total
        )


@router.patch("/units/{unit_ref}", response_model=out.UnitOut, tags=["units"], summary="Sửa đơn vị / update a unit")
async def update_unit(unit_ref: str, command: cmd.UpdateUnit, runtime: RuntimeDep, principal: PrincipalDep) -> queries.UnitDetails:
    unit = await services.update_unit(runtime.uow(), principal, unit_ref, command)
    return await unit_out(runtime, principal, unit.id)


@router.post("/units/{unit_ref}/merge", response_model=out.UnitOut, tags=["units"],
             summary="Hợp nhất đơn vị vào đơn vị kế thừa / merge a unit into its successor")
async def merge_unit(unit_ref: str, command: cmd.MergeUnit, runtime: RuntimeDep, principal: PrincipalDep) -> queries.UnitDetails:
    unit = await services.merge_unit(runtime.uow(), principal, unit_ref, command)
    return await unit_out(runtime, principal, unit.id)


@router.post("/units/{unit_ref}/dissolve", response_model=out.UnitOut, tags=["units"], summary="Giải thể đơn vị / dissolve a unit")
async def dissolve_unit(unit_ref: str, command: cmd.DissolveUnit, runtime: RuntimeDep, principal: PrincipalDep) -> queries.UnitDetails:
    unit = await services.dissolve_unit(runtime.uow(), principal, unit_ref, command)
    return await unit_out(runtime, principal, unit.id)


@router.get("/imports/units/template.xlsx", tags=["units"], response_class=Response,
            summary="Mẫu tệp nhập đơn vị (tiêu đề tiếng Việt, ghi chú từng cột, dòng ví dụ) / the units import template")
async def units_template(principal: PrincipalDep) -> Response:
    return attachment(template_workbook("Đơn vị", importing.UNIT_COLUMNS), XLSX, "mau-nhap-don-vi.xlsx")


@router.post("/imports/units", status_code=status.HTTP_202_ACCEPTED, response_model=JobView, tags=["units"], openapi_extra=UPLOAD_BODY,
             summary="Nhập đơn vị từ Excel/CSV, tất cả hoặc không / import units from .xlsx or .csv, all or nothing")
async def import_units(
    request: Request, runtime: RuntimeDep, principal: PrincipalDep, language: LanguageDep,
    dry_run: bool = Query(False, description="Chỉ kiểm tra / check only"),
    wait: float = Query(0, ge=0, le=25, description="Chờ tối đa (giây) để trả kết quả ngay / wait up to this many seconds for the outcome"),
) -> JSONResponse:
    """Starts a job (202, poll `GET /jobs/{id}`): reading, checking every row, then writing in one transaction.
    Rejected rows are listed in the job's error, each with its row, column and reason."""
    importing.ensure_may_import(principal)  # before a byte of the file is read

    async def work(path: pathlib.Path, filename: str, limits: SheetLimits, progress: Progress) -> dict[str, object]:
        parsed = await asyncio.to_thread(importing.read_file, path, filename, limits, progress)
        return (await importing.import_units(runtime.uow(), principal, parsed, progress, dry_run)).as_dict()

    return await start_import(request, runtime, principal, language, "import_units", wait, work)


# --- clusters ----------------------------------------------------------------------
@router.post("/clusters", status_code=status.HTTP_201_CREATED, response_model=out.ClusterOut, tags=["clusters"],
             summary="Thành lập cụm/khối thi đua / form a cluster or block")
async def form_cluster(command: cmd.FormCluster, runtime: RuntimeDep, principal: PrincipalDep) -> queries.ClusterDetails:
    cluster = await services.form_cluster(runtime.uow(), principal, command)
    async with runtime.reader() as repo:
        return await queries.cluster_details(repo, principal, cluster.id)


@router.get("/clusters", response_model=list[out.ClusterOut], tags=["clusters"], summary="Danh sách cụm/khối / list clusters")
async def list_clusters(runtime: RuntimeDep, principal: PrincipalDep, kind: str | None = Query(None, max_length=20),
                        q: str | None = Query(None, max_length=200)) -> list[queries.ClusterDetails]:
    async with runtime.reader() as repo:
        return await queries.cluster_list(repo, principal, kind, q)


@router.get("/clusters/{cluster_ref}", response_model=out.ClusterOut, tags=["clusters"], summary="Xem cụm/khối / a cluster or block")
async def get_cluster(cluster_ref: str, runtime: RuntimeDep, principal: PrincipalDep) -> queries.ClusterDetails:
    async with runtime.reader() as repo:
        return await queries.cluster_details(repo, principal, cluster_ref)


@router.put("/clusters/{cluster_ref}/members/{year}", response_model=out.MembershipChangeOut, tags=["clusters"],
            summary="Đặt danh sách thành viên của năm / set the members of a year")
async def set_members(cluster_ref: str, year: YearPath, command: cmd.SetMembers, runtime: RuntimeDep, principal: PrincipalDep) -> out.MembershipChangeOut:
    change = await services.set_members(runtime.uow(), principal, cluster_ref, year, command)
    return out.MembershipChangeOut(year=year, members=change.members, added=change.added, removed=change.removed)


@router.get("/clusters/{cluster_ref}/members/{year}", response_model=out.MembersOut, tags=["clusters"],
            summary="Thành viên, cụm trưởng, cụm phó của năm / members, leader and deputy of a year")
async def get_members(cluster_ref: str, year: YearPath, runtime: RuntimeDep, principal: PrincipalDep) -> queries.Members:
    async with runtime.reader() as repo:
        return await queries.members_of(repo, principal, cluster_ref, year)


@router.post("/clusters/{cluster_ref}/leaders/{year}", status_code=status.HTTP_201_CREATED, response_model=out.LeaderTerm,
             tags=["clusters"], summary="Ghi nhận bầu cụm trưởng, cụm phó / record the election of leader and deputy")
async def elect_leader(cluster_ref: str, year: YearPath, command: cmd.ElectLeader, runtime: RuntimeDep, principal: PrincipalDep) -> queries.LeaderTerm:
    await services.elect_leader(runtime.uow(), principal, cluster_ref, year, command)
    async with runtime.reader() as repo:
        return next(t for t in await queries.leader_terms(repo, principal, cluster_ref) if t.year == year)


@router.get("/clusters/{cluster_ref}/leaders", response_model=list[out.LeaderTerm], tags=["clusters"],
            summary="Lịch sử luân phiên cụm trưởng / rotation history")
async def leader_history(cluster_ref: str, runtime: RuntimeDep, principal: PrincipalDep) -> list[queries.LeaderTerm]:
    async with runtime.reader() as repo:
        return await queries.leader_terms(repo, principal, cluster_ref)


# --- people --------------------------------------------------------------------------
@router.post("/people", status_code=status.HTTP_201_CREATED, response_model=out.PersonOut, tags=["people"],
             summary="Đăng ký cá nhân / register a person")
async def register_person(command: cmd.RegisterPerson, runtime: RuntimeDep, principal: PrincipalDep) -> queries.PersonDetails:
    person = await services.register_person(runtime.uow(), principal, command, id_secret(runtime))
    async with runtime.reader() as repo:
        return await queries.person_details(repo, principal, person.id)


@router.get("/imports/people/template.xlsx", tags=["people"], response_class=Response,
            summary="Mẫu tệp nhập cá nhân / the people import template")
async def people_template(principal: PrincipalDep) -> Response:
    return attachment(template_workbook("Cá nhân", importing_people.PEOPLE_COLUMNS), XLSX, "mau-nhap-ca-nhan.xlsx")


@router.post("/imports/people", status_code=status.HTTP_202_ACCEPTED, response_model=JobView, tags=["people"], openapi_extra=UPLOAD_BODY,
             summary="Nhập cá nhân từ Excel/CSV, tất cả hoặc không / import people from .xlsx or .csv, all or nothing")
async def import_people(
    request: Request, runtime: RuntimeDep, principal: PrincipalDep, language: LanguageDep,
    dry_run: bool = Query(False, description="Chỉ kiểm tra / check only"),
    wait: float = Query(0, ge=0, le=25, description="Chờ tối đa (giây) để trả kết quả ngay / wait up to this many seconds for the outcome"),
) -> JSONResponse:
    """Columns: mã đơn vị, họ tên, chức vụ, số CMND/CCCD (optional). A job, as for units."""
    importing_people.ensure_may_import(principal)  # before a byte of the file is read

    async def work(path: pathlib.Path, filename: str, limits: SheetLimits, progress: Progress) -> dict[str, object]:
        parsed = await asyncio.to_thread(importing_people.read_file, path, filename, limits, progress)
        return await importing_people.import_people(runtime.uow(), principal, parsed, id_secret(runtime), progress, dry_run)

    return await start_import(request, runtime, principal, language, "import_people", wait, work)


@router.get("/people", response_model=list[out.PersonOut], tags=["people"], summary="Danh sách cá nhân / list people")
async def list_people(runtime: RuntimeDep, principal: PrincipalDep, unit: str | None = Query(None, max_length=64),
                      q: str | None = Query(None, max_length=200), limit: int = Query(100, ge=1, le=1000),
                      offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> list[queries.PersonDetails]:
    async with runtime.reader() as repo:
        return await queries.people_list(repo, principal, unit, q, limit, offset)


@router.get("/people/{person_id}", response_model=out.PersonOut, tags=["people"], summary="Xem một người / a person")
async def get_person(person_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> queries.PersonDetails:
    async with runtime.reader() as repo:
        return await queries.person_details(repo, principal, person_id)


@router.patch("/people/{person_id}", response_model=out.PersonOut, tags=["people"], summary="Sửa thông tin cá nhân / update a person")
async def update_person(person_id: str, command: cmd.UpdatePerson, runtime: RuntimeDep, principal: PrincipalDep) -> queries.PersonDetails:
    person = await services.update_person(runtime.uow(), principal, person_id, command, id_secret(runtime))
    async with runtime.reader() as repo:
        return await queries.person_details(repo, principal, person.id)


# --- access tokens ------------------------------------------------------------------
@router.post("/tokens", status_code=status.HTTP_201_CREATED, response_model=out.TokenIssued, tags=["access"],
             summary="Cấp mã truy cập / issue an access token")
async def issue_token(command: cmd.IssueToken, runtime: RuntimeDep, principal: PrincipalDep) -> out.TokenIssued:
    issued = await services.issue_token(runtime.uow(), principal, command)
    return out.TokenIssued(id=issued.token_id, token=issued.token, role=command.role, scope_unit_id=issued.scope_unit_id)


@router.get("/tokens", response_model=list[out.TokenOut], tags=["access"], summary="Các mã truy cập đã cấp (không có mã) / tokens issued")
async def list_tokens(runtime: RuntimeDep, principal: PrincipalDep, active: bool = Query(True, description="Chỉ mã còn hiệu lực / in force only"),
                      limit: int = Query(200, ge=1, le=1000), offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> list[out.TokenOut]:
    principal.require_role((Role.NATIONAL_ADMIN,))  # who may revoke them sees them
    async with runtime.reader() as repo:
        return [out.TokenOut(**row) for row in await repo.list_tokens(active, limit, offset)]


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["access"], summary="Thu hồi mã / revoke a token")
async def revoke_token(token_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> None:
    await services.revoke_token(runtime.uow(), principal, token_id)


@router.post("/nodes/{node}/keys", status_code=status.HTTP_201_CREATED, response_model=out.NodeKeyRegistered, tags=["access"],
             summary="Đăng ký khóa ký của một nút (tỉnh, hoặc thay khóa) / register a node's signing key (a province, a rotation)")
async def register_node_key(node: str, command: cmd.RegisterNodeKey, runtime: RuntimeDep, principal: PrincipalDep) -> out.NodeKeyRegistered:
    return out.NodeKeyRegistered(node=node, fingerprint=await services.register_node_key(runtime.uow(), principal, node, command))


@router.get("/me", response_model=out.WhoAmI, tags=["access"], summary="Mã truy cập đang dùng / who am I")
async def whoami(principal: PrincipalDep) -> out.WhoAmI:
    return out.WhoAmI(holder_name=principal.holder_name, role=principal.role, scope_unit_id=principal.scope_unit_id,
                      token_id=principal.token_id, is_admin=principal.role is Role.NATIONAL_ADMIN)
