"""Bulk import of people from Excel (.xlsx) or CSV: all rows or none, as for units.

Each row names the person's unit (by code), full name, position and, optionally, the national
ID number (kept only as a keyed digest, as when one person is registered). The rows are checked
with a fixed number of queries (units, the caller's scope, ID numbers already registered),
duplicates in the file included; nothing is written unless every row is right.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thidua_shared.access.tokens import Principal
from thidua_shared.errors import AppError, Conflict, Forbidden, NotFound
from thidua_shared.events import registry as ev
from thidua_shared.ids import new_id
from thidua_shared.jobs import Progress
from thidua_shared.spreadsheets import SheetLimits
from thidua_shared.tabular import Columns, Guide, RowErrors, read_table, reject_if_any, to_command, yield_now

from thidua_registry.domain import model
from thidua_registry.domain.model import Person, Unit
from thidua_registry.service_layer import commands as cmd
from thidua_registry.service_layer.access import UNIT_EDITORS
from thidua_registry.service_layer.services import RegistryUnitOfWork

PEOPLE_COLUMNS = Columns(
    names={
        "unit": ("unit", "unit code", "ma don vi", "don vi", "ma dv"),
        "full_name": ("full name", "full_name", "name", "ho ten", "ho va ten", "ten"),
        "position": ("position", "chuc vu", "chuc danh"),
        "national_id": ("national id", "national_id", "so cccd", "cccd", "so cmnd", "cmnd", "so cmnd/cccd", "cmnd/cccd"),
    },
    required=("unit", "full_name"),
    guides={
        "unit": Guide("Mã đơn vị", "Mã của đơn vị nơi người này làm việc, ví dụ HTX-31-QUANGPHUC.", "HTX-31-QUANGPHUC"),
        "full_name": Guide("Họ và tên", "Họ và tên đầy đủ, có dấu.", "Nguyễn Văn Nam"),
        "position": Guide("Chức vụ", "Chức vụ hoặc chức danh.", "Giám đốc"),
        "national_id": Guide("Số CMND/CCCD", "12 chữ số (CCCD) hoặc 9 chữ số (CMND); chỉ dùng để phát hiện trùng, không lưu được đọc lại.",
                             "031085001234"),
    },
)


@dataclass
class ParsedPeople:
    commands: list[tuple[int, cmd.RegisterPerson]]
    errors: RowErrors


def ensure_may_import(principal: Principal) -> None:
    principal.require_role(UNIT_EDITORS)


def read_file(path: Path, filename: str, limits: SheetLimits, progress: Progress) -> ParsedPeople:
    """Rows to commands (blocking: run it in a thread)."""
    rows = read_table(path, filename, limits, progress, PEOPLE_COLUMNS)
    errors = RowErrors.for_rows(rows)
    progress.start_phase("checking", len(rows))  # each row counted once a phase
    commands = []
    for row in rows:
        progress.advance()
        command = to_command(row, PEOPLE_COLUMNS.required, errors, lambda v: cmd.RegisterPerson(
            unit=v["unit"], full_name=v["full_name"], position=v.get("position") or None, national_id=v.get("national_id") or None,
        ))
        if command is not None:
            commands.append((row.number, command))
    return ParsedPeople(commands, errors)


async def import_people(uow: RegistryUnitOfWork, principal: Principal, parsed: ParsedPeople, id_secret: bytes,
                        progress: Progress, dry_run: bool = False) -> dict[str, Any]:
    ensure_may_import(principal)
    errors = parsed.errors
    async with uow:
        repo = uow.repo
        units = await repo.units_by_refs(sorted({c.unit for _, c in parsed.commands}))
        reachable = None if principal.scope_unit_id is None else await repo.subtree_id_set(principal.scope_unit_id)
        digests: dict[int, str] = {}
        for number, command in parsed.commands:
            if command.national_id:
                try:
                    digests[number] = model.national_id_digest(command.national_id, id_secret)
                except AppError as error:
                    errors.add_app_error(number, "national_id", error)
        taken = await repo.national_ids_taken(sorted(set(digests.values())))
        progress.start_phase("matching", len(parsed.commands))
        people, first_seen = [], {}
        for index, (number, command) in enumerate(parsed.commands):
            await yield_now(index)
            progress.advance()
            digest = digests.get(number)
            if digest is not None and digest in first_seen:
                errors.add(number, "national_id", "import_person_twice", first=first_seen[digest])
                continue
            if digest is not None:
                first_seen[digest] = number
            try:
                unit = _checked_unit(units.get(command.unit), command.unit, reachable, units)
                if digest is not None and digest in taken:
                    raise Conflict("person_already_registered")
            except AppError as error:
                errors.add_app_error(number, "unit" if not isinstance(error, Conflict) else "national_id", error)
                continue
            people.append(Person(id=new_id(), unit_id=unit.id, full_name=command.full_name, position=command.position,
                                 national_id_digest=digest))
        parsed.commands.clear()
        reject_if_any(errors)
        if not dry_run:
            progress.start_phase("writing", len(people))
            await repo.add_people(people)
            uow.record_each(people, lambda p: ev.PersonRegistered(person=p.snapshot()), lambda p: p.id, actor=principal.actor)
            await uow.commit(progress=progress.advance)
    return {"dry_run": dry_run, "created": len(people),
            "people": [{"id": p.id, "full_name": p.full_name, "unit_id": p.unit_id} for p in people[:100]]}


def _checked_unit(unit: Unit | None, ref: str, reachable: set[str] | None, known: dict[str, Unit]) -> Unit:
    """The same rules as registering one person: an active unit within the caller's reach."""
    if unit is None:
        raise NotFound("unit_not_found", ref=ref)
    successor = known.get(unit.successor_id) if unit.successor_id else None
    unit.ensure_active(successor.code if successor else unit.successor_id)
    if reachable is not None and unit.id not in reachable:
        raise Forbidden("forbidden_scope", unit=unit.code)
    return unit
