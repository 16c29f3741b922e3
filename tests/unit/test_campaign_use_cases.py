"""The campaigns service's use cases and their rules, on the fake unit of work (no database, no NATS)."""

from __future__ import annotations

from datetime import date

import pytest

from thidua_shared.access.tokens import Principal
from thidua_shared.errors import Conflict, Forbidden, Invalid
from thidua_shared.events.registry import UnitStatus
from thidua_shared.roles import Role

from thidua_campaigns.domain.model import ClusterView, UnitView
from thidua_campaigns.service_layer import commands as cmd
from thidua_campaigns.service_layer import services

from tests.fakes import FakeCampaignRepository, FakeUnitOfWork

ADMIN = Principal("t-admin", "Quản trị", None, Role.NATIONAL_ADMIN, None)
TODAY = date(2026, 3, 1)


def officer(unit_id: str, role: Role = Role.PROVINCIAL_OFFICER) -> Principal:
    return Principal(f"t-{unit_id}", "Cán bộ", None, role, unit_id)


def replica() -> FakeCampaignRepository:
    """Lào Cai and Yên Bái under the VCA; Yên Bái merged into Lào Cai, its cooperative moved with it."""
    units = [
        UnitView("vca", "VCA", "Liên minh HTX Việt Nam", "national_alliance", None, None, UnitStatus.ACTIVE),
        UnitView("lc", "LMHTX-10", "Liên minh HTX tỉnh Lào Cai", "provincial_alliance", "vca", "10", UnitStatus.ACTIVE),
        UnitView("yb", "LMHTX-15", "Liên minh HTX tỉnh Yên Bái", "provincial_alliance", "vca", "15", UnitStatus.MERGED,
                 "lc", "LMHTX-10", date(2025, 7, 1)),
        UnitView("vc", "HTX-15-VC", "HTX Chè Văn Chấn", "cooperative", "lc", "15", UnitStatus.ACTIVE),
        UnitView("bh", "HTX-10-BH", "HTX Mận Bắc Hà", "cooperative", "lc", "10", UnitStatus.ACTIVE),
    ]
    return FakeCampaignRepository(
        unit_views={u.id: u for u in units}, merger_moves={"vc": ["yb"]},
        cluster_views={"cum": ClusterView("cum", "CUM-BAC", "Cụm miền núi phía Bắc", "vca")},
        memberships={("cum", 2026): ["lc", "vc"]},
    )


def draft_body(issuer: str, **changes: object) -> cmd.DraftCampaign:
    body = {
        "issuer": issuer, "title": "Đợt thi đua đặc biệt", "period_start": "2026-01-01", "period_end": "2026-12-31",
        "registration_deadline": "2026-06-30", "scope": {"unit_kinds": ["cooperative"]},
        "indicators": [{"code": "I", "title": "Thành lập mới HTX", "kind": "target", "max_points": 60, "unit_of_measure": "HTX",
                        "direction": "higher", "target": 10},
                       {"code": "II", "title": "Tuyên truyền", "kind": "achieved", "max_points": 40}],
    }
    return cmd.DraftCampaign.model_validate(body | changes)


async def running(uow: FakeUnitOfWork[FakeCampaignRepository], issuer: str = "LMHTX-10", **changes: object) -> str:
    campaign = await services.draft_campaign(uow, ADMIN, draft_body(issuer, **changes))
    await services.launch_campaign(uow, ADMIN, campaign.id)
    return campaign.id


async def test_a_campaign_launches_only_when_its_points_add_up_to_the_scale():
    uow = FakeUnitOfWork(replica())
    bad = await services.draft_campaign(uow, ADMIN, draft_body("LMHTX-10", scale=90))
    with pytest.raises(Invalid, match="scale is 90"):
        await services.launch_campaign(uow, ADMIN, bad.id)
    assert uow.repo.campaigns[bad.id].status.value == "draft"
    good = await running(uow)
    assert uow.repo.campaigns[good].indicators[0].scoring_rule is not None  # the default rule is stored with it
    assert uow.types()[-2:] == ["campaigns.campaign_drafted", "campaigns.campaign_launched"]


async def test_registration_rules_scope_deadline_and_duplicates():
    uow = FakeUnitOfWork(replica())
    campaign = await running(uow)
    await services.register(uow, officer("lc"), campaign, cmd.Register(unit="HTX-10-BH"), TODAY)
    with pytest.raises(Conflict, match="already registered"):
        await services.register(uow, officer("lc"), campaign, cmd.Register(unit="HTX-10-BH"), TODAY)
    with pytest.raises(Invalid, match="not targeted"):
        await services.register(uow, ADMIN, campaign, cmd.Register(unit="LMHTX-10"), TODAY)  # a provincial alliance
    with pytest.raises(Forbidden):
        await services.register(uow, officer("bh", Role.UNIT_REPORTER), campaign, cmd.Register(unit="HTX-15-VC"), TODAY)
    with pytest.raises(Invalid, match="not part of this campaign"):
        await services.register(uow, ADMIN, campaign, cmd.Register(unit="HTX-15-VC", targets=[{"indicator_code": "IX"}]), TODAY)
    late = date(2026, 7, 1)
    with pytest.raises(Conflict, match="closed on 30/06/2026"):  # the unit's own reporter, after the deadline
        await services.register(uow, officer("vc", Role.UNIT_REPORTER), campaign, cmd.Register(unit="HTX-15-VC"), late)
    with pytest.raises(Invalid, match="needs a reason"):  # the issuer's side records a paper registration, with a reason
        await services.register(uow, ADMIN, campaign, cmd.Register(unit="HTX-15-VC"), late)
    recorded = await services.register(uow, ADMIN, campaign, cmd.Register(unit="HTX-15-VC", late_reason="Đăng ký bằng văn bản ngày 28/6"), late)
    assert recorded.late_reason == "Đăng ký bằng văn bản ngày 28/6"


async def test_a_merged_issuers_running_campaign_targets_its_former_subtree_and_its_successor_manages_it():
    repo = replica()
    yen_bai = repo.unit_views["yb"]
    repo.unit_views["yb"] = UnitView(**{**yen_bai.__dict__, "status": UnitStatus.ACTIVE})  # launched before the merger
    uow = FakeUnitOfWork(repo)
    campaign = await running(uow, "LMHTX-15")
    repo.unit_views["yb"] = yen_bai  # then Yên Bái merged into Lào Cai
    await services.register(uow, ADMIN, campaign, cmd.Register(unit="HTX-15-VC"), TODAY)  # moved with the merger
    with pytest.raises(Invalid, match="not targeted"):
        await services.register(uow, ADMIN, campaign, cmd.Register(unit="HTX-10-BH"), TODAY)  # always Lào Cai's
    closed = await services.close_campaign(uow, officer("lc"), campaign)
    assert closed.status.value == "closed"
    with pytest.raises(Conflict, match="merged into 'LMHTX-10'"):
        await services.draft_campaign(uow, ADMIN, draft_body("LMHTX-15"))


async def test_a_pledge_completes_when_every_member_has_signed_once():
    uow = FakeUnitOfWork(replica())
    pledge_id = await services.open_pledge(uow, ADMIN, cmd.OpenPledge(cluster="CUM-BAC", year=2026, title="Giao ước 2026", text="Cam kết"))
    assert await services.sign_pledge(uow, officer("lc"), pledge_id, cmd.SignPledge(unit="LMHTX-10")) is False
    with pytest.raises(Conflict, match="already signed"):
        await services.sign_pledge(uow, ADMIN, pledge_id, cmd.SignPledge(unit="LMHTX-10"))
    with pytest.raises(Invalid, match="not a member"):
        await services.sign_pledge(uow, ADMIN, pledge_id, cmd.SignPledge(unit="HTX-10-BH"))
    assert await services.sign_pledge(uow, ADMIN, pledge_id, cmd.SignPledge(unit="HTX-15-VC")) is True
    assert uow.types()[-2:] == ["campaigns.pledge_signed", "campaigns.pledge_completed"]
    assert uow.repo.pledges[pledge_id].complete
