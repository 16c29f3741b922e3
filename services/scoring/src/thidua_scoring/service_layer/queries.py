"""The scoring service's read side, checked against the caller's scope.

Who reads what: a unit reads its own reports and the scores it was given; a reviewer reads the
reports of the units it reviews, and other reviewers' scores of a unit only once it has scored
that unit itself; the cluster's leader and owner side read everything of their rounds; once a
round is closed, everyone who may read the round reads all of it. Lists load what they show in
a fixed number of statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from thidua_shared.access.tokens import Principal
from thidua_shared.errors import Conflict, Forbidden, NotFound
from thidua_shared.events.campaigns import CampaignSnapshot
from thidua_shared.events.scoring import Period, RoundSnapshot, SubmissionSnapshot
from thidua_shared.registry_replica import ClusterView, UnitView, load_cluster, load_unit
from thidua_shared.units import UnitRef

from thidua_scoring.adapters.repository import ConflictRow, HandoverRow, ReviewRow, RoundResult, ScoringRepository, VersionRow
from thidua_scoring.domain import engine
from thidua_scoring.domain.fixed import QUANTITY_PLACES, plain, quantity_int, round_div, shown
from thidua_scoring.domain.results import Node, criteria_of
from thidua_scoring.service_layer.access import ensure_round_visible, manages_cluster, own_units, reaches
from thidua_scoring.service_layer.services import family, load_campaign, load_round, pledged_targets, round_inputs


def unit_ref(unit: UnitView | None, unit_id: str) -> UnitRef:
    return UnitRef(id=unit.id, code=unit.code, name=unit.name) if unit else UnitRef(id=unit_id, code=unit_id, name="")


async def unit_refs(repo: ScoringRepository, unit_ids: list[str]) -> dict[str, UnitRef]:
    found = await repo.units(unit_ids)
    return {u: unit_ref(found.get(u), u) for u in unit_ids}


async def issuer_side(repo: ScoringRepository, principal: Principal, campaign: CampaignSnapshot) -> bool:
    return await reaches(repo, principal, campaign.issuer_unit_id)


# --- submissions ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SubmissionView:
    submission: SubmissionSnapshot
    unit: UnitRef
    versions: list[VersionRow] = field(default_factory=list)


async def submission_list(repo: ScoringRepository, principal: Principal, campaign_ref: str, period: Period | None,
                          unit_ref_: str | None, limit: int, offset: int) -> list[SubmissionView]:
    """The issuer's side reads every report of the campaign (and of those adopting it); anyone else its own subtree's."""
    campaign = await load_campaign(repo, campaign_ref)
    within = None if await issuer_side(repo, principal, campaign) else principal.scope_unit_id
    units = None
    if unit_ref_:
        unit = await load_unit(repo, unit_ref_)
        units = [unit.id]
    found = await repo.submissions_of(await family(repo, campaign), period.value if period else None, units=units, within=within,
                                      limit=limit, offset=offset)
    refs = await unit_refs(repo, [s.unit_id for s in found])
    return [SubmissionView(s, refs[s.unit_id]) for s in found]


async def submission_details(repo: ScoringRepository, principal: Principal, submission_id: str) -> SubmissionView:
    submission = await repo.submission(submission_id)
    if submission is None:
        raise NotFound("submission_not_found", ref=submission_id)
    await _ensure_report_visible(repo, principal, submission)
    refs = await unit_refs(repo, [submission.unit_id])
    return SubmissionView(submission, refs[submission.unit_id], await repo.versions(submission.id))


async def _ensure_report_visible(repo: ScoringRepository, principal: Principal, submission: SubmissionSnapshot) -> None:
    """Read by the unit (and those above it), the campaign's issuer side, and the unit's fellow members of a
    round (its reviewers among them: cross-scoring starts from the report)."""
    if await reaches(repo, principal, submission.unit_id):
        return
    campaign = await repo.campaign(submission.campaign_id)
    if campaign is not None and await issuer_side(repo, principal, campaign):
        return
    rounds = await repo.list_rounds(None, None, None, limit=50, offset=0, member=submission.unit_id)
    clusters = await repo.clusters([r.cluster_id for r in rounds])
    for round_ in rounds:
        try:
            await ensure_round_visible(repo, principal, round_, clusters.get(round_.cluster_id))
            return
        except Forbidden:
            continue
    raise Forbidden("forbidden_scope", unit=await repo.code_of(submission.unit_id))


# --- rounds -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RoundView:
    round: RoundSnapshot
    cluster: ClusterView
    campaign_title: str
    members: list[UnitRef]
    assignments: list[tuple[UnitRef, UnitRef, bool]] = field(default_factory=list)  # (reviewer, unit, has reviewed)
    conflicts: list[tuple[ConflictRow, UnitRef, UnitRef]] = field(default_factory=list)
    explanations: list[tuple[UnitRef, str, str]] = field(default_factory=list)  # (unit, criterion, text)
    result: RoundResult | None = None
    handovers: list[HandoverRow] = field(default_factory=list)
    asked_back_by: list[str] = field(default_factory=list)


async def round_list(repo: ScoringRepository, principal: Principal, campaign_ref: str | None, cluster_ref: str | None,
                     status: str | None, limit: int, offset: int, year: int | None = None) -> list[RoundView]:
    campaign_ids = await family(repo, await load_campaign(repo, campaign_ref)) if campaign_ref else None
    cluster_id = (await load_cluster(repo, cluster_ref)).id if cluster_ref else None
    found = await repo.list_rounds(campaign_ids, cluster_id, status, limit, offset, year=year)
    clusters = await repo.clusters([r.cluster_id for r in found])
    candidates = {u for r in found for u in [*r.members, *([clusters[r.cluster_id].owner_unit_id] if r.cluster_id in clusters else [])]}
    mine = await own_units(repo, principal, sorted(candidates))  # one query for the page, not one per round
    managed: dict[tuple[str, int], bool] = {}  # asked once per cluster and year of the page
    visible = [r for r in found if mine is None or mine.intersection(r.members)
               or (r.cluster_id in clusters and clusters[r.cluster_id].owner_unit_id in mine)
               or (r.cluster_id in clusters and await _manages(repo, principal, clusters[r.cluster_id], r.year, managed))]
    titles = await repo.campaign_titles([r.campaign_id for r in visible])
    refs = await unit_refs(repo, sorted({u for r in visible for u in r.members}))
    return [
        RoundView(r, clusters.get(r.cluster_id) or ClusterView(r.cluster_id, r.cluster_id, "", ""), titles.get(r.campaign_id, ""),
                  [refs[u] for u in r.members])
        for r in visible
    ]


async def _manages(repo: ScoringRepository, principal: Principal, cluster: ClusterView, year: int,
                   asked: dict[tuple[str, int], bool]) -> bool:
    if (cluster.id, year) not in asked:
        asked[cluster.id, year] = await manages_cluster(repo, principal, cluster, year)
    return asked[cluster.id, year]


async def _visible_round(repo: ScoringRepository, principal: Principal, round_id: str) -> tuple[RoundSnapshot, ClusterView]:
    round_ = await load_round(repo, round_id)
    cluster = await load_cluster(repo, round_.cluster_id)
    await ensure_round_visible(repo, principal, round_, cluster)
    return round_, cluster


async def round_details(repo: ScoringRepository, principal: Principal, round_id: str) -> RoundView:
    round_, cluster = await _visible_round(repo, principal, round_id)
    assigned = sorted(await repo.assignments(round_.id))
    reviewed = await repo.reviewed_pairs(round_.id)
    conflicts = await repo.conflicts(round_.id)
    explained = await repo.explained(round_.id)
    refs = await unit_refs(repo, sorted({*round_.members, *(r for r, _ in assigned), *(c.reviewer_unit_id for c in conflicts)}))
    titles = await repo.campaign_titles([round_.campaign_id])
    return RoundView(
        round=round_, cluster=cluster, campaign_title=titles.get(round_.campaign_id, ""), members=[refs[u] for u in round_.members],
        assignments=[(refs[r], refs[u], (r, u) in reviewed) for r, u in assigned],
        conflicts=[(c, refs[c.reviewer_unit_id], refs[c.unit_id]) for c in conflicts],
        explanations=[(refs[u], code, text) for (u, code), text in sorted(explained.items())],
        result=await repo.result(round_.id), handovers=await repo.handovers(round_.id),
        asked_back_by=sorted(await repo.return_requested(round_.id)),
    )


async def round_reviews(repo: ScoringRepository, principal: Principal, round_id: str, unit_ref_: str | None) -> list[ReviewRow]:
    """The round's scores the caller may see: all of them once the round is closed, or for its leader and
    owner side; before that, a unit's own scores given and received, and other reviewers' scores of a unit
    only once the caller's unit has scored it too."""
    round_, cluster = await _visible_round(repo, principal, round_id)
    unit_id = (await load_unit(repo, unit_ref_)).id if unit_ref_ else None
    found = await repo.reviews(round_.id, unit_id)
    if round_.status == "closed" or await manages_cluster(repo, principal, cluster, round_.year):
        return found
    mine = await own_units(repo, principal, sorted({*round_.members, *(r.reviewer_unit_id for r in found)}))
    if mine is None:
        return found
    scored_by_me = {r.unit_id for r in found if r.reviewer_unit_id in mine}
    return [r for r in found if r.reviewer_unit_id in mine or r.unit_id in mine or r.unit_id in scored_by_me]


# --- tables and their inputs ----------------------------------------------------------------------------
@dataclass(frozen=True)
class TableView:
    round: RoundSnapshot
    cluster: ClusterView
    campaign: CampaignSnapshot
    criteria: list[Node]
    table: dict[str, Any]  # engine.table_document: what was published, or (open round) what it would be now
    units: dict[str, UnitRef]
    provisional: bool
    inputs_digest: str | None
    table_digest: str | None


async def round_table(repo: ScoringRepository, principal: Principal, round_id: str) -> TableView:
    """A closed round's table as published; an open one's as it stands, for its leader and owner side only."""
    round_, cluster = await _visible_round(repo, principal, round_id)
    if round_.status == "open" and not await manages_cluster(repo, principal, cluster, round_.year):
        raise Conflict("inputs_not_ready")
    return await _table_view(repo, round_, cluster)


async def _table_view(repo: ScoringRepository, round_: RoundSnapshot, cluster: ClusterView) -> TableView:
    campaign = await load_campaign(repo, round_.campaign_id)
    result = await repo.result(round_.id)
    if result is None:
        document = engine.table_document(engine.score(await round_inputs(repo, round_, campaign)))
        digests: tuple[str | None, str | None] = (None, None)
    else:
        document, digests = result.table, (result.inputs_digest, result.table_digest)
    missing = round_.closed_with_missing.missing if round_.closed_with_missing else []
    units = await unit_refs(repo, sorted({*round_.members, *(m.reviewer_unit_id for m in missing)}))
    return TableView(round_, cluster, campaign, criteria_of(campaign), document, units, result is None, *digests)


async def round_inputs_document(repo: ScoringRepository, principal: Principal, round_id: str) -> dict[str, Any]:
    """What a closed round's table was computed from: anyone who may read the round may recompute it."""
    round_, _ = await _visible_round(repo, principal, round_id)
    result = await repo.result(round_.id)
    if result is None:
        raise Conflict("inputs_not_ready")
    return result.inputs


@dataclass(frozen=True)
class ScoreSheet:
    """One unit's sheet in a round: its results, its row of the table, the scores it was given and its explanations."""

    table: TableView
    unit: UnitRef
    submission: SubmissionSnapshot | None
    row: dict[str, Any] | None
    reviews: list[ReviewRow]
    explanations: dict[str, str]


async def score_sheet(repo: ScoringRepository, principal: Principal, round_id: str, unit_ref_: str) -> ScoreSheet:
    """Read by the unit itself (its row as it stands, before close too), the round's leader, and after close by all who read the round."""
    unit = await load_unit(repo, unit_ref_)
    round_, cluster = await _visible_round(repo, principal, round_id)
    if unit.id not in round_.members:
        raise NotFound("unit_not_in_round", unit=unit.code)
    if round_.status == "open" and not await reaches(repo, principal, unit.id) and not await manages_cluster(repo, principal, cluster, round_.year):
        raise Forbidden("forbidden_scope", unit=unit.code)
    view = await _table_view(repo, round_, cluster)
    found = await repo.submissions_of(await family(repo, view.campaign), round_.period.value, units=[unit.id])
    row = next((r for r in view.table["rows"] if r["unit_id"] == unit.id), None)
    explained = {code: text for (_, code), text in (await repo.explained(round_.id, unit.id)).items()}
    return ScoreSheet(view, unit_ref(unit, unit.id), found[0] if found else None, row, await repo.reviews(round_.id, unit.id), explained)


# --- the target table (Yên Bái style) ------------------------------------------------------------------------
@dataclass(frozen=True)
class TargetLine:
    code: str
    title: str
    unit_of_measure: str | None
    target: Decimal | None
    actual: Decimal | None
    percent: Decimal | None  # actual / target × 100, one decimal, half away from zero
    points: Decimal | None


@dataclass(frozen=True)
class TargetSheet:
    unit: UnitRef
    submission: SubmissionSnapshot | None
    lines: list[TargetLine]


async def target_table(repo: ScoringRepository, principal: Principal, campaign_ref: str, period: Period,
                       unit_ref_: str | None, limit: int, offset: int) -> tuple[CampaignSnapshot, list[TargetSheet]]:
    """Per unit and quantitative criterion: the target (pledged, else the campaign's), the actual, % of target, points."""
    campaign = await load_campaign(repo, campaign_ref)
    within = None if await issuer_side(repo, principal, campaign) else principal.scope_unit_id
    campaign_ids = await family(repo, campaign)
    registrations = await repo.registrations_of(campaign_ids, within=within)
    if unit_ref_:
        unit = await load_unit(repo, unit_ref_)
        registrations = [r for r in registrations if r.unit_id == unit.id]
    registrations = sorted(registrations, key=lambda r: r.unit_id)[offset : offset + limit]
    units = [r.unit_id for r in registrations]
    reports = {s.unit_id: s for s in await repo.submissions_of(campaign_ids, period.value, units=units)}
    refs = await unit_refs(repo, units)
    nodes = [n for n in criteria_of(campaign) if n.leaf is not None and n.kind == "target"]
    sheets = [_target_sheet(nodes, refs[r.unit_id], pledged_targets(r), reports.get(r.unit_id)) for r in registrations]
    return campaign, sorted(sheets, key=lambda s: s.unit.code)


def _target_sheet(nodes: list[Node], unit: UnitRef, pledged: dict[str, int], report: SubmissionSnapshot | None) -> TargetSheet:
    values = {r.indicator_code: r.value for r in report.results} if report else {}
    points = {p.indicator_code: p.points for p in report.self_score} if report else {}
    lines = []
    for node in nodes:
        target_int = pledged.get(node.code, node.leaf.target if node.leaf else None)
        target = plain(target_int, QUANTITY_PLACES) if target_int is not None else None
        actual = values.get(node.code)
        percent = None
        if actual is not None and target_int:
            tenths = round_div(quantity_int(actual) * 1000, target_int)
            percent = Decimal(tenths).scaleb(-1)
        lines.append(TargetLine(node.code, node.title, node.unit_of_measure, target, actual, percent, points.get(node.code)))
    return TargetSheet(unit, report, lines)


# --- live standings -----------------------------------------------------------------------------------------------
async def standings(repo: ScoringRepository, principal: Principal, campaign_ref: str, period: Period,
                    limit: int) -> list[tuple[UnitRef, Decimal, int, str]]:
    """The latest self-scores reported for the campaign, best first: (unit, total, version, node)."""
    campaign = await load_campaign(repo, campaign_ref)
    within = None if await issuer_side(repo, principal, campaign) else principal.scope_unit_id
    found = await repo.standings(await family(repo, campaign), period.value, within, limit)
    refs = await unit_refs(repo, [u for u, *_ in found])
    return [(refs[u], shown(total), version, node) for u, total, version, node in found]
