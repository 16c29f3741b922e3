"""Campaign rules without I/O: indicator trees, launch and revision, scope, deadlines, pledges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from thidua_shared.errors import Conflict, Invalid
from thidua_shared.events.campaigns import (
    CampaignKind,
    CampaignSnapshot,
    CampaignStatus,
    Direction,
    Indicator,
    IndicatorKind,
    PledgedTarget,
    Scope,
)
from thidua_shared.events.registry import UnitStatus

from thidua_campaigns.domain import indicators as tree
from thidua_campaigns.domain import model
from thidua_campaigns.domain.model import UnitView


def ind(code: str, points: int, kind: IndicatorKind = IndicatorKind.ACHIEVED, parent: str | None = None, **extra) -> Indicator:
    return Indicator(code=code, parent_code=parent, title=f"Tiêu chí {code}", kind=kind, max_points=Decimal(points), **extra)


def target(code: str, points: int, parent: str | None = None, value: int = 50) -> Indicator:
    return ind(code, points, IndicatorKind.TARGET, parent, unit_of_measure="HTX", direction=Direction.HIGHER_IS_BETTER, target=Decimal(value))


TREE = [
    ind("I", 60, IndicatorKind.GROUP),
    target("1.1", 40, "I"),
    ind("1.2", 20, IndicatorKind.PER_OCCURRENCE, "I", points_per_occurrence=Decimal(5)),
    ind("II", 40),
    ind("III", 5, IndicatorKind.BONUS_PENALTY, min_points=Decimal(-5)),
]


def campaign(**changes) -> CampaignSnapshot:
    base = CampaignSnapshot(
        id="c1", issuer_unit_id="yb", letter_number="252/LMHTX-PTĐTĐ", letter_date=date(2019, 10, 5),
        title="Đợt thi đua đặc biệt chào mừng Đại hội Đảng", theme=None, kind=CampaignKind.SPECIAL_CAMPAIGN,
        period_start=date(2019, 10, 1), period_end=date(2020, 12, 31), registration_deadline=date(2019, 11, 30),
        scale=Decimal(100), scope=Scope(unit_kinds=["cooperative"]), sections=[], milestones=[], awards=[], attachments=[],
        indicators=TREE, parent_id=None, status=CampaignStatus.DRAFT, revision=0,
    )
    return base.model_copy(update=changes)


COOP = UnitView("c", "HTX-15-VC", "HTX Chè Văn Chấn", "cooperative", "yb", "15", UnitStatus.ACTIVE)


def test_a_valid_tree_gets_the_default_scoring_rule_for_targets():
    checked = tree.check_tree(TREE, Decimal(100))
    rule = next(i for i in checked if i.code == "1.1").scoring_rule
    assert rule is not None and rule.name == "proportional_with_excess_share"


def test_children_must_add_up_to_their_parent():
    broken = [ind("I", 60, IndicatorKind.GROUP), target("1.1", 30, "I"), ind("II", 40)]
    with pytest.raises(Invalid) as error:
        tree.check_tree(broken, Decimal(100))
    assert error.value.code == "indicator_sum_mismatch"
    assert "30" in error.value.message("vi") and "60" in error.value.message("vi")


def test_the_whole_must_add_up_to_the_scale_bonus_aside():
    with pytest.raises(Invalid) as error:
        tree.check_tree([ind("I", 50), ind("II", 40), ind("III", 10, IndicatorKind.BONUS_PENALTY, min_points=Decimal(0))], Decimal(100))
    assert error.value.code == "indicator_total_mismatch"


@pytest.mark.parametrize(
    "broken, code",
    [
        ([ind("I", 100), ind("I", 0)], "indicator_code_duplicate"),
        ([ind("I", 100), ind("1.1", 100, parent="IX")], "indicator_parent_missing"),
        ([ind("I", 100, IndicatorKind.TARGET)], "indicator_invalid"),
        ([ind("I", 100, IndicatorKind.PER_OCCURRENCE)], "indicator_invalid"),
        ([ind("I", 100, IndicatorKind.GROUP)], "indicator_invalid"),
        ([ind("I", 100), ind("B", 5, IndicatorKind.BONUS_PENALTY, min_points=Decimal(10))], "indicator_invalid"),
    ],
)
def test_malformed_trees_are_refused_with_a_reason(broken, code):
    with pytest.raises(Invalid) as error:
        tree.check_tree(broken, Decimal(100))
    assert error.value.code == code


def test_no_launch_without_period_or_indicators():
    with pytest.raises(Invalid, match="period"):
        model.launch(campaign(period_start=None))
    with pytest.raises(Invalid, match="indicators"):
        model.launch(campaign(indicators=[]))
    launched = model.launch(campaign())
    assert launched.status is CampaignStatus.LAUNCHED
    with pytest.raises(Conflict):
        model.launch(launched)


def test_after_launch_only_a_reasoned_revision_changes_it():
    launched = model.launch(campaign())
    with pytest.raises(Invalid):
        model.revise(launched, {"period_end": date(2021, 3, 31)}, reason="  ")
    with pytest.raises(Invalid) as error:
        model.revise(launched, {"issuer_unit_id": "other"}, reason="đổi đơn vị")
    assert error.value.code == "revision_not_allowed"
    revised, changed = model.revise(launched, {"period_end": "2021-03-31"}, reason="Kéo dài theo Kế hoạch 218/KH-UBND")
    assert changed == ["period_end"] and revised.revision == 1 and revised.period_end == date(2021, 3, 31)
    with pytest.raises(Conflict):
        model.ensure_draft(revised)


def test_adoption_inherits_indicators_with_local_targets():
    national = model.launch(campaign(id="n", issuer_unit_id="vca"))
    child = model.adopt(national, campaign(id="p", issuer_unit_id="nb", indicators=[]), {"1.1": Decimal(12)})
    assert child.parent_id == "n"
    assert next(i for i in child.indicators if i.code == "1.1").target == Decimal(12)
    with pytest.raises(Invalid):
        model.adopt(national, campaign(id="p", indicators=[]), {"9.9": Decimal(1)})
    with pytest.raises(Conflict):
        model.adopt(campaign(), campaign(id="p"), {})


def test_scope_needs_the_issuers_subtree_and_every_criterion():
    launched = model.launch(campaign(scope=Scope(unit_kinds=["cooperative"], province_codes=["15"])))
    model.ensure_in_scope(launched, COOP, ["c", "yb", "vca"], set())
    with pytest.raises(Invalid) as error:
        model.ensure_in_scope(launched, COOP, ["c", "lc", "vca"], set())  # not under the issuing province
    assert error.value.code == "unit_not_in_scope"
    union = UnitView("u", "LHHTX-15", "Liên hiệp", "cooperative_union", "yb", "15", UnitStatus.ACTIVE)
    with pytest.raises(Invalid):
        model.ensure_in_scope(launched, union, ["u", "yb", "vca"], set())
    by_cluster = model.launch(campaign(scope=Scope(cluster_ids=["k1"])))
    model.ensure_in_scope(by_cluster, COOP, ["c", "yb"], {"k1"})
    with pytest.raises(Invalid):
        model.ensure_in_scope(by_cluster, COOP, ["c", "yb"], {"k2"})


def test_registration_closes_after_the_deadline_and_checks_indicators():
    launched = model.launch(campaign())
    model.ensure_registration_open(launched, date(2019, 11, 30))
    with pytest.raises(Conflict) as error:
        model.ensure_registration_open(launched, date(2019, 12, 1))
    assert "30/11/2019" in error.value.message("vi")
    with pytest.raises(Invalid):
        model.check_targets(launched, [PledgedTarget(indicator_code="7.7", target=Decimal(1))])


def test_a_merged_unit_is_refused_with_its_successor_named():
    merged = UnitView("yb", "LMHTX-15", "Yên Bái", "provincial_alliance", "vca", "15", UnitStatus.MERGED, "lc", "LMHTX-10", date(2025, 7, 1))
    with pytest.raises(Conflict) as error:
        merged.ensure_active()
    assert error.value.message("vi") == "Đơn vị «LMHTX-15» đã hợp nhất vào «LMHTX-10» từ ngày 01/07/2025."


def test_a_pledge_is_complete_when_every_member_has_signed_once():
    members = ["a", "b"]
    a = UnitView("a", "A", "A", "provincial_alliance", "vca", "01", UnitStatus.ACTIVE)
    b = UnitView("b", "B", "B", "provincial_alliance", "vca", "31", UnitStatus.ACTIVE)
    outsider = UnitView("x", "X", "X", "provincial_alliance", "vca", "48", UnitStatus.ACTIVE)
    assert model.sign_pledge(members, [], a, 2018) is False
    with pytest.raises(Conflict):
        model.sign_pledge(members, ["a"], a, 2018)
    with pytest.raises(Invalid):
        model.sign_pledge(members, ["a"], outsider, 2018)
    assert model.sign_pledge(members, ["a"], b, 2018) is True
    with pytest.raises(Conflict):
        model.sign_pledge(members, ["a", "b"], b, 2018)


def test_a_rules_parameters_are_typed_and_documented():
    """Found: `params: object` in OpenAPI, so a campaign's value bounds (`max_value`, `allow_negative`) were undocumented."""
    from pydantic import ValidationError

    from thidua_shared.events.campaigns import ScoringRule
    from thidua_shared.settings import Settings
    from thidua_campaigns.entrypoints.app import create_app

    rule = ScoringRule.model_validate({"name": "proportional_with_excess_share", "params": {"excess_share": "0.5", "max_value": 200}})
    assert rule.params.excess_share == Decimal("0.5") and rule.params.allow_negative is None
    for params in ({"excess_share": 2}, {"unknown": 1}, {"allow_negative": "perhaps"}):
        with pytest.raises(ValidationError):
            ScoringRule.model_validate({"name": "threshold", "params": params})
    schemas = create_app(Settings()).openapi()["components"]["schemas"]
    documented = schemas["RuleParams-Input"]["properties"]
    assert set(documented) == {"excess_share", "max_value", "allow_negative"}
    assert all(field.get("description") for field in documented.values())
