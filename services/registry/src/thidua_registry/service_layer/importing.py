"""Bulk import of units from Excel (.xlsx) or CSV: all rows or none, at national scale.

1. read: the file is read row by row in a worker thread (thidua_shared.spreadsheets), within limits;
2. check: every row is checked (columns, codes, kinds, duplicates in the file), then, with a
   few batched queries, against the registry (codes taken, parents, the caller's scope,
   placement rules); every problem is reported with its row, column and a message in
   Vietnamese and English, and if there is any, nothing is written;
3. write: the units go in with bulk statements and their events into the outbox, in one
   transaction (sealing 35,000 events runs in a worker thread, so the service keeps answering).
Progress is reported through the job it runs in (thidua_shared.jobs).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thidua_shared.access.tokens import Principal
from thidua_shared.errors import AppError, Conflict, Forbidden, NotFound
from thidua_shared.ids import new_id
from thidua_shared.events import registry as ev
from thidua_shared.events.registry import UnitKind
from thidua_shared.jobs import Progress
from thidua_shared.roles import Role
from thidua_shared.spreadsheets import SheetLimits
from thidua_shared.tabular import Columns, Guide, Row, RowErrors, accepted, read_table, reject_if_any, to_command, yield_now
from thidua_shared.text import search_key

from thidua_registry.domain import model
from thidua_registry.domain.model import Unit
from thidua_registry.service_layer import commands as cmd
from thidua_registry.service_layer.access import UNIT_WRITERS
from thidua_registry.service_layer.services import RegistryUnitOfWork

UNIT_COLUMNS = Columns(
    names={
        "code": ("code", "ma", "ma don vi"),
        "name": ("name", "ten", "ten don vi"),
        "kind": ("kind", "loai", "loai don vi", "loai hinh"),
        "parent": ("parent", "parent code", "parent_code", "ma cap tren", "ma don vi cap tren", "don vi cap tren"),
        "province_code": ("province", "province code", "province_code", "ma tinh", "tinh"),
    },
    required=("code", "name", "kind"),
    guides={
        "code": Guide("Mã đơn vị", "Mã duy nhất của đơn vị: chữ in hoa, số và dấu gạch ngang, ví dụ HTX-31-QUANGPHUC.", "HTX-31-MOI"),
        "name": Guide("Tên đơn vị", "Tên đầy đủ, có dấu.", "Hợp tác xã Dịch vụ nông nghiệp Tân Tiến"),
        "kind": Guide("Loại hình", "Một trong: Hợp tác xã (HTX), Liên hiệp HTX, Tổ hợp tác (THT), Quỹ tín dụng nhân dân (QTDND), "
                                   "Liên minh HTX tỉnh, Ban, Đơn vị sự nghiệp, Doanh nghiệp thành viên.", "Hợp tác xã"),
        "parent": Guide("Mã đơn vị cấp trên", "Mã của đơn vị quản lý trực tiếp (đã có, hoặc ở một dòng khác trong tệp này).", "LMHTX-31"),
        "province_code": Guide("Mã tỉnh", "Mã tỉnh, thành phố theo danh mục hành chính (2 chữ số); bỏ trống: theo đơn vị cấp trên.", "31"),
    },
)

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
class ImportSummary:
    dry_run: bool
    created: int
    units: list[tuple[str, str, str]]  # (id, code, name), at most the first 100

    def as_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "created": self.created,
                "units": [{"id": i, "code": c, "name": n} for i, c, n in self.units]}


def ensure_may_import(principal: Principal) -> None:
    """Checked before a byte of the file is read."""
    principal.require_role(UNIT_WRITERS)


# --- 1. read ---------------------------------------------------------------------------------
@dataclass
class ParsedFile:
    commands: list[tuple[int, cmd.RegisterUnit]]
    errors: RowErrors
    rows: int


def read_file(path: Path, filename: str, limits: SheetLimits, progress: Progress) -> ParsedFile:
    """Read and parse the file: commands for the good rows, errors for the others (blocking: run it in a thread)."""
    rows = read_table(path, filename, limits, progress, UNIT_COLUMNS)
    errors = RowErrors.for_rows(rows)
    progress.start_phase("checking", len(rows))  # each row counted once a phase: 35.000 rows show as 35.000
    commands = parse_rows(rows, errors, progress)
    return ParsedFile(commands, errors, len(rows))


# --- 2. check -----------------------------------------------------------------------------------
def parse_rows(rows: list[Row], errors: RowErrors, progress: Progress) -> list[tuple[int, cmd.RegisterUnit]]:
    """Rows to commands: required values, kinds, the command's own validation, duplicates in the file."""
    commands, first_seen = [], {}
    for row in rows:
        progress.advance()
        values = row.values
        kind = KIND_ALIASES.get(search_key(values.get("kind", "")))
        if values.get("kind") and kind is None:
            errors.add(row.number, "kind", "import_value_not_allowed", value=values["kind"], column=errors.header("kind"),
                       allowed=accepted(KIND_ALIASES))
        code = values.get("code", "").upper()
        if code and code in first_seen:
            errors.add(row.number, "code", "import_duplicate_in_file", code=code, first=first_seen[code])
            continue
        first_seen[code] = row.number
        command = to_command(row, UNIT_COLUMNS.required, errors, lambda v: _unit_command(v, kind))
        if command is None or kind is None:
            continue
        commands.append((row.number, command))
    return commands


def _unit_command(values: dict[str, str], kind: UnitKind | None) -> cmd.RegisterUnit:
    command = cmd.RegisterUnit(
        code=values["code"], name=values["name"], kind=kind or UnitKind.COOPERATIVE,
        parent=values.get("parent") or None, province_code=values.get("province_code") or None,
    )
    model.normalize_code(command.code)
    return command


def parents_first(commands: list[tuple[int, cmd.RegisterUnit]]) -> list[tuple[int, cmd.RegisterUnit]]:
    """Order rows so that a parent defined in the same file comes before its children (no recursion: deep files are fine)."""
    by_code = {c.code.upper(): (n, c) for n, c in commands}
    ordered, placed = [], set()
    for code in by_code:
        path, current = [], code
        while current in by_code and current not in placed and current not in path:
            path.append(current)
            current = (by_code[current][1].parent or "").upper()
        for step in reversed(path):  # a cycle inside the file surfaces as "parent not found" below
            placed.add(step)
            ordered.append(by_code[step])
    return ordered


async def check_against_registry(
    uow: RegistryUnitOfWork, principal: Principal, commands: list[tuple[int, cmd.RegisterUnit]], errors: RowErrors, progress: Progress
) -> list[Unit]:
    """The units to create, parents first, checked with a fixed number of queries whatever the file's size."""
    repo = uow.repo
    codes = [model.normalize_code(c.code) for _, c in commands]
    taken = await repo.existing_codes(codes)
    in_file = set(codes)
    existing_parents = await repo.units_by_refs(sorted({c.parent for _, c in commands if c.parent and c.parent.upper() not in in_file}))
    # Merged parents are refused with their successor named: load those successors too, in one go.
    successors = await repo.units_by_refs(sorted({u.successor_id for u in existing_parents.values() if u.successor_id}))
    existing_parents |= successors
    reachable = None if principal.scope_unit_id is None else await repo.subtree_id_set(principal.scope_unit_id)
    created: dict[str, Unit] = {}
    units: list[Unit] = []
    for index, (number, command) in enumerate(parents_first(commands)):
        await yield_now(index)
        progress.advance()
        try:
            unit = _checked_unit(principal, command, taken, existing_parents, created, reachable)
        except AppError as error:
            errors.add_app_error(number, None, error)
            continue
        created[unit.code] = unit
        units.append(unit)
    return units


def _checked_unit(
    principal: Principal, command: cmd.RegisterUnit, taken: set[str], existing: dict[str, Unit],
    created: dict[str, Unit], reachable: set[str] | None,
) -> Unit:
    """The same rules as registering one unit (services.add_unit), on data loaded in bulk."""
    code = model.normalize_code(command.code)
    if code in taken:
        raise Conflict("unit_code_taken", code=code)
    parent = None
    if command.parent:
        parent = created.get(command.parent.upper()) or existing.get(command.parent)
        if parent is None:
            raise NotFound("parent_not_found", ref=command.parent)
        successor = existing.get(parent.successor_id) if parent.successor_id else None
        parent.ensure_active(successor.code if successor else None)
    if command.kind is UnitKind.NATIONAL_ALLIANCE:
        principal.require_role((Role.NATIONAL_ADMIN,))
    model.check_placement(command.kind, parent)
    if parent is not None and reachable is not None and parent.id not in reachable and parent.code not in created:
        raise Forbidden("forbidden_scope", unit=parent.code)
    return Unit(
        id=new_id(), code=code, name=command.name, kind=command.kind,
        parent_id=parent.id if parent else None,
        province_code=command.province_code or (parent.province_code if parent else None),
    )


# --- 3. write --------------------------------------------------------------------------------------
async def import_units(
    uow: RegistryUnitOfWork, principal: Principal, parsed: ParsedFile, progress: Progress, dry_run: bool = False
) -> ImportSummary:
    """Check every row against the registry, then register all units in one transaction, parents before children."""
    ensure_may_import(principal)
    errors = parsed.errors
    async with uow:
        progress.start_phase("matching", len(parsed.commands))
        units = await check_against_registry(uow, principal, parsed.commands, errors, progress)
        parsed.commands.clear()  # not needed any more: let a national file's memory go before writing
        reject_if_any(errors)
        if not dry_run:
            progress.start_phase("writing", len(units))
            await uow.repo.add_units(units)
            uow.record_each(units, lambda u: ev.UnitRegistered(unit=u.snapshot()), lambda u: u.id, actor=principal.actor)
            await uow.commit(progress=progress.advance)
    return ImportSummary(dry_run, len(units), [(u.id, u.code, u.name) for u in units[:100]])
