"""Bulk import of units from Excel (.xlsx) or CSV: all rows or none.

Every row is checked before anything is written; if any row is wrong, nothing
is imported and the caller gets one error per problem, with row number,
column, and the message in Vietnamese and English.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook

from thidua_shared.access.tokens import Principal
from thidua_shared.errors import AppError, Invalid
from thidua_shared.events.registry import UnitKind
from thidua_shared.i18n import translate
from thidua_shared.messaging.unit_of_work import UnitOfWork

from thidua_registry.adapters.repository import RegistryRepository
from thidua_registry.domain.model import Unit, search_key
from thidua_registry.service_layer import commands as cmd
from thidua_registry.service_layer.services import RegistryUnitOfWork, add_unit

# Header spellings accepted for each column (compared after ASCII folding).
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "ma", "ma don vi"),
    "name": ("name", "ten", "ten don vi"),
    "kind": ("kind", "loai", "loai don vi", "loai hinh"),
    "parent": ("parent", "parent code", "parent_code", "ma cap tren", "ma don vi cap tren", "don vi cap tren"),
    "province_code": ("province", "province code", "province_code", "ma tinh", "tinh"),
}
REQUIRED = ("code", "name", "kind")

# Unit kinds as people write them in spreadsheets (after ASCII folding).
KIND_ALIASES: dict[str, UnitKind] = {
    **{k.value: k for k in UnitKind},
    "lien minh htx viet nam": UnitKind.NATIONAL_ALLIANCE,
    "lien minh htx tinh": UnitKind.PROVINCIAL_ALLIANCE,
    "lien minh htx": UnitKind.PROVINCIAL_ALLIANCE,
    "htx": UnitKind.COOPERATIVE,
    "hop tac xa": UnitKind.COOPERATIVE,
    "lien hiep htx": UnitKind.COOPERATIVE_UNION,
    "lien hiep hop tac xa": UnitKind.COOPERATIVE_UNION,
    "tht": UnitKind.COOPERATIVE_GROUP,
    "to hop tac": UnitKind.COOPERATIVE_GROUP,
    "qtdnd": UnitKind.CREDIT_FUND,
    "quy tin dung nhan dan": UnitKind.CREDIT_FUND,
    "ban": UnitKind.DEPARTMENT,
    "don vi su nghiep": UnitKind.PUBLIC_SERVICE_UNIT,
    "doanh nghiep": UnitKind.MEMBER_ENTERPRISE,
    "doanh nghiep thanh vien": UnitKind.MEMBER_ENTERPRISE,
}


@dataclass(frozen=True)
class Row:
    number: int  # as the person sees it in the spreadsheet (header is row 1)
    values: dict[str, str]


@dataclass
class RowErrors:
    items: list[dict[str, Any]]

    def add(self, row: int, column: str | None, message_code: str, /, **params: object) -> None:
        self.items.append(
            {"row": row, "column": column, "code": message_code,
             "message_vi": translate(message_code, "vi", **params), "message_en": translate(message_code, "en", **params)}
        )

    def add_app_error(self, row: int, column: str | None, error: AppError) -> None:
        self.items.append(
            {"row": row, "column": column, "code": error.code,
             "message_vi": error.message("vi"), "message_en": error.message("en")}
        )


def read_rows(filename: str, content: bytes) -> list[Row]:
    lowered = filename.lower()
    try:
        if lowered.endswith(".xlsx"):
            table = _xlsx_table(content)
        elif lowered.endswith(".csv"):
            table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        else:
            raise Invalid("import_unsupported_file", name=filename)
    except AppError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is the file's fault, said plainly
        raise Invalid("import_malformed_file", reason=str(exc) or type(exc).__name__) from exc
    return _to_rows(table)


def _xlsx_table(content: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    return [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]


def _to_rows(table: list[list[str]]) -> list[Row]:
    if not table:
        raise Invalid("import_empty")
    header = [_column_for(cell) for cell in table[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise Invalid("import_missing_columns", columns=", ".join(missing))
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {col: (cells[i] if i < len(cells) else "").strip() for i, col in enumerate(header) if col}
        if any(values.values()):
            rows.append(Row(number, values))
    if not rows:
        raise Invalid("import_empty")
    return rows


def _column_for(header_cell: str) -> str | None:
    folded = search_key(header_cell).replace("_", " ")
    return next((col for col, names in COLUMNS.items() if folded in {n.replace("_", " ") for n in names}), None)


async def import_units(uow: RegistryUnitOfWork, principal: Principal, rows: list[Row], dry_run: bool = False) -> list[Unit]:
    """Check every row, then register all units in one transaction, parents before children."""
    errors = RowErrors([])
    commands = _parse(rows, errors)
    created: list[Unit] = []
    async with uow:
        repo = uow.repo
        for number, command in _parents_first(commands):
            try:
                # add_unit checks everything before it writes, so a refused row leaves nothing behind.
                created.append(await add_unit(uow, repo, principal, command))
            except AppError as error:
                errors.add_app_error(number, None, error)
        if errors.items:
            raise Invalid("import_rejected", details={"errors": sorted(errors.items, key=lambda e: e["row"])}, count=len({e["row"] for e in errors.items}))
        if not dry_run:
            await uow.commit()
    return created


def _parse(rows: list[Row], errors: RowErrors) -> list[tuple[int, cmd.RegisterUnit]]:
    commands, first_seen = [], {}
    for row in rows:
        values = row.values
        problems = [c for c in REQUIRED if not values.get(c)]
        for column in problems:
            errors.add(row.number, column, "import_required_value", column=column)
        kind = KIND_ALIASES.get(search_key(values.get("kind", "")))
        if values.get("kind") and kind is None:
            errors.add(row.number, "kind", "import_unknown_kind", value=values["kind"])
        code = values.get("code", "").upper()
        if code in first_seen:
            errors.add(row.number, "code", "import_duplicate_in_file", code=code, first=first_seen[code])
            continue
        first_seen[code] = row.number
        if problems or kind is None:
            continue
        commands.append((row.number, cmd.RegisterUnit(
            code=values["code"], name=values["name"], kind=kind,
            parent=values.get("parent") or None, province_code=values.get("province_code") or None,
        )))
    return commands


def _parents_first(commands: list[tuple[int, cmd.RegisterUnit]]) -> list[tuple[int, cmd.RegisterUnit]]:
    """Order rows so that a parent defined in the same file is registered before its children."""
    by_code = {c.code.upper(): (n, c) for n, c in commands}
    ordered, placed = [], set()

    def place(code: str, trail: frozenset[str]) -> None:
        if code in placed or code in trail:
            return  # a cycle inside the file surfaces as "parent not found" below
        number, command = by_code[code]
        parent = (command.parent or "").upper()
        if parent in by_code:
            place(parent, trail | {code})
        placed.add(code)
        ordered.append((number, command))

    for code in by_code:
        place(code, frozenset())
    return ordered
