"""The point rules a campaign stores with its criteria, so that any ranking can be recomputed later.

Each rule turns one reported result into points, as an exact ratio (numerator, denominator) of
1/10,000 point. A rule's name and parameters come from the campaign's indicator
(`scoring_rule`); the defaults by kind are those of the domain note:

- target (quantitative), `proportional_with_excess_share`: below the target M/2 × actual/target;
  meeting it M/2; exceeding it M/2 plus the share of the other half in proportion to how far it
  exceeds, the cluster's best (`best`) earning M (parameter `excess_share`, default 1: all of it).
  Lower-is-better criteria mirror it. Also `linear_to_target` and `threshold`.
- achieved/not, `all_or_nothing`: M when achieved.
- per occurrence, `per_occurrence_capped`: points per occurrence × count, at most M.
- bonus/penalty, `bounded_points`: the points claimed, kept within [min, max].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from thidua_shared.errors import Invalid
from thidua_shared.events.campaigns import RuleParams

from thidua_scoring.domain.fixed import POINT_PLACES, QUANTITY_PLACES

Ratio = tuple[int, int]  # points × 10^4 as numerator / denominator


@dataclass(frozen=True)
class Criterion:
    """One leaf criterion, in integers: points × 10^4, quantities × 10^6."""

    code: str
    kind: str  # target, achieved, per_occurrence, bonus_penalty
    max_points: int
    min_points: int
    rule: str
    higher_is_better: bool = True
    target: int | None = None
    per_occurrence: int | None = None
    excess_num: int = 1  # the share of the other half that exceeding the target can earn
    excess_den: int = 1


@dataclass(frozen=True)
class Result:
    """A reported result in integers: `value` × 10^6 (target, count) or points × 10^4 (bonus); `achieved`."""

    value: int | None = None
    achieved: bool | None = None


RuleFunction = Callable[[Criterion, Result, int | None], Ratio]


def _proportional_with_excess_share(c: Criterion, r: Result, best: int | None) -> Ratio:
    m, t, a = c.max_points, c.target or 0, r.value or 0
    half = (m, 2)
    if c.higher_is_better:
        if a < t:
            return (m * max(a, 0), 2 * t) if t > 0 else (0, 1)
        better, beyond = a - t, (best if best is not None and best > a else a) - t
    else:
        if a > t:
            return (m * t, 2 * a) if a > 0 else (0, 1)
        better, beyond = t - a, t - (best if best is not None and best < a else a)
    if better == 0 or beyond <= 0:
        return half if better == 0 else (m, 1)
    # m/2 + m/2 × share × better/beyond, one ratio
    numerator = m * beyond * c.excess_den + m * c.excess_num * better
    return numerator, 2 * beyond * c.excess_den


def _linear_to_target(c: Criterion, r: Result, best: int | None) -> Ratio:
    m, t, a = c.max_points, c.target or 0, r.value or 0
    if c.higher_is_better:
        if t <= 0:
            return (m, 1) if a >= t else (0, 1)
        return (m * min(max(a, 0), t), t)
    if a <= t:
        return (m, 1)
    return (m * t, a) if t > 0 else (0, 1)


def _threshold(c: Criterion, r: Result, best: int | None) -> Ratio:
    t, a = c.target or 0, r.value or 0
    met = a >= t if c.higher_is_better else a <= t
    return (c.max_points if met else 0, 1)


def _all_or_nothing(c: Criterion, r: Result, best: int | None) -> Ratio:
    return (c.max_points if r.achieved else 0, 1)


def _per_occurrence_capped(c: Criterion, r: Result, best: int | None) -> Ratio:
    count_scaled = max(r.value or 0, 0)  # the count × 10^6
    earned = c.per_occurrence or 0  # points × 10^4 per occurrence
    return (min(count_scaled * earned, c.max_points * 10**QUANTITY_PLACES), 10**QUANTITY_PLACES)


def _bounded_points(c: Criterion, r: Result, best: int | None) -> Ratio:
    return (min(max(r.value or 0, c.min_points), c.max_points), 1)


RULES: dict[str, tuple[str, RuleFunction]] = {
    "proportional_with_excess_share": ("target", _proportional_with_excess_share),
    "linear_to_target": ("target", _linear_to_target),
    "threshold": ("target", _threshold),
    "all_or_nothing": ("achieved", _all_or_nothing),
    "per_occurrence_capped": ("per_occurrence", _per_occurrence_capped),
    "bounded_points": ("bonus_penalty", _bounded_points),
}
DEFAULT_RULES = {"target": "proportional_with_excess_share", "achieved": "all_or_nothing",
                 "per_occurrence": "per_occurrence_capped", "bonus_penalty": "bounded_points"}
# Rules that compare a unit with the best of its cluster: the self-score takes the unit's own result as the best.
RELATIVE_RULES = frozenset({"proportional_with_excess_share"})


def rule_for(kind: str, name: str | None) -> str:
    """The rule a criterion is scored by: its declared one, if it fits the kind, else the kind's default."""
    chosen = name or DEFAULT_RULES[kind]
    if chosen not in RULES:
        raise Invalid("scoring_rule_unknown", rule=chosen, known=", ".join(sorted(RULES)))
    if RULES[chosen][0] != kind:
        raise Invalid("scoring_rule_wrong_kind", rule=chosen, kind=kind)
    return chosen


def share(params: RuleParams) -> tuple[int, int]:
    """The `excess_share` parameter (a fraction between 0 and 1, default 1) as a ratio of integers."""
    value = Decimal(1) if params.excess_share is None else Decimal(str(params.excess_share))
    if not Decimal(0) <= value <= Decimal(1):
        raise Invalid("scoring_rule_parameter", name="excess_share", value=str(value))
    numerator, denominator = value.as_integer_ratio()
    return numerator, denominator


def apply(criterion: Criterion, result: Result, best: int | None) -> Ratio:
    return RULES[criterion.rule][1](criterion, result, best)


POINT_SCALE = 10**POINT_PLACES
