"""The statistical forms as Excel, in the forms' layout: the form's number and title, who reports
to whom, the period, two header rows (groups over their columns), the cells, and the signatures."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from thidua_shared.i18n import format_date, long_date

from thidua_awards.domain.reports import Form

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def report_workbook(form: Form, cells: list[list[int]], since: date, until: date, reporter: str, today: date) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = form.id
    columns = form.flat_columns()
    width = 2 + len(columns)
    sheet["A1"], sheet["A2"] = form.code, "Ban hành kèm theo Thông tư số 02/2023/TT-BNV"
    sheet.cell(row=1, column=width - 3, value=f"Đơn vị báo cáo: {reporter}")
    sheet.cell(row=2, column=width - 3, value="Đơn vị nhận báo cáo: Bộ Nội vụ (Ban Thi đua - Khen thưởng Trung ương)")
    sheet.cell(row=4, column=1, value=form.title).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=4, start_column=1, end_row=4, end_column=width)
    sheet.cell(row=5, column=1, value=f"Kỳ báo cáo: từ {format_date(since)} đến {format_date(until)}")
    sheet.merge_cells(start_row=5, start_column=1, end_row=5, end_column=width)
    for row in (4, 5):
        sheet.cell(row=row, column=1).alignment = CENTRE
    sheet.cell(row=6, column=width, value=form.unit_label).font = Font(italic=True)
    top, sub = 7, 8
    for column, title in ((1, "STT"), (2, "Chỉ tiêu")):
        sheet.cell(row=top, column=column, value=title)
        sheet.merge_cells(start_row=top, start_column=column, end_row=sub, end_column=column)
    position, previous = 3, None
    for group, line in columns:
        if group is None:
            sheet.cell(row=top, column=position, value=line.label)
            sheet.merge_cells(start_row=top, start_column=position, end_row=sub, end_column=position)
        else:
            if group != previous:
                span = sum(1 for g, _ in columns if g == group)
                sheet.cell(row=top, column=position, value=group)
                sheet.merge_cells(start_row=top, start_column=position, end_row=top, end_column=position + span - 1)
            sheet.cell(row=sub, column=position, value=line.label)
        position, previous = position + 1, group
    sheet.append(["A", "B", *range(1, len(columns) + 1)])
    for number, (line, values) in enumerate(zip(form.rows, cells, strict=True), start=1):
        sheet.append([number, line.label, *values])
    for row in sheet.iter_rows(min_row=top, max_row=sheet.max_row, max_col=width):
        for cell in row:
            cell.border = BOX
            if cell.row <= sub + 1:
                cell.font, cell.alignment = Font(bold=True), CENTRE
    sheet.append([])
    sheet.append(["", "Người lập biểu", *[""] * (len(columns) - 3), long_date(today)])
    sheet.append(["", "(Ký, ghi rõ họ tên)", *[""] * (len(columns) - 3), "THỦ TRƯỞNG ĐƠN VỊ"])
    sheet.append(["", "", *[""] * (len(columns) - 3), "(Ký, đóng dấu, ghi rõ họ tên)"])
    sheet.column_dimensions["B"].width = 48
    for column in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 12
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
