"""The registry's REST API. Every route needs a bearer token; reads are limited to the token's scope."""

from __future__ import annotations

from fastapi import APIRouter, File, Query, UploadFile, status
from sqlalchemy import select

from thidua_shared.errors import Forbidden, NotFound
from thidua_shared.keys import derive_secret
from thidua_shared.roles import Role
from thidua_shared.runtime import PrincipalDep, RuntimeDep, ServiceRuntime

from thidua_registry.adapters.repository import RegistryRepository
from thidua_registry.adapters.tables import messaging
from thidua_registry.domain.model import Cluster, Person, Unit, check_year
from thidua_registry.entrypoints import schemas as out
from thidua_registry.service_layer import commands as cmd
from thidua_registry.service_layer import importing, services
from thidua_registry.service_layer.access import ensure_cluster_visible, ensure_reach

router = APIRouter()


def id_secret(runtime: ServiceRuntime) -> bytes:
    return derive_secret(runtime.source.key, "registry.national-id")


# --- presenting ------------------------------------------------------------------
def ref(unit: Unit) -> out.UnitRef:
    return out.UnitRef(id=unit.id, code=unit.code, name=unit.name)


async def present_unit(repo: RegistryRepository, unit: Unit) -> out.UnitOut:
    parent = await repo.unit(unit.parent_id) if unit.parent_id else None
    successor = await repo.unit(unit.successor_id) if unit.successor_id else None
    current = successor
    while current is not None and current.successor_id:  # follow a chain of mergers to the living unit
        current = await repo.unit(current.successor_id)
    return out.UnitOut(
        id=unit.id, code=unit.code, name=unit.name, kind=unit.kind, province_code=unit.province_code,
        status=unit.status, status_date=unit.status_date, parent=ref(parent) if parent else None,
        successor=ref(successor) if successor else None, current=ref(current) if current else None,
    )


async def present_cluster(repo: RegistryRepository, cluster: Cluster) -> out.ClusterOut:
    owner = await services.load_unit(repo, cluster.owner_unit_id)
    return out.ClusterOut(id=cluster.id, code=cluster.code, name=cluster.name, kind=cluster.kind, owner=ref(owner))


async def present_person(repo: RegistryRepository, person: Person) -> out.PersonOut:
    unit = await services.load_unit(repo, person.unit_id)
    return out.PersonOut(
        id=person.id, full_name=person.full_name, position=person.position, unit=ref(unit),
        has_national_id=person.national_id_digest is not None,
    )


async def read_unit(runtime: ServiceRuntime, unit: Unit) -> out.UnitOut:
    async with runtime.db.sessions() as session:
        return await present_unit(RegistryRepository(session), unit)


# --- units -----------------------------------------------------------------------
@router.post("/units", status_code=status.HTTP_201_CREATED, response_model=out.UnitOut, tags=["units"],
             summary="Đăng ký đơn vị / register a unit")
async def register_unit(command: cmd.RegisterUnit, runtime: RuntimeDep, principal: PrincipalDep) -> out.UnitOut:
    unit = await services.register_unit(runtime.uow(), principal, command)
    return await read_unit(runtime, unit)


@router.get("/units", response_model=out.UnitPage, tags=["units"], summary="Danh sách, tìm kiếm đơn vị / list and search units")
async def list_units(
    runtime: RuntimeDep,
    principal: PrincipalDep,
    q: str | None = Query(None, description="Tìm theo tên hoặc mã, có hoặc không dấu / name or code, with or without diacritics"),
    kind: str | None = None,
    province: str | None = None,
    status_: str | None = Query(None, alias="status"),
    parent: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> out.UnitPage:
    async with runtime.db.sessions() as session:
        repo = RegistryRepository(session)
        parent_id = (await services.load_unit(repo, parent)).id if parent else None
        units, total = await repo.list_units(
            within=principal.scope_unit_id, text=q, kind=kind, province_code=province, status=status_,
            parent_id=parent_id, limit=limit, offset=offset,
        )
        return out.UnitPage(total=total, items=[await present_unit(repo, u) for u in units])


@router.get("/units/{unit_ref}", response_model=out.UnitOut, tags=["units"],
            summary="Xem đơn vị theo mã hoặc id; mã cũ dẫn tới đơn vị kế thừa / a unit by code or id")
async def get_unit(unit_ref: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.UnitOut:
    async with runtime.db.sessions() as session:
        repo = RegistryRepository(session)
        unit = await services.load_unit(repo, unit_ref)
        await ensure_reach(repo, principal, unit)
        return await present_unit(repo, unit)


@router.get("/units/{unit_ref}/subtree", response_model=out.UnitPage, tags=["units"],
            summary="Đơn vị và toàn bộ cấp dưới / a unit and all its descendants")
async def get_subtree(unit_ref: str, runtime: RuntimeDep, principal: PrincipalDep,
                      limit: int = Query(1000, ge=1, le=10000), offset: int = Query(0, ge=0)) -> out.UnitPage:
    async with runtime.db.sessions() as session:
        repo = RegistryRepository(session)
        unit = await services.load_unit(repo, unit_ref)
        await ensure_reach(repo, principal, unit)
        units, total = await repo.list_units(within=unit.id, limit=limit, offset=offset)
        return out.UnitPage(total=total, items=[await present_unit(repo, u) for u in units])


@router.patch("/units/{unit_ref}", response_model=out.UnitOut, tags=["units"], summary="Sửa đơn vị / update a unit")
async def update_unit(unit_ref: str, command: cmd.UpdateUnit, runtime: RuntimeDep, principal: PrincipalDep) -> out.UnitOut:
    unit = await services.update_unit(runtime.uow(), principal, unit_ref, command)
    return await read_unit(runtime, unit)


@router.post("/units/{unit_ref}/merge", response_model=out.UnitOut, tags=["units"],
             summary="Hợp nhất đơn vị vào đơn vị kế thừa / merge a unit into its successor")
async def merge_unit(unit_ref: str, command: cmd.MergeUnit, runtime: RuntimeDep, principal: PrincipalDep) -> out.UnitOut:
    unit = await services.merge_unit(runtime.uow(), principal, unit_ref, command)
    return await read_unit(runtime, unit)


@router.post("/units/{unit_ref}/dissolve", response_model=out.UnitOut, tags=["units"], summary="Giải thể đơn vị / dissolve a unit")
async def dissolve_unit(unit_ref: str, command: cmd.DissolveUnit, runtime: RuntimeDep, principal: PrincipalDep) -> out.UnitOut:
    unit = await services.dissolve_unit(runtime.uow(), principal, unit_ref, command)
    return await read_unit(runtime, unit)


@router.post("/imports/units", response_model=out.ImportResult, tags=["units"],
             summary="Nhập đơn vị từ Excel/CSV, tất cả hoặc không / import units from .xlsx or .csv, all or nothing")
async def import_units(runtime: RuntimeDep, principal: PrincipalDep, file: UploadFile = File(...),
                       dry_run: bool = Query(False, description="Chỉ kiểm tra / check only")) -> out.ImportResult:
    rows = importing.read_rows(file.filename or "", await file.read())
    created = await importing.import_units(runtime.uow(), principal, rows, dry_run=dry_run)
    return out.ImportResult(dry_run=dry_run, created=len(created), units=[ref(u) for u in created])


# --- clusters ----------------------------------------------------------------------
@router.post("/clusters", status_code=status.HTTP_201_CREATED, response_model=out.ClusterOut, tags=["clusters"],
             summary="Thành lập cụm/khối thi đua / form a cluster or block")
async def form_cluster(command: cmd.FormCluster, runtime: RuntimeDep, principal: PrincipalDep) -> out.ClusterOut:
    cluster = await services.form_cluster(runtime.uow(), principal, command)
    async with runtime.db.sessions() as session:
        return await present_cluster(RegistryRepository(session), cluster)


@router.get("/clusters", response_model=list[out.ClusterOut], tags=["clusters"], summary="Danh sách cụm/khối / list clusters")
async def list_clusters(runtime: RuntimeDep, principal: PrincipalDep, kind: str | None = None, q: str | None = None) -> list[out.ClusterOut]:
    async with runtime.db.sessions() as session:
        repo = RegistryRepository(session)
        clusters = await repo.list_clusters(kind=kind, text=q)
        visible = []
        for cluster in clusters:
            try:
                await ensure_cluster_visible(repo, principal, cluster)
            except Forbidden:
                continue
            visible.append(await present_cluster(repo, cluster))
        return visible


@router.get("/clusters/{cluster_ref}", response_model=out.ClusterOut, tags=["clusters"])
async def get_cluster(cluster_ref: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.ClusterOut:
    async with runtime.db.sessions() as session:
        repo = RegistryRepository(session)
        cluster = await services.load_cluster(repo, cluster_ref)
        await ensure_cluster_visible(repo, principal, cluster)
        return await present_cluster(repo, cluster)


@router.put("/clusters/{cluster_ref}/members/{year}", response_model=out.MembershipChangeOut, tags=["clusters"],
            summary="Đặt danh sách thành viên của năm / set the members of a year")
async def set_members(cluster_ref: str, year: int, command: cmd.SetMembers, runtime: RuntimeDep, principal: PrincipalDep) -> out.MembershipChangeOut:
    change = await services.set_members(runtime.uow(), principal, cluster_ref, year, command)
    return out.MembershipChangeOut(year=year, members=change.members, added=change.added, removed=change.removed)


@router.get("/clusters/{cluster_ref}/members/{year}", response_model=out.MembersOut, tags=["clusters"],
            summary="Thành viên, cụm trưởng, cụm phó của năm / members, leader and deputy of a year")
async def get_members(cluster_ref: str, year: int, runtime: RuntimeDep, principal: PrincipalDep) -> out.MembersOut:
    async with runtime.db.sessions() as session:
        repo = RegistryRepository(session)
        cluster = await services.load_cluster(repo, cluster_ref)
        await ensure_cluster_visible(repo, principal, cluster)
        check_year(year)
        terms = {t.year: t for t in await repo.leader_history(cluster.id)}
        term = terms.get(year)
        return out.MembersOut(
            cluster=await present_cluster(repo, cluster), year=year,
            members=[ref(u) for u in await repo.member_units(cluster.id, year)],
            leader=out.UnitRef(id=term.leader_id, code=term.leader_code, name=term.leader_name) if term else None,
            deputy=out.UnitRef(id=term.deputy_id, code=term.deputy_code, name=term.deputy_name) if term and term.deputy_id else None,
        )


@router.post("/clusters/{cluster_ref}/leaders/{year}", status_code=status.HTTP_201_CREATED, response_model=out.LeaderTerm,
             tags=["clusters"], summary="Ghi nhận bầu cụm trưởng, cụm phó / record the election of leader and deputy")
async def elect_leader(cluster_ref: str, year: int, command: cmd.ElectLeader, runtime: RuntimeDep, principal: PrincipalDep) -> out.LeaderTerm:
    await services.elect_leader(runtime.uow(), principal, cluster_ref, year, command)
    terms = await leader_history(cluster_ref, runtime, principal)
    return next(t for t in terms if t.year == year)


@router.get("/clusters/{cluster_ref}/leaders", response_model=list[out.LeaderTerm], tags=["clusters"],
            summary="Lịch sử luân phiên cụm trưởng / rotation history")
async def leader_history(cluster_ref: str, runtime: RuntimeDep, principal: PrincipalDep) -> list[out.LeaderTerm]:
    async with runtime.db.sessions() as session:
        repo = RegistryRepository(session)
        cluster = await services.load_cluster(repo, cluster_ref)
        await ensure_cluster_visible(repo, principal, cluster)
        return [
            out.LeaderTerm(
                year=t.year, elected_on=t.elected_on,
                leader=out.UnitRef(id=t.leader_id, code=t.leader_code, name=t.leader_name),
                deputy=out.UnitRef(id=t.deputy_id, code=t.deputy_code, name=t.deputy_name) if t.deputy_id else None,
            )
            for t in await repo.leader_history(cluster.id)
        ]


# --- people --------------------------------------------------------------------------
@router.post("/people", status_code=status.HTTP_201_CREATED, response_model=out.PersonOut, tags=["people"],
             summary="Đăng ký cá nhân / register a person")
async def register_person(command: cmd.RegisterPerson, runtime: RuntimeDep, principal: PrincipalDep) -> out.PersonOut:
    person = await services.register_person(runtime.uow(), principal, command, id_secret(runtime))
    async with runtime.db.sessions() as session:
        return await present_person(RegistryRepository(session), person)


@router.get("/people", response_model=list[out.PersonOut], tags=["people"], summary="Danh sách cá nhân / list people")
async def list_people(runtime: RuntimeDep, principal: PrincipalDep, unit: str | None = None, q: str | None = None,
                      limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)) -> list[out.PersonOut]:
    async with runtime.db.sessions() as session:
        repo = RegistryRepository(session)
        unit_id = None
        if unit:
            target = await services.load_unit(repo, unit)
            await ensure_reach(repo, principal, target)
            unit_id = target.id
        within = repo.subtree_ids(principal.scope_unit_id) if principal.scope_unit_id else None
        people = await repo.list_people(within=within, unit_id=unit_id, text=q, limit=limit, offset=offset)
        return [await present_person(repo, p) for p in people]


@router.get("/people/{person_id}", response_model=out.PersonOut, tags=["people"])
async def get_person(person_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.PersonOut:
    async with runtime.db.sessions() as session:
        repo = RegistryRepository(session)
        person = await repo.person(person_id)
        if person is None:
            raise NotFound("person_not_found", ref=person_id)
        await ensure_reach(repo, principal, await services.load_unit(repo, person.unit_id))
        return await present_person(repo, person)


@router.patch("/people/{person_id}", response_model=out.PersonOut, tags=["people"], summary="Sửa thông tin cá nhân / update a person")
async def update_person(person_id: str, command: cmd.UpdatePerson, runtime: RuntimeDep, principal: PrincipalDep) -> out.PersonOut:
    person = await services.update_person(runtime.uow(), principal, person_id, command, id_secret(runtime))
    async with runtime.db.sessions() as session:
        return await present_person(RegistryRepository(session), person)


# --- access tokens ------------------------------------------------------------------
@router.post("/tokens", status_code=status.HTTP_201_CREATED, response_model=out.TokenIssued, tags=["access"],
             summary="Cấp mã truy cập / issue an access token")
async def issue_token(command: cmd.IssueToken, runtime: RuntimeDep, principal: PrincipalDep) -> out.TokenIssued:
    token_id, token = await services.issue_token(runtime.uow(), principal, command)
    async with runtime.db.sessions() as session:
        scope_id = await session.scalar(select(messaging.access_tokens.c.scope_unit_id).where(messaging.access_tokens.c.id == token_id))
    return out.TokenIssued(id=token_id, token=token, role=command.role, scope_unit_id=scope_id)


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["access"], summary="Thu hồi mã / revoke a token")
async def revoke_token(token_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> None:
    await services.revoke_token(runtime.uow(), principal, token_id)


@router.get("/me", tags=["access"], summary="Mã truy cập đang dùng / who am I")
async def whoami(principal: PrincipalDep) -> dict[str, object]:
    return {"holder_name": principal.holder_name, "role": principal.role, "scope_unit_id": principal.scope_unit_id,
            "token_id": principal.token_id, "is_admin": principal.role is Role.NATIONAL_ADMIN}
