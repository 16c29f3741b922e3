"""The awards service's REST API. Every route needs a bearer token.

Handlers translate HTTP to a use case (service_layer/services.py) or a query
(service_layer/queries.py) and back; they hold no rules and no SQL.
"""

from __future__ import annotations

import asyncio
import pathlib
from datetime import date
from decimal import Decimal
from typing import Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse

from thidua_shared.access.tokens import Principal
from thidua_shared.clock import VIETNAM, today_in_vietnam
from thidua_shared.errors import Conflict, Invalid, NotFound
from thidua_shared.events.awards import NominationSnapshot, PostingSnapshot
from thidua_shared.events.envelope import utc_now
from thidua_shared.i18n import format_percent
from thidua_shared.http import (
    DOCUMENT_BODY,
    UPLOAD_BODY,
    XLSX,
    attachment,
    LanguageDep,
    PrincipalDep,
    RuntimeDep,
    add_document_download,
    start_import,
    store_document,
)
from thidua_shared.jobs import JobView, Progress
from thidua_shared.paging import MAX_OFFSET
from thidua_shared.registry_replica import UnitView, load_unit
from thidua_shared.runtime import ServiceRuntime
from thidua_shared.spreadsheets import SheetLimits
from thidua_shared.tabular import template_workbook
from thidua_shared.validation import FIRST_YEAR, LAST_YEAR, Day, check_period

from thidua_awards.domain.rulesets import all_rulesets, award_rule, legal_bases, ruleset
from thidua_awards.entrypoints import documents, export
from thidua_awards.entrypoints import schemas as out
from thidua_awards.service_layer import commands as cmd
from thidua_awards.service_layer import ballots, importing, queries, reports, services
from thidua_awards.service_layer.access import PROPOSERS, ensure_office

router = APIRouter()
Ref = Query(max_length=64)
ImportKind = Literal["history", "ratings", "initiatives", "disciplines", "nominations"]


# --- presenting --------------------------------------------------------------------------------------
def award_info(code: str, ruleset_id: str) -> out.AwardInfo:
    a = award_rule(ruleset_id, code)
    return out.AwardInfo(code=a.code, name_vi=a.name_vi, name_en=a.name_en, category=a.category.value, level=a.level.value,
                         decided_by=a.decided_by, posting_required=a.posting.required, posting_working_days=a.posting.working_days)


def nomination_out(view: queries.NominationView) -> out.NominationOut:
    n, rules = view.nomination, view.rules
    ballots = []
    for ballot, result in view.ballots:
        passed = next((t["passed"] for t in result["tallies"] if t["nomination_id"] == n.id), None) if result else None
        ballots.append(out.BallotSummary(id=ballot.id, title=ballot.title, status=ballot.status, passed=passed))
    return out.NominationOut(
        **n.model_dump(), proposer=view.proposer, to_unit=view.to_unit, award=award_info(n.award_code, n.ruleset_id),
        ruleset=out.RuleSetInfo(id=rules.id, title=rules.title, settled=rules.settled, note=rules.note),
        missing_documents=view.missing_documents, trail=[out.TrailStepOut(**vars(s)) for s in view.trail],
        posting_id=view.posting.id if view.posting else None, posting_closes_on=view.posting.closes_on if view.posting else None,
        ballots=ballots,
    )


async def _nomination(runtime: ServiceRuntime, principal: Principal, nomination_id: str) -> out.NominationOut:
    async with runtime.reader() as repo:
        return nomination_out(await queries.nomination_details(repo, principal, nomination_id))



def place_of(unit: UnitView) -> str:
    """Where an organisation's letters are dated from: the capital for the VCA, else the province named in it."""
    for marker in (" tỉnh ", " thành phố "):
        if marker in unit.name:
            return unit.name.split(marker, 1)[1]
    return "Hà Nội"


# --- rule sets -----------------------------------------------------------------------------------------
@router.get("/rulesets", tags=["rules"], summary="Các bộ quy tắc khen thưởng / the rule sets")
async def list_rulesets(principal: PrincipalDep) -> list[dict]:  # type: ignore[type-arg]
    return [s.model_dump(mode="json") for s in all_rulesets()]


@router.get("/rulesets/{ruleset_id}", tags=["rules"], summary="Một bộ quy tắc, với tiêu chí, hạn mức, biểu quyết / one rule set")
async def get_ruleset(ruleset_id: str, principal: PrincipalDep) -> dict:  # type: ignore[type-arg]
    return ruleset(ruleset_id).model_dump(mode="json")


# --- records -------------------------------------------------------------------------------------------
@router.post("/initiatives", status_code=status.HTTP_201_CREATED, response_model=out.RecordedInitiative, tags=["records"],
             summary="Ghi sáng kiến được công nhận / record a recognised initiative")
async def record_initiative(command: cmd.RecordInitiative, runtime: RuntimeDep, principal: PrincipalDep) -> out.RecordedInitiative:
    return out.RecordedInitiative(**(await services.record_initiative(runtime.uow(), principal, command)).model_dump())


@router.post("/ratings", status_code=status.HTTP_201_CREATED, response_model=out.RecordedRating, tags=["records"],
             summary="Ghi kết quả đánh giá, xếp loại năm / record a yearly task rating")
async def record_rating(command: cmd.RecordRating, runtime: RuntimeDep, principal: PrincipalDep) -> out.RecordedRating:
    return out.RecordedRating(**(await services.record_rating(runtime.uow(), principal, command)).model_dump())


@router.post("/initiatives/{initiative_id}/confirm", response_model=out.RecordedInitiative, tags=["records"],
             summary="Cấp trên xác nhận sáng kiến đơn vị tự kê khai / an office above confirms a unit's declared initiative")
async def confirm_initiative(initiative_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.RecordedInitiative:
    return out.RecordedInitiative(**(await services.confirm_initiative(runtime.uow(), principal, initiative_id)).model_dump())


@router.post("/ratings/confirm", response_model=out.RecordedRating, tags=["records"],
             summary="Cấp trên xác nhận xếp loại đơn vị tự kê khai / an office above confirms a unit's own yearly rating")
async def confirm_rating(command: cmd.ConfirmRating, runtime: RuntimeDep, principal: PrincipalDep) -> out.RecordedRating:
    return out.RecordedRating(**(await services.confirm_rating(runtime.uow(), principal, command)).model_dump())


@router.post("/disciplines", status_code=status.HTTP_201_CREATED, response_model=out.RecordedDiscipline, tags=["records"],
             summary="Ghi kỷ luật, điều tra / record a discipline or an investigation")
async def record_discipline(command: cmd.RecordDiscipline, runtime: RuntimeDep, principal: PrincipalDep) -> out.RecordedDiscipline:
    return out.RecordedDiscipline(**(await services.record_discipline(runtime.uow(), principal, command)).model_dump())


@router.post("/history", status_code=status.HTTP_201_CREATED, tags=["history"],
             summary="Nhập khen thưởng những năm trước / type in an earlier year's award")
async def record_past_award(command: cmd.RecordPastAward, runtime: RuntimeDep, principal: PrincipalDep) -> dict:  # type: ignore[type-arg]
    return (await services.record_past_award(runtime.uow(), principal, command)).model_dump(mode="json")


@router.get("/history", response_model=list[out.HistoryOut], tags=["history"],
            summary="Lịch sử khen thưởng theo đơn vị (cả đơn vị tiền thân), cá nhân, năm / award history")
async def history(
    runtime: RuntimeDep, principal: PrincipalDep, unit: str | None = Query(None, max_length=64),
    person: str | None = Query(None, max_length=64, description="Id cá nhân, hoặc * cùng unit: mọi cá nhân của đơn vị"),
    award: str | None = Query(None, max_length=64), year: int | None = Query(None, ge=FIRST_YEAR, le=LAST_YEAR),
    limit: int = Query(200, ge=1, le=1000), offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[out.HistoryOut]:
    async with runtime.reader() as repo:
        views = await queries.history(repo, principal, unit=unit, person=person, award=award, year=year, limit=limit, offset=offset)
    names = {a.code: a.name_vi for s in all_rulesets() for a in s.awards}
    return [out.HistoryOut(award=v.record, award_name=names.get(v.record.award_code, v.record.award_code), name=v.name, unit=v.unit,
                           via_predecessor=v.via) for v in views]


TEMPLATE_TITLES = {"history": "Khen thưởng đã có", "ratings": "Xếp loại", "initiatives": "Sáng kiến", "disciplines": "Kỷ luật",
                   "nominations": "Đề nghị khen thưởng"}


@router.get("/imports/{kind}/template.xlsx", tags=["records"], response_class=Response,
            summary="Mẫu tệp nhập (tiêu đề tiếng Việt, ghi chú từng cột, dòng ví dụ) / an import's template")
async def import_template(kind: ImportKind, principal: PrincipalDep) -> Response:
    return attachment(template_workbook(TEMPLATE_TITLES[kind], importing.KINDS[kind]), XLSX, f"mau-nhap-{kind}.xlsx")


@router.post("/imports/{kind}", status_code=status.HTTP_202_ACCEPTED, response_model=JobView, tags=["records"], openapi_extra=UPLOAD_BODY,
             summary="Nhập từ Excel/CSV, tất cả hoặc không: khen thưởng cũ, xếp loại, sáng kiến, kỷ luật, đề nghị / bulk import")
async def import_records(
    kind: ImportKind, request: Request, runtime: RuntimeDep, principal: PrincipalDep, language: LanguageDep,
    dry_run: bool = Query(False), wait: float = Query(0, ge=0, le=25),
) -> JSONResponse:
    importing.ensure_may_import(principal, kind)  # before a byte of the file is read

    async def work(path: pathlib.Path, filename: str, limits: SheetLimits, progress: Progress) -> dict[str, object]:
        parsed = await asyncio.to_thread(importing.read_file, kind, path, filename, limits, progress)
        return await importing.import_records(runtime.uow(), principal, parsed, progress, today_in_vietnam(), runtime.settings.node, dry_run)

    return await start_import(request, runtime, principal, language, f"import_{kind}", wait, work)


# --- dossiers --------------------------------------------------------------------------------------------
@router.post("/documents", status_code=status.HTTP_201_CREATED, response_model=out.DocumentOut, tags=["nominations"],
             openapi_extra=DOCUMENT_BODY, summary="Tải tài liệu hồ sơ lên (tờ trình, báo cáo thành tích, biên bản) / upload a dossier document")
async def upload_document(request: Request, runtime: RuntimeDep, principal: PrincipalDep) -> out.DocumentOut:
    principal.require_role(PROPOSERS)  # before a byte of the file is read
    stored = await services.record_document(runtime.uow(), principal, await store_document(request, runtime))
    return out.DocumentOut(name=stored.name, sha256=stored.sha256, size=stored.size, media_type=stored.media_type,
                           download=f"/attachments/{stored.sha256}")


add_document_download(router, "nominations")


# --- nominations -----------------------------------------------------------------------------------------
@router.post("/nominations", status_code=status.HTTP_201_CREATED, response_model=out.NominationOut, tags=["nominations"],
             summary="Soạn đề nghị khen thưởng cho tập thể, cá nhân / draft a nomination")
async def draft(command: cmd.DraftNomination, runtime: RuntimeDep, principal: PrincipalDep) -> out.NominationOut:
    n = await services.draft_nomination(runtime.uow(), principal, command, today_in_vietnam(), runtime.settings.node)
    return await _nomination(runtime, principal, n.id)


@router.post("/nominations/from-ranking", status_code=status.HTTP_201_CREATED, response_model=out.NominationOut, tags=["nominations"],
             summary="Đề nghị tặng Cờ cho đơn vị dẫn đầu bảng xếp hạng / propose a ranking's leader for the flag")
async def from_ranking(command: cmd.NominateFromRanking, runtime: RuntimeDep, principal: PrincipalDep) -> out.NominationOut:
    n = await services.nominate_from_ranking(runtime.uow(), principal, command, today_in_vietnam(), runtime.settings.node)
    return await _nomination(runtime, principal, n.id)


@router.get("/nominations", response_model=list[out.NominationOut], tags=["nominations"], summary="Danh sách hồ sơ / nominations")
async def list_nominations(
    runtime: RuntimeDep, principal: PrincipalDep, to_unit: str | None = Query(None, max_length=64),
    campaign: str | None = Query(None, max_length=64), award: str | None = Query(None, max_length=64),
    year: int | None = Query(None, ge=FIRST_YEAR, le=LAST_YEAR), state: str | None = Query(None, max_length=20),
    subject: str | None = Query(None, max_length=64), limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[out.NominationOut]:
    async with runtime.reader() as repo:
        views = await queries.nomination_list(repo, principal, to_unit=to_unit, campaign=campaign, award=award, year=year, state=state,
                                              subject=subject, limit=limit, offset=offset)
    return [nomination_out(v) for v in views]


@router.get("/nominations/{nomination_id}", response_model=out.NominationOut, tags=["nominations"],
            summary="Hồ sơ: tiêu chí, tài liệu, các bước đã qua / a nomination with its checks, documents and trail")
async def get_nomination(nomination_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.NominationOut:
    return await _nomination(runtime, principal, nomination_id)


@router.post("/nominations/{nomination_id}/documents", response_model=out.NominationOut, tags=["nominations"],
             summary="Gắn tài liệu đã tải lên vào hồ sơ / attach an uploaded document")
async def attach(nomination_id: str, command: cmd.AttachDocument, runtime: RuntimeDep, principal: PrincipalDep) -> out.NominationOut:
    await services.attach_document(runtime.uow(), principal, nomination_id, command)
    return await _nomination(runtime, principal, nomination_id)


@router.post("/nominations/{nomination_id}/assign", response_model=out.NominationOut, tags=["nominations"],
             summary="Chuyển chuyên viên thụ lý / hand to an officer")
async def assign(nomination_id: str, command: cmd.Assign, runtime: RuntimeDep, principal: PrincipalDep) -> out.NominationOut:
    await services.step(runtime.uow(), principal, nomination_id, "assign", None, today_in_vietnam(), officer=command.officer)
    return await _nomination(runtime, principal, nomination_id)


@router.post("/nominations/{nomination_id}/check", response_model=out.NominationOut, tags=["nominations"],
             summary="Kiểm tra điều kiện, cán bộ đánh giá các tiêu chí cần người xét / check eligibility")
async def check(nomination_id: str, command: cmd.Check, runtime: RuntimeDep, principal: PrincipalDep) -> out.NominationOut:
    await services.step(runtime.uow(), principal, nomination_id, "check", None, today_in_vietnam(), judgements=command.judgements)
    return await _nomination(runtime, principal, nomination_id)


@router.post("/nominations/{nomination_id}/{action}", response_model=out.NominationOut, tags=["nominations"],
             summary="Gửi, tiếp nhận, trả lại, rút, đề nghị cấp trên, trình Hội đồng, Hội đồng đồng ý / không đồng ý / a dossier's step")
async def step(
    nomination_id: str, action: Literal["submit", "receive", "return", "withdraw", "escalate", "to-council", "approve", "reject"],
    command: cmd.Step, runtime: RuntimeDep, principal: PrincipalDep,
) -> out.NominationOut:
    await services.step(runtime.uow(), principal, nomination_id, action.replace("-", "_"), command.reason, today_in_vietnam())
    return await _nomination(runtime, principal, nomination_id)


@router.get("/counters", tags=["nominations"], summary="Số liệu: đề nghị, trả lại, không đủ điều kiện, đề nghị cấp trên, được duyệt / counters")
async def counters(runtime: RuntimeDep, principal: PrincipalDep, campaign: str | None = Query(None, max_length=64),
                   to_unit: str | None = Query(None, max_length=64),
                   year: int | None = Query(None, ge=FIRST_YEAR, le=LAST_YEAR)) -> dict[str, int]:
    async with runtime.reader() as repo:
        return await queries.counters(repo, principal, campaign, to_unit, year)


# --- drafts of documents ------------------------------------------------------------------------------------
async def _chosen(runtime: ServiceRuntime, principal: Principal, refs: list[str]) -> tuple[list[NominationSnapshot], UnitView, dict[str, str]]:
    async with runtime.reader() as repo:
        found = await repo.nominations_by_ids(refs)
        chosen = [found[r] for r in refs if r in found]
        if not chosen:
            raise NotFound("nomination_not_found", ref=refs[0])
        await ensure_office(repo, principal, chosen[0].to_unit_id, chosen[0].to_unit_id)
        to_unit = await load_unit(repo, chosen[0].to_unit_id)
        units = {u.id: u.name for u in (await repo.units([n.proposer_unit_id for n in chosen])).values()}
        return chosen, to_unit, units


@router.post("/drafts/cover-letter.docx", tags=["documents"], response_class=Response,
             summary="Tờ trình đề nghị khen thưởng (Word, để hoàn thiện) / the cover letter, as an editable Word file")
async def cover_letter(command: cmd.DraftDocument, runtime: RuntimeDep, principal: PrincipalDep) -> Response:
    chosen, to_unit, units = await _chosen(runtime, principal, command.nominations)
    async with runtime.reader() as repo:
        outcomes = {}
        for ballot, result in await repo.ballots_of([n.id for n in chosen]):
            for t in (result or {}).get("tallies", []):
                outcomes[t["nomination_id"]] = f"{t['yes']} đồng ý ({format_percent(Decimal(str(t['share'])), decimals=1)})"
    first = chosen[0]
    content = documents.cover_letter_docx(to_unit.name, f"Hội đồng Thi đua - Khen thưởng {to_unit.name}", award_rule(first.ruleset_id, first.award_code),
                                          first.year, chosen, units, outcomes, today_in_vietnam(), place_of(to_unit), command.number)
    return attachment(content, documents.DOCX, "to-trinh.docx")


@router.post("/drafts/decision.docx", tags=["documents"], response_class=Response,
             summary="Dự thảo quyết định khen thưởng (Word) / the decision draft, as an editable Word file")
async def decision_draft(command: cmd.DraftDocument, runtime: RuntimeDep, principal: PrincipalDep) -> Response:
    chosen, to_unit, units = await _chosen(runtime, principal, command.nominations)
    first = chosen[0]
    award = award_rule(first.ruleset_id, first.award_code)
    recipients = [(n.subject_name, units.get(n.proposer_unit_id, "")) for n in chosen]
    signed_on = command.signed_on or today_in_vietnam()
    content = documents.decision_docx(to_unit.name, legal_bases(ruleset(first.ruleset_id), signed_on), award, first.year, recipients,
                                      award.decided_by, signed_on, place_of(to_unit), command.number, ", ".join(sorted(set(units.values()))),
                                      command.signer_name)
    return attachment(content, documents.DOCX, "du-thao-quyet-dinh.docx")


# --- ballots ----------------------------------------------------------------------------------------------------
# The voter's and the teller's devices do the cryptography (thidua_shared.encrypted_ballot): the server only checks it.
def ballot_out(view: queries.BallotView) -> out.BallotOut:
    return out.BallotOut(**view.ballot.model_dump(), eligible=view.eligible, voted=view.voted, result=view.result,
                         dealt=view.dealt, counted=view.counted, nominees=view.nominees)


@router.put("/tellers/key", tags=["ballots"], summary="Đăng ký khoá của thành viên Ban kiểm phiếu / register a teller's key")
async def register_teller_key(command: cmd.RegisterTellerKey, runtime: RuntimeDep, principal: PrincipalDep) -> dict:  # type: ignore[type-arg]
    teller = await ballots.register_teller_key(runtime.uow(), principal, command)
    return {"teller": teller, "public_key": command.public_key}


@router.post("/ballots", status_code=status.HTTP_201_CREATED, response_model=out.BallotOut, tags=["ballots"],
             summary="Mở bỏ phiếu kín (cụm hoặc Hội đồng) / open a secret ballot")
async def open_ballot(command: cmd.OpenBallot, runtime: RuntimeDep, principal: PrincipalDep) -> out.BallotOut:
    ballot = await ballots.open_ballot(runtime.uow(), principal, command, utc_now(), runtime.settings.node)
    return await get_ballot(ballot.id, runtime, principal)


@router.get("/ballots", response_model=list[out.BallotListItem], tags=["ballots"],
            summary="Các cuộc bỏ phiếu bạn được xem, theo cụm, năm / ballots, by cluster and year")
async def list_ballots(
    runtime: RuntimeDep, principal: PrincipalDep, cluster: str | None = Query(None, max_length=64, description="Mã cụm/khối / cluster code"),
    year: int | None = Query(None, ge=FIRST_YEAR, le=LAST_YEAR), status_: Literal["keys", "open", "counting", "closed"] | None = Query(None, alias="status"),
    limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[out.BallotListItem]:
    async with runtime.reader() as repo:
        rows = await queries.ballot_list(repo, principal, cluster, year, status_, limit, offset)
    return [out.BallotListItem(id=r.ballot.id, kind=r.ballot.kind, title=r.ballot.title, year=r.ballot.year, status=r.ballot.status,
                               unit=r.unit, cluster=r.cluster, meeting_on=r.ballot.meeting_on, opens_at=r.ballot.opens_at,
                               closes_at=r.ballot.closes_at, nominations=r.ballot.nominations, eligible=r.eligible, voted=r.voted,
                               passed=r.passed) for r in rows]


@router.get("/ballots/{ballot_id}", response_model=out.BallotOut, tags=["ballots"],
            summary="Cuộc bỏ phiếu: số đã bỏ; sau khi kiểm phiếu, kết quả / a ballot")
async def get_ballot(ballot_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.BallotOut:
    async with runtime.reader() as repo:
        return ballot_out(await queries.ballot_details(repo, principal, ballot_id))


@router.post("/ballots/{ballot_id}/deals", response_model=out.BallotOut, tags=["ballots"],
             summary="Thành viên Ban kiểm phiếu góp phần khoá của cuộc bỏ phiếu / a teller's part of the ballot's key")
async def deal(ballot_id: str, command: cmd.Deal, runtime: RuntimeDep, principal: PrincipalDep) -> out.BallotOut:
    await ballots.deal(runtime.uow(), principal, ballot_id, command)
    return await get_ballot(ballot_id, runtime, principal)


@router.get("/ballots/{ballot_id}/tellers", tags=["ballots"],
            summary="Ban kiểm phiếu: khoá, phần khoá, tổng đã mã hoá, phần kiểm phiếu / what the tellers' devices need")
async def tellers(ballot_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> dict:  # type: ignore[type-arg]
    async with runtime.reader() as repo:
        return await queries.tellers_view(repo, principal, ballot_id)


@router.post("/ballots/{ballot_id}/votes", status_code=status.HTTP_201_CREATED, response_model=out.VoteReceipt, tags=["ballots"],
             summary="Bỏ phiếu (kín, đã mã hoá); nhận mã biên nhận / vote (encrypted); get a receipt")
async def vote(ballot_id: str, command: cmd.Vote, runtime: RuntimeDep, principal: PrincipalDep) -> out.VoteReceipt:
    receipt = await ballots.cast_vote(runtime.uow(), principal, ballot_id, command, utc_now())
    return out.VoteReceipt(ballot_id=ballot_id, receipt=receipt)


@router.post("/ballots/{ballot_id}/close", response_model=out.BallotOut, tags=["ballots"],
             summary="Kết thúc bỏ phiếu, công bố hòm phiếu để kiểm / end the voting and publish the box")
async def close_ballot(ballot_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.BallotOut:
    await ballots.close_ballot(runtime.uow(), principal, ballot_id, utc_now())
    return await get_ballot(ballot_id, runtime, principal)


@router.post("/ballots/{ballot_id}/counts", response_model=out.BallotOut, tags=["ballots"],
             summary="Thành viên Ban kiểm phiếu góp phần giải mã kết quả / a teller's share of the count")
async def count(ballot_id: str, command: cmd.Count, runtime: RuntimeDep, principal: PrincipalDep) -> out.BallotOut:
    await ballots.count(runtime.uow(), principal, ballot_id, command)
    return await get_ballot(ballot_id, runtime, principal)


@router.get("/ballots/{ballot_id}/box", tags=["ballots"], summary="Hòm phiếu đã công bố (phiếu mã hoá) / the published box")
async def box(ballot_id: str, runtime: RuntimeDep, principal: PrincipalDep, after: str = Query("", max_length=64),
              limit: int = Query(100, ge=1, le=500)) -> dict:  # type: ignore[type-arg]
    async with runtime.reader() as repo:
        return await queries.box_page(repo, principal, ballot_id, after, limit)


@router.get("/ballots/{ballot_id}/receipts/{receipt}", tags=["ballots"],
            summary="Kiểm tra phiếu của mình bằng mã biên nhận / check your vote with its receipt")
async def check_receipt(ballot_id: str, receipt: str, runtime: RuntimeDep, principal: PrincipalDep) -> dict:  # type: ignore[type-arg]
    async with runtime.reader() as repo:
        return await queries.check_receipt(repo, principal, ballot_id, receipt[:64])


@router.get("/ballots/{ballot_id}/minutes.docx", tags=["ballots"], response_class=Response, summary="Biên bản kiểm phiếu (Word) / the minutes")
async def minutes(ballot_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> Response:
    async with runtime.reader() as repo:
        view = await queries.ballot_details(repo, principal, ballot_id)
        if view.result is None:
            raise Conflict("ballot_not_open", when="chưa kiểm phiếu / not counted yet")
        names = {n.id: n.subject_name for n in (await repo.nominations_by_ids(view.ballot.nominations)).values()}
        unit = await load_unit(repo, view.ballot.unit_id)
    closed_by_time = view.ballot.closes_at.astimezone(VIETNAM).date()
    counted_on = min(closed_by_time, today_in_vietnam())  # the count's day; a meeting's date, when given, comes first
    content = documents.minutes_docx(unit.name, view.ballot, view.result, names, counted_on, place_of(unit))
    return attachment(content, documents.DOCX, "bien-ban-kiem-phieu.docx")


# --- public posting ---------------------------------------------------------------------------------------------
async def _posting(runtime: ServiceRuntime, principal: Principal, posting_id: str) -> out.PostingOut:
    async with runtime.reader() as repo:
        posting, nominations, comments = await queries.posting_details(repo, principal, posting_id)
    return out.PostingOut(
        **posting.model_dump(),
        nominees=[out.PostedNominee(nomination_id=n.id, subject_name=n.subject_name, award_code=n.award_code, year=n.year, summary=n.summary)
                  for n in nominations],
        comments=[out.CommentOut(id=c.id, nomination_id=c.nomination_id, author=c.author, text=c.text, answer=c.answer,
                                 received_at=c.received_at) for c in comments],
    )


@router.post("/postings", status_code=status.HTTP_201_CREATED, response_model=out.PostingOut, tags=["postings"],
             summary="Công khai danh sách đề nghị (ngày làm việc, trừ lễ, Tết) / post nominees publicly")
async def open_posting(command: cmd.OpenPosting, runtime: RuntimeDep, principal: PrincipalDep) -> out.PostingOut:
    posting = await services.open_posting(runtime.uow(), principal, command, today_in_vietnam())
    return await _posting(runtime, principal, posting.id)


@router.get("/postings", response_model=list[PostingSnapshot], tags=["postings"],
            summary="Các đợt công khai danh sách đề nghị (công khai với mọi người có mã) / postings")
async def list_postings(runtime: RuntimeDep, principal: PrincipalDep, to_unit: str | None = Query(None, max_length=64),
                        status_: Literal["open", "closed"] | None = Query(None, alias="status"),
                        limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> list[PostingSnapshot]:
    async with runtime.reader() as repo:  # public to every holder of a token, as each posting is
        to_unit_id = (await load_unit(repo, to_unit)).id if to_unit else None
        return await repo.list_postings(to_unit_id, status_, limit, offset)


@router.get("/postings/{posting_id}", response_model=out.PostingOut, tags=["postings"], summary="Đợt công khai và ý kiến / a posting")
async def get_posting(posting_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.PostingOut:
    return await _posting(runtime, principal, posting_id)


@router.post("/postings/{posting_id}/comments", status_code=status.HTTP_201_CREATED, response_model=out.PostingOut, tags=["postings"],
             summary="Góp ý về người được đề nghị / comment on a nominee")
async def comment(posting_id: str, command: cmd.Comment, runtime: RuntimeDep, principal: PrincipalDep) -> out.PostingOut:
    await services.comment(runtime.uow(), principal, posting_id, command, today_in_vietnam())
    return await _posting(runtime, principal, posting_id)


@router.post("/postings/{posting_id}/comments/{comment_id}/answer", response_model=out.PostingOut, tags=["postings"],
             summary="Trả lời ý kiến / answer a comment")
async def answer(posting_id: str, comment_id: str, command: cmd.Answer, runtime: RuntimeDep, principal: PrincipalDep) -> out.PostingOut:
    await services.answer(runtime.uow(), principal, posting_id, comment_id, command)
    return await _posting(runtime, principal, posting_id)


@router.post("/postings/{posting_id}/close", response_model=out.PostingOut, tags=["postings"],
             summary="Kết thúc công khai (sau hạn) / close the posting (once its window is over)")
async def close_posting(posting_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.PostingOut:
    await services.close_posting(runtime.uow(), principal, posting_id, today_in_vietnam())
    return await _posting(runtime, principal, posting_id)


# --- decisions ----------------------------------------------------------------------------------------------------
async def _decision(runtime: ServiceRuntime, principal: Principal, decision_id: str) -> out.DecisionOut:
    async with runtime.reader() as repo:
        decision, revoked = await queries.decision_details(repo, principal, decision_id)
    return out.DecisionOut(**decision.model_dump(), revoked=sorted(revoked))


@router.post("/decisions", status_code=status.HTTP_201_CREATED, response_model=out.DecisionOut, tags=["decisions"],
             summary="Ban hành quyết định khen thưởng (có số) / issue a numbered decision")
async def issue(command: cmd.IssueDecision, runtime: RuntimeDep, principal: PrincipalDep) -> out.DecisionOut:
    decision = await services.issue_decision(runtime.uow(), principal, command, runtime.settings.node)
    return await _decision(runtime, principal, decision.id)


@router.get("/decisions", response_model=list[out.DecisionOut], tags=["decisions"], summary="Các quyết định / decisions")
async def list_decisions(runtime: RuntimeDep, principal: PrincipalDep, to_unit: str | None = Query(None, max_length=64),
                         year: int | None = Query(None, ge=FIRST_YEAR, le=LAST_YEAR), number: str | None = Query(None, max_length=100),
                         limit: int = Query(100, ge=1, le=500)) -> list[out.DecisionOut]:
    async with runtime.reader() as repo:
        to_unit_id = (await load_unit(repo, to_unit)).id if to_unit else None
        found = await repo.list_decisions(to_unit_id, year, number, limit)
        revoked = await repo.revoked_nominations([r.nomination_id for d in found for r in d.recipients])
    return [out.DecisionOut(**d.model_dump(), revoked=sorted(revoked & {r.nomination_id for r in d.recipients})) for d in found]


@router.get("/decisions/{decision_id}", response_model=out.DecisionOut, tags=["decisions"], summary="Một quyết định / a decision")
async def get_decision(decision_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.DecisionOut:
    return await _decision(runtime, principal, decision_id)


@router.post("/decisions/{decision_id}/revocations", response_model=out.DecisionOut, tags=["decisions"],
             summary="Thu hồi khen thưởng, có lý do / revoke an award, with the reason")
async def revoke(decision_id: str, command: cmd.Revoke, runtime: RuntimeDep, principal: PrincipalDep) -> out.DecisionOut:
    await services.revoke(runtime.uow(), principal, decision_id, command)
    return await _decision(runtime, principal, decision_id)


@router.get("/decisions/{decision_id}/certificates.pdf", tags=["decisions"], response_class=Response,
            summary="In giấy chứng nhận (PDF), cả quyết định hoặc một người, trang trắng hoặc theo phôi / print certificates")
async def certificates(
    decision_id: str, runtime: RuntimeDep, principal: PrincipalDep, layout: str = Query("plain", max_length=64),
    nomination: str | None = Query(None, max_length=64, description="Chỉ một người / one recipient only"),
) -> Response:
    async with runtime.reader() as repo:
        decision = await services.load_decision(repo, decision_id)
        await ensure_office(repo, principal, decision.to_unit_id, decision.to_unit_id)
        to_unit = await load_unit(repo, decision.to_unit_id)
        leaf = await repo.decision_leaf(decision.id)
    award = award_rule(decision.ruleset_id, decision.award_code)
    link = documents.proof_link(runtime.settings.proof_url, decision.id, leaf) if leaf else None
    texts = documents.certificate_texts(decision, award, to_unit.name, place_of(to_unit), {nomination} if nomination else None, link)
    if not texts:
        raise Invalid("decision_not_recipient", ref=nomination or "")
    content = await asyncio.to_thread(documents.certificates_pdf, texts, layout)  # a batch takes a while: off the event loop
    return attachment(content, "application/pdf", f"giay-chung-nhan-{decision.id}.pdf")


# --- reports --------------------------------------------------------------------------------------------------------
def _period(year: int | None, since: date | None, until: date | None) -> tuple[date, date]:
    year = year or today_in_vietnam().year
    start, end = since or date(year, 1, 1), until or date(year, 12, 31)
    check_period(start, end)
    return start, end


@router.get("/reports/{form}", response_model=out.ReportOut, tags=["reports"],
            summary="Báo cáo thống kê (Thông tư 02/2023/TT-BNV): 0601, 0602, 0603 / statistical reports")
async def report(form: str, runtime: RuntimeDep, principal: PrincipalDep, year: int | None = Query(None, ge=FIRST_YEAR, le=LAST_YEAR),
                 since: Day | None = Query(None, alias="from"), until: Day | None = Query(None, alias="to"),
                 to_unit: str | None = Query(None, max_length=64)) -> out.ReportOut:
    start, end = _period(year, since, until)
    async with runtime.reader() as repo:
        to_unit_id = (await load_unit(repo, to_unit)).id if to_unit else None
        chosen, cells = await reports.report(repo, principal, form.removesuffix(".xlsx"), start, end, to_unit_id)
    return out.ReportOut(form=chosen.id, code=chosen.code, title=chosen.title, since=start, until=end, unit_label=chosen.unit_label,
                         rows=[r.label for r in chosen.rows], columns=[out.ReportColumn(group=g, label=c.label) for g, c in chosen.flat_columns()],
                         cells=cells)


@router.get("/reports/{form}/export.xlsx", tags=["reports"], response_class=Response, summary="Báo cáo thống kê dạng Excel / as Excel")
async def report_xlsx(form: str, runtime: RuntimeDep, principal: PrincipalDep, year: int | None = Query(None, ge=FIRST_YEAR, le=LAST_YEAR),
                      since: Day | None = Query(None, alias="from"), until: Day | None = Query(None, alias="to"),
                      to_unit: str | None = Query(None, max_length=64)) -> Response:
    start, end = _period(year, since, until)
    async with runtime.reader() as repo:
        reporter = await load_unit(repo, to_unit) if to_unit else None
        chosen, cells = await reports.report(repo, principal, form, start, end, reporter.id if reporter else None)
    content = export.report_workbook(chosen, cells, start, end, reporter.name if reporter else "Liên minh Hợp tác xã Việt Nam", today_in_vietnam())
    return attachment(content, export.XLSX, f"bieu-{chosen.id}-{start.year}.xlsx")

