"""A campaign's criteria as the scoring engine sees them, and the checks a reported result must pass.

A result must fit its criterion: a number for a target (in the criterion's unit of measure, not
negative unless the rule's parameter `allow_negative` says so, at most its `max_value` if set),
achieved or not for a qualitative one, a whole non-negative count for points per occurrence, and
for bonus or penalty points within the criterion's bounds. Anything else is refused with the
criterion named, in both languages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from thidua_shared.errors import Invalid
from thidua_shared.events.campaigns import CampaignSnapshot, Direction, Indicator, IndicatorKind, RuleParams
from thidua_shared.events.scoring import ReportedResult
from thidua_shared.text import search_key

from thidua_scoring.domain import rules
from thidua_scoring.domain.fixed import points_int, quantity_int
from thidua_scoring.domain.rules import Criterion, Result


@dataclass(frozen=True)
class Node:
    """A criterion in the campaign's tree: a leaf scored by a rule, or a group summing its children."""

    code: str
    parent: str | None
    title: str
    kind: str
    max_points: int  # × 10^4
    leaf: Criterion | None  # None for a group
    unit_of_measure: str | None = None
    allow_negative: bool = False
    max_value: int | None = None  # × 10^6


def criteria_of(campaign: CampaignSnapshot) -> list[Node]:
    """The campaign's criteria in its order (I, 1.1, 1.2, II, ...), groups and leaves."""
    parents = {i.parent_code for i in campaign.indicators}
    return [_node(i, is_leaf=i.code not in parents and i.kind is not IndicatorKind.GROUP) for i in campaign.indicators]


def _node(indicator: Indicator, is_leaf: bool) -> Node:
    params = indicator.scoring_rule.params if indicator.scoring_rule else RuleParams()
    leaf = None
    if is_leaf:
        kind = indicator.kind.value
        excess_num, excess_den = rules.share(params) if kind == "target" else (1, 1)
        leaf = Criterion(
            code=indicator.code, kind=kind, max_points=points_int(indicator.max_points),
            min_points=points_int(indicator.min_points) if indicator.min_points is not None else 0,
            rule=rules.rule_for(kind, indicator.scoring_rule.name if indicator.scoring_rule else None),
            higher_is_better=indicator.direction is not Direction.LOWER_IS_BETTER,
            target=quantity_int(indicator.target) if indicator.target is not None else None,
            per_occurrence=points_int(indicator.points_per_occurrence) if indicator.points_per_occurrence is not None else None,
            excess_num=excess_num, excess_den=excess_den,
        )
    return Node(
        code=indicator.code, parent=indicator.parent_code, title=indicator.title, kind=indicator.kind.value,
        max_points=points_int(indicator.max_points), leaf=leaf, unit_of_measure=indicator.unit_of_measure,
        allow_negative=bool(params.allow_negative),
        max_value=quantity_int(params.max_value) if params.max_value is not None else None,
    )


def check_results(nodes: Sequence[Node], reported: Sequence[ReportedResult]) -> dict[str, Result]:
    """The reported results as the engine's `Result`s, keyed by criterion; refuses any that does not fit."""
    leaves = {n.code: n for n in nodes if n.leaf is not None}
    checked: dict[str, Result] = {}
    for item in reported:
        node = leaves.get(item.indicator_code)
        if node is None:
            raise Invalid("result_unknown_criterion", code=item.indicator_code)
        if item.indicator_code in checked:
            raise Invalid("result_duplicate", code=item.indicator_code)
        checked[item.indicator_code] = _checked(node, item)
    return checked


def _refuse(node: Node, problem_vi: str, problem_en: str) -> Invalid:
    return Invalid("result_invalid", code=node.code, problem_vi=problem_vi, problem_en=problem_en)


def _checked(node: Node, item: ReportedResult) -> Result:
    kind = node.kind
    if kind == "achieved":
        if item.achieved is None or item.value is not None:
            raise _refuse(node, "cần trả lời đạt hay không đạt", "needs achieved: true or false")
        return Result(achieved=item.achieved)
    if item.value is None or item.achieved is not None:
        raise _refuse(node, "cần một giá trị số", "needs a number")
    if kind == "bonus_penalty":
        points = points_int(item.value)
        assert node.leaf is not None
        if not node.leaf.min_points <= points <= node.leaf.max_points:
            raise _refuse(node, "điểm ngoài giới hạn cho phép", "points outside the criterion's bounds")
        return Result(value=points)
    value = quantity_int(item.value)
    if kind == "per_occurrence" and (value < 0 or value % 10**6):
        raise _refuse(node, "số lần phải là số nguyên không âm", "the count must be a whole number, not negative")
    if kind == "target":
        if item.unit_of_measure and node.unit_of_measure and search_key(item.unit_of_measure) != search_key(node.unit_of_measure):
            raise _refuse(node, f"đơn vị tính phải là «{node.unit_of_measure}»", f"the unit of measure must be '{node.unit_of_measure}'")
        if value < 0 and not node.allow_negative:
            raise _refuse(node, "giá trị không được âm", "the value cannot be negative")
    if node.max_value is not None and value > node.max_value:
        raise _refuse(node, "giá trị vượt giới hạn của tiêu chí", "the value is beyond the criterion's bound")
    return Result(value=value)
