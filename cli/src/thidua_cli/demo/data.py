"""A realistic tree for `thidua demo`, from the source letters and the 2025 merger of provinces.

Province codes are the statistics office's codes of 2024; each of the 34 current
provincial-level units keeps the code of the province whose name it kept. Names of
people and units are those in the letters; the sample cooperatives, the VCA's
regional clusters other than the cities' cluster, and their leaders are illustrative.
"""

from __future__ import annotations

VCA = ("VCA", "Liên minh Hợp tác xã Việt Nam")

VCA_DEPARTMENTS = [
    ("VCA-VP", "Văn phòng Liên minh HTX Việt Nam", "department"),
    ("VCA-TDKT", "Ban Thi đua – Khen thưởng", "department"),
    ("VCA-CSPL", "Ban Chính sách – Pháp luật", "department"),
    ("VCA-TCKT", "Ban Tổ chức – Kiểm tra", "department"),
    ("VCA-TRUONG", "Trường Cán bộ quản lý HTX", "public_service_unit"),
    ("VCA-VIEN", "Viện Nghiên cứu kinh tế hợp tác", "public_service_unit"),
    ("VCA-QUY", "Quỹ Hỗ trợ phát triển HTX Việt Nam", "public_service_unit"),
    ("VCA-DN-TM", "Công ty Thương mại và Dịch vụ HTX", "member_enterprise"),
]

# The 34 provincial-level units since 1/7/2025: (code, name, kind of place, [former provinces merged in]).
PROVINCES: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    ("01", "Hà Nội", "thành phố", []),
    ("46", "Huế", "thành phố", []),
    ("12", "Lai Châu", "tỉnh", []),
    ("11", "Điện Biên", "tỉnh", []),
    ("14", "Sơn La", "tỉnh", []),
    ("20", "Lạng Sơn", "tỉnh", []),
    ("22", "Quảng Ninh", "tỉnh", []),
    ("38", "Thanh Hóa", "tỉnh", []),
    ("40", "Nghệ An", "tỉnh", []),
    ("42", "Hà Tĩnh", "tỉnh", []),
    ("04", "Cao Bằng", "tỉnh", []),
    ("08", "Tuyên Quang", "tỉnh", [("02", "Hà Giang", "tỉnh")]),
    ("10", "Lào Cai", "tỉnh", [("15", "Yên Bái", "tỉnh")]),
    ("19", "Thái Nguyên", "tỉnh", [("06", "Bắc Kạn", "tỉnh")]),
    ("25", "Phú Thọ", "tỉnh", [("26", "Vĩnh Phúc", "tỉnh"), ("17", "Hòa Bình", "tỉnh")]),
    ("27", "Bắc Ninh", "tỉnh", [("24", "Bắc Giang", "tỉnh")]),
    ("33", "Hưng Yên", "tỉnh", [("34", "Thái Bình", "tỉnh")]),
    ("31", "Hải Phòng", "thành phố", [("30", "Hải Dương", "tỉnh")]),
    ("37", "Ninh Bình", "tỉnh", [("35", "Hà Nam", "tỉnh"), ("36", "Nam Định", "tỉnh")]),
    ("45", "Quảng Trị", "tỉnh", [("44", "Quảng Bình", "tỉnh")]),
    ("48", "Đà Nẵng", "thành phố", [("49", "Quảng Nam", "tỉnh")]),
    ("51", "Quảng Ngãi", "tỉnh", [("62", "Kon Tum", "tỉnh")]),
    ("64", "Gia Lai", "tỉnh", [("52", "Bình Định", "tỉnh")]),
    ("56", "Khánh Hòa", "tỉnh", [("58", "Ninh Thuận", "tỉnh")]),
    ("68", "Lâm Đồng", "tỉnh", [("67", "Đắk Nông", "tỉnh"), ("60", "Bình Thuận", "tỉnh")]),
    ("66", "Đắk Lắk", "tỉnh", [("54", "Phú Yên", "tỉnh")]),
    ("79", "Hồ Chí Minh", "thành phố", [("74", "Bình Dương", "tỉnh"), ("77", "Bà Rịa – Vũng Tàu", "tỉnh")]),
    ("75", "Đồng Nai", "tỉnh", [("70", "Bình Phước", "tỉnh")]),
    ("72", "Tây Ninh", "tỉnh", [("80", "Long An", "tỉnh")]),
    ("92", "Cần Thơ", "thành phố", [("94", "Sóc Trăng", "tỉnh"), ("93", "Hậu Giang", "tỉnh")]),
    ("86", "Vĩnh Long", "tỉnh", [("83", "Bến Tre", "tỉnh"), ("84", "Trà Vinh", "tỉnh")]),
    ("87", "Đồng Tháp", "tỉnh", [("82", "Tiền Giang", "tỉnh")]),
    ("96", "Cà Mau", "tỉnh", [("95", "Bạc Liêu", "tỉnh")]),
    ("89", "An Giang", "tỉnh", [("91", "Kiên Giang", "tỉnh")]),
]
MERGER_DATE = "2025-07-01"
MERGER_REASON = "Nghị quyết của Quốc hội ngày 12/6/2025 về sắp xếp đơn vị hành chính cấp tỉnh"

# Before 2025 Huế was Thừa Thiên Huế, a province; it became a centrally run city in 2025.
FORMER_NAMES = {"46": ("Thừa Thiên Huế", "tỉnh")}


def alliance_code(province_code: str) -> str:
    return f"LMHTX-{province_code}"


def alliance_name(name: str, place: str) -> str:
    return f"Liên minh HTX {place} {name}"


# Sample cooperatives: (code, name, kind, parent alliance province code).
COOPERATIVES = [
    ("HTX-31-QUANGPHUC", "HTX Sản xuất kinh doanh dịch vụ nông nghiệp Quang Phục", "cooperative", "31"),
    ("HTX-31-TANLIEN", "HTX Dịch vụ nông nghiệp Tân Liên", "cooperative", "31"),
    ("HTX-31-KIENTHUY", "HTX Dịch vụ nông nghiệp Kiến Thụy", "cooperative", "31"),
    ("HTX-15-VANCHAN", "HTX Chè Văn Chấn", "cooperative", "15"),
    ("HTX-15-SUOIGIANG", "HTX Chè Shan tuyết Suối Giàng", "cooperative", "15"),
    ("HTX-15-TRANYEN", "HTX Dịch vụ nông nghiệp Trấn Yên", "cooperative", "15"),
    ("HTX-37-KHANHTHIEN", "HTX Dịch vụ nông nghiệp Khánh Thiện", "cooperative", "37"),
    ("HTX-37-GOMDAI", "HTX Gốm Đại Hoàng", "cooperative", "37"),
    ("QTD-37-YENMO", "Quỹ tín dụng nhân dân Yên Mô", "credit_fund", "37"),
    ("LHHTX-79-SAIGONCOOP", "Liên hiệp HTX Thương mại Thành phố Hồ Chí Minh", "cooperative_union", "79"),
    ("HTX-48-HOAVANG", "HTX Nông nghiệp Hòa Vang", "cooperative", "48"),
    ("HTX-01-DONGANH", "HTX Dịch vụ nông nghiệp Đông Anh", "cooperative", "01"),
    ("HTX-92-PHONGDIEN", "HTX Nông nghiệp Phong Điền", "cooperative", "92"),
    ("THT-10-BACHA", "Tổ hợp tác trồng mận Bắc Hà", "cooperative_group", "10"),
]

# Clusters of the VCA and of provinces: code, name, kind, owner unit code,
# {year: ([member codes], leader, deputy, elected on)}.
CITY_CODES_2017 = ["01", "31", "48", "92", "79"]
CITY_CODES_2025 = ["01", "46", "31", "48", "92", "79"]
CLUSTERS = [
    (
        "CUM-TP-TRUNG-UONG", "Cụm thi đua Liên minh HTX các thành phố trực thuộc trung ương", "cluster", "VCA",
        {
            2017: ([alliance_code(c) for c in CITY_CODES_2017], alliance_code("79"), None, None),
            2018: ([alliance_code(c) for c in CITY_CODES_2017], alliance_code("48"), None, "2017-12-07"),
            2026: ([alliance_code(c) for c in CITY_CODES_2025], alliance_code("01"), alliance_code("46"), None),
        },
    ),
    (
        "CUM-MIEN-NUI-PHIA-BAC", "Cụm thi đua Liên minh HTX các tỉnh miền núi phía Bắc", "cluster", "VCA",
        {2026: ([alliance_code(c) for c in ["12", "11", "14", "20", "04", "08", "10", "19", "25"]], alliance_code("10"), alliance_code("14"), None)},
    ),
    (
        "CUM-DONG-BANG-SONG-HONG", "Cụm thi đua Liên minh HTX các tỉnh đồng bằng sông Hồng", "cluster", "VCA",
        {2026: ([alliance_code(c) for c in ["22", "27", "33", "37"]], alliance_code("37"), None, None)},
    ),
    (
        "CUM-BAC-TRUNG-BO", "Cụm thi đua Liên minh HTX các tỉnh Bắc Trung Bộ", "cluster", "VCA",
        {2026: ([alliance_code(c) for c in ["38", "40", "42", "45"]], alliance_code("40"), None, None)},
    ),
    (
        "CUM-NAM-TRUNG-BO-TAY-NGUYEN", "Cụm thi đua Liên minh HTX các tỉnh Nam Trung Bộ và Tây Nguyên", "cluster", "VCA",
        {2026: ([alliance_code(c) for c in ["51", "64", "56", "66", "68"]], alliance_code("66"), None, None)},
    ),
    (
        "CUM-NAM-BO", "Cụm thi đua Liên minh HTX các tỉnh Nam Bộ", "cluster", "VCA",
        {2026: ([alliance_code(c) for c in ["75", "72", "86", "87", "96", "89"]], alliance_code("87"), None, None)},
    ),
    (
        "KHOI-SU-NGHIEP-DOANH-NGHIEP", "Khối thi đua các đơn vị sự nghiệp, doanh nghiệp thuộc Liên minh HTX Việt Nam", "block", "VCA",
        {2026: (["VCA-TRUONG", "VCA-VIEN", "VCA-QUY", "VCA-DN-TM"], "VCA-TRUONG", None, None)},
    ),
    (
        # Hải Phòng's block of agricultural cooperatives (illustrative): in 2017 Quang Phục led it,
        # which is what put it forward for the VCA's flag at the cities' cluster meeting.
        "KHOI-31-HTX-NN", "Khối thi đua các HTX nông nghiệp thành phố Hải Phòng", "block", alliance_code("31"),
        {2017: (["HTX-31-QUANGPHUC", "HTX-31-TANLIEN", "HTX-31-KIENTHUY"], "HTX-31-QUANGPHUC", None, None)},
    ),
    (
        "KHOI-37-HTX-DN", "Khối thi đua HTX, doanh nghiệp thành viên Liên minh HTX tỉnh Ninh Bình", "block", alliance_code("37"),
        {2026: (["HTX-37-KHANHTHIEN", "HTX-37-GOMDAI", "QTD-37-YENMO"], "HTX-37-KHANHTHIEN", "HTX-37-GOMDAI", None)},
    ),
]

# People named in the letters: (unit code, full name, position).
PEOPLE = [
    ("VCA", "Nguyễn Ngọc Bảo", "Bí thư Đảng Đoàn, Chủ tịch Liên minh HTX Việt Nam"),
    ("VCA-VP", "Phạm Ngọc Toại", "Chánh Văn phòng"),
    ("VCA-TDKT", "Đỗ Bích Hường", "Trưởng Ban Thi đua – Khen thưởng"),
    ("VCA-TDKT", "Phan Vĩnh Điển", "Nguyên Trưởng Ban Thi đua – Khen thưởng"),
    (alliance_code("15"), "Đỗ Nhân Đạo", "Lãnh đạo Liên minh HTX tỉnh Yên Bái"),
]
