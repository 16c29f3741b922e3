"""Imports of rows from Excel (.xlsx) or CSV, all rows or none, as every service does them.

A service names its columns (each with the header spellings people use) and turns a row's
values into a `Command`; this module reads the file (thidua_shared.spreadsheets, within
limits), maps the header, runs the command's own validation on every row and collects each
problem with its row, column and a message in both languages. If any row is wrong, nothing is
written and the whole report comes back (`reject_if_any`). The HTTP side (`start_import`)
checks the caller before a byte is read and runs the import as a job with progress.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from thidua_shared.errors import AppError, Invalid
from thidua_shared.i18n import field_name, translate
from thidua_shared.validation_messages import explain
from thidua_shared.jobs import Progress
from thidua_shared.spreadsheets import SheetLimits, read_rows
from thidua_shared.text import search_key


MAX_REPORTED_ERRORS = 1000  # a file wrong on every row still gets a report of bounded size
C = TypeVar("C")


@dataclass(frozen=True)
class Row:
    number: int  # as the person sees it in the spreadsheet (header is row 1)
    values: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict, compare=False)  # column → its header as the file spells it


@dataclass(frozen=True)
class Guide:
    """How the template presents a column: its Vietnamese header, a note with its format and allowed values, an example."""

    header: str
    note: str
    example: str


@dataclass(frozen=True)
class Columns:
    """A file's columns: each with the header spellings accepted (compared after ASCII folding), and how the
    template presents it."""

    names: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    guides: dict[str, Guide] = field(default_factory=dict)

    def column_for(self, header_cell: str) -> str | None:
        folded = search_key(header_cell.rstrip(" *")).replace("_", " ")  # "Tên đơn vị *" as the template marks it
        return next((col for col, names in self.names.items() if folded in {n.replace("_", " ") for n in names}), None)


@dataclass
class RowErrors:
    """Each problem by row and by column, the column named as the person's own file names it ("Tên đơn vị"),
    or by its Vietnamese label when the file has no such column; `column` keeps the internal name for programs."""

    items: list[dict[str, Any]] = field(default_factory=list)
    rows: set[int] = field(default_factory=set)
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_rows(cls, rows: list[Row]) -> "RowErrors":
        return cls(headers=dict(rows[0].headers) if rows else {})

    def header(self, column: str | None) -> str:
        if column is None:
            return ""
        return self.headers.get(column) or field_name(column)

    def add(self, row: int, column: str | None, message_code: str, /, **params: object) -> None:
        self._item(row, column, message_code, translate(message_code, "vi", **params), translate(message_code, "en", **params))

    def add_app_error(self, row: int, column: str | None, error: AppError) -> None:
        self._item(row, column, error.code, error.message("vi"), error.message("en"))

    def _item(self, row: int, column: str | None, code: str, vi: str, en: str) -> None:
        self.rows.add(row)
        if len(self.items) < MAX_REPORTED_ERRORS:
            self.items.append({"row": row, "column": column, "header": self.header(column), "code": code, "message_vi": vi, "message_en": en})


def accepted(aliases: dict[str, Any], most: int = 12) -> str:
    """The spellings a column accepts (as compared: without diacritics), for a message that lists them."""
    shown = sorted(aliases)[:most]
    return ", ".join(shown) + (", …" if len(aliases) > most else "")


def read_table(path: Path, filename: str, limits: SheetLimits, progress: Progress, columns: Columns) -> list[Row]:
    """Rows with at least one value, keyed by column (blocking: run it in a thread)."""
    table: Iterator[list[str]] = read_rows(path, filename, limits)
    header_cells = next(table, None)
    if not header_cells:
        raise Invalid("import_empty")
    header = [columns.column_for(cell) for cell in header_cells]
    missing = [c for c in columns.required if c not in header]
    if missing:
        raise Invalid("import_missing_columns", columns=", ".join(f"«{field_name(c)}» ({c})" for c in missing))
    typed = {col: cell.strip() for cell, col in zip(header_cells, header, strict=False) if col}
    rows = []
    for number, cells in enumerate(table, start=2):
        values = {col: (cells[i] if i < len(cells) else "").strip() for i, col in enumerate(header) if col}
        if any(values.values()):
            rows.append(Row(number, values, typed))
        progress.advance()
    if not rows:
        raise Invalid("import_empty")
    return rows


def to_command(row: Row, required: tuple[str, ...], errors: RowErrors, make: Callable[[dict[str, str]], C]) -> C | None:
    """The row as a command, or None with its problems recorded (missing values, the command's own validation)."""
    missing = [c for c in required if not row.values.get(c)]
    for column in missing:
        errors.add(row.number, column, "import_required_value", column=errors.header(column))
    if missing:
        return None
    try:
        return make(row.values)
    except ValidationError as invalid:
        for problem in explain(invalid.errors()):
            column = str(problem["loc"][0]) if problem["loc"] else None
            errors.add(row.number, column, "import_invalid_value", reason_vi=problem["message_vi"], reason_en=problem["message_en"])
    except AppError as error:
        errors.add_app_error(row.number, None, error)
    return None


def reject_if_any(errors: RowErrors) -> None:
    """All rows or none: any problem rejects the file, with every problem listed by row."""
    if errors.rows:
        raise Invalid("import_rejected", details={"errors": sorted(errors.items, key=lambda e: e["row"])}, count=len(errors.rows))


async def yield_now(index: int, every: int = 2000) -> None:
    """Let /health and other requests in between, every so many rows of a long check."""
    if index % every == 0:
        await asyncio.sleep(0)


ImportWork = Callable[[Path, str, SheetLimits, Progress], Awaitable[dict[str, Any]]]


def template_workbook(title: str, columns: Columns) -> bytes:
    """An import's template (.xlsx): the Vietnamese headers (required ones marked *), each with a note saying its
    format and allowed values, and an example row to overwrite. Its headers read back as the same columns."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    ordered = [c for c in columns.guides]
    for index, column in enumerate(ordered, start=1):
        guide = columns.guides[column]
        required = column in columns.required
        cell = sheet.cell(row=1, column=index, value=guide.header + (" *" if required else ""))
        cell.font = Font(bold=True)
        note = guide.note + ("\n(Bắt buộc)" if required else "\n(Không bắt buộc)")
        cell.comment = Comment(note, "Thi Đua", width=320, height=140)
        sheet.cell(row=2, column=index, value=guide.example)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(guide.header) + 4)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
