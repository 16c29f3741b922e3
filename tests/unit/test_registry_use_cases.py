"""The registry's use cases and their rules, on the fake unit of work (no database, no NATS)."""

from __future__ import annotations

from datetime import date

import pytest

from thidua_shared.access.tokens import Principal
from thidua_shared.errors import Conflict, Forbidden, Invalid, NotFound
from thidua_shared.events import registry as ev
from thidua_shared.roles import Role

from thidua_registry.service_layer import commands as cmd
from thidua_registry.service_layer import services

from tests.fakes import FakeRegistryRepository, FakeUnitOfWork

ADMIN = Principal("t-admin", "Quản trị", None, Role.NATIONAL_ADMIN, None)


def officer_of(unit_id: str, role: Role = Role.PROVINCIAL_OFFICER) -> Principal:
    return Principal(f"t-{unit_id}", "Cán bộ", None, role, unit_id)


async def tree() -> FakeUnitOfWork[FakeRegistryRepository]:
    uow = FakeUnitOfWork(FakeRegistryRepository())
    for body in (
        dict(code="VCA", name="Liên minh Hợp tác xã Việt Nam", kind="national_alliance"),
        dict(code="LMHTX-10", name="Liên minh HTX tỉnh Lào Cai", kind="provincial_alliance", parent="VCA", province_code="10"),
        dict(code="LMHTX-15", name="Liên minh HTX tỉnh Yên Bái", kind="provincial_alliance", parent="VCA", province_code="15"),
        dict(code="HTX-15-VC", name="HTX Chè Văn Chấn", kind="cooperative", parent="LMHTX-15"),
    ):
        await services.register_unit(uow, ADMIN, cmd.RegisterUnit(**body))
    uow.committed.clear()
    return uow


def unit_id(uow: FakeUnitOfWork[FakeRegistryRepository], code: str) -> str:
    return next(u.id for u in uow.repo.units.values() if u.code == code)


async def test_a_registered_unit_inherits_its_province_and_records_one_event():
    uow = await tree()
    unit = await services.register_unit(uow, officer_of(unit_id(uow, "LMHTX-15")),
                                        cmd.RegisterUnit(code="htx-15-sg", name="HTX Suối Giàng", kind="cooperative", parent="LMHTX-15"))
    assert (unit.code, unit.province_code) == ("HTX-15-SG", "15")
    [event] = uow.committed
    assert isinstance(event.payload, ev.UnitRegistered) and event.payload.unit.code == "HTX-15-SG" and event.actor.role is Role.PROVINCIAL_OFFICER


@pytest.mark.parametrize(("principal_of", "body", "error"), [
    (None, dict(code="LMHTX-10", name="x", kind="provincial_alliance", parent="VCA"), Conflict),  # code taken
    (None, dict(code="HTX-X", name="x", kind="cooperative"), Invalid),  # no parent
    (None, dict(code="HTX-X", name="x", kind="cooperative", parent="KHONG-CO"), NotFound),
    ("LMHTX-10", dict(code="HTX-X", name="x", kind="cooperative", parent="LMHTX-15"), Forbidden),  # outside the officer's scope
    ("LMHTX-10", dict(code="VCA-2", name="x", kind="national_alliance"), Forbidden),  # only the national board
])
async def test_registration_rules(principal_of, body, error):
    uow = await tree()
    principal = officer_of(unit_id(uow, principal_of)) if principal_of else ADMIN
    before = dict(uow.repo.units)
    with pytest.raises(error):
        await services.register_unit(uow, principal, cmd.RegisterUnit(**body))
    assert uow.repo.units == before and uow.committed == []


async def test_a_merger_moves_the_children_and_names_them_in_its_event():
    uow = await tree()
    merged = await services.merge_unit(uow, ADMIN, "LMHTX-15", cmd.MergeUnit(successor="LMHTX-10", effective_date=date(2025, 7, 1)))
    assert merged.status.value == "merged"
    child = uow.repo.units[unit_id(uow, "HTX-15-VC")]
    assert child.parent_id == unit_id(uow, "LMHTX-10")
    assert uow.types() == ["registry.unit_updated", "registry.unit_merged"]
    assert uow.committed[-1].payload.moved_children == [child.id]
    with pytest.raises(Conflict, match="merged into 'LMHTX-10'"):
        await services.register_unit(uow, ADMIN, cmd.RegisterUnit(code="HTX-Y", name="y", kind="cooperative", parent="LMHTX-15"))


async def test_a_unit_is_not_merged_into_its_own_descendant():
    uow = await tree()
    with pytest.raises(Invalid):
        await services.merge_unit(uow, ADMIN, "LMHTX-15", cmd.MergeUnit(successor="HTX-15-VC", effective_date=date(2025, 7, 1)))
    assert uow.repo.units[unit_id(uow, "LMHTX-15")].status.value == "active" and uow.committed == []


async def test_a_unit_reporter_renames_its_unit_but_cannot_move_it_or_create_a_cycle():
    uow = await tree()
    coop = unit_id(uow, "HTX-15-VC")
    reporter = officer_of(coop, Role.UNIT_REPORTER)
    renamed = await services.update_unit(uow, reporter, "HTX-15-VC", cmd.UpdateUnit(name="HTX Chè Văn Chấn Yên Bái"))
    assert renamed.name == "HTX Chè Văn Chấn Yên Bái"
    for change in (cmd.UpdateUnit(province_code="01"), cmd.UpdateUnit(parent="LMHTX-10")):
        with pytest.raises(Forbidden, match="may not change"):
            await services.update_unit(uow, reporter, "HTX-15-VC", change)
    with pytest.raises(Invalid, match="cycle"):
        await services.update_unit(uow, ADMIN, "LMHTX-15", cmd.UpdateUnit(parent="HTX-15-VC"))


async def test_one_leader_a_year_chosen_among_that_years_members():
    uow = await tree()
    await services.form_cluster(uow, ADMIN, cmd.FormCluster(code="cum-bac", name="Cụm miền núi phía Bắc", owner="VCA"))
    await services.set_members(uow, ADMIN, "CUM-BAC", 2026, cmd.SetMembers(units=["LMHTX-10", "LMHTX-15"]))
    with pytest.raises(Invalid, match="not a member"):
        await services.elect_leader(uow, ADMIN, "CUM-BAC", 2026, cmd.ElectLeader(leader="HTX-15-VC"))
    await services.elect_leader(uow, ADMIN, "CUM-BAC", 2026, cmd.ElectLeader(leader="LMHTX-10", deputy="LMHTX-15"))
    with pytest.raises(Conflict, match="already has a leader"):
        await services.elect_leader(uow, ADMIN, "CUM-BAC", 2026, cmd.ElectLeader(leader="LMHTX-15"))
    assert uow.types()[-1] == "registry.cluster_leader_elected"


async def test_a_provincial_officer_grants_only_provincial_roles_within_the_province():
    uow = await tree()
    officer = officer_of(unit_id(uow, "LMHTX-15"))
    with pytest.raises(Forbidden):
        await services.issue_token(uow, officer, cmd.IssueToken(holder_name="x", role=Role.NATIONAL_ADMIN))
    with pytest.raises(Forbidden):
        await services.issue_token(uow, officer, cmd.IssueToken(holder_name="x", role=Role.UNIT_REPORTER, scope_unit="LMHTX-10"))
    with pytest.raises(Invalid, match="needs a unit"):
        await services.issue_token(uow, ADMIN, cmd.IssueToken(holder_name="x", role=Role.UNIT_REPORTER))
    issued = await services.issue_token(uow, officer, cmd.IssueToken(holder_name="Kế toán", role=Role.UNIT_REPORTER, scope_unit="HTX-15-VC"))
    [event] = uow.committed
    assert event.payload.token_id == issued.token_id and issued.token not in event.payload.model_dump_json()
