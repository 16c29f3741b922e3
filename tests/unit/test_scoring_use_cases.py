"""The scoring service's use cases and their rules, on the fake unit of work (no database, no NATS)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from thidua_shared.access.tokens import Principal
from thidua_shared.errors import Conflict, Forbidden, Invalid
from thidua_shared.events.campaigns import CampaignSnapshot, RegistrationSnapshot
from thidua_shared.events.registry import UnitStatus
from thidua_shared.events.scoring import AssignmentRule, RoundSnapshot, ScoringPolicy
from thidua_shared.registry_replica import ClusterView, UnitView
from thidua_shared.roles import Role

from thidua_scoring.domain import engine, model
from thidua_scoring.service_layer import commands as cmd
from thidua_scoring.service_layer import services

from tests.fakes import FakeScoringRepository, FakeUnitOfWork
from tests.scoring_block import criteria, results_of

ADMIN = Principal("t-admin", "Quản trị", None, Role.NATIONAL_ADMIN, None)
TODAY = date(2026, 11, 25)
NODE = "vn"
BLOCK = {"a": "HTX-15-A", "b": "HTX-15-B", "c": "HTX-15-C", "d": "HTX-15-D"}


def acting(unit_id: str, role: Role) -> Principal:
    return Principal(f"t-{unit_id}-{role.value}", f"Cán bộ {unit_id}", None, role, unit_id)


def campaign(campaign_id: str = "camp", parent: str | None = None, **changes: object) -> CampaignSnapshot:
    return CampaignSnapshot.model_validate({
        "id": campaign_id, "issuer_unit_id": "yb", "letter_number": None, "letter_date": None, "title": f"Phong trào {campaign_id}",
        "theme": None, "kind": "regular_movement", "period_start": "2026-01-01", "period_end": "2026-12-31", "registration_deadline": None,
        "scale": 100, "scope": {"unit_kinds": ["cooperative", "cooperative_group"]}, "sections": [],
        "milestones": [{"kind": "final", "on": "2026-12-15", "label": "Tổng kết"}], "awards": [], "attachments": [],
        "indicators": criteria(), "parent_id": parent, "status": "launched", "revision": 0, **changes,
    })


def replica() -> FakeScoringRepository:
    """Yên Bái's block: four cooperatives and a cooperative group under A; A leads it. All registered."""
    units = [
        UnitView("vca", "VCA", "Liên minh HTX Việt Nam", "national_alliance", None, None, UnitStatus.ACTIVE),
        UnitView("yb", "LMHTX-15", "Liên minh HTX tỉnh Yên Bái", "provincial_alliance", "vca", "15", UnitStatus.ACTIVE),
        *(UnitView(i, code, f"HTX {code[-1]}", "cooperative", "yb", "15", UnitStatus.ACTIVE) for i, code in BLOCK.items()),
        UnitView("g", "THT-15-A1", "Tổ hợp tác chè A1", "cooperative_group", "a", "15", UnitStatus.ACTIVE),
    ]
    members = [*BLOCK, "g"]
    return FakeScoringRepository(
        unit_views={u.id: u for u in units}, cluster_views={"khoi": ClusterView("khoi", "KHOI-15-NN", "Khối HTX nông nghiệp", "yb", "block")},
        memberships={("khoi", 2026): members}, leaders={("khoi", 2026): ("a", "b")}, campaigns={"camp": campaign()},
        registrations={f"r-{u}": RegistrationSnapshot(id=f"r-{u}", campaign_id="camp", unit_id=u, targets=[], titles=[], status="active")
                       for u in members},
    )


def report(unit_code: str, **changes: object) -> cmd.SubmitResults:
    source = unit_code if unit_code in ("HTX-15-A", "HTX-15-B", "HTX-15-C", "HTX-15-D", "HTX-15-E") else "HTX-15-E"
    return cmd.SubmitResults.model_validate({"campaign": "camp", "unit": unit_code, "period": "final", "results": results_of(source)} | changes)


async def everyone_reports(uow: FakeUnitOfWork[FakeScoringRepository]) -> None:
    for unit_code in [*BLOCK.values(), "THT-15-A1"]:
        await services.submit(uow, ADMIN, report(unit_code), TODAY, NODE)


async def test_a_report_gets_its_self_score_from_the_campaigns_rules_and_every_revision_is_a_new_version():
    uow = FakeUnitOfWork(replica())
    reporter = acting("a", Role.UNIT_REPORTER)
    first = await services.submit(uow, reporter, report("HTX-15-A"), TODAY, NODE)
    assert first.version == 1 and first.self_total == Decimal("102.00")  # 30 + 20 + 20 + 30 (capped) + 2 bonus
    revised = await services.submit(uow, reporter, report("HTX-15-A", reason="Sửa số thành viên"), TODAY, NODE)
    assert revised.id == first.id and revised.version == 2
    assert uow.types() == ["scoring.submission_received", "scoring.submission_revised"]
    assert len(uow.repo.versions[first.id]) == 2

    with pytest.raises(Forbidden):  # another unit's reporter
        await services.submit(uow, acting("b", Role.UNIT_REPORTER), report("HTX-15-A"), TODAY, NODE)
    with pytest.raises(Forbidden):  # a reviewer does not report
        await services.submit(uow, acting("a", Role.REVIEWER), report("HTX-15-A"), TODAY, NODE)
    del uow.repo.registrations["r-d"]
    with pytest.raises(Conflict, match="not registered"):
        await services.submit(uow, ADMIN, report("HTX-15-D"), TODAY, NODE)


async def test_after_the_deadline_only_the_issuers_side_types_results_in_and_says_why():
    uow = FakeUnitOfWork(replica())
    late = date(2026, 12, 16)
    with pytest.raises(Conflict, match="Reporting closed on 15/12/2026"):
        await services.submit(uow, acting("b", Role.UNIT_REPORTER), report("HTX-15-B"), late, NODE)
    officer = acting("yb", Role.PROVINCIAL_OFFICER)
    with pytest.raises(Invalid, match="needs a reason"):
        await services.submit(uow, officer, report("HTX-15-B"), late, NODE)
    typed_in = await services.submit(uow, officer, report("HTX-15-B", late_reason="Báo cáo giấy ngày 14/12"), late, NODE)
    assert typed_in.late_reason == "Báo cáo giấy ngày 14/12"


async def test_a_unit_of_an_adopting_campaign_reports_once_and_the_national_round_sees_it():
    repo = replica()
    repo.campaigns["national"] = campaign("national", issuer_unit_id="vca")
    repo.campaigns["camp"] = campaign("camp", parent="national")
    uow = FakeUnitOfWork(repo)
    await services.submit(uow, ADMIN, report("HTX-15-B"), TODAY, NODE)  # under Yên Bái's adoption
    with pytest.raises(Conflict, match="already reported this period under the related campaign 'camp'"):
        await services.submit(uow, ADMIN, report("HTX-15-B", campaign="national"), TODAY, NODE)
    round_ = await services.open_round(uow, ADMIN, cmd.OpenRound(campaign="national", period="final", cluster="KHOI-15-NN", year=2026), NODE)
    inputs = await services.round_inputs(uow.repo, round_, repo.campaigns["national"])
    assert "b" in inputs.results  # the national campaign sees the roll-up


async def test_a_round_assigns_by_rotation_leaves_kin_out_automatically_and_only_the_leader_opens_it(monkeypatch):
    uow = FakeUnitOfWork(replica())
    await everyone_reports(uow)
    opening = cmd.OpenRound(campaign="camp", period="final", cluster="KHOI-15-NN", year=2026)
    monkeypatch.setattr(model, "MAX_ROUND_CELLS", 24)  # 5 members × 5 criteria: a table too large to publish in one event
    with pytest.raises(Invalid, match="too large: 5 units × 5 criteria"):
        await services.open_round(uow, ADMIN, opening, NODE)
    monkeypatch.undo()
    with pytest.raises(Forbidden, match="leader"):
        await services.open_round(uow, acting("b", Role.CLUSTER_LEADER), opening, NODE)
    round_ = await services.open_round(uow, acting("a", Role.CLUSTER_LEADER), opening, NODE)
    pairs = uow.repo.assigned[round_.id]
    assert ("g", "a") not in pairs and ("a", "g") not in pairs  # a unit never reviews its parent or child
    assert all(sum(1 for _, unit in pairs if unit == member) == 2 for member in round_.members)
    automatic = uow.repo.conflict_rows[round_.id]
    assert any({reviewer, unit} == {"a", "g"} and row.automatic for (reviewer, unit), row in automatic.items())
    with pytest.raises(Conflict, match="already has an open round"):
        await services.open_round(uow, ADMIN, opening, NODE)
    with pytest.raises(Conflict, match="locked"):  # results are locked once review starts
        await services.submit(uow, ADMIN, report("HTX-15-C"), TODAY, NODE)
    with pytest.raises(Conflict, match="may not review"):
        await services.assign_reviewer(uow, ADMIN, round_.id, cmd.AssignReviewer(reviewer="THT-15-A1", unit="HTX-15-A"), NODE)


async def test_reviews_conflicts_explanations_and_the_close_then_nothing_changes():
    uow = FakeUnitOfWork(replica())
    await everyone_reports(uow)
    round_ = await services.open_round(uow, ADMIN, cmd.OpenRound(campaign="camp", period="final", cluster="KHOI-15-NN", year=2026), NODE)
    pairs = sorted(uow.repo.assigned[round_.id])
    scores = [{"indicator_code": code, "points": points} for code, points in (("1", 20), ("2", 15), ("3", 20), ("4", 24), ("5", 0))]

    reviewer_of_b = next(r for r, u in pairs if u == "b")
    await services.declare_conflict(uow, acting(reviewer_of_b, Role.REVIEWER), round_.id,
                                    cmd.DeclareConflict(reviewer=BLOCK.get(reviewer_of_b, "THT-15-A1"), unit="HTX-15-B", reason="Chung ban điều hành"), NODE)
    with pytest.raises(Conflict, match="declared a conflict"):
        await services.submit_review(uow, ADMIN, round_.id, cmd.SubmitReview(reviewer=reviewer_of_b, unit="b", scores=scores), NODE)
    before = list(uow.repo.review_rows.get(round_.id, []))
    with pytest.raises(Invalid, match="every criterion"):  # a first review scores everything; nothing half-written
        await services.submit_review(uow, ADMIN, round_.id, cmd.SubmitReview(reviewer=pairs[0][0], unit=pairs[0][1], scores=scores[:2]), NODE)
    assert uow.repo.review_rows.get(round_.id, []) == before
    with pytest.raises(Forbidden, match="work in"):  # nobody scores the unit it works in, even when assigned through its scope
        await services.submit_review(uow, acting("a", Role.CLUSTER_LEADER), round_.id,
                                     cmd.SubmitReview(reviewer="g", unit="a", scores=scores), NODE)
    for reviewer, unit in pairs:
        if (reviewer, unit) != (reviewer_of_b, "b"):
            await services.submit_review(uow, ADMIN, round_.id, cmd.SubmitReview(reviewer=reviewer, unit=unit, scores=scores), NODE)

    with pytest.raises(Invalid, match="only once it has been reviewed|Only criteria"):
        await services.submit_review(uow, ADMIN, round_.id, cmd.SubmitReview(
            reviewer=pairs[0][0], unit=pairs[0][1], scores=[{"indicator_code": "1", "points": 25}]), NODE)
    await services.explain(uow, acting("c", Role.UNIT_REPORTER), round_.id, cmd.Explain(unit="HTX-15-C", indicator_code="1", text="Số liệu đã kiểm toán"), NODE)
    second = next(r for r, u in pairs if u == "c")
    assert await services.submit_review(uow, ADMIN, round_.id, cmd.SubmitReview(
        reviewer=second, unit="c", scores=[{"indicator_code": "1", "points": 25}]), NODE) == 2

    close = cmd.CloseRound()
    with pytest.raises(Forbidden, match="leader"):
        await services.close_round(uow, acting("c", Role.UNIT_REPORTER), round_.id, close, NODE)
    with pytest.raises(Conflict, match="belongs to node 'vn'"):  # only the owning node writes a round
        await services.close_round(uow, ADMIN, round_.id, close, "15")
    with pytest.raises(Conflict, match="0 assigned reviews not given, 1 explained criteria"):  # c explained; one reviewer rescored
        await services.close_round(uow, acting("a", Role.CLUSTER_LEADER), round_.id, close, NODE)
    result = await services.close_round(uow, acting("a", Role.CLUSTER_LEADER), round_.id,
                                        cmd.CloseRound(accept_missing=True, reason="Hết hạn"), NODE)
    assert uow.types()[-2:] == ["scoring.review_closed", "scoring.ranking_published"]
    published = uow.committed[-1].payload
    assert published.table_digest == result.table_digest == engine.recompute(result.inputs)[1]
    assert published.inputs_digest == engine.digest(result.inputs)
    with pytest.raises(Conflict, match="closed"):
        await services.submit_review(uow, ADMIN, round_.id, cmd.SubmitReview(reviewer=pairs[0][0], unit=pairs[0][1], scores=scores), NODE)
    with pytest.raises(Invalid, match="needs a reason"):  # a correction is a new round, with its reason
        await services.open_round(uow, ADMIN, cmd.OpenRound(campaign="camp", period="final", cluster="KHOI-15-NN", year=2026, corrects=round_.id), NODE)
    correction = await services.open_round(uow, ADMIN, cmd.OpenRound(
        campaign="camp", period="final", cluster="KHOI-15-NN", year=2026, corrects=round_.id, reason="Sai số liệu tiêu chí 2 của HTX C"), NODE)
    assert correction.corrects_round_id == round_.id


def test_who_may_hand_a_round_over_and_to_whom() -> None:
    """Only the centre records a handover; a province's round goes to the centre, and back only to a
    former owner that asked for it from its own node."""
    round_ = RoundSnapshot(id="r", node="hp", campaign_id="camp", period="final", cluster_id="khoi", year=2026, members=["a"],
                           policy=ScoringPolicy(), rule=AssignmentRule(), status="open")
    taken = round_.model_copy(update={"node": "vn"})

    def refused(check: object, code: str) -> None:
        with pytest.raises(Conflict) as raised:
            check()  # type: ignore[operator]
        assert raised.value.code == code

    model.check_handover(round_, "vn", "vn", "vn", [], set())
    refused(lambda: model.check_handover(round_, "vn", "hp", "vn", [], set()), "handover_at_centre_only")
    refused(lambda: model.check_handover(round_, "hp", "vn", "vn", [], set()), "handover_to_owner")
    refused(lambda: model.check_handover(round_, "dn", "vn", "vn", [], set()), "handover_to_centre_only")
    refused(lambda: model.check_handover(taken, "dn", "vn", "vn", ["hp"], {"dn"}), "handover_back_only")
    refused(lambda: model.check_handover(taken, "hp", "vn", "vn", ["hp"], set()), "handover_back_not_asked")
    model.check_handover(taken, "hp", "vn", "vn", ["hp"], {"hp"})

    model.check_return_request(taken, "hp", "vn", ["hp"])
    refused(lambda: model.check_return_request(taken, "vn", "vn", ["hp"]), "handover_back_only")
    refused(lambda: model.check_return_request(taken, "dn", "vn", ["hp"]), "handover_back_only")
    refused(lambda: model.check_return_request(round_, "hp", "vn", ["hp"]), "return_not_with_centre")
