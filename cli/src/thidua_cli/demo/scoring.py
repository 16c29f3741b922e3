"""Scoring in the demo, from the source letters.

- 2017, the cluster of the five cities under the centre (Hà Nội, Hải Phòng, Đà Nẵng, Cần Thơ,
  Hồ Chí Minh City): its final conference of 07/12/2017 proposed the VCA's emulation flag for
  Hồ Chí Minh City's alliance, the cluster's leader that year. Here the cluster reports on the
  VCA's 2017 indicators (the ones the VCA chairman asked of the five cities that day: new
  cooperatives, new members, at least two initiatives a year, Directive 34, value chains),
  cross-scores, and Hồ Chí Minh City's alliance leads the table.
- Yên Bái, letter 252 (2019–2020): three cooperatives report against its ten targets, one
  above target, one at it, one below. Their pledged targets are their own share of the
  province's (one new cooperative supported, five cooperative groups).
Figures are illustrative: the letters give targets and outcomes, not each unit's numbers.
"""

from __future__ import annotations

from thidua_cli.demo.campaigns import _i

LATE_2017 = "Nhập lại hồ sơ năm 2017 từ bản giấy lưu tại Ban Thi đua – Khen thưởng"
LATE_YEN_BAI = "Nhập lại báo cáo kết quả đợt thi đua 2019–2020 từ bản giấy của Liên minh HTX tỉnh Yên Bái"

VCA_2017 = {
    "issuer": "VCA",
    "title": "Phong trào thi đua yêu nước năm 2017 của hệ thống Liên minh HTX Việt Nam",
    "theme": "Đoàn kết, đổi mới, hội nhập, phát triển bền vững kinh tế tập thể",
    "kind": "regular_movement",
    "period_start": "2017-01-01",
    "period_end": "2017-12-31",
    "registration_deadline": "2017-03-31",
    "scope": {"unit_kinds": ["provincial_alliance"]},
    "milestones": [{"kind": "final", "on": "2017-12-07", "label": "Hội nghị tổng kết Cụm thi đua 05 thành phố, Cần Giờ"}],
    "awards": [{"category": "title", "name": "Cờ thi đua của Liên minh HTX Việt Nam"}],
    "indicators": [
        _i("1", "Thành lập mới HTX", 25, "target", unit_of_measure="HTX", direction="higher", target=30,
           scoring_rule={"name": "proportional_with_excess_share", "params": {"excess_share": 1}}),
        _i("2", "Phát triển thành viên mới", 20, "target", unit_of_measure="thành viên", direction="higher", target=500,
           scoring_rule={"name": "proportional_with_excess_share", "params": {"excess_share": 1}}),
        _i("3", "Sáng kiến, chính sách mới đăng ký với Liên minh HTX Việt Nam (ít nhất 02 mỗi năm)", 20, "per_occurrence",
           points_per_occurrence=10, unit_of_measure="sáng kiến"),
        _i("4", "Quán triệt, thực hiện Chỉ thị 34-CT/TW về đổi mới công tác thi đua, khen thưởng", 15),
        _i("5", "Hỗ trợ HTX phát triển gắn với chuỗi giá trị", 20),
        _i("6", "Điểm thưởng (khen thưởng cấp trên), điểm trừ (vi phạm chế độ báo cáo)", 5, "bonus_penalty", min_points=-5),
    ],
}

CITIES_2017 = "CUM-TP-TRUNG-UONG"
# new cooperatives, new members, initiatives, Directive 34 (done?), value chains (done?), bonus
RESULTS_2017 = {
    "LMHTX-79": (48, 1250, 3, True, True, 3),
    "LMHTX-01": (41, 980, 2, True, True, 2),
    "LMHTX-48": (22, 430, 2, True, True, 0),
    "LMHTX-31": (30, 510, 1, True, False, 1),
    "LMHTX-92": (18, 360, 2, True, False, 0),
}
# What a reviewer took off the computed points, and why: (reviewer, unit, criterion, points off, comment).
# (Rotation by code: each city is reviewed by the next two, wrapping round.)
DEDUCTIONS_2017 = [
    ("LMHTX-48", "LMHTX-31", "2", 2, "Số thành viên mới chưa có danh sách kèm theo"),
    ("LMHTX-01", "LMHTX-92", "4", 3, "Chưa có văn bản triển khai Chỉ thị 34 gửi kèm"),
]


def results_2017(unit: str) -> list[dict]:
    founded, members, initiatives, directive, chains, bonus = RESULTS_2017[unit]
    return [
        {"indicator_code": "1", "value": founded, "unit_of_measure": "HTX"},
        {"indicator_code": "2", "value": members},
        {"indicator_code": "3", "value": initiatives},
        {"indicator_code": "4", "achieved": directive},
        {"indicator_code": "5", "achieved": chains},
        {"indicator_code": "6", "value": bonus},
    ]


HAI_PHONG_BLOCK = "KHOI-31-HTX-NN"
HAI_PHONG_2017 = {
    "issuer": "LMHTX-31",
    "title": "Phong trào thi đua các HTX nông nghiệp thành phố Hải Phòng năm 2017",
    "kind": "regular_movement",
    "period_start": "2017-01-01",
    "period_end": "2017-12-31",
    "registration_deadline": "2017-03-31",
    "scope": {"unit_kinds": ["cooperative"]},
    "milestones": [{"kind": "final", "on": "2017-11-30", "label": "Tổng kết khối HTX nông nghiệp"}],
    "indicators": [
        _i("1", "Doanh thu tăng so với năm trước", 40, "target", unit_of_measure="%", direction="higher", target=10),
        _i("2", "Thu nhập bình quân của người lao động", 30, "target", unit_of_measure="triệu đồng/người/năm", direction="higher", target=40),
        _i("3", "Liên kết sản xuất, tiêu thụ theo chuỗi giá trị", 30),
    ],
}
# revenue growth %, income (million VND a year), value chain
RESULTS_HAI_PHONG = {"HTX-31-QUANGPHUC": (18, 52, True), "HTX-31-TANLIEN": (9, 41, True), "HTX-31-KIENTHUY": (6, 38, False)}


def results_hai_phong(unit: str) -> list[dict]:
    growth, income, chain = RESULTS_HAI_PHONG[unit]
    return [{"indicator_code": "1", "value": growth, "unit_of_measure": "%"}, {"indicator_code": "2", "value": income},
            {"indicator_code": "3", "achieved": chain}]


YEN_BAI_PLEDGE = [{"indicator_code": "8.1", "target": 1}, {"indicator_code": "8.2", "target": 5}]
# 8.1 cooperatives founded, 8.2 groups founded, 9.1 revenue growth %, 9.2 % operating well, 10 income;
# then which of the qualitative targets 1–7 were achieved.
RESULTS_YEN_BAI = {
    "HTX-15-VANCHAN": ((2, 8, 15, 90, 62), (True, True, True, True, True, True, True)),  # above target
    "HTX-15-SUOIGIANG": ((1, 5, 10, 75, 50), (True, True, True, True, True, True, False)),  # at target
    "HTX-15-TRANYEN": ((0, 2, 4, 60, 38), (True, False, True, True, False, True, False)),  # below target
}


def results_yen_bai(unit: str) -> list[dict]:
    (founded, groups, growth, operating, income), achieved = RESULTS_YEN_BAI[unit]
    return [
        *({"indicator_code": str(code), "achieved": done} for code, done in enumerate(achieved, start=1)),
        {"indicator_code": "8.1", "value": founded},
        {"indicator_code": "8.2", "value": groups},
        {"indicator_code": "9.1", "value": growth},
        {"indicator_code": "9.2", "value": operating},
        {"indicator_code": "10", "value": income},
    ]
