"""A block of five cooperatives in Yên Bái and one campaign on five criteria (one of each kind, with a
bonus/penalty): the scenario the scoring tests run, over HTTP in-process and through `thidua up`."""

from __future__ import annotations

from datetime import date

THIS_YEAR = date.today().year
BLOCK = ["HTX-15-A", "HTX-15-B", "HTX-15-C", "HTX-15-D", "HTX-15-E"]


def criteria() -> list[dict]:
    return [
        {"code": "1", "title": "Doanh thu tăng so với năm trước", "kind": "target", "max_points": 30, "unit_of_measure": "%",
         "direction": "higher", "target": 10, "scoring_rule": {"name": "proportional_with_excess_share", "params": {"excess_share": 1}}},
        {"code": "2", "title": "Thu nhập bình quân của người lao động", "kind": "target", "max_points": 20,
         "unit_of_measure": "triệu đồng/người/năm", "direction": "higher", "target": 50, "scoring_rule": {"name": "linear_to_target"}},
        {"code": "3", "title": "Tham gia chuỗi giá trị sản phẩm chủ lực", "kind": "achieved", "max_points": 20},
        {"code": "4", "title": "Kết nạp thành viên mới", "kind": "per_occurrence", "max_points": 30, "points_per_occurrence": 3,
         "unit_of_measure": "thành viên"},
        {"code": "5", "title": "Điểm thưởng, điểm trừ", "kind": "bonus_penalty", "max_points": 5, "min_points": -5},
    ]


def campaign_body() -> dict:
    return {
        "issuer": "LMHTX-15", "letter_number": "252/LMHTX-VP", "letter_date": f"{THIS_YEAR}-03-01",
        "title": f"Phát động phong trào thi đua khối HTX năm {THIS_YEAR}", "kind": "regular_movement",
        "period_start": f"{THIS_YEAR}-01-01", "period_end": f"{THIS_YEAR + 1}-12-31", "registration_deadline": f"{THIS_YEAR + 1}-06-30",
        "scope": {"unit_kinds": ["cooperative", "cooperative_group"]},
        "milestones": [{"kind": "final", "on": f"{THIS_YEAR + 1}-12-15", "label": "Tổng kết"}],
        "indicators": criteria(),
    }


RESULTS = {  # revenue growth %, income, chain, new members, bonus
    "HTX-15-A": (15, 60, True, 12, 2),
    "HTX-15-B": (10, 50, True, 4, 0),
    "HTX-15-C": (5, 40, False, 20, 0),
    "HTX-15-D": (20, 55, True, 8, -1),
    "HTX-15-E": (0, 0, False, 0, 0),
}


def results_of(code: str, evidence: list[str] | None = None) -> list[dict]:
    growth, income, chain, members, bonus = RESULTS[code]
    return [
        {"indicator_code": "1", "value": growth, "unit_of_measure": "%", "evidence": evidence or []},
        {"indicator_code": "2", "value": income},
        {"indicator_code": "3", "achieved": chain},
        {"indicator_code": "4", "value": members},
        {"indicator_code": "5", "value": bonus},
    ]


# What reviewers give on criterion 1 (A's first reviews, before its explanation): B and E alike, for an open tie.
CRITERION_1_REVIEWED = {"HTX-15-A": "25", "HTX-15-B": "20", "HTX-15-C": "18", "HTX-15-D": "22", "HTX-15-E": "20", "THT-15-A1": "10"}


def review_scores(unit: str) -> list[dict]:
    """What every reviewer gives a unit (criterion 1 as CRITERION_1_REVIEWED says)."""
    return [{"indicator_code": "1", "points": CRITERION_1_REVIEWED[unit], "comment": "Theo biên bản"}, {"indicator_code": "2", "points": "15"},
            {"indicator_code": "3", "points": "20"}, {"indicator_code": "4", "points": "24"}, {"indicator_code": "5", "points": "0"}]
