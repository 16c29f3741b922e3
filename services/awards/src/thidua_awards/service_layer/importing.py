"""Bulk imports from Excel/CSV, all rows or none: earlier years' awards (history), yearly task
ratings, recognised initiatives, discipline records, and nominations.

A row names its subject by the unit's code and, for a person, the person's full name (or id)
within that unit; subjects are resolved with a fixed number of queries for the whole file.
Awards and values are accepted as people write them in Vietnamese (after folding).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from thidua_shared.access.tokens import Principal
from thidua_shared.errors import AppError, Forbidden, NotFound
from thidua_shared.events import awards as ev
from thidua_shared.events.awards import (
    AwardRecord,
    CommendationType,
    DisciplineLevel,
    DisciplineSnapshot,
    InitiativeLevel,
    InitiativeSnapshot,
    Subject,
    SubjectKind,
    TaskRating,
    TaskRatingSnapshot,
)
from thidua_shared.ids import new_id
from thidua_shared.jobs import Progress
from thidua_shared.spreadsheets import SheetLimits
from thidua_shared.tabular import Columns, Guide, Row, RowErrors, accepted, read_table, reject_if_any, yield_now
from thidua_shared.text import search_key
from thidua_shared.validation_messages import explain

from thidua_awards.adapters.repository import AwardsRepository
from thidua_awards.domain.rulesets import all_rulesets
from thidua_awards.service_layer import commands as cmd
from thidua_awards.service_layer.access import OFFICE, PROPOSERS, RECORDERS, records_facts
from thidua_awards.service_layer.services import AwardsUnitOfWork, import_nominations

SUBJECT_COLUMNS = {
    "unit": ("unit", "ma don vi", "don vi", "ma dv", "ma tap the"),
    "person": ("person", "ho ten", "ho va ten", "ca nhan", "ten ca nhan"),
    "person_id": ("person id", "person_id", "ma ca nhan"),
}
SUBJECT_GUIDES = {
    "unit": Guide("Mã đơn vị", "Mã của tập thể (hoặc của đơn vị nơi cá nhân làm việc), ví dụ HTX-31-QUANGPHUC.", "HTX-31-QUANGPHUC"),
    "person": Guide("Họ và tên", "Bỏ trống nếu là tập thể; với cá nhân: họ và tên như trong danh sách của đơn vị.", "Nguyễn Văn Nam"),
    "person_id": Guide("Mã cá nhân", "Không bắt buộc: dùng khi đơn vị có hai người trùng họ tên.", ""),
}
YEAR = Guide("Năm", "Năm, 4 chữ số.", "2025")
AWARD = Guide("Hình thức khen thưởng", "Mã hoặc tên hình thức khen thưởng, danh hiệu (xem: thidua awards rulesets).", "lao_dong_tien_tien")


def _columns(names: dict[str, tuple[str, ...]], required: tuple[str, ...], guides: dict[str, Guide]) -> Columns:
    return Columns({**SUBJECT_COLUMNS, **names}, required, {**SUBJECT_GUIDES, **guides})


KINDS: dict[str, Columns] = {
    "history": _columns({"award": ("award", "hinh thuc", "danh hieu", "hinh thuc khen thuong", "khen thuong"), "year": ("year", "nam"),
                         "decision_number": ("decision", "so quyet dinh", "quyet dinh"),
                         "decided_on": ("decided on", "ngay quyet dinh", "ngay ky")}, ("unit", "award", "year"),
                        {"award": AWARD, "year": YEAR, "decision_number": Guide("Số quyết định", "Số và ký hiệu của quyết định.", "15/QĐ-LMHTX"),
                         "decided_on": Guide("Ngày quyết định", "Ngày theo dạng dd/mm/yyyy.", "20/12/2025")}),
    "ratings": _columns({"year": ("year", "nam"), "rating": ("rating", "xep loai", "danh gia", "muc do hoan thanh")}, ("unit", "year", "rating"),
                        {"year": YEAR, "rating": Guide("Xếp loại", "Một trong: Hoàn thành xuất sắc nhiệm vụ, Hoàn thành tốt nhiệm vụ, "
                                                                   "Hoàn thành nhiệm vụ, Không hoàn thành nhiệm vụ.", "Hoàn thành tốt nhiệm vụ")}),
    "initiatives": _columns({"title": ("title", "ten sang kien", "sang kien"), "level": ("level", "cap", "cap cong nhan"), "year": ("year", "nam"),
                             "recognised_by": ("recognised by", "co quan cong nhan", "don vi cong nhan"),
                             "document_number": ("document", "so van ban", "so giay chung nhan")}, ("unit", "title", "level", "year"),
                            {"title": Guide("Tên sáng kiến", "Tên sáng kiến như trong giấy chứng nhận.", "Quy trình sấy vải tiết kiệm điện"),
                             "level": Guide("Cấp công nhận", "Một trong: Cơ sở, Tỉnh (bộ, ngành), Toàn quốc.", "Cơ sở"), "year": YEAR,
                             "recognised_by": Guide("Cơ quan công nhận", "Cơ quan ra văn bản công nhận.", "Liên minh HTX thành phố Hải Phòng"),
                             "document_number": Guide("Số văn bản", "Số văn bản hoặc giấy chứng nhận.", "27/GCN-LMHTX")}),
    "disciplines": _columns({"level": ("level", "hinh thuc", "hinh thuc ky luat", "muc"), "starts_on": ("from", "tu ngay", "ngay bat dau"),
                             "ends_on": ("to", "den ngay", "ngay ket thuc"), "reason": ("reason", "ly do", "noi dung")},
                            ("unit", "level", "starts_on", "reason"),
                            {"level": Guide("Hình thức kỷ luật", "Một trong: Khiển trách, Cảnh cáo, Hạ bậc lương (giáng chức, cách chức), "
                                                                 "Buộc thôi việc, Đang xem xét.", "Khiển trách"),
                             "starts_on": Guide("Từ ngày", "Ngày theo dạng dd/mm/yyyy.", "01/03/2025"),
                             "ends_on": Guide("Đến ngày", "Ngày theo dạng dd/mm/yyyy; bỏ trống nếu chưa hết.", "01/03/2026"),
                             "reason": Guide("Lý do", "Nội dung vi phạm.", "Chậm nộp báo cáo tài chính")}),
    "nominations": _columns({"award": ("award", "hinh thuc", "danh hieu", "hinh thuc khen thuong"), "year": ("year", "nam"),
                             "proposer": ("proposer", "don vi de nghi"), "to_unit": ("to", "co quan quyet dinh", "cap quyet dinh", "gui"),
                             "summary": ("summary", "thanh tich", "tom tat thanh tich"),
                             "commendation_type": ("type", "loai hinh", "loai hinh khen thuong")}, ("unit", "award", "year", "proposer", "to_unit"),
                            {"award": AWARD, "year": YEAR, "proposer": Guide("Đơn vị đề nghị", "Mã đơn vị trình đề nghị.", "HTX-31-QUANGPHUC"),
                             "to_unit": Guide("Cơ quan quyết định", "Mã đơn vị có thẩm quyền quyết định khen thưởng.", "LMHTX-31"),
                             "summary": Guide("Tóm tắt thành tích", "Vài dòng về thành tích.", "Hoàn thành vượt mức các chỉ tiêu năm"),
                             "commendation_type": Guide("Loại hình khen thưởng", "Một trong: Thường xuyên, Chuyên đề (theo đợt), Đột xuất, "
                                                                                "Đối ngoại, Cống hiến.", "Thường xuyên")}),
}
RATINGS = {"xuat sac": TaskRating.EXCELLENT, "hoan thanh xuat sac": TaskRating.EXCELLENT, "hoan thanh xuat sac nhiem vu": TaskRating.EXCELLENT,
           "tot": TaskRating.GOOD, "hoan thanh tot": TaskRating.GOOD, "hoan thanh tot nhiem vu": TaskRating.GOOD,
           "hoan thanh": TaskRating.COMPLETED, "hoan thanh nhiem vu": TaskRating.COMPLETED,
           "khong hoan thanh": TaskRating.NOT_COMPLETED, "khong hoan thanh nhiem vu": TaskRating.NOT_COMPLETED}
LEVELS = {"co so": InitiativeLevel.GRASSROOTS, "cap co so": InitiativeLevel.GRASSROOTS, "tinh": InitiativeLevel.PROVINCIAL,
          "cap tinh": InitiativeLevel.PROVINCIAL, "cap bo": InitiativeLevel.PROVINCIAL, "bo, nganh, tinh": InitiativeLevel.PROVINCIAL,
          "toan quoc": InitiativeLevel.NATIONAL, "cap toan quoc": InitiativeLevel.NATIONAL}
DISCIPLINES = {"khien trach": DisciplineLevel.REPRIMAND, "canh cao": DisciplineLevel.WARNING, "ha bac luong": DisciplineLevel.DEMOTION,
               "giang chuc": DisciplineLevel.DEMOTION, "cach chuc": DisciplineLevel.DEMOTION, "buoc thoi viec": DisciplineLevel.DISMISSAL,
               "dang xem xet": DisciplineLevel.INVESTIGATION, "dieu tra": DisciplineLevel.INVESTIGATION}
TYPES = {"thuong xuyen": CommendationType.REGULAR, "chuyen de": CommendationType.THEMATIC, "theo dot": CommendationType.THEMATIC,
         "dot xuat": CommendationType.SUDDEN, "doi ngoai": CommendationType.FOREIGN, "cong hien": CommendationType.DEDICATION}


def _lookup(table: dict[str, Any], enum: type) -> dict[str, Any]:
    return {**{m.value: m for m in enum}, **table}  # type: ignore[attr-defined]


def award_codes() -> dict[str, str]:
    """Awards by code and by their Vietnamese name, folded."""
    names: dict[str, str] = {}
    for rules in all_rulesets():
        for award in rules.awards:
            names[award.code] = award.code
            names[search_key(award.name_vi)] = award.code
    return names


@dataclass
class ParsedRecords:
    kind: str
    rows: list[Row]
    errors: RowErrors


def ensure_may_import(principal: Principal, kind: str) -> None:
    principal.require_role(OFFICE if kind == "history" else PROPOSERS if kind == "nominations" else RECORDERS)


def read_file(kind: str, path: Path, filename: str, limits: SheetLimits, progress: Progress) -> ParsedRecords:
    if kind not in KINDS:
        raise NotFound("report_form_not_found", ref=kind)
    rows = read_table(path, filename, limits, progress, KINDS[kind])
    errors = RowErrors.for_rows(rows)
    for row in rows:
        for column in KINDS[kind].required:
            if not row.values.get(column):
                errors.add(row.number, column, "import_required_value", column=errors.header(column))
    return ParsedRecords(kind, rows, errors)


async def _subjects(repo: AwardsRepository, principal: Principal, rows: list[Row], errors: RowErrors) -> dict[int, tuple[Subject, str, str]]:
    """Row number → (subject, its name, its unit id), for the whole file in a fixed number of queries."""
    units = await repo.units(sorted({r.values["unit"] for r in rows if r.values.get("unit")}), by_code=True)
    by_code = {u.code: u for u in units.values()}
    named = await repo.people_named([(u.id, search_key(r.values["person"])) for r in rows if r.values.get("person")
                                     and (u := by_code.get(r.values["unit"].strip().upper()) or units.get(r.values["unit"]))])
    by_id = await repo.people([r.values["person_id"] for r in rows if r.values.get("person_id")])
    reachable = None if principal.scope_unit_id is None else await repo.within(principal.scope_unit_id, [u.id for u in units.values()])
    resolved: dict[int, tuple[Subject, str, str]] = {}
    for row in rows:
        unit = by_code.get(row.values.get("unit", "").strip().upper()) or units.get(row.values.get("unit", ""))
        if unit is None:
            errors.add(row.number, "unit", "record_unknown_subject", ref=row.values.get("unit", ""))
            continue
        if reachable is not None and unit.id not in reachable:
            errors.add_app_error(row.number, "unit", Forbidden("forbidden_scope", unit=unit.code))
            continue
        if row.values.get("person_id"):
            person = by_id.get(row.values["person_id"])
            if person is None or person.unit_id != unit.id:
                errors.add(row.number, "person_id", "record_unknown_subject", ref=row.values["person_id"])
                continue
            resolved[row.number] = (Subject(kind=SubjectKind.PERSON, id=person.id), person.full_name, unit.id)
        elif row.values.get("person"):
            matches = named.get((unit.id, search_key(row.values["person"])), [])
            if len(matches) != 1:
                errors.add(row.number, "person", "record_unknown_subject", ref=f"{row.values['person']} ({unit.code})")
                continue
            resolved[row.number] = (Subject(kind=SubjectKind.PERSON, id=matches[0].id), matches[0].full_name, unit.id)
        else:
            resolved[row.number] = (Subject(kind=SubjectKind.UNIT, id=unit.id), unit.name, unit.id)
    return resolved


def _value(row: Row, column: str, table: dict[str, Any], errors: RowErrors) -> Any:
    raw = row.values.get(column, "")
    found = table.get(search_key(raw))
    if found is None:
        errors.add(row.number, column, "import_value_not_allowed", value=raw, column=errors.header(column), allowed=accepted(table))
    return found


def _year(row: Row, errors: RowErrors) -> int | None:
    try:
        year = int(float(row.values.get("year", "")))
    except ValueError:
        year = 0
    if not 1945 <= year <= 2100:
        errors.add(row.number, "year", "import_bad_year", value=row.values.get("year", ""), column=errors.header("year"))
        return None
    return year


def _date(row: Row, column: str, errors: RowErrors, required: bool = True) -> date | None:
    raw = row.values.get(column, "")
    if not raw:
        if required:
            errors.add(row.number, column, "import_required_value", column=errors.header(column))
        return None
    for layout in ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(raw, layout).date()
        except ValueError:
            continue
    errors.add(row.number, column, "import_bad_date", value=raw, column=errors.header(column))
    return None


async def import_records(uow: AwardsUnitOfWork, principal: Principal, parsed: ParsedRecords, progress: Progress, today: date,
                         node: str, dry_run: bool = False) -> dict[str, Any]:
    ensure_may_import(principal, parsed.kind)
    errors = parsed.errors
    progress.start_phase("checking", len(parsed.rows))
    async with uow:
        repo = uow.repo
        subjects = await _subjects(repo, principal, parsed.rows, errors)
        if parsed.kind == "nominations":
            drafts = _nomination_drafts(parsed.rows, subjects, errors)
            reject_if_any(errors)
            if dry_run:
                return {"dry_run": True, "created": len(drafts)}
    if parsed.kind == "nominations":
        made = await import_nominations(uow, principal, drafts, errors, today, node)
        return {"dry_run": False, "created": len(made), "ids": [n.id for n in made[:100]]}
    async with uow:
        repo = uow.repo
        made = await BUILDERS[parsed.kind](parsed.rows, subjects, errors, progress)
        if parsed.kind in ("ratings", "initiatives"):  # a unit's own word is a claim until an office above confirms it
            unit_of = {subject.id: unit_id for subject, _, unit_id in subjects.values()}
            made = [m.model_copy(update={"claimed": not records_facts(principal, unit_of[m.subject.id])}) for m in made]
        reject_if_any(errors)
        if not dry_run:
            progress.start_phase("writing", len(made))
            await WRITERS[parsed.kind](repo, made)
            uow.record_each(made, EVENTS[parsed.kind], lambda item: getattr(item, "id", None) or item.subject.id, actor=principal.actor)
            await uow.commit(progress=progress.advance)
    return {"dry_run": dry_run, "created": len(made)}


async def _history(rows: list[Row], subjects: dict, errors: RowErrors, progress: Progress) -> list[AwardRecord]:
    codes, made = award_codes(), []
    for index, row in enumerate(rows):
        await yield_now(index)
        progress.advance()
        code, year = _value(row, "award", codes, errors), _year(row, errors)
        decided_on = _date(row, "decided_on", errors, required=False)
        if row.number in subjects and code and year:
            made.append(AwardRecord(id=new_id(), subject=subjects[row.number][0], award_code=code, year=year,
                                    decision_number=row.values.get("decision_number") or None, decided_on=decided_on, source="imported"))
    return made


async def _ratings(rows: list[Row], subjects: dict, errors: RowErrors, progress: Progress) -> list[TaskRatingSnapshot]:
    table, made = _lookup(RATINGS, TaskRating), []
    for row in rows:
        progress.advance()
        rating, year = _value(row, "rating", table, errors), _year(row, errors)
        if row.number in subjects and rating and year:
            made.append(TaskRatingSnapshot(subject=subjects[row.number][0], year=year, rating=rating))
    return made


async def _initiatives(rows: list[Row], subjects: dict, errors: RowErrors, progress: Progress) -> list[InitiativeSnapshot]:
    table, made = _lookup(LEVELS, InitiativeLevel), []
    for row in rows:
        progress.advance()
        level, year = _value(row, "level", table, errors), _year(row, errors)
        if row.number in subjects and level and year:
            made.append(InitiativeSnapshot(id=new_id(), subject=subjects[row.number][0], title=row.values["title"][:1000], level=level,
                                           year=year, recognised_by=row.values.get("recognised_by") or None,
                                           document_number=row.values.get("document_number") or None))
    return made


async def _disciplines(rows: list[Row], subjects: dict, errors: RowErrors, progress: Progress) -> list[DisciplineSnapshot]:
    table, made = _lookup(DISCIPLINES, DisciplineLevel), []
    for row in rows:
        progress.advance()
        level = _value(row, "level", table, errors)
        starts, ends = _date(row, "starts_on", errors), _date(row, "ends_on", errors, required=False)
        if row.number in subjects and level and starts:
            made.append(DisciplineSnapshot(id=new_id(), subject=subjects[row.number][0], level=level, starts_on=starts, ends_on=ends,
                                           reason=row.values["reason"][:2000]))
    return made


def _nomination_drafts(rows: list[Row], subjects: dict, errors: RowErrors) -> list[tuple[int, cmd.DraftNomination]]:
    codes, types, drafts = award_codes(), _lookup(TYPES, CommendationType), []
    for row in rows:
        code, year = _value(row, "award", codes, errors), _year(row, errors)
        kind = types.get(search_key(row.values.get("commendation_type", ""))) if row.values.get("commendation_type") else CommendationType.REGULAR
        if row.number not in subjects or not code or not year or kind is None:
            continue
        subject = subjects[row.number][0]
        try:
            drafts.append((row.number, cmd.DraftNomination(
                award=code, year=year, subject=cmd.SubjectRef(kind=subject.kind, ref=subject.id), proposer=row.values["proposer"],
                to_unit=row.values["to_unit"], summary=row.values.get("summary") or None, commendation_type=kind)))
        except AppError as error:
            errors.add_app_error(row.number, None, error)
        except ValidationError as invalid:
            for problem in explain(invalid.errors()):
                errors.add(row.number, None, "import_invalid_value", reason_vi=problem["message_vi"], reason_en=problem["message_en"])
    return drafts


BUILDERS = {"history": _history, "ratings": _ratings, "initiatives": _initiatives, "disciplines": _disciplines}
WRITERS = {"history": lambda repo, made: repo.add_awards(made), "ratings": lambda repo, made: repo.save_ratings(made),
           "initiatives": lambda repo, made: repo.add_initiatives(made), "disciplines": lambda repo, made: repo.add_disciplines(made)}
EVENTS = {"history": lambda a: ev.PastAwardRecorded(award=a), "ratings": lambda r: ev.TaskRatingRecorded(rating=r),
          "initiatives": lambda i: ev.InitiativeRecorded(initiative=i), "disciplines": lambda d: ev.DisciplineRecorded(discipline=d)}

