"""The scoring engine: a round's inputs in, its score table and ranking out. Pure: no I/O, no clock.

For every member and criterion the table shows the self-score (the campaign's rule on the unit's
own results, the unit taken as the best), the computed score (the same rule, the cluster's best
known), the reviewers' scores aggregated by the round's policy (mean, median or trimmed mean,
after an optional per-reviewer normalisation; a reviewer with a conflict is left out of that
unit's averages), and the final score: the reviewed one, or the computed one if nobody reviewed
it. Groups sum their children; bonus and penalty points are added to the base and, unless the
policy says otherwise, a total never exceeds the scale. Ranks follow the declared tie-break;
what it cannot settle stays an open tie, flagged for a ballot, never guessed.

Inputs are sorted before use and all arithmetic is on integers (domain/fixed.py), so the order
of units and reviewers never changes a result, and `inputs_document` → `score` → `table_document`
gives the same bytes on any machine: the digests in `scoring.ranking_published` prove it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, localcontext
from typing import Any

from thidua_shared.events.envelope import canonical_json
from thidua_shared.events.scoring import Normalization, ScoringPolicy, TieBreak

from thidua_scoring.domain import rules
from thidua_scoring.domain.fixed import POINT_PLACES, QUANTITY_PLACES, points_int, quantity_int, round_div, to_decimal
from thidua_scoring.domain.results import Node
from thidua_scoring.domain.rules import Criterion, Result

ENGINE = "thidua-scoring/1"


@dataclass(frozen=True)
class Review:
    reviewer: str
    unit: str
    code: str
    stage: int
    points: int  # × 10^4


# A cell's reviews as the engine reads them: (reviewer, stage, points × 10^4) by (unit, criterion).
CellReviews = Mapping[tuple[str, str], Sequence[tuple[str, int, int]]]


def by_cell(reviews: Iterable[Review]) -> dict[tuple[str, str], list[tuple[str, int, int]]]:
    grouped: dict[tuple[str, str], list[tuple[str, int, int]]] = defaultdict(list)
    for r in reviews:
        grouped[(r.unit, r.code)].append((r.reviewer, r.stage, r.points))
    return dict(grouped)


@dataclass(frozen=True)
class EngineInputs:
    round: Mapping[str, Any]  # the round's identity: id, campaign, cluster, period, year
    scale: int  # × 10^4
    nodes: tuple[Node, ...]
    policy: ScoringPolicy
    members: tuple[str, ...]
    results: Mapping[str, Mapping[str, Result]]
    reviews: CellReviews = field(default_factory=dict)
    conflicts: frozenset[tuple[str, str]] = frozenset()  # (reviewer, unit)
    # The self-score each unit saw and confirmed when it submitted (× 10^4), by unit and criterion.
    self_points: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    # The targets a unit pledged when it registered (× 10^6), by unit and criterion: they replace the campaign's.
    targets: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


@dataclass(slots=True)
class Cell:
    code: str
    self_points: int
    computed: int
    review: int | None
    final: int
    at_max: bool


@dataclass(slots=True)
class Row:
    unit: str
    cells: list[Cell]
    base: int
    bonus: int
    total: int
    criteria_at_max: int
    first_criterion: int
    rank: int = 0
    tied_with: list[str] = field(default_factory=list)


@dataclass
class Table:
    decimals: int
    rows: list[Row]
    leader: str | None
    open_ties: list[list[str]]


# --- scoring -----------------------------------------------------------------------------------
def self_score(nodes: Sequence[Node], results: Mapping[str, Result], decimals: int = 2,
               targets: Mapping[str, int] | None = None) -> dict[str, int]:
    """A unit's self-score (× 10^4, rounded to `decimals` places) from its own results, as shown before it
    confirms: each criterion's rule (on the unit's pledged target, if it pledged one) with the unit taken
    as the best of its cluster (the cluster is not known yet)."""
    scores = {}
    for node in nodes:
        c = node.leaf
        if c is None:
            continue
        if targets and c.code in targets and c.kind == "target":
            c = replace(c, target=targets[c.code])
        ratio = rules.apply(c, results.get(c.code, Result()), None)
        scores[c.code] = round_div(ratio[0] * 10**decimals, ratio[1] * 10**POINT_PLACES) * 10 ** (POINT_PLACES - decimals)
    return scores


def score(inputs: EngineInputs) -> Table:
    d = inputs.policy.decimals
    to_d, per_point = 10**d, 10**POINT_PLACES  # a ratio of points × 10^4 to the policy's places: × 10^d / 10^4
    members = sorted(set(inputs.members))
    leaves = [n for n in inputs.nodes if n.leaf is not None]
    reviews = _reviews_by_unit(inputs, leaves)
    method, trim = inputs.policy.aggregation.value, inputs.policy.trim.as_integer_ratio()
    # Per criterion, once: its rule, the cluster's best result (for relative rules), its maximum, whether it is a bonus.
    plans = []
    for node in leaves:
        c: Criterion = node.leaf  # type: ignore[assignment]
        plans.append((c.code, c, rules.RULES[c.rule][1], _best(c, members, inputs.results), _scaled(c.max_points, d),
                      c.kind == "bonus_penalty"))
    empty_result, empty = Result(), {}
    tree = _tree(inputs, d)
    rows = []
    for unit in members:
        results, own_scores, unit_reviews = inputs.results.get(unit, empty), inputs.self_points.get(unit, empty), reviews.get(unit, empty)
        cells: dict[str, Cell] = {}
        base = bonus = at_max = 0
        pledged = inputs.targets.get(unit)
        for code, c, rule, best, maximum, is_bonus in plans if not pledged else _pledged(plans, pledged):
            numerator, denominator = rule(c, results.get(code, empty_result), best)
            computed = _round(numerator * to_d, denominator * per_point)
            own = _round(own_scores.get(code, 0) * to_d, per_point)
            points = unit_reviews.get(code)
            if points is None:
                review = None
            elif method == "mean" or len(points) == 1:  # the common case, inline: the mean, rounded once
                review = _round(sum(points) * to_d, len(points) * per_point)
            else:
                review = _aggregate(points, method, trim, d)
            final = computed if review is None else review
            cells[code] = Cell(code, own, computed, review, final, final == maximum)
            if is_bonus:
                bonus += final
            else:
                base += final
                at_max += final == maximum
        rows.append(_row(unit, cells, tree, base, bonus, at_max))
    return _ranked(rows, inputs.policy, d)


def _pledged(plans: list[tuple[Any, ...]], targets: Mapping[str, int]) -> list[tuple[Any, ...]]:
    """The criteria as one unit is scored on them: its pledged targets in place of the campaign's."""
    return [(code, replace(c, target=targets[code]) if code in targets and c.kind == "target" else c, *rest)
            for code, c, *rest in plans]


def _round(numerator: int, denominator: int) -> int:
    """round_div for a positive denominator, the common non-negative case inlined (this runs for every cell)."""
    return (2 * numerator + denominator) // (2 * denominator) if numerator >= 0 else round_div(numerator, denominator)


def _scaled(points: int, d: int) -> int:
    """Points × 10^4 at the policy's decimals (exact: maxima have at most `d` places in practice; else rounded once)."""
    return round_div(points * 10**d, 10**POINT_PLACES)


def _best(c: Criterion, members: Sequence[str], results: Mapping[str, Mapping[str, Result]]) -> int | None:
    """The cluster's best result for a criterion whose rule compares units; None for the others."""
    if c.rule not in rules.RELATIVE_RULES:
        return None
    values = [r.value for unit in members if (r := results.get(unit, {}).get(c.code)) is not None and r.value is not None]
    if not values:
        return None
    return max(values) if c.higher_is_better else min(values)


def _reviews_by_unit(inputs: EngineInputs, leaves: Sequence[Node]) -> dict[str, dict[str, list[int]]]:
    """unit → criterion → the points (× 10^4) that count: each reviewer's latest stage, conflicts left out,
    normalised if the policy says so."""
    if inputs.policy.normalization is not Normalization.NONE:
        return _normalized_by_unit(inputs, leaves)
    conflicted = {unit for _, unit in inputs.conflicts}
    by_unit: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for (unit, code), entries in inputs.reviews.items():
        points = [p for _, stage, p in entries if stage == 1]
        if len(points) != len(entries) or unit in conflicted:  # a second review or a conflict: the full rule
            points = [p for _, p in _latest(unit, entries, inputs.conflicts)]
        if points:
            by_unit[unit][code] = points
    return by_unit


def _normalized_by_unit(inputs: EngineInputs, leaves: Sequence[Node]) -> dict[str, dict[str, list[int]]]:
    grouped = {cell: scores for cell, entries in inputs.reviews.items() if (scores := _latest(cell[0], entries, inputs.conflicts))}
    bounds = {n.code: (n.leaf.min_points if n.kind == "bonus_penalty" else 0, n.max_points) for n in leaves}  # type: ignore[union-attr]
    by_unit: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for (unit, code), scores in _normalized(grouped, inputs.policy.normalization, bounds).items():
        by_unit[unit][code] = [p for _, p in scores]
    return by_unit


def _latest(unit: str, entries: Sequence[tuple[str, int, int]], conflicts: frozenset[tuple[str, str]]) -> list[tuple[str, int]]:
    """(reviewer, points) for a cell, by reviewer: its latest stage (a second review replaces the first), conflicts left out."""
    latest: dict[str, tuple[int, int]] = {}
    for reviewer, stage, points in entries:
        if (reviewer, unit) in conflicts:
            continue
        seen = latest.get(reviewer)
        if seen is None or (stage, points) > seen:  # should a stage come twice, the same one always wins
            latest[reviewer] = (stage, points)
    return sorted((reviewer, points) for reviewer, (_, points) in latest.items())


def _aggregate(points: list[int], method: str, trim: tuple[int, int], d: int) -> int:
    """One cell's reviewer points (× 10^4) to the policy's decimals, rounded once."""
    n = len(points)
    scale = 10**POINT_PLACES
    if method == "mean" or n == 1:
        return round_div(sum(points) * 10**d, n * scale)
    values = sorted(points)
    if method == "median" or n <= 2:
        middle = n // 2
        if n % 2:
            return round_div(values[middle] * 10**d, scale)
        return round_div((values[middle - 1] + values[middle]) * 10**d, 2 * scale)
    cut = (n * trim[0]) // trim[1]
    kept = values[cut : n - cut] or values
    return round_div(sum(kept) * 10**d, len(kept) * scale)


def _normalized(
    by_cell: Mapping[tuple[str, str], list[tuple[str, int]]], how: Normalization, bounds: Mapping[str, tuple[int, int]]
) -> dict[tuple[str, str], list[tuple[str, int]]]:
    """Each reviewer's scores of a criterion mapped onto the pool's spread for it (z-score) or its range
    (rescale): an increasing map, so a reviewer's own order is kept. A reviewer with fewer than two
    units, or no spread, is left as is. Results are rounded to 1/10,000 point, then clamped to the bounds."""
    by_code: dict[str, dict[str, list[tuple[str, int]]]] = defaultdict(lambda: defaultdict(list))
    for (unit, code), scores in by_cell.items():
        for reviewer, points in scores:
            by_code[code][reviewer].append((unit, points))
    result: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for code in sorted(by_code):
        pool = [p for reviewer in by_code[code].values() for _, p in reviewer]
        low, high = bounds[code]
        for reviewer in sorted(by_code[code]):
            own = by_code[code][reviewer]
            mapper = _zscore(pool, [p for _, p in own]) if how is Normalization.ZSCORE else _rescale(pool, [p for _, p in own])
            for unit, points in own:
                result[(unit, code)].append((reviewer, min(max(mapper(points), low), high)))
    return result


def _zscore(pool: list[int], own: list[int]):  # type: ignore[no-untyped-def]
    if len(own) < 2:
        return lambda p: p
    with localcontext() as ctx:
        ctx.prec = 50
        pool_mean, pool_sd = _mean_sd(pool)
        own_mean, own_sd = _mean_sd(own)
    if own_sd == 0:
        return lambda p: p

    def mapped(p: int) -> int:
        with localcontext() as ctx:
            ctx.prec = 50
            value = pool_mean + (Decimal(p) - own_mean) * pool_sd / own_sd
            return int(value.to_integral_value(rounding="ROUND_HALF_UP"))

    return mapped


def _mean_sd(values: list[int]) -> tuple[Decimal, Decimal]:
    n = Decimal(len(values))
    mean = sum(Decimal(v) for v in values) / n
    variance = sum((Decimal(v) - mean) ** 2 for v in values) / n
    return mean, variance.sqrt()


def _rescale(pool: list[int], own: list[int]):  # type: ignore[no-untyped-def]
    own_low, own_high, pool_low, pool_high = min(own), max(own), min(pool), max(pool)
    if len(own) < 2 or own_high == own_low:
        return lambda p: p
    return lambda p: pool_low + round_div((p - own_low) * (pool_high - pool_low), own_high - own_low)


@dataclass(frozen=True)
class _Tree:
    """The campaign's criteria as the rows are built from them, worked out once per round."""

    order: tuple[str, ...]  # every criterion, in the campaign's order
    groups: tuple[tuple[str, tuple[str, ...], int], ...]  # (group, its children, its maximum at the policy's places), children first
    scored: tuple[str, ...]  # the leaves that make the base
    bonus: tuple[str, ...]  # the bonus and penalty leaves
    first: str | None  # the first criterion that is not bonus/penalty, for the tie-break
    cap: int | None  # the scale at the policy's places, when totals are capped


def _tree(inputs: EngineInputs, d: int) -> _Tree:
    nodes = inputs.nodes
    children: dict[str | None, list[str]] = defaultdict(list)
    for node in nodes:
        children[node.parent].append(node.code)
    by_code = {n.code: n for n in nodes}
    groups: list[tuple[str, tuple[str, ...], int]] = []

    def visit(code: str) -> None:  # children before their group
        for child in children[code]:
            visit(child)
        if by_code[code].leaf is None:
            groups.append((code, tuple(children[code]), _scaled(by_code[code].max_points, d)))

    for root in children[None]:
        visit(root)
    return _Tree(
        order=tuple(n.code for n in nodes), groups=tuple(groups),
        scored=tuple(n.code for n in nodes if n.leaf is not None and n.kind != "bonus_penalty"),
        bonus=tuple(n.code for n in nodes if n.leaf is not None and n.kind == "bonus_penalty"),
        first=next((c for c in children[None] if by_code[c].kind != "bonus_penalty"), None),
        cap=_scaled(inputs.scale, d) if inputs.policy.cap_total_at_scale else None,
    )


def _row(unit: str, cells: dict[str, Cell], tree: _Tree, base: int, bonus: int, at_max: int) -> Row:
    """Groups from their children (the leaves' base, bonus and count at maximum are summed as they are scored)."""
    for code, parts, maximum in tree.groups:
        own = computed = final = 0
        review: int | None = 0
        for part in parts:
            child = cells[part]
            own, computed, final = own + child.self_points, computed + child.computed, final + child.final
            review = None if review is None or child.review is None else review + child.review  # reviewed only if all of it is
        cells[code] = Cell(code, own, computed, review, final, final == maximum)
    total = max(base + bonus, 0)
    if tree.cap is not None:
        total = min(total, tree.cap)
    return Row(
        unit=unit, cells=[cells[code] for code in tree.order], base=base, bonus=bonus, total=total,
        criteria_at_max=at_max, first_criterion=cells[tree.first].final if tree.first else 0,
    )


def _ranked(rows: list[Row], policy: ScoringPolicy, d: int) -> Table:
    """Rank by total, then by the declared tie-break; what it leaves equal stays tied (competition ranking)."""
    keys: list[str] = []
    for rule in policy.tie_break:
        if rule is TieBreak.BALLOT:
            break
        keys.append(rule.value)

    def key(row: Row) -> tuple[int, ...]:
        extra = [row.criteria_at_max if k == TieBreak.CRITERIA_AT_MAX.value else row.first_criterion for k in keys]
        return (-row.total, *(-value for value in extra))

    keyed = sorted(((key(r), r.unit, r) for r in rows), key=lambda item: (item[0], item[1]))
    ordered = [row for _, _, row in keyed]
    open_ties: list[list[str]] = []
    position = 0
    while position < len(keyed):
        end = position + 1
        while end < len(keyed) and keyed[end][0] == keyed[position][0]:
            end += 1
        same = ordered[position:end]
        for row in same:
            row.rank = position + 1
            row.tied_with = [r.unit for r in same if r is not row]
        if len(same) > 1:
            open_ties.append([r.unit for r in same])
        position = end
    leader = ordered[0].unit if ordered and not ordered[0].tied_with else None
    return Table(d, ordered, leader, open_ties)


# --- documents and digests ---------------------------------------------------------------------
def inputs_document(inputs: EngineInputs) -> dict[str, Any]:
    """Everything a ranking depends on, in canonical order: stored at close, served for recomputation."""
    places = {n.code: POINT_PLACES if n.kind == "bonus_penalty" else QUANTITY_PLACES for n in inputs.nodes}
    return {
        "engine": ENGINE,
        "round": dict(inputs.round),
        "scale": str(to_decimal(inputs.scale, POINT_PLACES)),
        "criteria": [_node_document(n) for n in inputs.nodes],
        "policy": inputs.policy.model_dump(mode="json"),
        "members": sorted(set(inputs.members)),
        "results": {
            unit: {code: _result_document(result, places[code]) for code, result in sorted(results.items())}
            for unit, results in sorted(inputs.results.items())
        },
        "reviews": sorted(
            [reviewer, unit, code, stage, str(to_decimal(points, POINT_PLACES))]
            for (unit, code), entries in inputs.reviews.items() for reviewer, stage, points in entries
        ),
        "conflicts": sorted([reviewer, unit] for reviewer, unit in inputs.conflicts),
        "self_points": {
            unit: {code: str(to_decimal(points, POINT_PLACES)) for code, points in sorted(scores.items())}
            for unit, scores in sorted(inputs.self_points.items())
        },
        "targets": {
            unit: {code: str(to_decimal(target, QUANTITY_PLACES)) for code, target in sorted(targets.items())}
            for unit, targets in sorted(inputs.targets.items()) if targets
        },
    }


def _node_document(node: Node) -> dict[str, Any]:
    leaf = node.leaf
    document: dict[str, Any] = {
        "code": node.code, "parent": node.parent, "title": node.title, "kind": node.kind,
        "max_points": str(to_decimal(node.max_points, POINT_PLACES)), "unit_of_measure": node.unit_of_measure,
        "allow_negative": node.allow_negative,
        "max_value": str(to_decimal(node.max_value, QUANTITY_PLACES)) if node.max_value is not None else None,
    }
    if leaf is not None:
        document |= {
            "rule": leaf.rule, "min_points": str(to_decimal(leaf.min_points, POINT_PLACES)),
            "higher_is_better": leaf.higher_is_better,
            "target": str(to_decimal(leaf.target, QUANTITY_PLACES)) if leaf.target is not None else None,
            "per_occurrence": str(to_decimal(leaf.per_occurrence, POINT_PLACES)) if leaf.per_occurrence is not None else None,
            "excess_share": [leaf.excess_num, leaf.excess_den],
        }
    return document


def _result_document(result: Result, places: int) -> dict[str, Any]:
    return {"value": str(to_decimal(result.value, places)) if result.value is not None else None, "achieved": result.achieved}


def inputs_from_document(document: Mapping[str, Any]) -> EngineInputs:
    """The inverse of `inputs_document`: what a recomputation starts from."""
    if document.get("engine") != ENGINE:
        raise ValueError(f"inputs of engine {document.get('engine')!r}, not {ENGINE}")
    nodes = tuple(_node_from(c) for c in document["criteria"])
    kinds = {n.code: n.kind for n in nodes}
    results = {
        unit: {
            code: Result(
                value=(points_int if kinds[code] == "bonus_penalty" else quantity_int)(Decimal(r["value"])) if r["value"] is not None else None,
                achieved=r["achieved"],
            )
            for code, r in by_code.items()
        }
        for unit, by_code in document["results"].items()
    }
    return EngineInputs(
        round=document["round"], scale=points_int(Decimal(document["scale"])), nodes=nodes,
        policy=ScoringPolicy.model_validate(document["policy"]), members=tuple(document["members"]), results=results,
        reviews=by_cell(Review(a, b, c, int(s), points_int(Decimal(p))) for a, b, c, s, p in document["reviews"]),
        conflicts=frozenset((a, b) for a, b in document["conflicts"]),
        self_points={unit: {code: points_int(Decimal(p)) for code, p in scores.items()} for unit, scores in document["self_points"].items()},
        targets={unit: {code: quantity_int(Decimal(t)) for code, t in by_code.items()} for unit, by_code in document["targets"].items()},
    )


def _node_from(c: Mapping[str, Any]) -> Node:
    leaf = None
    if "rule" in c:
        leaf = Criterion(
            code=c["code"], kind=c["kind"], max_points=points_int(Decimal(c["max_points"])),
            min_points=points_int(Decimal(c["min_points"])), rule=c["rule"], higher_is_better=c["higher_is_better"],
            target=quantity_int(Decimal(c["target"])) if c["target"] is not None else None,
            per_occurrence=points_int(Decimal(c["per_occurrence"])) if c["per_occurrence"] is not None else None,
            excess_num=c["excess_share"][0], excess_den=c["excess_share"][1],
        )
    return Node(code=c["code"], parent=c["parent"], title=c["title"], kind=c["kind"],
                max_points=points_int(Decimal(c["max_points"])), leaf=leaf, unit_of_measure=c["unit_of_measure"],
                allow_negative=c["allow_negative"], max_value=quantity_int(Decimal(c["max_value"])) if c["max_value"] is not None else None)


def table_document(table: Table) -> dict[str, Any]:
    """The table as published: every number a decimal string with the policy's places."""
    d = table.decimals

    def points(value: int | None) -> str | None:
        return None if value is None else decimal_string(value, d)

    return {
        "leader_unit_id": table.leader,
        "open_ties": table.open_ties,
        "rows": [
            {
                "unit_id": row.unit, "rank": row.rank, "tied_with": row.tied_with,
                "base": points(row.base), "bonus": points(row.bonus), "total": points(row.total),
                "criteria_at_max": row.criteria_at_max,
                "cells": [
                    {"indicator_code": c.code, "self_points": points(c.self_points), "computed_points": points(c.computed),
                     "review_points": points(c.review), "final_points": points(c.final), "at_max": c.at_max}
                    for c in row.cells
                ],
            }
            for row in table.rows
        ],
    }


def decimal_string(value: int, places: int) -> str:
    """An integer of 10^-places as its decimal text with exactly `places` places ("-1.50"): what
    `str(Decimal(value).scaleb(-places))` gives for these values, without building a Decimal."""
    if places == 0:
        return str(value)
    whole, fraction = divmod(abs(value), 10**places)
    return f"{'-' if value < 0 else ''}{whole}.{fraction:0{places}d}"


def digest(document: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(document)).hexdigest()


def recompute(inputs: Mapping[str, Any]) -> tuple[bytes, str]:
    """From a stored inputs document, the table's canonical bytes and their digest."""
    document = table_document(score(inputs_from_document(inputs)))
    body = canonical_json(document)
    return body, hashlib.sha256(body).hexdigest()


def leaves_of(nodes: Iterable[Node]) -> list[Node]:
    return [n for n in nodes if n.leaf is not None]
