"""Campaigns of the source letters, for `thidua demo`.

- VCA letter 121/LMHTXVN-TĐKT (2013): two running movements and the special campaign for the
  20th anniversary; mid-term review at the Executive Committee in July 2013, final on 13/10/2013.
- Yên Bái letter 252/LMHTX-PTĐTĐ of 05/10/2019: a special campaign from 10/2019 to 31/12/2020
  whose ten targets become the indicators (8–10 measurable).
- VCA letter 396/LMHTXVN-TTTT of 16/6/2022: the "Đoàn kết sáng tạo" movement, adopted by Ninh Bình.
Point weights are illustrative: the letters name targets, not scores.
"""

from __future__ import annotations


def _i(code: str, title: str, points: int, kind: str = "achieved", parent: str | None = None, **extra: object) -> dict:
    return {"code": code, "parent_code": parent, "title": title, "kind": kind, "max_points": points, **extra}


VCA_2013 = {
    "issuer": "VCA",
    "letter_number": "121/LMHTXVN-TĐKT",
    "title": "Hướng dẫn thi đua năm 2013 và đợt thi đua chào mừng Kỷ niệm 20 năm ngày thành lập Liên minh HTX Việt Nam",
    "theme": "Trách nhiệm – sáng tạo nâng cao hiệu quả HTX",
    "kind": "special_campaign",
    "period_start": "2013-02-01",
    "period_end": "2013-10-13",
    "scope": {"unit_kinds": ["provincial_alliance", "cooperative", "cooperative_union", "credit_fund", "public_service_unit", "member_enterprise", "department"]},
    "sections": [
        {"audience": "Đối với Liên minh HTX Việt Nam và Liên minh HTX các tỉnh, thành phố",
         "text": "Đẩy mạnh công tác tuyên truyền, phổ biến chủ trương, chính sách, pháp luật; triển khai Kết luận của Bộ Chính trị về kinh tế tập thể và Luật HTX năm 2012."},
        {"audience": "Đối với các đơn vị sự nghiệp, doanh nghiệp",
         "text": "Các nhà trường đẩy mạnh phong trào «dạy tốt, học tốt»; các trung tâm, viện, quỹ nâng cao chất lượng tư vấn, hỗ trợ; các doanh nghiệp nâng cao năng lực cạnh tranh."},
        {"audience": "Đối với các HTX",
         "text": "Chủ động phát động phong trào thi đua đến từng xã viên và người lao động, góp thêm vốn mới, nêu cao tinh thần hợp tác, tương thân tương ái."},
    ],
    "milestones": [
        {"kind": "mid_term", "on": "2013-07-31", "label": "Sơ kết tại kỳ họp Ban Chấp hành tháng 7/2013"},
        {"kind": "final", "on": "2013-10-13", "label": "Tổng kết, trao thưởng dịp Kỷ niệm 20 năm thành lập (13/10/1993 – 13/10/2013)"},
    ],
    "awards": [{"category": "commendation", "name": "Bằng khen của Liên minh HTX Việt Nam"}],
    "indicators": [
        _i("I", "Phong trào «Đổi mới phát triển và nâng cao hiệu quả hoạt động của các HTX»", 50, "group"),
        _i("1.1", "Xây dựng kế hoạch thi đua năm 2013 phù hợp thực tế cơ sở", 20, parent="I"),
        _i("1.2", "Cụ thể hóa nội dung phát động thành chỉ tiêu thi đua cụ thể", 30, parent="I"),
        _i("II", "Phong trào «HTX tiên phong trong xóa đói, giảm nghèo và xây dựng nông thôn mới»", 50, "group"),
        _i("2.1", "Tham gia xây dựng nông thôn mới", 25, parent="II"),
        _i("2.2", "Bình xét, biểu dương tập thể, cá nhân tiêu biểu", 25, parent="II"),
    ],
}

YEN_BAI_2019 = {
    "issuer": "LMHTX-15",
    "letter_number": "252/LMHTX-PTĐTĐ",
    "letter_date": "2019-10-05",
    "title": "Đợt thi đua đặc biệt chào mừng Đại hội Đảng các cấp tiến tới Đại hội Đảng bộ tỉnh Yên Bái lần thứ XIX và Đại hội Đảng toàn quốc lần thứ XIII",
    "theme": "Kinh tế tập thể tỉnh Yên Bái ra sức thi đua, quyết tâm hoàn thành toàn diện, vượt mức các mục tiêu nhiệm vụ nhiệm kỳ 2015-2020",
    "kind": "special_campaign",
    "period_start": "2019-10-01",
    "period_end": "2020-12-31",
    "scope": {"unit_kinds": ["cooperative", "cooperative_group", "credit_fund", "member_enterprise"]},
    "sections": [
        {"audience": "Đối với Liên minh HTX tỉnh", "text": "Chủ động tham mưu, đề xuất với Tỉnh ủy, UBND, HĐND tỉnh ban hành cơ chế phát triển kinh tế tập thể."},
        {"audience": "Đối với các HTX, doanh nghiệp thành viên", "text": "Chủ động phát động phong trào thi đua đến thành viên và người lao động; phát huy sáng kiến cải tiến kỹ thuật."},
    ],
    "milestones": [{"kind": "final", "on": "2020-12-31", "label": "Kết thúc đợt thi đua"}],
    "awards": [{"category": "commendation", "name": "Giấy khen của Liên minh HTX tỉnh Yên Bái"}],
    "indicators": [
        _i("1", "Đẩy mạnh phong trào thi đua yêu nước trong khu vực kinh tế tập thể", 10),
        _i("2", "Tham mưu xây dựng chính sách; vận động nguồn lực hỗ trợ HTX", 10),
        _i("3", "Nâng cao năng lực nội tại của HTX, THT, QTDND, doanh nghiệp thành viên", 10),
        _i("4", "Đổi mới, đa dạng hóa hình thức tư vấn, hỗ trợ thành viên", 10),
        _i("5", "Vận động tham gia BHXH, BHYT, BHTN", 10),
        _i("6", "Tổ chức Đảng, Công đoàn đạt danh hiệu trong sạch vững mạnh", 10),
        _i("7", "Nâng cao hiệu quả hoạt động các phòng, ban; xây dựng HTX kiểu mới gắn với chuỗi giá trị", 10),
        _i("8", "Thành lập mới trên 50 HTX và 500 tổ hợp tác", 10, "group"),
        _i("8.1", "HTX thành lập mới", 5, "target", "8", unit_of_measure="HTX", direction="higher", target=50),
        _i("8.2", "Tổ hợp tác thành lập mới", 5, "target", "8", unit_of_measure="THT", direction="higher", target=500),
        _i("9", "Doanh thu, nộp ngân sách tăng 10%; 75% HTX hoạt động hiệu quả", 10, "group"),
        _i("9.1", "Tăng trưởng doanh thu, nộp ngân sách so với năm trước", 5, "target", "9", unit_of_measure="%", direction="higher", target=10),
        _i("9.2", "Tỷ lệ HTX hoạt động ổn định, có hiệu quả", 5, "target", "9", unit_of_measure="%", direction="higher", target=75),
        _i("10", "Thu nhập bình quân người lao động trong HTX", 10, "target", unit_of_measure="triệu đồng/người/năm", direction="higher", target=50),
    ],
}

VCA_DOAN_KET_SANG_TAO = {
    "issuer": "VCA",
    "letter_number": "396/LMHTXVN-TTTT",
    "letter_date": "2022-06-16",
    "title": "Phong trào thi đua «Đoàn kết sáng tạo, nâng cao năng suất, chất lượng, hiệu quả, hội nhập quốc tế»",
    "kind": "regular_movement",
    "period_start": "2022-06-16",
    "period_end": "2030-12-31",  # the letter sets no end; 2030 is the sector's planning horizon
    "scope": {"unit_kinds": ["provincial_alliance", "cooperative", "cooperative_union", "member_enterprise"]},
    "sections": [{"audience": "Đối với Liên minh HTX các tỉnh, thành phố",
                  "text": "Cụ thể hóa nội dung, mục tiêu và triển khai sâu rộng trong cơ quan và các khối thi đua."}],
    "awards": [{"category": "title", "name": "Sáng kiến được công bố trong «Sách vàng sáng tạo»"}],
    "indicators": [
        _i("I", "Đoàn kết, tuyên truyền, tham gia các cuộc vận động", 30),
        _i("II", "Sáng kiến, mô hình, cách làm sáng tạo", 40, "per_occurrence", points_per_occurrence=10),
        _i("III", "Năng suất, chất lượng, hiệu quả", 30, "target", unit_of_measure="% tăng doanh thu", direction="higher", target=5),
    ],
}

NINH_BINH_ADOPTION = {
    "issuer": "LMHTX-37",
    "letter_number": "125/KH-LMHTX",  # illustrative: the article on Ninh Bình's adoption gives no number
    "title": "Liên minh HTX tỉnh Ninh Bình cụ thể hóa phong trào «Đoàn kết sáng tạo»",
    "period_start": "2022-07-01",
    "period_end": "2030-12-31",
    "scope": {"unit_kinds": ["cooperative", "credit_fund", "member_enterprise"]},
    "sections": [
        {"audience": "Đối với Liên minh HTX tỉnh", "text": "Phát huy vai trò nòng cốt; thực hiện chuyển đổi số trong cơ quan Liên minh HTX tỉnh."},
        {"audience": "Các Khối thi đua HTX, doanh nghiệp thành viên", "text": "Thành lập câu lạc bộ «Khởi nghiệp, sáng tạo»; hằng năm đề xuất sáng kiến tiêu biểu."},
    ],
    "milestones": [{"kind": "mid_term", "on": "2026-06-30", "label": "Sơ kết 6 tháng"}, {"kind": "final", "on": "2026-12-31", "label": "Tổng kết năm"}],
    "local_targets": {"III": 8},
}
