"""The scoring service's REST API. Every route needs a bearer token.

Handlers translate HTTP to a use case (service_layer/services.py) or a query
(service_layer/queries.py) and back; they hold no rules and no SQL.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request, Response, status

from thidua_shared.access.tokens import Principal
from thidua_shared.clock import today_in_vietnam
from thidua_shared.events.scoring import Period
from thidua_shared.http import DOCUMENT_BODY, PrincipalDep, RuntimeDep, add_document_download, attachment, store_document
from thidua_shared.paging import MAX_OFFSET
from thidua_shared.registry_replica import ClusterView, load_unit
from thidua_shared.runtime import ServiceRuntime
from thidua_shared.validation import FIRST_YEAR, LAST_YEAR

from thidua_scoring.domain.fixed import POINT_PLACES, plain, shown
from thidua_scoring.adapters.repository import ReviewRow
from thidua_scoring.domain.results import Node, criteria_of
from thidua_scoring.entrypoints import export
from thidua_scoring.entrypoints import schemas as out
from thidua_scoring.service_layer import commands as cmd
from thidua_scoring.service_layer import queries, services
from thidua_scoring.service_layer.access import REPORTERS

router = APIRouter()
Ref = Query(max_length=64)


# --- presenting --------------------------------------------------------------------------------
def criterion_out(node: Node) -> out.CriterionOut:
    return out.CriterionOut(code=node.code, parent_code=node.parent, title=node.title, kind=node.kind,
                            max_points=plain(node.max_points, POINT_PLACES), unit_of_measure=node.unit_of_measure)


def submission_out(view: queries.SubmissionView) -> out.SubmissionOut:
    return out.SubmissionOut(
        **view.submission.model_dump(), unit=view.unit,
        versions=[out.VersionOut(version=v.snapshot.version, submitted_by=v.submitted_by, submitted_at=v.submitted_at, reason=v.reason,
                                 submission=v.snapshot) for v in view.versions],
    )


def cluster_out(view: ClusterView) -> out.ClusterOut:
    return out.ClusterOut(id=view.id, code=view.code, name=view.name, kind=view.kind)


def round_out(view: queries.RoundView) -> out.RoundOut:
    result = view.result
    return out.RoundOut(
        **view.round.model_dump(), cluster=cluster_out(view.cluster), campaign_title=view.campaign_title, member_units=view.members,
        assignments=[out.AssignmentOut(reviewer=r, unit=u, reviewed=done) for r, u, done in view.assignments],
        conflicts=[out.ConflictOut(reviewer=r, unit=u, reason=c.reason, automatic=c.automatic) for c, r, u in view.conflicts],
        explanations=[out.ExplanationOut(unit=u, indicator_code=code, text=text) for u, code, text in view.explanations],
        leader_unit_id=result.leader_unit_id if result else None, inputs_digest=result.inputs_digest if result else None,
        table_digest=result.table_digest if result else None,
        handovers=[out.HandoverOut(**vars(h)) for h in view.handovers], asked_back_by=view.asked_back_by,
    )


def review_out(row: ReviewRow) -> out.ReviewOut:
    return out.ReviewOut(reviewer_unit_id=row.reviewer_unit_id, unit_id=row.unit_id, indicator_code=row.indicator_code, stage=row.stage,
                         points=plain(row.points, POINT_PLACES), comment=row.comment)


def table_out(view: queries.TableView) -> out.TableOut:
    unknown = queries.unit_ref(None, "")
    return out.TableOut(
        round_id=view.round.id, campaign_id=view.campaign.id, campaign_title=view.campaign.title, cluster=cluster_out(view.cluster),
        period=view.round.period, year=view.round.year, status=view.round.status, provisional=view.provisional, policy=view.round.policy,
        criteria=[criterion_out(n) for n in view.criteria],
        rows=[out.TableRowOut(**row, unit=view.units.get(row["unit_id"], unknown)) for row in view.table["rows"]],
        leader_unit_id=view.table["leader_unit_id"], open_ties=view.table["open_ties"],
        inputs_digest=view.inputs_digest, table_digest=view.table_digest, closed_with_missing=closing_out(view),
    )


def closing_out(view: queries.TableView) -> out.ClosingOut | None:
    """The leader's decision to close with work missing, what was missing named by codes."""
    closing = view.round.closed_with_missing
    if closing is None:
        return None
    unknown = queries.unit_ref(None, "")
    return out.ClosingOut(reason=closing.reason, missing=[
        out.MissingWorkOut(kind=m.kind, reviewer=view.units.get(m.reviewer_unit_id, unknown), unit=view.units.get(m.unit_id, unknown),
                           indicator_code=m.indicator_code) for m in closing.missing])



async def _round(runtime: ServiceRuntime, principal: Principal, round_id: str) -> out.RoundOut:
    async with runtime.reader() as repo:
        return round_out(await queries.round_details(repo, principal, round_id))


# --- results and self-scores ------------------------------------------------------------------------
@router.post("/submissions/preview", response_model=out.SelfScoreOut, tags=["submissions"],
             summary="Xem trước điểm tự chấm / the self-score, before confirming")
async def preview(command: cmd.PreviewResults, runtime: RuntimeDep, principal: PrincipalDep) -> out.SelfScoreOut:
    async with runtime.reader() as repo:
        campaign, unit, scores = await services.preview(repo, principal, command)
    nodes = {n.code: n for n in criteria_of(campaign)}
    return out.SelfScoreOut(
        campaign_id=campaign.id, unit=queries.unit_ref(unit, unit.id), period=command.period,
        lines=[out.SelfScoreLine(indicator_code=code, title=nodes[code].title, points=shown(points),
                                 max_points=plain(nodes[code].max_points, POINT_PLACES)) for code, points in scores.points.items()],
        total=shown(scores.total), scale=campaign.scale,
    )


@router.post("/submissions", status_code=status.HTTP_201_CREATED, response_model=out.SubmissionOut, tags=["submissions"],
             summary="Báo cáo (hoặc sửa) kết quả và tự chấm / report or revise results with the self-score")
async def submit(command: cmd.SubmitResults, runtime: RuntimeDep, principal: PrincipalDep) -> out.SubmissionOut:
    snapshot = await services.submit(runtime.uow(), principal, command, today_in_vietnam(), runtime.settings.node)
    return await get_submission(snapshot.id, runtime, principal)


@router.get("/submissions", response_model=list[out.SubmissionOut], tags=["submissions"], summary="Các bản báo cáo kết quả / reports")
async def list_submissions(
    runtime: RuntimeDep, principal: PrincipalDep, campaign: str = Ref, period: Period | None = None,
    unit: str | None = Query(None, max_length=64), limit: int = Query(200, ge=1, le=1000), offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[out.SubmissionOut]:
    async with runtime.reader() as repo:
        return [submission_out(v) for v in await queries.submission_list(repo, principal, campaign, period, unit, limit, offset)]


@router.get("/submissions/{submission_id}", response_model=out.SubmissionOut, tags=["submissions"],
            summary="Một bản báo cáo và mọi phiên bản / a report with every version")
async def get_submission(submission_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.SubmissionOut:
    async with runtime.reader() as repo:
        return submission_out(await queries.submission_details(repo, principal, submission_id))


@router.post("/evidence", status_code=status.HTTP_201_CREATED, response_model=out.EvidenceOut, tags=["submissions"], openapi_extra=DOCUMENT_BODY,
             summary="Tải minh chứng lên (trước khi báo cáo) / upload evidence (before reporting)")
async def upload_evidence(request: Request, runtime: RuntimeDep, principal: PrincipalDep) -> out.EvidenceOut:
    principal.require_role(REPORTERS)  # before a byte of the file is read
    stored = await services.record_evidence(runtime.uow(), principal, await store_document(request, runtime))
    return out.EvidenceOut(name=stored.name, sha256=stored.sha256, size=stored.size, media_type=stored.media_type,
                           download=f"/attachments/{stored.sha256}")


add_document_download(router, "submissions")


# --- review rounds ----------------------------------------------------------------------------------------
@router.post("/rounds", status_code=status.HTTP_201_CREATED, response_model=out.RoundOut, tags=["rounds"],
             summary="Mở vòng chấm của cụm, phân công theo quy tắc / open a cluster's round, reviewers assigned by its rule")
async def open_round(command: cmd.OpenRound, runtime: RuntimeDep, principal: PrincipalDep) -> out.RoundOut:
    round_ = await services.open_round(runtime.uow(), principal, command, runtime.settings.node)
    return await _round(runtime, principal, round_.id)


@router.get("/rounds", response_model=list[out.RoundOut], tags=["rounds"], summary="Các vòng chấm / review rounds")
async def list_rounds(
    runtime: RuntimeDep, principal: PrincipalDep, campaign: str | None = Query(None, max_length=64),
    cluster: str | None = Query(None, max_length=64), status_: Literal["open", "closed"] | None = Query(None, alias="status"),
    year: int | None = Query(None, ge=FIRST_YEAR, le=LAST_YEAR, description="Năm thi đua / the emulation year"),
    limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[out.RoundOut]:
    async with runtime.reader() as repo:
        return [round_out(v) for v in await queries.round_list(repo, principal, campaign, cluster, status_, limit, offset, year=year)]


@router.get("/rounds/{round_id}", response_model=out.RoundOut, tags=["rounds"],
            summary="Vòng chấm: phân công, xung đột, giải trình / a round: assignments, conflicts, explanations")
async def get_round(round_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.RoundOut:
    return await _round(runtime, principal, round_id)


@router.post("/rounds/{round_id}/assignments", response_model=out.RoundOut, tags=["rounds"],
             summary="Cụm trưởng phân công đơn vị chấm / the leader assigns a reviewer")
async def assign(round_id: str, command: cmd.AssignReviewer, runtime: RuntimeDep, principal: PrincipalDep) -> out.RoundOut:
    await services.assign_reviewer(runtime.uow(), principal, round_id, command, runtime.settings.node)
    return await _round(runtime, principal, round_id)


@router.post("/rounds/{round_id}/conflicts", response_model=out.RoundOut, tags=["rounds"],
             summary="Khai xung đột lợi ích, có lý do / declare a conflict of interest, with its reason")
async def declare_conflict(round_id: str, command: cmd.DeclareConflict, runtime: RuntimeDep, principal: PrincipalDep) -> out.RoundOut:
    await services.declare_conflict(runtime.uow(), principal, round_id, command, runtime.settings.node)
    return await _round(runtime, principal, round_id)


@router.post("/rounds/{round_id}/reviews", status_code=status.HTTP_201_CREATED, response_model=out.ReviewAccepted, tags=["rounds"],
             summary="Chấm điểm một đơn vị (lần đầu, hoặc chấm lại sau giải trình) / score a unit (first, or again after an explanation)")
async def submit_review(round_id: str, command: cmd.SubmitReview, runtime: RuntimeDep, principal: PrincipalDep) -> out.ReviewAccepted:
    stage = await services.submit_review(runtime.uow(), principal, round_id, command, runtime.settings.node)
    async with runtime.reader() as repo:  # names as given → the ids the answer carries
        reviewer, unit = await load_unit(repo, command.reviewer), await load_unit(repo, command.unit)
    return out.ReviewAccepted(round_id=round_id, reviewer_unit_id=reviewer.id, unit_id=unit.id, stage=stage)


@router.get("/rounds/{round_id}/reviews", response_model=list[out.ReviewOut], tags=["rounds"],
            summary="Điểm chấm mà bạn được xem / the scores you may see")
async def list_reviews(round_id: str, runtime: RuntimeDep, principal: PrincipalDep, unit: str | None = Query(None, max_length=64)) -> list[out.ReviewOut]:
    async with runtime.reader() as repo:
        return [review_out(r) for r in await queries.round_reviews(repo, principal, round_id, unit)]


@router.post("/rounds/{round_id}/explanations", response_model=out.RoundOut, tags=["rounds"],
             summary="Đơn vị giải trình điểm chưa đồng ý / the unit explains a disputed score")
async def explain(round_id: str, command: cmd.Explain, runtime: RuntimeDep, principal: PrincipalDep) -> out.RoundOut:
    await services.explain(runtime.uow(), principal, round_id, command, runtime.settings.node)
    return await _round(runtime, principal, round_id)


@router.post("/rounds/{round_id}/close", response_model=out.TableOut, tags=["rounds"],
             summary="Cụm trưởng khóa vòng chấm: bảng điểm và xếp hạng công bố / the leader closes: table and ranking published")
async def close(round_id: str, runtime: RuntimeDep, principal: PrincipalDep, command: cmd.CloseRound | None = None) -> out.TableOut:
    await services.close_round(runtime.uow(), principal, round_id, command or cmd.CloseRound(), runtime.settings.node)
    return await table(round_id, runtime, principal)


@router.post("/rounds/{round_id}/handover", response_model=out.RoundOut, tags=["rounds"],
             summary="Trung tâm bàn giao vòng chấm cho nút khác (nút tỉnh mất, hoặc trả lại) / "
                     "the centre hands a round over to another node (a province's node lost, or back to it)")
async def hand_over(round_id: str, command: cmd.HandOverRound, runtime: RuntimeDep, principal: PrincipalDep) -> out.RoundOut:
    settings = runtime.settings
    await services.hand_over_round(runtime.uow(), principal, round_id, command, settings.node, settings.centre_node)
    return await _round(runtime, principal, round_id)


@router.post("/rounds/{round_id}/return-request", response_model=out.RoundOut, tags=["rounds"],
             summary="Nút tỉnh đề nghị trung tâm trả lại vòng chấm đã tiếp nhận / "
                     "a province's node asks the centre for a round it took over back")
async def request_return(round_id: str, command: cmd.RequestReturn, runtime: RuntimeDep, principal: PrincipalDep) -> out.RoundOut:
    settings = runtime.settings
    await services.request_return(runtime.uow(), principal, round_id, command, settings.node, settings.centre_node)
    return await _round(runtime, principal, round_id)


# --- tables, sheets, inputs ---------------------------------------------------------------------------------
@router.get("/rounds/{round_id}/table", response_model=out.TableOut, tags=["tables"],
            summary="Bảng điểm và xếp hạng của cụm / the cluster's score table and ranking")
async def table(round_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.TableOut:
    async with runtime.reader() as repo:
        return table_out(await queries.round_table(repo, principal, round_id))


@router.get("/rounds/{round_id}/table.xlsx", tags=["tables"], response_class=Response, summary="Bảng điểm dạng Excel / the table as Excel")
async def table_xlsx(round_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> Response:
    async with runtime.reader() as repo:
        view = await queries.round_table(repo, principal, round_id)
    return attachment(export.table_workbook(view, today_in_vietnam()), export.XLSX, f"bang-diem-{view.cluster.code}-{view.round.year}.xlsx")


@router.get("/rounds/{round_id}/table.csv", tags=["tables"], response_class=Response, summary="Bảng điểm dạng CSV / the table as CSV")
async def table_csv(round_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> Response:
    async with runtime.reader() as repo:
        view = await queries.round_table(repo, principal, round_id)
    return attachment(export.table_csv(view), "text/csv; charset=utf-8", f"bang-diem-{view.cluster.code}-{view.round.year}.csv")


@router.get("/rounds/{round_id}/inputs", tags=["tables"], summary="Dữ liệu đầu vào để tính lại / the inputs to recompute from")
async def inputs(round_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> dict:  # type: ignore[type-arg]
    async with runtime.reader() as repo:
        return await queries.round_inputs_document(repo, principal, round_id)


@router.get("/rounds/{round_id}/units/{unit_ref}/sheet", response_model=out.ScoreSheetOut, tags=["tables"],
            summary="Phiếu điểm của một đơn vị / a unit's score sheet")
async def score_sheet(round_id: str, unit_ref: str, runtime: RuntimeDep, principal: PrincipalDep) -> out.ScoreSheetOut:
    async with runtime.reader() as repo:
        sheet = await queries.score_sheet(repo, principal, round_id, unit_ref)
    return out.ScoreSheetOut(
        round_id=round_id, unit=sheet.unit, provisional=sheet.table.provisional, criteria=[criterion_out(n) for n in sheet.table.criteria],
        submission=sheet.submission, row=sheet.row, reviews=[review_out(r) for r in sheet.reviews], explanations=sheet.explanations,
    )


@router.get("/rounds/{round_id}/units/{unit_ref}/sheet.xlsx", tags=["tables"], response_class=Response,
            summary="Phiếu điểm của đơn vị dạng Excel / a unit's score sheet as Excel")
async def score_sheet_xlsx(round_id: str, unit_ref: str, runtime: RuntimeDep, principal: PrincipalDep) -> Response:
    async with runtime.reader() as repo:
        sheet = await queries.score_sheet(repo, principal, round_id, unit_ref)
    return attachment(export.score_sheet_workbook(sheet, today_in_vietnam()), export.XLSX, f"phieu-diem-{sheet.unit.code}.xlsx")


@router.get("/campaigns/{campaign_id}/targets", response_model=list[out.TargetSheetOut], tags=["tables"],
            summary="Chỉ tiêu, thực hiện, % so với chỉ tiêu, điểm / target, actual, % of target, points")
async def targets(
    campaign_id: str, runtime: RuntimeDep, principal: PrincipalDep, period: Period = Period.FINAL,
    unit: str | None = Query(None, max_length=64), limit: int = Query(200, ge=1, le=1000), offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[out.TargetSheetOut]:
    async with runtime.reader() as repo:
        _, sheets = await queries.target_table(repo, principal, campaign_id, period, unit, limit, offset)
    return [
        out.TargetSheetOut(unit=s.unit, submitted=s.submission is not None, lines=[
            out.TargetLineOut(indicator_code=line.code, title=line.title, unit_of_measure=line.unit_of_measure, target=line.target,
                              actual=line.actual, percent_of_target=line.percent, points=line.points) for line in s.lines
        ]) for s in sheets
    ]


@router.get("/campaigns/{campaign_id}/targets.xlsx", tags=["tables"], response_class=Response,
            summary="Bảng chỉ tiêu và kết quả dạng Excel / the target table as Excel")
async def targets_xlsx(
    campaign_id: str, runtime: RuntimeDep, principal: PrincipalDep, period: Period = Period.FINAL,
    unit: str | None = Query(None, max_length=64), limit: int = Query(1000, ge=1, le=5000), offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Response:
    async with runtime.reader() as repo:
        campaign, sheets = await queries.target_table(repo, principal, campaign_id, period, unit, limit, offset)
    return attachment(export.targets_workbook(campaign.title, period.value, sheets, today_in_vietnam()), export.XLSX, f"chi-tieu-{campaign.id}.xlsx")


@router.get("/campaigns/{campaign_id}/standings", response_model=list[out.StandingOut], tags=["tables"],
            summary="Điểm tự chấm mới nhất của các đơn vị / the latest self-scores, best first")
async def standings(campaign_id: str, runtime: RuntimeDep, principal: PrincipalDep, period: Period = Period.FINAL,
                    limit: int = Query(100, ge=1, le=1000)) -> list[out.StandingOut]:
    async with runtime.reader() as repo:
        found = await queries.standings(repo, principal, campaign_id, period, limit)
    return [out.StandingOut(unit=u, self_total=total, version=version, node=node) for u, total, version, node in found]
