"""The indicator tree (chỉ tiêu, tiêu chí): codes like I, II, 1.1, 1.2.3, points that add up."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from thidua_shared.errors import Invalid
from thidua_shared.events.campaigns import Indicator, IndicatorKind, ScoringRule

# The common rule in the domain note: below target M/2 × actual/T, at target M/2,
# above it M/2 plus a share of the other half, the cluster's best earning M.
DEFAULT_TARGET_RULE = ScoringRule(name="proportional_with_excess_share", params={})


def with_defaults(indicator: Indicator) -> Indicator:
    if indicator.kind is IndicatorKind.TARGET and indicator.scoring_rule is None:
        return indicator.model_copy(update={"scoring_rule": DEFAULT_TARGET_RULE})
    return indicator


def check_tree(indicators: list[Indicator], scale: Decimal) -> list[Indicator]:
    """Validate the tree; return it with default scoring rules filled in."""
    by_code: dict[str, Indicator] = {}
    for indicator in indicators:
        if indicator.code in by_code:
            raise Invalid("indicator_code_duplicate", code=indicator.code)
        by_code[indicator.code] = indicator
        _check_kind(indicator)
    children: dict[str | None, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        if indicator.parent_code is not None and indicator.parent_code not in by_code:
            raise Invalid("indicator_parent_missing", code=indicator.code, parent=indicator.parent_code)
        children[indicator.parent_code].append(indicator)
    _check_acyclic(by_code)
    for code, kids in children.items():
        if code is None:
            continue
        parent = by_code[code]
        _check_sum(code, [k for k in kids if k.kind is not IndicatorKind.BONUS_PENALTY], parent.max_points, "indicator_sum_mismatch")
    for indicator in indicators:
        if indicator.kind is IndicatorKind.GROUP and not children.get(indicator.code):
            raise _invalid(indicator, "nhóm tiêu chí phải có tiêu chí con", "a group needs child indicators")
    roots = [i for i in children[None] if i.kind is not IndicatorKind.BONUS_PENALTY]
    _check_sum(None, roots, scale, "indicator_total_mismatch")
    return [with_defaults(i) for i in indicators]


def _check_sum(code: str | None, kids: list[Indicator], expected: Decimal, message: str) -> None:
    actual = sum((k.max_points for k in kids), Decimal(0))
    if actual != expected:
        raise Invalid(message, code=code, actual=_points(actual), expected=_points(expected))


def _points(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _check_acyclic(by_code: dict[str, Indicator]) -> None:
    for code in by_code:
        seen, current = set(), by_code[code]
        while current.parent_code is not None:
            if current.code in seen:
                raise Invalid("indicator_cycle", code=code)
            seen.add(current.code)
            current = by_code[current.parent_code]


def _invalid(indicator: Indicator, problem_vi: str, problem_en: str) -> Invalid:
    return Invalid("indicator_invalid", code=indicator.code, problem_vi=problem_vi, problem_en=problem_en)


def _check_kind(indicator: Indicator) -> None:
    kind = indicator.kind
    if kind is IndicatorKind.BONUS_PENALTY:
        if indicator.min_points is None or indicator.min_points > indicator.max_points:
            raise _invalid(indicator, "điểm thưởng/trừ cần giới hạn dưới ≤ giới hạn trên", "bonus/penalty needs min_points ≤ max_points")
        return
    if indicator.max_points <= 0:
        raise _invalid(indicator, "điểm tối đa phải lớn hơn 0", "max_points must be positive")
    if kind is IndicatorKind.TARGET and (not indicator.unit_of_measure or indicator.direction is None):
        raise _invalid(indicator, "tiêu chí định lượng cần đơn vị tính và chiều đánh giá", "a target indicator needs a unit of measure and a direction")
    if kind is IndicatorKind.PER_OCCURRENCE and not (indicator.points_per_occurrence and indicator.points_per_occurrence > 0):
        raise _invalid(indicator, "cần số điểm cho mỗi lần", "needs points per occurrence")


def leaf_codes(indicators: list[Indicator]) -> set[str]:
    parents = {i.parent_code for i in indicators}
    return {i.code for i in indicators if i.code not in parents}


def with_local_targets(indicators: list[Indicator], targets: dict[str, Decimal]) -> list[Indicator]:
    """A lower level adopting a campaign keeps its indicators and sets its own targets."""
    known = {i.code for i in indicators}
    for code in targets:
        if code not in known:
            raise Invalid("indicator_unknown", code=code)
    return [i.model_copy(update={"target": targets[i.code]}) if i.code in targets else i for i in indicators]
