"""The scoring engine: the rules of the domain note on worked examples, and its promises as properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thidua_shared.errors import Invalid
from thidua_shared.events.campaigns import CampaignSnapshot
from thidua_shared.events.scoring import Aggregation, Normalization, ReportedResult, ScoringPolicy

from thidua_scoring.domain import engine
from thidua_scoring.domain.engine import EngineInputs, Review
from thidua_scoring.domain.fixed import points_int, round_div
from thidua_scoring.domain.results import check_results, criteria_of

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def campaign(indicators: list[dict], scale: int = 100) -> CampaignSnapshot:
    return CampaignSnapshot.model_validate({
        "id": "c", "issuer_unit_id": "vca", "letter_number": None, "letter_date": None, "title": "Thi đua", "theme": None,
        "kind": "special_campaign", "period_start": date(2026, 1, 1), "period_end": date(2026, 12, 31),
        "registration_deadline": None, "scale": scale, "scope": {}, "sections": [], "milestones": [], "awards": [],
        "attachments": [], "indicators": indicators, "parent_id": None, "status": "launched", "revision": 0,
    })


YEN_BAI = campaign([
    {"code": "8", "title": "Thành lập mới", "kind": "group", "max_points": 10},
    {"code": "8.1", "parent_code": "8", "title": "HTX thành lập mới", "kind": "target", "max_points": 5, "unit_of_measure": "HTX",
     "direction": "higher", "target": 50},
    {"code": "8.2", "parent_code": "8", "title": "Tổ hợp tác", "kind": "target", "max_points": 5, "unit_of_measure": "THT",
     "direction": "higher", "target": 500},
    {"code": "II", "title": "Sáng kiến", "kind": "per_occurrence", "max_points": 40, "points_per_occurrence": 10},
    {"code": "III", "title": "Đảng, Công đoàn trong sạch vững mạnh", "kind": "achieved", "max_points": 50},
    {"code": "T", "title": "Điểm thưởng", "kind": "bonus_penalty", "max_points": 5, "min_points": -5},
])


def results(**by_unit: dict[str, object]) -> dict:
    nodes = criteria_of(YEN_BAI)
    return {unit: check_results(nodes, [ReportedResult(indicator_code=c, **v) for c, v in values.items()]) for unit, values in by_unit.items()}


def inputs(results_by_unit: dict, reviews=(), conflicts=frozenset(), policy: ScoringPolicy | None = None, case=YEN_BAI) -> EngineInputs:
    nodes = tuple(criteria_of(case))
    own = {unit: engine.self_score(nodes, results) for unit, results in results_by_unit.items()}  # as each unit submitted it
    return EngineInputs(
        round={"id": "r"}, scale=points_int(case.scale), nodes=nodes, policy=policy or ScoringPolicy(),
        members=tuple(results_by_unit), results=results_by_unit, reviews=engine.by_cell(reviews), conflicts=frozenset(conflicts),
        self_points=own,
    )


def row(table: engine.Table, unit: str) -> engine.Row:
    return next(r for r in table.rows if r.unit == unit)


def cell(table: engine.Table, unit: str, code: str) -> engine.Cell:
    return next(c for c in row(table, unit).cells if c.code == code)


def test_the_quantitative_rule_below_at_above_target_and_the_clusters_best():
    """Target 50 new cooperatives, 5 points: 25 → 1.25; 50 → 2.50; 60 and the best 80 → 2.50 + 2.50 × 10/30 and 5."""
    table = engine.score(inputs(results(
        a={"8.1": {"value": 25}}, b={"8.1": {"value": 50}}, c={"8.1": {"value": 60}}, d={"8.1": {"value": 80}},
    )))
    assert [cell(table, u, "8.1").computed for u in "abcd"] == [125, 250, 333, 500]
    assert cell(table, "c", "8.1").self_points == 500  # alone, it is its own best
    assert cell(table, "d", "8.1").at_max and not cell(table, "c", "8.1").at_max


def test_the_other_kinds_groups_bonus_and_the_cap():
    table = engine.score(inputs(results(
        a={"8.1": {"value": 50}, "8.2": {"value": 500}, "II": {"value": 3}, "III": {"achieved": True}, "T": {"value": 5}},
        b={"8.1": {"value": 100}, "8.2": {"value": 1000}, "II": {"value": 9}, "III": {"achieved": True}, "T": {"value": 5}},
    )))
    assert cell(table, "a", "II").final == 3000 and cell(table, "b", "II").final == 4000  # 10 per occurrence, capped at 40
    assert cell(table, "a", "8").final == 500  # the group sums its children
    b = row(table, "b")
    assert (b.base, b.bonus, b.total) == (10000, 500, 10000)  # the bonus cannot lift 100 above the scale
    assert b.rank == 1 and table.leader == "b" and b.criteria_at_max == 4


def test_reviews_aggregate_by_policy_and_a_conflicted_reviewer_is_left_out():
    base = results(a={"III": {"achieved": True}}, b={"III": {"achieved": False}})
    reviews = [Review("x", "a", "III", 1, points_int(Decimal(30))), Review("y", "a", "III", 1, points_int(Decimal(40))),
               Review("z", "a", "III", 1, points_int(Decimal(50)))]
    mean = engine.score(inputs(base, reviews))
    assert cell(mean, "a", "III").review == 4000
    conflicted = engine.score(inputs(base, reviews, conflicts={("z", "a")}))
    assert cell(conflicted, "a", "III").review == 3500
    median = engine.score(inputs(base, [*reviews, Review("w", "a", "III", 1, 0)], policy=ScoringPolicy(aggregation=Aggregation.MEDIAN)))
    assert cell(median, "a", "III").review == 3500
    second = engine.score(inputs(base, [*reviews, Review("x", "a", "III", 2, points_int(Decimal(50)))]))
    assert cell(second, "a", "III").review == 4667  # x's second review (50) replaced its first (30): (50 + 40 + 50) / 3
    assert cell(mean, "b", "III").review is None and cell(mean, "b", "III").final == 0  # nobody reviewed: the computed score


def test_rounding_is_declared_once_half_away_from_zero():
    assert round_div(5, 2) == 3 and round_div(-5, 2) == -3 and round_div(4, 3) == 1
    reviews = [Review(r, "a", "III", 1, p) for r, p in (("x", 1), ("y", 2))]  # 0.0001 and 0.0002 → 0.00015
    table = engine.score(inputs(results(a={"III": {"achieved": True}}), reviews, policy=ScoringPolicy(decimals=4)))
    assert cell(table, "a", "III").review == 2  # 0.00015 → 0.0002, not 0.0001


def test_ties_are_broken_as_declared_and_an_unbroken_tie_stays_open():
    same = {"8.1": {"value": 50}, "III": {"achieved": True}}
    table = engine.score(inputs(results(a=same, b=same, c={"8.1": {"value": 10}})))
    assert row(table, "a").rank == row(table, "b").rank == 1 and row(table, "c").rank == 3
    assert table.leader is None and table.open_ties == [["a", "b"]]
    # 90 points each: a with two criteria at their maximum, b with three; b leads.
    a = {"III": {"achieved": True}, "II": {"value": 4}}
    b = {"III": {"achieved": True}, "II": {"value": 3}, "8.1": {"value": 100}, "8.2": {"value": 1000}}
    more_at_max = engine.score(inputs(results(a=a, b=b)))
    assert row(more_at_max, "a").total == row(more_at_max, "b").total == 9000 and more_at_max.leader == "b"


def test_results_that_do_not_fit_their_criterion_are_refused():
    nodes = criteria_of(YEN_BAI)
    for code, value in (("8.1", {"achieved": True}), ("III", {"value": 1}), ("II", {"value": Decimal("1.5")}),
                        ("II", {"value": -1}), ("8.1", {"value": -3}), ("T", {"value": 6}),
                        ("8.1", {"value": 5, "unit_of_measure": "tỷ đồng"}), ("IX", {"value": 1})):
        with pytest.raises(Invalid):
            check_results(nodes, [ReportedResult(indicator_code=code, **value)])
    check_results(nodes, [ReportedResult(indicator_code="8.1", value=Decimal(5), unit_of_measure="htx")])  # case and accents aside


def test_a_pledged_target_replaces_the_campaigns_for_that_unit_alone():
    pledged = {"a": {"8.1": 20 * 10**6}}  # A pledged 20 new cooperatives where the campaign asks 50
    both = results(a={"8.1": {"value": 20}}, b={"8.1": {"value": 20}})
    table = engine.score(replace(inputs(both), targets=pledged))
    assert cell(table, "a", "8.1").computed == 250  # at its own target: M/2 = 2.50
    assert cell(table, "b", "8.1").computed == 100  # 20 of 50: 2.5 × 20/50 = 1.00
    assert engine.self_score(criteria_of(YEN_BAI), both["a"], targets=pledged["a"])["8.1"] == points_int(Decimal("2.5"))


def test_recomputing_from_the_inputs_document_gives_the_same_bytes():
    first = inputs(results(a={"8.1": {"value": 25}, "T": {"value": -2}}, b={"8.1": {"value": 75}}),
                   [Review("b", "a", "III", 1, 1234567)], conflicts={("a", "b")})
    first = replace(first, targets={"a": {"8.1": 30 * 10**6}})
    document = engine.inputs_document(first)
    published = engine.table_document(engine.score(first))
    body, _ = engine.recompute(document)
    from thidua_shared.events.envelope import canonical_json

    assert body == canonical_json(published)
    assert engine.inputs_from_document(document) == first


# --- properties ------------------------------------------------------------------------------------
UNITS = st.lists(st.sampled_from([f"u{i}" for i in range(8)]), min_size=1, max_size=6, unique=True)
VALUES = st.integers(min_value=0, max_value=2000)


@st.composite
def rounds(draw):  # type: ignore[no-untyped-def]
    units = draw(UNITS)
    by_unit = {
        u: {"8.1": {"value": draw(VALUES)}, "8.2": {"value": draw(VALUES)}, "II": {"value": draw(st.integers(0, 9))},
            "III": {"achieved": draw(st.booleans())}, "T": {"value": draw(st.integers(-5, 5))}}
        for u in units
    }
    reviewers = draw(st.lists(st.sampled_from(["r1", "r2", "r3", "r4"]), max_size=3, unique=True))
    reviews = [Review(r, u, "III", 1, draw(st.integers(0, 500_000))) for r in reviewers for u in units]
    policy = ScoringPolicy(
        aggregation=draw(st.sampled_from(list(Aggregation))), normalization=draw(st.sampled_from(list(Normalization))),
        decimals=draw(st.integers(0, 4)),
    )
    return by_unit, reviews, policy


@PROPERTY
@given(rounds())
def test_totals_never_exceed_the_scale(case):  # type: ignore[no-untyped-def]
    by_unit, reviews, policy = case
    table = engine.score(inputs(results(**by_unit), reviews, policy=policy))
    assert all(0 <= r.total <= 100 * 10**policy.decimals for r in table.rows)


@PROPERTY
@given(rounds(), st.integers(min_value=1, max_value=500))
def test_more_of_a_higher_is_better_value_never_lowers_a_score(case, more):  # type: ignore[no-untyped-def]
    by_unit, reviews, policy = case
    unit = sorted(by_unit)[0]
    before = engine.score(inputs(results(**by_unit), policy=policy))
    raised = {**by_unit, unit: {**by_unit[unit], "8.1": {"value": by_unit[unit]["8.1"]["value"] + more}}}
    after = engine.score(inputs(results(**raised), policy=policy))
    assert cell(after, unit, "8.1").computed >= cell(before, unit, "8.1").computed
    assert cell(after, unit, "8.1").self_points >= cell(before, unit, "8.1").self_points
    assert row(after, unit).total >= row(before, unit).total


@PROPERTY
@given(rounds(), st.randoms(use_true_random=False))
def test_the_order_of_reviewers_and_units_never_changes_a_result(case, rng):  # type: ignore[no-untyped-def]
    by_unit, reviews, policy = case
    shuffled_units = list(by_unit.items())
    rng.shuffle(shuffled_units)
    shuffled_reviews = list(reviews)
    rng.shuffle(shuffled_reviews)
    one = engine.table_document(engine.score(inputs(results(**by_unit), reviews, policy=policy)))
    other = engine.table_document(engine.score(inputs(results(**dict(shuffled_units)), shuffled_reviews, policy=policy)))
    assert one == other


@PROPERTY
@given(st.lists(st.integers(0, 500_000), min_size=2, max_size=6), st.lists(st.integers(0, 500_000), min_size=2, max_size=6),
       st.sampled_from([Normalization.ZSCORE, Normalization.RESCALE]))
def test_normalisation_keeps_the_order_of_a_single_reviewers_scores(harsh, lenient, how):  # type: ignore[no-untyped-def]
    units = [f"u{i}" for i in range(max(len(harsh), len(lenient)))]
    reviews = [Review("harsh", u, "III", 1, p) for u, p in zip(units, harsh)] + [Review("lenient", u, "III", 1, p) for u, p in zip(units, lenient)]
    cells = engine._normalized(  # noqa: SLF001 - the map itself is what the property is about
        {(r.unit, "III"): [(x.reviewer, x.points) for x in reviews if x.unit == r.unit] for r in reviews}, how, {"III": (0, 500_000)},
    )
    for reviewer, raw in (("harsh", harsh), ("lenient", lenient)):
        mapped = [dict(cells[(u, "III")])[reviewer] for u in units[: len(raw)]]
        for i in range(len(raw)):
            for j in range(len(raw)):
                if raw[i] <= raw[j]:
                    assert mapped[i] <= mapped[j]
