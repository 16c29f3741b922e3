"""Score tables as clusters keep them: the cluster's Excel table (two header rows: each criterion's
self-score beside the cluster's score), the same as CSV, a unit's own score sheet, and the
Yên Bái-style target table (target, actual, % of target, points). Headers in Vietnamese."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from thidua_shared.i18n import format_date

from thidua_scoring.domain.fixed import POINT_PLACES, plain
from thidua_scoring.domain.results import Node
from thidua_scoring.service_layer.queries import ScoreSheet, TableView, TargetSheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIODS = {"mid_term": "Sơ kết", "final": "Tổng kết"}
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _number(text: str | None) -> Decimal | str:
    return Decimal(text) if text is not None else ""


def _max(node: Node) -> Decimal:
    return plain(node.max_points, POINT_PLACES)


def _note(row: dict[str, Any], leader: str | None, units: dict[str, Any]) -> str:
    if row["unit_id"] == leader:
        return "Dẫn đầu cụm"
    if row["tied_with"]:
        return "Đồng hạng với " + ", ".join(units[u].code if u in units else u for u in row["tied_with"]) + ": bỏ phiếu"
    return ""


def _heading(sheet: Worksheet, lines: Sequence[str], width: int) -> None:
    for number, text in enumerate(lines, start=1):
        sheet.cell(row=number, column=1, value=text).font = Font(bold=number == 1, size=13 if number == 1 else 11)
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=max(width, 1))
        sheet.cell(row=number, column=1).alignment = Alignment(horizontal="center")


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the cluster's table ----------------------------------------------------------------------------
def table_workbook(view: TableView, today: date) -> bytes:
    """STT | Đơn vị | per criterion: Tự chấm, Cụm chấm | Tổng tự chấm | Tổng điểm | Xếp hạng | Ghi chú."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Bảng điểm"
    criteria, decimals = view.criteria, view.round.policy.decimals
    width = 2 + 2 * len(criteria) + 4
    status = "TẠM TÍNH – chưa khóa" if view.provisional else "Đã khóa"
    _heading(sheet, [
        "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA",
        f"{view.cluster.name} – {PERIODS[view.round.period.value]} năm {view.round.year} ({status})",
        f"Phong trào: {view.campaign.title}",
    ], width)
    top, sub = 5, 6
    for column, title in ((1, "STT"), (2, "Đơn vị")):
        sheet.cell(row=top, column=column, value=title)
        sheet.merge_cells(start_row=top, start_column=column, end_row=sub, end_column=column)
    for index, node in enumerate(criteria):
        column = 3 + 2 * index
        sheet.cell(row=top, column=column, value=f"{node.code}. {node.title} (tối đa {_max(node)} đ)")
        sheet.merge_cells(start_row=top, start_column=column, end_row=top, end_column=column + 1)
        sheet.cell(row=sub, column=column, value="Tự chấm")
        sheet.cell(row=sub, column=column + 1, value="Cụm chấm")
    tail = 3 + 2 * len(criteria)
    for offset, title in enumerate(("Tổng tự chấm", "Tổng điểm", "Xếp hạng", "Ghi chú")):
        sheet.cell(row=top, column=tail + offset, value=title)
        sheet.merge_cells(start_row=top, start_column=tail + offset, end_row=sub, end_column=tail + offset)
    number_format = "0" if decimals == 0 else "0." + "0" * decimals
    for number, row in enumerate(view.table["rows"], start=1):
        unit = view.units.get(row["unit_id"])
        cells = {c["indicator_code"]: c for c in row["cells"]}
        values: list[Any] = [number, f"{unit.name} ({unit.code})" if unit else row["unit_id"]]
        for node in criteria:
            cell = cells.get(node.code, {})
            values += [_number(cell.get("self_points")), _number(cell.get("final_points"))]
        own_total = sum((Decimal(cells[n.code]["self_points"]) for n in criteria if n.parent is None and n.code in cells), Decimal(0))
        values += [own_total, _number(row["total"]), row["rank"], _note(row, view.table["leader_unit_id"], view.units)]
        sheet.append(values)
        for cell in sheet[sheet.max_row][2 : tail + 1]:
            cell.number_format = number_format
    _frame(sheet, top, sheet.max_row, width)
    _footer(sheet, view, today)
    sheet.column_dimensions["B"].width = 40
    for column in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 11
    sheet.freeze_panes = sheet.cell(row=sub + 1, column=3)
    return _save(book)


def _frame(sheet: Worksheet, first: int, last: int, width: int) -> None:
    for row in sheet.iter_rows(min_row=first, max_row=last, max_col=width):
        for cell in row:
            cell.border = BOX
            if cell.row < first + 2:
                cell.font, cell.alignment = BOLD, CENTRE


def _footer(sheet: Worksheet, view: TableView, today: date) -> None:
    sheet.append([])
    sheet.append(["", f"Ngày lập: {format_date(today)}"])
    sheet.append(["", "CỤM TRƯỞNG (ký, ghi rõ họ tên, đóng dấu)"])
    sheet[sheet.max_row][1].font = BOLD
    if view.inputs_digest:
        sheet.append([])
        sheet.append(["", f"Mã kiểm tra dữ liệu chấm (SHA-256): {view.inputs_digest}"])
        sheet.append(["", f"Mã kiểm tra bảng điểm (SHA-256): {view.table_digest}"])
        sheet.append(["", f"Kiểm tra lại: thidua scoring recompute {view.round.id}"])


def table_csv(view: TableView) -> bytes:
    """The same table for machines: one line per unit, UTF-8 with a byte-order mark so Excel reads the accents."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    criteria = view.criteria
    writer.writerow(["xep_hang", "ma_don_vi", "ten_don_vi", *(f"{n.code}_{part}" for n in criteria for part in ("tu_cham", "cum_cham")),
                     "tong_diem", "dong_hang_voi"])
    for row in view.table["rows"]:
        unit = view.units.get(row["unit_id"])
        cells = {c["indicator_code"]: c for c in row["cells"]}
        writer.writerow([
            row["rank"], unit.code if unit else row["unit_id"], unit.name if unit else "",
            *(cells.get(n.code, {}).get(part) or "" for n in criteria for part in ("self_points", "final_points")),
            row["total"], " ".join(row["tied_with"]),
        ])
    return ("\ufeff" + buffer.getvalue()).encode()


# --- a unit's own sheet ----------------------------------------------------------------------------------
def score_sheet_workbook(sheet_view: ScoreSheet, today: date) -> bytes:
    view = sheet_view.table
    book = Workbook()
    sheet = book.active
    sheet.title = "Phiếu điểm"
    headers = ["Mã", "Tiêu chí", "Điểm tối đa", "Kết quả báo cáo", "Tự chấm", "Điểm tính theo quy tắc", "Điểm chấm chéo", "Điểm được tính", "Giải trình"]
    _heading(sheet, [
        "PHIẾU ĐIỂM THI ĐUA CỦA ĐƠN VỊ",
        f"{sheet_view.unit.name} ({sheet_view.unit.code}) – {view.cluster.name}",
        f"{view.campaign.title} – {PERIODS[view.round.period.value]} năm {view.round.year}"
        + (" (tạm tính)" if view.provisional else ""),
    ], len(headers))
    sheet.append([])
    sheet.append(headers)
    reported = {r.indicator_code: r for r in sheet_view.submission.results} if sheet_view.submission else {}
    cells = {c["indicator_code"]: c for c in sheet_view.row["cells"]} if sheet_view.row else {}
    for node in view.criteria:
        result = reported.get(node.code)
        shown = "" if result is None else ("đạt" if result.achieved else "không đạt") if result.achieved is not None else result.value
        cell = cells.get(node.code, {})
        sheet.append([node.code, node.title, _max(node), shown, _number(cell.get("self_points")), _number(cell.get("computed_points")),
                      _number(cell.get("review_points")), _number(cell.get("final_points")), sheet_view.explanations.get(node.code, "")])
    if sheet_view.row:
        sheet.append(["", "Tổng điểm", "", "", "", "", "", _number(sheet_view.row["total"]), f"Xếp hạng: {sheet_view.row['rank']}"])
    _frame(sheet, 5, sheet.max_row, len(headers))
    sheet.column_dimensions["B"].width = 50
    reviews = book.create_sheet("Điểm chấm chéo")
    reviews.append(["Đơn vị chấm", "Tiêu chí", "Lần chấm", "Điểm", "Nhận xét"])
    for review in sheet_view.reviews:
        reviewer = view.units.get(review.reviewer_unit_id)
        reviews.append([reviewer.code if reviewer else review.reviewer_unit_id, review.indicator_code,
                        "chấm lại sau giải trình" if review.stage == 2 else "lần đầu", plain(review.points, POINT_PLACES), review.comment or ""])
    sheet.append([])
    sheet.append(["", f"Ngày in: {format_date(today)}"])
    return _save(book)


# --- the target table --------------------------------------------------------------------------------------
def targets_workbook(title: str, period: str, sheets: list[TargetSheet], today: date) -> bytes:
    """Per unit: STT | Chỉ tiêu | Đơn vị tính | Chỉ tiêu | Thực hiện | % so với chỉ tiêu | Điểm."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Chỉ tiêu và kết quả"
    headers = ["STT", "Chỉ tiêu", "Đơn vị tính", "Chỉ tiêu đăng ký", "Thực hiện", "% so với chỉ tiêu", "Điểm"]
    _heading(sheet, ["KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU THI ĐUA", f"{title} – {PERIODS[period]}", f"Ngày lập: {format_date(today)}"], len(headers))
    for unit_sheet in sheets:
        sheet.append([])
        sheet.append([f"{unit_sheet.unit.name} ({unit_sheet.unit.code})" + ("" if unit_sheet.submission else " – chưa báo cáo")])
        sheet[sheet.max_row][0].font = BOLD
        sheet.append(headers)
        for cell in sheet[sheet.max_row]:
            cell.font, cell.border = BOLD, BOX
        for number, line in enumerate(unit_sheet.lines, start=1):
            sheet.append([number, line.title, line.unit_of_measure or "", line.target if line.target is not None else "",
                          line.actual if line.actual is not None else "", line.percent if line.percent is not None else "",
                          line.points if line.points is not None else ""])
            for cell in sheet[sheet.max_row]:
                cell.border = BOX
    sheet.column_dimensions["B"].width = 60
    for column in "CDEFG":
        sheet.column_dimensions[column].width = 16
    return _save(book)
