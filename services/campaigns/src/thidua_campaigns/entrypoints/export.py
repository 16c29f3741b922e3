"""A campaign's indicator table and registrations as an Excel workbook (Vietnamese headers)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from thidua_shared.events.campaigns import CampaignSnapshot

from thidua_campaigns.service_layer.queries import RegistrationView
from thidua_shared.i18n import format_date, messages, translate

INDICATOR_HEADERS = ["Mã", "Tiêu chí", "Loại", "Điểm tối đa", "Đơn vị tính", "Chiều đánh giá", "Chỉ tiêu", "Quy tắc chấm"]
REGISTRATION_HEADERS = ["Mã đơn vị", "Tên đơn vị", "Trạng thái", "Danh hiệu đăng ký", "Chỉ tiêu cam kết"]


def campaign_workbook(campaign: CampaignSnapshot, registrations: list[RegistrationView]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Chỉ tiêu"
    sheet.append([campaign.title])
    sheet.append([f"Số: {campaign.letter_number or ''}", f"Ngày: {format_date(campaign.letter_date)}",
                  f"Thời gian: {format_date(campaign.period_start)} – {format_date(campaign.period_end)}"])
    sheet.append([])
    _header(sheet, INDICATOR_HEADERS)
    for i in campaign.indicators:
        sheet.append([
            i.code, i.title, translate(f"indicator_kind_{i.kind.value}"), float(i.max_points), i.unit_of_measure or "",
            translate(f"direction_{i.direction.value}") if i.direction else "",
            float(i.target) if i.target is not None else "", _rule_name(i.scoring_rule.name) if i.scoring_rule else "",
        ])
    sheet["A1"].font = Font(bold=True, size=13)
    registered = book.create_sheet("Đăng ký")
    _header(registered, REGISTRATION_HEADERS)
    for view in registrations:
        r = view.registration
        code, name = (view.unit.code, view.unit.name) if view.unit else (r.unit_id, "")
        targets = "; ".join(f"{t.indicator_code}: {t.target}" for t in r.targets if t.target is not None)
        registered.append([code, name, "đang đăng ký" if r.status == "active" else "đã rút", ", ".join(r.titles), targets])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _header(sheet, headers: list[str]) -> None:  # type: ignore[no-untyped-def]
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _rule_name(name: str) -> str:
    """A scoring rule by its Vietnamese name; a rule the catalog does not name yet, by its own."""
    return messages("vi").get(f"scoring_rule_name_{name}", name)
