"""Scoring use cases: load, check access, apply the domain rule, save and record events in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from thidua_shared.access.tokens import Principal
from thidua_shared.errors import Conflict, Invalid, NotFound
from thidua_shared.events.envelope import utc_now
from thidua_shared.ids import new_id
from thidua_shared.events import scoring as ev
from thidua_shared.events.campaigns import CampaignSnapshot, RegistrationSnapshot
from thidua_shared.events.scoring import Evidence, RoundSnapshot, SubmissionSnapshot
from thidua_shared.files import StoredFile
from thidua_shared.messaging.unit_of_work import UnitOfWork
from thidua_shared.registry_replica import ClusterView, UnitView, load_cluster, load_unit
from thidua_shared.roles import Role

from thidua_scoring.adapters.repository import HandoverRow, ReviewRow, RoundResult, ScoringRepository
from thidua_scoring.domain import engine, model
from thidua_scoring.domain.fixed import points_int, quantity_int, shown
from thidua_scoring.domain.results import check_results, criteria_of
from thidua_scoring.service_layer import commands as cmd
from thidua_scoring.service_layer.access import MANAGERS, REPORTERS, REVIEWERS, ensure_acts_for, ensure_manages_cluster, ensure_not_inside, may_back_fill

ScoringUnitOfWork = UnitOfWork[ScoringRepository]


# --- loading --------------------------------------------------------------------------------------
async def load_campaign(repo: ScoringRepository, ref: str) -> CampaignSnapshot:
    campaign = await repo.campaign(ref)
    if campaign is None:
        raise NotFound("campaign_not_found", ref=ref)
    return campaign


async def load_round(repo: ScoringRepository, round_id: str) -> RoundSnapshot:
    found = await repo.round(round_id)
    if found is None:
        raise NotFound("round_not_found", ref=round_id)
    return found


async def family(repo: ScoringRepository, campaign: CampaignSnapshot) -> list[str]:
    """The campaign and those that adopted it: a unit of an adopting campaign reports once, for both."""
    return [campaign.id, *await repo.adoptions_of(campaign.id)]


async def related_campaigns(repo: ScoringRepository, campaign: CampaignSnapshot) -> list[str]:
    """The campaign, those it adopted (up the chain) and those that adopted it: one report per unit among them."""
    above, parent = [], campaign.parent_id
    while parent is not None and parent not in above and len(above) < 10:
        above.append(parent)
        found = await repo.campaign(parent)
        parent = found.parent_id if found else None
    return [*await family(repo, campaign), *above]


# --- results and self-scores ----------------------------------------------------------------------------
@dataclass(frozen=True)
class SelfScore:
    points: dict[str, int]  # criterion → points × 10^4
    total: int


def pledged_targets(registration: RegistrationSnapshot | None) -> dict[str, int]:
    """The targets a unit pledged when it registered (× 10^6): its results are measured against them."""
    if registration is None:
        return {}
    return {t.indicator_code: quantity_int(t.target) for t in registration.targets if t.target is not None}


def self_score_of(campaign: CampaignSnapshot, command: cmd.PreviewResults, targets: dict[str, int]) -> SelfScore:
    """The self-score the campaign's rules give the results: what the unit sees before it confirms."""
    nodes = criteria_of(campaign)
    points = engine.self_score(nodes, check_results(nodes, command.results), targets=targets)
    return SelfScore(points, sum(points.values()))


async def registration_for(repo: ScoringRepository, related: list[str], unit: UnitView) -> RegistrationSnapshot:
    """The unit's registration for the campaign, or for one adopting it or adopted by it (`related`: a unit
    registers once, with its province's adoption or with the national campaign, and reports once for both)."""
    for campaign_id in related:
        registration = await repo.active_registration(campaign_id, unit.id)
        if registration is not None:
            return registration
    raise Conflict("reporting_not_registered", unit=unit.code)


async def preview(repo: ScoringRepository, principal: Principal, command: cmd.PreviewResults) -> tuple[CampaignSnapshot, UnitView, SelfScore]:
    campaign = await load_campaign(repo, command.campaign)
    unit = await load_unit(repo, command.unit)
    await ensure_acts_for(repo, principal, unit.id, unit.code, REPORTERS)
    registration = await registration_for(repo, await related_campaigns(repo, campaign), unit)
    return campaign, unit, self_score_of(campaign, command, pledged_targets(registration))


async def submit(uow: ScoringUnitOfWork, principal: Principal, command: cmd.SubmitResults, today: date, node: str) -> SubmissionSnapshot:
    """Report results (or revise them): checked against the campaign's criteria, the self-score computed, each version kept."""
    async with uow:
        repo = uow.repo
        campaign = await load_campaign(repo, command.campaign)
        unit = await load_unit(repo, command.unit)
        await ensure_acts_for(repo, principal, unit.id, unit.code, REPORTERS)
        unit.ensure_active()
        related = await related_campaigns(repo, campaign)
        registration = await registration_for(repo, related, unit)
        model.check_reporting_open(campaign, command.period, today, command.late_reason, await may_back_fill(repo, principal, campaign))
        scores = self_score_of(campaign, command, pledged_targets(registration))
        evidence = await _evidence(repo, command)
        earlier = await repo.submission_in(related, unit.id, command.period.value)
        if earlier is not None:
            model.check_same_campaign(earlier.campaign_id, campaign.id)
            model.check_revisable(await repo.locking_round(related, command.period.value, unit.id))
        snapshot = SubmissionSnapshot(
            id=earlier.id if earlier else new_id(), node=node, campaign_id=campaign.id, unit_id=unit.id, period=command.period,
            version=earlier.version + 1 if earlier else 1, results=command.results, evidence=evidence,
            self_score=[ev.CriterionPoints(indicator_code=c, points=shown(p)) for c, p in scores.points.items()],
            self_total=shown(scores.total), late_reason=command.late_reason,
        )
        await repo.save_submission(snapshot, principal.holder_name, command.reason, scores.total)
        payload = ev.SubmissionReceived(submission=snapshot) if earlier is None else ev.SubmissionRevised(submission=snapshot, reason=command.reason)
        uow.record(payload, aggregate_id=snapshot.id, actor=principal.actor)
        await uow.commit()
    return snapshot


async def _evidence(repo: ScoringRepository, command: cmd.SubmitResults) -> list[Evidence]:
    cited = sorted({*command.evidence, *(h for r in command.results for h in r.evidence)})
    known = await repo.evidence_by_hash(cited)
    missing = [h for h in cited if h not in known]
    if missing:
        raise Invalid("evidence_unknown", sha256=missing[0])
    return [Evidence(name=f.name, sha256=f.sha256, size=f.size, media_type=f.media_type) for f in (known[h] for h in cited)]


async def record_evidence(uow: ScoringUnitOfWork, principal: Principal, stored: StoredFile) -> StoredFile:
    """Remember an uploaded document (kept by its content in the file store) so that results may cite it."""
    principal.require_role(REPORTERS)
    async with uow:
        await uow.repo.add_evidence(stored, principal.holder_name)
        await uow.commit()
    return stored


# --- review rounds ----------------------------------------------------------------------------------------
async def open_round(uow: ScoringUnitOfWork, principal: Principal, command: cmd.OpenRound, node: str) -> RoundSnapshot:
    """Open a cluster's round: its members fixed, their results locked, reviewers assigned by the declared rule."""
    async with uow:
        repo = uow.repo
        campaign = await load_campaign(repo, command.campaign)
        cluster = await load_cluster(repo, command.cluster)
        await ensure_manages_cluster(repo, principal, cluster, command.year)
        criteria = criteria_of(campaign)  # its rules must be known before anyone is asked to score by them
        if await repo.open_round_for(campaign.id, command.period.value, cluster.id):
            raise Conflict("round_exists", cluster=cluster.code)
        corrects = await _corrected(repo, command, campaign.id, cluster.id)
        registered = await repo.registered_units(await family(repo, campaign))
        members = sorted(set(await repo.cluster_members(cluster.id, command.year)) & registered)
        if not members:
            raise Conflict("round_no_members", cluster=cluster.code, year=command.year)
        model.check_round_size(len(members), len(criteria))
        snapshot = RoundSnapshot(
            id=new_id(), node=node, campaign_id=campaign.id, period=command.period, cluster_id=cluster.id, year=command.year,
            members=members, policy=command.policy, rule=command.rule, status="open", corrects_round_id=corrects, reason=command.reason,
        )
        await repo.add_round(snapshot)
        uow.record(ev.RoundOpened(round=snapshot), aggregate_id=snapshot.id, actor=principal.actor)
        await _assign(uow, principal, snapshot, cluster)
        await uow.commit()
    return snapshot


async def _corrected(repo: ScoringRepository, command: cmd.OpenRound, campaign_id: str, cluster_id: str) -> str | None:
    if command.corrects is None:
        return None
    earlier = await load_round(repo, command.corrects)
    if earlier.status != "closed" or (earlier.campaign_id, earlier.cluster_id) != (campaign_id, cluster_id):
        raise Conflict("round_exists", cluster=cluster_id)
    if not (command.reason and command.reason.strip()):
        raise Invalid("round_correction_needs_reason")
    return earlier.id


async def _assign(uow: ScoringUnitOfWork, principal: Principal, round_: RoundSnapshot, cluster: ClusterView) -> None:
    repo = uow.repo
    units = await repo.units(list({*round_.members, *round_.rule.panel}))
    leader = await repo.cluster_leader(cluster.id, round_.year)
    kinship = model.Kinship(parent={u.id: u.parent_id for u in units.values()}, successor={u.id: u.successor_id for u in units.values()})
    codes = {u.id: u.code for u in units.values()}
    done = model.assign(round_.rule, round_.members, leader[0] if leader else None, leader[1] if leader else None, kinship,
                        sort_key=lambda unit_id: codes.get(unit_id, unit_id))
    await repo.add_assignments(round_.id, done.pairs)
    for reviewer, unit in done.pairs:
        uow.record(ev.ReviewerAssigned(round_id=round_.id, reviewer_unit_id=reviewer, unit_id=unit), aggregate_id=round_.id, actor=principal.actor)
    for reviewer, unit, why in done.excluded:
        await repo.add_conflict(round_.id, reviewer, unit, why, True, principal.holder_name)
        uow.record(ev.ConflictDeclared(round_id=round_.id, reviewer_unit_id=reviewer, unit_id=unit, reason=why, automatic=True),
                   aggregate_id=round_.id, actor=principal.actor)


async def _writable_round(repo: ScoringRepository, round_id: str, node: str) -> RoundSnapshot:
    """A round this node owns and that is still open: the only kind anything is written to."""
    round_ = await load_round(repo, round_id)
    model.ensure_owned(round_, node)
    model.ensure_open(round_)
    return round_


async def _reviewer_and_unit(repo: ScoringRepository, principal: Principal, round_: RoundSnapshot,
                             reviewer_ref: str, unit_ref: str) -> tuple[UnitView, UnitView]:
    """The reviewing unit (the caller acts for it) and the unit reviewed (a member of the round)."""
    reviewer, unit = await load_unit(repo, reviewer_ref), await load_unit(repo, unit_ref)
    await ensure_acts_for(repo, principal, reviewer.id, reviewer.code, REVIEWERS)
    model.ensure_member(round_, unit.id, unit.code)
    return reviewer, unit


async def _managed_round(repo: ScoringRepository, principal: Principal, round_id: str, node: str) -> tuple[RoundSnapshot, ClusterView]:
    round_ = await _writable_round(repo, round_id, node)
    cluster = await load_cluster(repo, round_.cluster_id)
    await ensure_manages_cluster(repo, principal, cluster, round_.year)
    return round_, cluster


async def assign_reviewer(uow: ScoringUnitOfWork, principal: Principal, round_id: str, command: cmd.AssignReviewer, node: str) -> None:
    """The leader assigns a reviewer to a unit; a pair in a conflict is refused with the reason."""
    async with uow:
        repo = uow.repo
        round_, _ = await _managed_round(repo, principal, round_id, node)
        reviewer, unit = await load_unit(repo, command.reviewer), await load_unit(repo, command.unit)
        model.ensure_member(round_, unit.id, unit.code)
        kinship = model.Kinship({reviewer.id: reviewer.parent_id, unit.id: unit.parent_id},
                                {reviewer.id: reviewer.successor_id, unit.id: unit.successor_id})
        why = kinship.related(reviewer.id, unit.id)
        if why is not None:
            raise Conflict("reviewer_conflict", reviewer=reviewer.code, unit=unit.code, why=why)
        if (reviewer.id, unit.id) not in await repo.assignments(round_.id):
            await repo.add_assignments(round_.id, [(reviewer.id, unit.id)])
            uow.record(ev.ReviewerAssigned(round_id=round_.id, reviewer_unit_id=reviewer.id, unit_id=unit.id),
                       aggregate_id=round_.id, actor=principal.actor)
        await uow.commit()


async def declare_conflict(uow: ScoringUnitOfWork, principal: Principal, round_id: str, command: cmd.DeclareConflict, node: str) -> None:
    """A reviewer declares a conflict of interest with a unit, with its reason: left out of that unit's averages."""
    async with uow:
        repo = uow.repo
        round_ = await _writable_round(repo, round_id, node)
        reviewer, unit = await _reviewer_and_unit(repo, principal, round_, command.reviewer, command.unit)
        await repo.add_conflict(round_.id, reviewer.id, unit.id, command.reason, False, principal.holder_name)
        uow.record(ev.ConflictDeclared(round_id=round_.id, reviewer_unit_id=reviewer.id, unit_id=unit.id, reason=command.reason,
                                       automatic=False), aggregate_id=round_.id, actor=principal.actor)
        await uow.commit()


async def submit_review(uow: ScoringUnitOfWork, principal: Principal, round_id: str, command: cmd.SubmitReview, node: str) -> int:
    """An assigned reviewer scores a unit: every criterion the first time; after the unit explains, the explained ones again."""
    async with uow:
        repo = uow.repo
        round_ = await _writable_round(repo, round_id, node)
        reviewer, unit = await _reviewer_and_unit(repo, principal, round_, command.reviewer, command.unit)
        await ensure_not_inside(repo, principal, unit.id, unit.code)
        conflicted = {(c.reviewer_unit_id, c.unit_id) for c in await repo.conflicts(round_.id)}
        model.ensure_assigned((reviewer.id, unit.id) in await repo.assignments(round_.id), (reviewer.id, unit.id) in conflicted)
        earlier = await repo.reviews(round_.id, unit.id, reviewer.id)
        stage = model.stage_of(bool(earlier))
        explained = {code for (_, code) in await repo.explained(round_.id, unit.id)}
        campaign = await load_campaign(repo, round_.campaign_id)
        model.check_review(criteria_of(campaign), command.scores, stage, explained)
        if stage == 2 and {r.indicator_code for r in earlier if r.stage == 2} & {s.indicator_code for s in command.scores}:
            raise Conflict("review_already_final")
        rows = [ReviewRow(reviewer.id, unit.id, s.indicator_code, stage, points_int(s.points), s.comment) for s in command.scores]
        await repo.add_reviews(round_.id, rows, principal.holder_name)
        uow.record(ev.ReviewSubmitted(round_id=round_.id, reviewer_unit_id=reviewer.id, unit_id=unit.id, stage=stage, scores=command.scores),
                   aggregate_id=round_.id, actor=principal.actor)
        await uow.commit()
    return stage


async def explain(uow: ScoringUnitOfWork, principal: Principal, round_id: str, command: cmd.Explain, node: str) -> None:
    """The unit explains a disputed score (giải trình); its reviewers may then review that criterion again."""
    async with uow:
        repo = uow.repo
        round_ = await _writable_round(repo, round_id, node)
        unit = await load_unit(repo, command.unit)
        await ensure_acts_for(repo, principal, unit.id, unit.code, REPORTERS)
        model.ensure_member(round_, unit.id, unit.code)
        campaign = await load_campaign(repo, round_.campaign_id)
        model.check_explanation(criteria_of(campaign), command.indicator_code, bool(await repo.reviews(round_.id, unit.id)))
        await repo.add_explanation(round_.id, unit.id, command.indicator_code, command.text, principal.holder_name)
        uow.record(ev.ExplanationSubmitted(round_id=round_.id, unit_id=unit.id, indicator_code=command.indicator_code, text=command.text),
                   aggregate_id=round_.id, actor=principal.actor)
        await uow.commit()


async def close_round(uow: ScoringUnitOfWork, principal: Principal, round_id: str, command: cmd.CloseRound, node: str) -> RoundResult:
    """The leader closes the round: the table and ranking computed, their inputs kept, both published.
    Reviews or second reviews still missing stop it, unless the leader decides to close anyway, with a reason:
    that decision and what was missing go into the event and the table."""
    async with uow:
        repo = uow.repo
        round_, _ = await _managed_round(repo, principal, round_id, node)
        missing = await _missing_work(repo, round_)
        codes = {u.id: u.code for u in (await repo.units(sorted({i for m in missing for i in (m.unit_id, m.reviewer_unit_id)}))).values()}
        closing = model.check_closing(missing, command.accept_missing, command.reason, codes)
        round_ = round_.model_copy(update={"closed_with_missing": closing})
        campaign = await load_campaign(repo, round_.campaign_id)
        inputs = await round_inputs(repo, round_, campaign)
        inputs_doc = engine.inputs_document(inputs)
        table = engine.score(inputs)
        table_doc = engine.table_document(table)
        result = RoundResult(inputs_doc, engine.digest(inputs_doc), table_doc, engine.digest(table_doc), table.leader)
        await repo.close_round(round_.model_copy(update={"status": "closed"}), result)
        uow.record(ev.ReviewClosed(round_id=round_.id, leader_unit_id=table.leader, open_ties=table.open_ties,
                                   inputs_digest=result.inputs_digest, closed_with_missing=closing),
                   aggregate_id=round_.id, actor=principal.actor)
        uow.record(ev.RankingPublished(
            round_id=round_.id, node=round_.node, campaign_id=round_.campaign_id, cluster_id=round_.cluster_id,
            period=round_.period, year=round_.year, policy=round_.policy, rows=table_doc["rows"], leader_unit_id=table.leader,
            open_ties=table.open_ties, inputs_digest=result.inputs_digest, table_digest=result.table_digest,
        ), aggregate_id=round_.id, actor=principal.actor)
        await uow.commit()
    return result


async def _missing_work(repo: ScoringRepository, round_: RoundSnapshot) -> list[ev.MissingWork]:
    reviews = await repo.reviews(round_.id)
    return model.missing_work(
        await repo.assignments(round_.id), {(c.reviewer_unit_id, c.unit_id) for c in await repo.conflicts(round_.id)},
        {(r.reviewer_unit_id, r.unit_id) for r in reviews if r.stage == 1},
        {(r.reviewer_unit_id, r.unit_id, r.indicator_code) for r in reviews if r.stage == 2},
        set(await repo.explained(round_.id)),
    )


async def hand_over_round(uow: ScoringUnitOfWork, principal: Principal, round_id: str, command: cmd.HandOverRound,
                          node: str, centre: str) -> RoundSnapshot:
    """The centre passes an open round's writing to another node: it takes over a province's round whose
    node is lost, or hands it back. The digest of the round's inputs as the centre holds them is recorded:
    what the new owner goes on from. Writes the old owner makes afterwards are refused on every node."""
    principal.require_role((Role.NATIONAL_ADMIN,))
    async with uow:
        repo = uow.repo
        round_ = await load_round(repo, round_id)
        model.ensure_open(round_)
        model.check_handover(round_, command.to_node, node, centre, await repo.former_owners(round_.id),
                             await repo.return_requested(round_.id))
        state = engine.inputs_document(await round_inputs(repo, round_, await load_campaign(repo, round_.campaign_id)))
        handover = HandoverRow(round_.node, command.to_node, command.reason, engine.digest(state), principal.holder_name, utc_now())
        taken_up_to = None if round_.node == node else await repo.copied_up_to(round_.id, f"{round_.node}.scoring")
        await repo.hand_over(round_, handover)
        uow.record(ev.RoundHandedOver(round_id=round_.id, from_node=handover.from_node, to_node=handover.to_node,
                                      reason=handover.reason, state_digest=handover.state_digest, taken_up_to=taken_up_to),
                   aggregate_id=round_.id, actor=principal.actor)
        await uow.commit()
    return round_.model_copy(update={"node": command.to_node})


async def request_return(uow: ScoringUnitOfWork, principal: Principal, round_id: str, command: cmd.RequestReturn,
                         node: str, centre: str) -> None:
    """From a province's own node, once it has heard that the centre took its round over: ask for it back."""
    principal.require_role(MANAGERS)
    async with uow:
        repo = uow.repo
        round_ = await load_round(repo, round_id)
        model.ensure_open(round_)
        model.check_return_request(round_, node, centre, await repo.former_owners(round_.id))
        await repo.request_return(round_.id, node, command.reason, principal.holder_name, utc_now())
        uow.record(ev.RoundReturnRequested(round_id=round_.id, reason=command.reason), aggregate_id=round_.id, actor=principal.actor)
        await uow.commit()


async def round_inputs(repo: ScoringRepository, round_: RoundSnapshot, campaign: CampaignSnapshot) -> engine.EngineInputs:
    """Everything the round's table depends on, as the engine takes it: read in a fixed number of queries."""
    nodes = criteria_of(campaign)
    submitted = await repo.submissions_of(await family(repo, campaign), round_.period.value, units=round_.members)
    results = {s.unit_id: _usable_results(nodes, s) for s in submitted}
    own = {s.unit_id: {p.indicator_code: points_int(p.points) for p in s.self_score} for s in submitted}
    reviews = engine.by_cell(engine.Review(r.reviewer_unit_id, r.unit_id, r.indicator_code, r.stage, r.points)
                             for r in await repo.reviews(round_.id))
    conflicts = frozenset((c.reviewer_unit_id, c.unit_id) for c in await repo.conflicts(round_.id))
    registrations = await repo.registrations_of(await family(repo, campaign), units=round_.members)
    targets = {r.unit_id: t for r in registrations if (t := pledged_targets(r))}
    return engine.EngineInputs(
        round={"id": round_.id, "campaign_id": round_.campaign_id, "cluster_id": round_.cluster_id,
               "period": round_.period.value, "year": round_.year},
        scale=points_int(campaign.scale), nodes=tuple(nodes), policy=round_.policy, members=tuple(round_.members),
        results=results, reviews=reviews, conflicts=conflicts, self_points=own, targets=targets,
    )


def _usable_results(nodes: list, submission: SubmissionSnapshot) -> dict:  # type: ignore[type-arg]
    """A submission's results as the engine takes them. They were checked when submitted; one that a later
    revision of the campaign made unfit (a criterion removed, a bound changed) counts as not reported."""
    usable = {}
    for result in submission.results:
        try:
            usable |= check_results(nodes, [result])
        except Invalid:
            continue
    return usable
