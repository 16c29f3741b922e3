"""Awards use cases: load, check access, apply the domain rule, save and record events in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from thidua_shared.access.tokens import Principal
from thidua_shared.errors import Conflict, Forbidden, Invalid, NotFound
from thidua_shared.events.envelope import Actor
from thidua_shared.events import awards as ev
from thidua_shared.events.awards import (
    AwardRecord,
    CheckStatus,
    DecisionSnapshot,
    DisciplineSnapshot,
    DossierDocument,
    InitiativeSnapshot,
    NominationSnapshot,
    NominationState,
    PostingSnapshot,
    Recipient,
    Subject,
    SubjectKind,
    TaskRatingSnapshot,
)
from thidua_shared.files import StoredFile
from thidua_shared.i18n import Label, format_date
from thidua_shared.ids import new_id
from thidua_shared.messaging.unit_of_work import UnitOfWork
from thidua_shared.registry_replica import UnitView, load_cluster, load_unit
from thidua_shared.tabular import RowErrors, reject_if_any, yield_now

from thidua_awards.adapters.repository import AwardsRepository
from thidua_awards.domain import eligibility, model
from thidua_awards.domain.eligibility import Facts, SubjectFacts
from thidua_awards.domain.rulesets import AwardRule, all_rulesets, award_rule, rule_in_force, ruleset
from thidua_awards.domain.workdays import last_working_day
from thidua_awards.service_layer import commands as cmd
from thidua_awards.service_layer.access import OFFICE, PROPOSERS, RECORDERS, ensure_acts_for, ensure_confirms, ensure_office, manages_cluster, reaches, records_facts

AwardsUnitOfWork = UnitOfWork[AwardsRepository]


# --- subjects -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Resolved:
    """A unit or person named in a request: what the events carry, its name, and the unit it belongs to."""

    subject: Subject
    name: str
    unit: UnitView  # the unit itself, or the person's unit


async def resolve(repo: AwardsRepository, ref: cmd.SubjectRef) -> Resolved:
    if ref.kind is SubjectKind.UNIT:
        unit = await load_unit(repo, ref.ref)
        return Resolved(Subject(kind=SubjectKind.UNIT, id=unit.id), unit.name, unit)
    person = (await repo.people([ref.ref])).get(ref.ref)
    if person is None:
        raise NotFound("person_not_found", ref=ref.ref)
    return Resolved(Subject(kind=SubjectKind.PERSON, id=person.id), person.full_name, await load_unit(repo, person.unit_id))


async def facts_for(repo: AwardsRepository, subject: Subject, year: int) -> Facts:
    return (await facts_for_many(repo, [subject], year))[subject.id]


async def facts_for_many(repo: AwardsRepository, subjects: list[Subject], year: int) -> dict[str, Facts]:
    """What eligibility is judged on, for many subjects in a fixed number of queries: each one's records
    (a unit's predecessors' too: a merger carries history), the rankings it leads in the year, and for a
    collective, its people's records."""
    units = [s.id for s in subjects if s.kind is SubjectKind.UNIT]
    predecessors = await repo.predecessors_of(units) if units else {}
    people = await repo.people_of_units(units) if units else {}
    everyone = [*(s.id for s in subjects), *(p for ids in predecessors.values() for p in ids),
                *(p.id for members in people.values() for p in members)]
    recorded = await repo.facts(sorted(set(everyone)))
    rankings = await repo.rankings_of_year(year) if units else []
    facts = {}
    for subject in subjects:
        ids = [subject.id, *predecessors.get(subject.id, [])]
        own = _merged([recorded[i] for i in ids])
        for ranking in rankings if subject.kind is SubjectKind.UNIT else []:
            if ranking.leader_unit_id in ids:
                own.led.setdefault(year, []).append(ranking.round_id)
            elif ranking.open_ties and set(ranking.open_ties[0]) & set(ids) and _first_place_tie(ranking.rows, ranking.open_ties[0]):
                own.tied_first.setdefault(year, []).append(ranking.round_id)
        members = [p.id for p in people.get(subject.id, [])]
        facts[subject.id] = Facts(subject.kind, own, {m: recorded[m] for m in members})
    return facts


def _first_place_tie(rows: list[dict], tie: list[str]) -> bool:
    ranks = {r["unit_id"]: r["rank"] for r in rows}
    return all(ranks.get(u) == 1 for u in tie)


def _merged(parts: list[SubjectFacts]) -> SubjectFacts:
    merged = SubjectFacts()
    for part in parts:
        for year, held in part.awards.items():
            merged.awards.setdefault(year, {}).update(held)
        for year, rating in part.ratings.items():
            merged.ratings.setdefault(year, rating)
        merged.disciplines += part.disciplines
        merged.initiatives += part.initiatives
    return merged


# --- records ------------------------------------------------------------------------------------------------
async def _recordable(repo: AwardsRepository, principal: Principal, ref: cmd.SubjectRef) -> Resolved:
    resolved = await resolve(repo, ref)
    await ensure_acts_for(repo, principal, resolved.unit.id, resolved.unit.code, RECORDERS)
    return resolved


async def record_initiative(uow: AwardsUnitOfWork, principal: Principal, command: cmd.RecordInitiative) -> InitiativeSnapshot:
    async with uow:
        resolved = await _recordable(uow.repo, principal, command.subject)
        item = InitiativeSnapshot(id=new_id(), subject=resolved.subject, title=command.title, level=command.level, year=command.year,
                                  recognised_by=command.recognised_by, document_number=command.document_number,
                                  claimed=not records_facts(principal, resolved.unit.id))
        await uow.repo.add_initiatives([item])
        uow.record(ev.InitiativeRecorded(initiative=item), aggregate_id=item.id, actor=principal.actor)
        await uow.commit()
    return item


async def record_rating(uow: AwardsUnitOfWork, principal: Principal, command: cmd.RecordRating) -> TaskRatingSnapshot:
    async with uow:
        resolved = await _recordable(uow.repo, principal, command.subject)
        item = TaskRatingSnapshot(subject=resolved.subject, year=command.year, rating=command.rating,
                                  claimed=not records_facts(principal, resolved.unit.id))
        await uow.repo.save_ratings([item])
        uow.record(ev.TaskRatingRecorded(rating=item), aggregate_id=resolved.subject.id, actor=principal.actor)
        await uow.commit()
    return item


async def confirm_initiative(uow: AwardsUnitOfWork, principal: Principal, initiative_id: str) -> InitiativeSnapshot:
    """An office above the unit confirms the initiative the unit declared: from now on it counts."""
    async with uow:
        repo = uow.repo
        item = await repo.initiative(initiative_id)
        if item is None:
            raise NotFound("initiative_not_found", ref=initiative_id)
        resolved = await resolve(repo, cmd.SubjectRef(kind=item.subject.kind, ref=item.subject.id))
        await ensure_confirms(repo, principal, resolved.unit.id, resolved.unit.code)
        if not item.claimed:
            raise Conflict("claim_already_confirmed")
        await repo.confirm_initiative(item.id)
        uow.record(ev.ClaimConfirmed(kind="initiative", initiative_id=item.id), aggregate_id=item.subject.id, actor=principal.actor)
        await uow.commit()
    return item.model_copy(update={"claimed": False})


async def confirm_rating(uow: AwardsUnitOfWork, principal: Principal, command: cmd.ConfirmRating) -> TaskRatingSnapshot:
    """An office above the unit confirms the yearly rating the unit gave itself (or its people)."""
    async with uow:
        repo = uow.repo
        resolved = await resolve(repo, command.subject)
        await ensure_confirms(repo, principal, resolved.unit.id, resolved.unit.code)
        item = await repo.rating(resolved.subject.id, command.year)
        if item is None:
            raise NotFound("rating_not_found", ref=resolved.name, year=command.year)
        if not item.claimed:
            raise Conflict("claim_already_confirmed")
        await repo.confirm_rating(item.subject.id, item.year)
        uow.record(ev.ClaimConfirmed(kind="rating", subject=item.subject, year=item.year), aggregate_id=item.subject.id, actor=principal.actor)
        await uow.commit()
    return item.model_copy(update={"claimed": False})


async def record_discipline(uow: AwardsUnitOfWork, principal: Principal, command: cmd.RecordDiscipline) -> DisciplineSnapshot:
    if command.ends_on is not None and command.ends_on < command.starts_on:
        raise Invalid("discipline_dates")
    async with uow:
        resolved = await _recordable(uow.repo, principal, command.subject)
        item = DisciplineSnapshot(id=new_id(), subject=resolved.subject, level=command.level, starts_on=command.starts_on,
                                  ends_on=command.ends_on, reason=command.reason)
        await uow.repo.add_disciplines([item])
        uow.record(ev.DisciplineRecorded(discipline=item), aggregate_id=item.id, actor=principal.actor)
        await uow.commit()
    return item


async def record_past_award(uow: AwardsUnitOfWork, principal: Principal, command: cmd.RecordPastAward) -> AwardRecord:
    """An earlier year's award typed in by the office, so that the history starts before the system did."""
    async with uow:
        repo = uow.repo
        resolved = await resolve(repo, command.subject)
        await ensure_acts_for(repo, principal, resolved.unit.id, resolved.unit.code, OFFICE)
        known_award(command.award)
        item = AwardRecord(id=new_id(), subject=resolved.subject, award_code=command.award, year=command.year,
                           decision_number=command.decision_number, decided_on=command.decided_on, source="imported")
        await repo.add_awards([item])
        uow.record(ev.PastAwardRecorded(award=item), aggregate_id=item.id, actor=principal.actor)
        await uow.commit()
    return item


def known_award(code: str) -> None:
    known = sorted({a.code for s in all_rulesets() for a in s.awards})
    if code not in known:
        raise Invalid("award_unknown", code=code, known=", ".join(known))


# --- nominations ------------------------------------------------------------------------------------------------
async def load_nomination(repo: AwardsRepository, nomination_id: str) -> NominationSnapshot:
    found = await repo.nomination(nomination_id)
    if found is None:
        raise NotFound("nomination_not_found", ref=nomination_id)
    return found


async def load_nominations(repo: AwardsRepository, refs: list[str]) -> list[NominationSnapshot]:
    """These nominations, each once, in the order given; a 404 naming the first that is not there."""
    found = await repo.nominations_by_ids(refs)
    missing = [n for n in refs if n not in found]
    if missing:
        raise NotFound("nomination_not_found", ref=missing[0])
    return [found[n] for n in dict.fromkeys(refs)]


def _fits(award: AwardRule, resolved: Resolved) -> None:
    if resolved.subject.kind not in award.subjects:
        raise Invalid("award_wrong_subject", award=award.name_vi, subject="tập thể" if resolved.subject.kind is SubjectKind.UNIT else "cá nhân")
    if resolved.subject.kind is SubjectKind.UNIT and award.unit_kinds and resolved.unit.kind not in award.unit_kinds:
        raise Invalid("award_wrong_unit_kind", award=award.name_vi, kind=resolved.unit.kind)


async def _not_twice(repo: AwardsRepository, award_code: str, year: int, subject: Subject, award: AwardRule) -> None:
    """One achievement earns one award: not a second nomination, nor one for an award already held."""
    if await repo.open_nomination_for(award_code, year, subject.id):
        raise Conflict("nomination_duplicate", award=award.name_vi, year=year)
    if [a for a in await repo.awards_held([subject.id], award_code, year) if not a.revoked]:
        raise Conflict("nomination_already_awarded", award=award.name_vi, year=year)


async def draft_nomination(uow: AwardsUnitOfWork, principal: Principal, command: cmd.DraftNomination, today: date, node: str) -> NominationSnapshot:
    """A unit proposes one of its own (a collective or a person within its reach) to the deciding organisation."""
    async with uow:
        repo = uow.repo
        proposer = await load_unit(repo, command.proposer)
        await ensure_acts_for(repo, principal, proposer.id, proposer.code, PROPOSERS)
        proposer.ensure_active()
        resolved = await resolve(repo, command.subject)
        resolved.unit.ensure_active()  # a merged unit's history goes on under its successor, named in the refusal
        if proposer.id not in await repo.lineage(resolved.unit.id):
            raise Forbidden("subject_outside_proposer", unit=resolved.unit.code, proposer=proposer.code)
        to_unit = await load_unit(repo, command.to_unit)
        if command.campaign is not None and await repo.campaign(command.campaign) is None:
            raise NotFound("campaign_not_found", ref=command.campaign)
        rules, award = rule_in_force(command.award, today)
        _fits(award, resolved)
        await _not_twice(repo, command.award, command.year, resolved.subject, award)
        cluster_id = await _quota_cluster(repo, award, resolved, command.year, command.cluster)
        nomination = NominationSnapshot(
            id=new_id(), node=node, award_code=command.award, ruleset_id=rules.id, year=command.year, subject=resolved.subject,
            subject_name=resolved.name, proposer_unit_id=proposer.id, to_unit_id=to_unit.id, campaign_id=command.campaign,
            cluster_id=cluster_id, source="manual", commendation_type=command.commendation_type, summary=command.summary, state=NominationState.DRAFTED,
        )
        nomination = await _evaluated(repo, nomination)
        await _save(uow, principal, nomination, "draft", None, None, ev.NominationDrafted)
        await uow.commit()
    return nomination


async def nominate_from_ranking(uow: AwardsUnitOfWork, principal: Principal, command: cmd.NominateFromRanking, today: date,
                                node: str) -> NominationSnapshot:
    """A published ranking's leading unit proposed for the flag, by its cluster's leader or owner side."""
    async with uow:
        repo = uow.repo
        ranking = await repo.ranking(command.round)
        if ranking is None:
            raise NotFound("ranking_not_found", ref=command.round)
        if ranking.leader_unit_id is None:
            raise Conflict("ranking_no_leader")
        cluster = await load_cluster(repo, ranking.cluster_id)
        if not await manages_cluster(repo, principal, cluster, ranking.year):
            raise Forbidden("leader_only", cluster=cluster.code)
        unit = await load_unit(repo, ranking.leader_unit_id)
        to_unit = await load_unit(repo, command.to_unit) if command.to_unit else await load_unit(repo, cluster.owner_unit_id)
        rules, award = rule_in_force(command.award, today)
        resolved = Resolved(Subject(kind=SubjectKind.UNIT, id=unit.id), unit.name, unit)
        _fits(award, resolved)
        await _not_twice(repo, command.award, ranking.year, resolved.subject, award)
        nomination = NominationSnapshot(
            id=new_id(), node=node, award_code=command.award, ruleset_id=rules.id, year=ranking.year, subject=resolved.subject,
            subject_name=unit.name, proposer_unit_id=cluster.owner_unit_id, to_unit_id=to_unit.id, campaign_id=ranking.campaign_id,
            source="ranking", ranking_round_id=ranking.round_id, cluster_id=cluster.id, summary=command.summary,
            state=NominationState.DRAFTED,
        )
        nomination = await _evaluated(repo, nomination)
        await _save(uow, principal, nomination, "draft", None, None, ev.NominationDrafted)
        await uow.commit()
    return nomination


async def _quota_cluster(repo: AwardsRepository, award: AwardRule, resolved: Resolved, year: int, named: str | None) -> str | None:
    """For an award with a quota per cluster (the VCA flag: one per cluster or block), the cluster the
    nomination counts against: the subject unit's cluster that year, or the one named among several."""
    if award.quota is None or award.quota.kind != "per_cluster":
        return None
    clusters = await repo.clusters_of(resolved.unit.id, [year])
    if named is not None:
        cluster = await load_cluster(repo, named)
        if cluster.id not in clusters:
            raise Invalid("nomination_cluster_not_member", unit=resolved.unit.code, cluster=cluster.code, year=year)
        return cluster.id
    if len(clusters) != 1:
        raise Invalid("nomination_cluster_needed", unit=resolved.unit.code, year=year, count=len(clusters))
    return next(iter(clusters))


async def _evaluated(repo: AwardsRepository, nomination: NominationSnapshot, judgements: list[cmd.Judgement] | None = None) -> NominationSnapshot:
    """The nomination with its criteria evaluated now, the officer's judgements applied."""
    rules = ruleset(nomination.ruleset_id)
    award = award_rule(nomination.ruleset_id, nomination.award_code)
    checks = eligibility.evaluate(rules, award, nomination.year, await facts_for(repo, nomination.subject, nomination.year))
    if judgements:
        checks = _judged(checks, judgements)
    return nomination.model_copy(update={"checks": checks, "eligible": eligibility.verdict(checks)})


async def _evaluated_many(repo: AwardsRepository, items: list[NominationSnapshot]) -> list[NominationSnapshot]:
    """Many nominations evaluated with the facts of all their subjects loaded together (a bulk import)."""
    done: list[NominationSnapshot] = []
    for year in sorted({n.year for n in items}):
        of_year = [n for n in items if n.year == year]
        facts = await facts_for_many(repo, list({n.subject.id: n.subject for n in of_year}.values()), year)
        for n in of_year:
            checks = eligibility.evaluate(ruleset(n.ruleset_id), award_rule(n.ruleset_id, n.award_code), year, facts[n.subject.id])
            done.append(n.model_copy(update={"checks": checks, "eligible": eligibility.verdict(checks)}))
    return done


def _judged(checks: list, judgements: list[cmd.Judgement]) -> list:
    by_id = {c.criterion: c for c in checks}
    for judgement in judgements:
        check = by_id.get(judgement.criterion)
        if check is None or check.status is not CheckStatus.JUDGEMENT:
            raise Invalid("nomination_judgement_unknown", criterion=judgement.criterion)
        status = CheckStatus.MET if judgement.met else CheckStatus.NOT_MET
        by_id[check.criterion] = check.model_copy(update={
            "status": status, "explanation_vi": f"{check.explanation_vi} Cán bộ đánh giá: {judgement.reason}"[:2000],
            "explanation_en": f"{check.explanation_en} Officer's judgement: {judgement.reason}"[:2000],
        })
    return [by_id[c.criterion] for c in checks]


async def _save(uow: AwardsUnitOfWork, principal: Principal, nomination: NominationSnapshot, action: str, before: NominationState | None,
                reason: str | None, event: type[ev.NominationEvent], cluster_id: str | None = None) -> None:
    await write_step(uow.repo, nomination, action, before, reason, principal.actor, cluster_id)
    uow.record(event(nomination=nomination, reason=reason), aggregate_id=nomination.id, actor=principal.actor)


async def write_step(repo: AwardsRepository, nomination: NominationSnapshot, action: str, before: NominationState | None,
                     reason: str | None, actor: Actor, cluster_id: str | None = None) -> None:
    """A dossier's step as it is kept: the nomination as it now is, and the next step of its trail
    (`audit replay` writes each nomination event back through this too)."""
    await repo.save_nominations([nomination], cluster_id=cluster_id)
    await repo.add_trail(nomination.id, action, before.value if before else None, nomination.state.value, actor.name,
                         actor.role.value, reason)


async def attach_document(uow: AwardsUnitOfWork, principal: Principal, nomination_id: str, command: cmd.AttachDocument) -> NominationSnapshot:
    """A dossier's document (uploaded before, kept by its SHA-256), while the proposer can still change the dossier."""
    async with uow:
        repo = uow.repo
        nomination = await load_nomination(repo, nomination_id)
        await _proposer_side(repo, principal, nomination)
        if nomination.state not in (NominationState.DRAFTED, NominationState.RETURNED):
            raise Conflict("nomination_wrong_state", action=Label("nomination_action_attach"), state=Label(f"nomination_state_{nomination.state.value}"))
        stored = await repo.document(command.sha256)
        if stored is None:
            raise Invalid("document_unknown", sha256=command.sha256)
        document = DossierDocument(kind=command.kind, name=stored.name, sha256=stored.sha256, size=stored.size, media_type=stored.media_type)
        others = [d for d in nomination.documents if (d.kind, d.sha256) != (document.kind, document.sha256)]
        changed = nomination.model_copy(update={"documents": [*others, document], "revision": nomination.revision + 1})
        await _save(uow, principal, changed, "attach", nomination.state, f"{document.kind.value}: {document.name}",
                    ev.NominationDocumentAttached)
        await uow.commit()
    return changed


async def record_document(uow: AwardsUnitOfWork, principal: Principal, stored: StoredFile) -> StoredFile:
    principal.require_role(PROPOSERS)
    async with uow:
        await uow.repo.add_document(stored, principal.holder_name)
        await uow.commit()
    return stored


async def _proposer_side(repo: AwardsRepository, principal: Principal, nomination: NominationSnapshot) -> None:
    await ensure_acts_for(repo, principal, nomination.proposer_unit_id, nomination.proposer_unit_id, PROPOSERS)


async def _office_side(repo: AwardsRepository, principal: Principal, nomination: NominationSnapshot) -> None:
    await ensure_office(repo, principal, nomination.to_unit_id)


EVENTS = {
    "submit": ev.NominationSubmitted, "receive": ev.NominationReceived, "assign": ev.NominationAssigned, "check": ev.NominationChecked,
    "return": ev.NominationReturned, "withdraw": ev.NominationWithdrawn, "escalate": ev.NominationEscalated,
    "to_council": ev.NominationSentToCouncil, "approve": ev.NominationApproved, "reject": ev.NominationRejected,
}
PROPOSER_ACTIONS = frozenset({"submit", "withdraw"})


async def step(uow: AwardsUnitOfWork, principal: Principal, nomination_id: str, action: str, reason: str | None, today: date,
               officer: str | None = None, judgements: list[cmd.Judgement] | None = None) -> NominationSnapshot:
    """One step of the dossier's path, by the side whose step it is, with what that step requires."""
    async with uow:
        repo = uow.repo
        nomination = await load_nomination(repo, nomination_id)
        await (_proposer_side if action in PROPOSER_ACTIONS else _office_side)(repo, principal, nomination)
        target = model.next_state(nomination, action, reason)
        updates: dict[str, object] = {"state": target, "revision": nomination.revision + 1}
        changed = await PREPARE.get(action, _as_is)(repo, nomination, today, officer, judgements)
        changed = changed.model_copy(update=updates)
        await _save(uow, principal, changed, action, nomination.state, reason, EVENTS[action])
        await uow.commit()
    return changed


async def _as_is(repo: AwardsRepository, n: NominationSnapshot, *_: object) -> NominationSnapshot:
    return n


async def _prepare_submit(repo: AwardsRepository, n: NominationSnapshot, today: date, *_: object) -> NominationSnapshot:
    """The dossier is complete today: the rule set in force today is the one it is judged by."""
    rules, award = rule_in_force(n.award_code, today)
    model.ensure_complete(award, n.documents)
    return await _evaluated(repo, n.model_copy(update={"ruleset_id": rules.id, "dossier_complete_on": today}))


async def _prepare_assign(repo: AwardsRepository, n: NominationSnapshot, today: date, officer: str | None, *_: object) -> NominationSnapshot:
    if not officer:
        raise Invalid("nomination_needs_reason", action=Label("nomination_action_assign"))
    return n.model_copy(update={"officer": officer})


async def _prepare_check(repo: AwardsRepository, n: NominationSnapshot, today: date, officer: str | None,
                         judgements: list[cmd.Judgement] | None) -> NominationSnapshot:
    """Every criterion evaluated again on today's records; the officer's judgements where the rules leave it to a person."""
    return await _evaluated(repo, n, judgements or [])


async def _prepare_to_council(repo: AwardsRepository, n: NominationSnapshot, *_: object) -> NominationSnapshot:
    model.ensure_may_go_to_council(n)
    award = award_rule(n.ruleset_id, n.award_code)
    if award.quota is not None:
        cluster_id = (n.cluster_id or await repo.nomination_cluster(n.id)) if award.quota.kind == "per_cluster" else None
        limit = model.quota_limit(award.quota, await repo.cluster_leaders_count(n.year))
        used = await repo.count_at_council(n.award_code, n.year, [s.value for s in model.AT_COUNCIL], cluster_id)
        model.ensure_within_quota(award.quota, used, limit, award)
    return n


async def _prepare_approve(repo: AwardsRepository, n: NominationSnapshot, today: date, *_: object) -> NominationSnapshot:
    """The council approves only after the posting window (if the rules require one) and a ballot it passed."""
    award = award_rule(n.ruleset_id, n.award_code)
    posting = (await repo.postings_of([n.id])).get(n.id)
    model.ensure_posting_closed(award.posting.required, posting.closes_on if posting else None, today)
    passed = [result for ballot, result in await repo.ballots_of([n.id]) if ballot.status == "closed" and result
              and any(t["nomination_id"] == n.id and t["passed"] for t in result["tallies"])]
    if not passed:
        raise Conflict("ballot_not_passed")
    return n


PREPARE = {"submit": _prepare_submit, "assign": _prepare_assign, "check": _prepare_check, "to_council": _prepare_to_council,
           "approve": _prepare_approve}


async def import_nominations(uow: AwardsUnitOfWork, principal: Principal, drafts: list[tuple[int, cmd.DraftNomination]],
                             errors: RowErrors, today: date, node: str) -> list[NominationSnapshot]:
    """Many nominations drafted at once (from Excel), each checked as one would be, with a fixed number of
    queries per distinct proposer and for the whole file; all or none."""
    made: list[NominationSnapshot] = []
    async with uow:
        repo = uow.repo
        units = await repo.units(sorted({r for _, c in drafts for r in (c.proposer, c.to_unit, c.subject.ref)}), by_code=True)
        by_ref = {**units, **{u.code: u for u in units.values()}}
        people = await repo.people([c.subject.ref for _, c in drafts if c.subject.kind is SubjectKind.PERSON])
        subjects: dict[int, Resolved] = {}
        for number, command in drafts:
            if command.subject.kind is SubjectKind.UNIT and (unit := by_ref.get(command.subject.ref.upper()) or by_ref.get(command.subject.ref)):
                subjects[number] = Resolved(Subject(kind=SubjectKind.UNIT, id=unit.id), unit.name, unit)
            elif (person := people.get(command.subject.ref)) and person.unit_id in units:
                subjects[number] = Resolved(Subject(kind=SubjectKind.PERSON, id=person.id), person.full_name, units[person.unit_id])
        proposers = {by_ref[c.proposer.upper()].id if c.proposer.upper() in by_ref else c.proposer for _, c in drafts}
        reach = {p: await repo.within(p, [r.unit.id for r in subjects.values()]) for p in proposers if p in units}
        acting = {p for p in reach if await _acts_for(repo, principal, p)}
        held = {(a.award_code, a.year, a.subject.id) for a in await repo.awards_held([r.subject.id for r in subjects.values()]) if not a.revoked}
        alive = await repo.alive_nominations([r.subject.id for r in subjects.values()])
        seen: set[tuple[str, int, str]] = set()
        for index, (number, command) in enumerate(drafts):
            await yield_now(index)
            try:
                proposer = by_ref.get(command.proposer.upper()) or by_ref.get(command.proposer)
                to_unit = by_ref.get(command.to_unit.upper()) or by_ref.get(command.to_unit)
                resolved = subjects.get(number)
                if proposer is None or to_unit is None or resolved is None:
                    raise NotFound("record_unknown_subject", ref=command.proposer if proposer is None else command.to_unit if to_unit is None
                                   else command.subject.ref)
                if proposer.id not in acting:
                    raise Forbidden("forbidden_scope", unit=proposer.code)
                if resolved.unit.id not in reach.get(proposer.id, set()):
                    raise Forbidden("subject_outside_proposer", unit=resolved.unit.code, proposer=proposer.code)
                rules, award = rule_in_force(command.award, today)
                _fits(award, resolved)
                key = (command.award, command.year, resolved.subject.id)
                if key in seen or key in alive:
                    raise Conflict("nomination_duplicate", award=award.name_vi, year=command.year)
                if key in held:
                    raise Conflict("nomination_already_awarded", award=award.name_vi, year=command.year)
                seen.add(key)
                cluster_id = await _quota_cluster(repo, award, resolved, command.year, command.cluster)  # flags only: a few rows
            except (Conflict, Forbidden, Invalid, NotFound) as error:
                errors.add_app_error(number, None, error)
                continue
            made.append(NominationSnapshot(
                id=new_id(), node=node, award_code=command.award, ruleset_id=rules.id, year=command.year, subject=resolved.subject,
                subject_name=resolved.name, proposer_unit_id=proposer.id, to_unit_id=to_unit.id, campaign_id=command.campaign,
                cluster_id=cluster_id, source="import", commendation_type=command.commendation_type, summary=command.summary, state=NominationState.DRAFTED,
            ))
        reject_if_any(errors)
        made = await _evaluated_many(repo, made)
        await repo.save_nominations(made)
        await repo.add_trails([(n.id, "draft", None, n.state.value, principal.holder_name, principal.role.value, "import") for n in made])
        uow.record_each(made, lambda n: ev.NominationDrafted(nomination=n, reason="import"), lambda n: n.id, actor=principal.actor)
        await uow.commit()
    return made


async def _acts_for(repo: AwardsRepository, principal: Principal, unit_id: str) -> bool:
    return principal.role in PROPOSERS and await reaches(repo, principal, unit_id)


# --- public posting ---------------------------------------------------------------------------------------------
async def load_posting(repo: AwardsRepository, posting_id: str) -> PostingSnapshot:
    found = await repo.posting(posting_id)
    if found is None:
        raise NotFound("posting_not_found", ref=posting_id)
    return found


async def open_posting(uow: AwardsUnitOfWork, principal: Principal, command: cmd.OpenPosting, today: date) -> PostingSnapshot:
    """Nominees published for the rule's number of working days (weekends and public holidays skipped)."""
    async with uow:
        repo = uow.repo
        to_unit = await load_unit(repo, command.to_unit)
        await ensure_office(repo, principal, to_unit.id, to_unit.code)
        found = await repo.nominations_by_ids(command.nominations)
        for ref in command.nominations:
            n = found.get(ref)
            if n is None or n.to_unit_id != to_unit.id:
                raise NotFound("nomination_not_found", ref=ref)
        days = command.working_days or max((award_rule(n.ruleset_id, n.award_code).posting.working_days for n in found.values()), default=10) or 10
        posting = PostingSnapshot(id=new_id(), to_unit_id=to_unit.id, title=command.title, nominations=list(dict.fromkeys(command.nominations)),
                                  opened_on=today, working_days=days, closes_on=last_working_day(today, days), status="open")
        await repo.add_posting(posting)
        uow.record(ev.PostingOpened(posting=posting), aggregate_id=posting.id, actor=principal.actor)
        await uow.commit()
    return posting


async def comment(uow: AwardsUnitOfWork, principal: Principal, posting_id: str, command: cmd.Comment, today: date) -> str:
    """Anyone who may write may comment while the nominees are posted; the author may stay unnamed.
    Auditors read everything and write nothing."""
    principal.ensure_writes()
    async with uow:
        repo = uow.repo
        posting = await load_posting(repo, posting_id)
        if posting.status != "open" or today > posting.closes_on:
            raise Conflict("posting_closed")
        if command.nomination is not None and command.nomination not in posting.nominations:
            raise NotFound("nomination_not_found", ref=command.nomination)
        comment_id = new_id()
        await repo.add_comment(comment_id, posting.id, command.nomination, command.author, command.text)
        uow.record(ev.PostingCommentReceived(posting_id=posting.id, comment_id=comment_id, nomination_id=command.nomination,
                                             author=command.author, text=command.text), aggregate_id=posting.id, actor=principal.actor)
        await uow.commit()
    return comment_id


async def answer(uow: AwardsUnitOfWork, principal: Principal, posting_id: str, comment_id: str, command: cmd.Answer) -> None:
    async with uow:
        repo = uow.repo
        posting = await load_posting(repo, posting_id)
        await ensure_office(repo, principal, posting.to_unit_id)
        if comment_id not in {c.id for c in await repo.comments(posting.id)}:
            raise NotFound("comment_not_found", ref=comment_id)
        await repo.answer_comment(comment_id, command.answer)
        uow.record(ev.PostingCommentAnswered(posting_id=posting.id, comment_id=comment_id, answer=command.answer),
                   aggregate_id=posting.id, actor=principal.actor)
        await uow.commit()


async def close_posting(uow: AwardsUnitOfWork, principal: Principal, posting_id: str, today: date) -> PostingSnapshot:
    async with uow:
        repo = uow.repo
        posting = await load_posting(repo, posting_id)
        await ensure_office(repo, principal, posting.to_unit_id)
        if posting.status != "open":
            raise Conflict("posting_closed")
        model.ensure_posting_closed(True, posting.closes_on, today)
        closed = posting.model_copy(update={"status": "closed"})
        await repo.save_posting(closed)
        comments = await repo.comments(posting.id)
        uow.record(ev.PostingClosed(posting_id=posting.id, comments=len(comments), unanswered=sum(c.answer is None for c in comments)),
                   aggregate_id=posting.id, actor=principal.actor)
        await uow.commit()
    return closed


# --- decisions --------------------------------------------------------------------------------------------------
async def issue_decision(uow: AwardsUnitOfWork, principal: Principal, command: cmd.IssueDecision, node: str) -> DecisionSnapshot:
    """A numbered decision for approved nominations of one award: they become history, each recipient named."""
    async with uow:
        repo = uow.repo
        chosen = await load_nominations(repo, command.nominations)
        first = chosen[0]
        await ensure_office(repo, principal, first.to_unit_id)
        for n in chosen:
            if (n.award_code, n.to_unit_id) != (first.award_code, first.to_unit_id):
                raise Invalid("decision_mixed_awards", award=first.award_code, other=n.award_code)
            model.next_state(n, "decide")
            if command.signed_on.year < n.year:  # a decision for a year's achievements is signed in that year or after
                raise Invalid("decision_before_award_year", signed_on=format_date(command.signed_on), year=n.year)
        if await repo.decision_number_taken(first.to_unit_id, command.number):
            raise Conflict("decision_number_taken", number=command.number)
        units = await repo.units([n.subject.id if n.subject.kind is SubjectKind.UNIT else n.proposer_unit_id for n in chosen])
        people = await repo.people([n.subject.id for n in chosen if n.subject.kind is SubjectKind.PERSON])
        person_units = await repo.units([p.unit_id for p in people.values()])
        recipients = [Recipient(nomination_id=n.id, subject=n.subject, name=n.subject_name,
                                unit_name=(person_units[people[n.subject.id].unit_id].name if n.subject.kind is SubjectKind.PERSON
                                           and n.subject.id in people and people[n.subject.id].unit_id in person_units else
                                           units[n.subject.id].name if n.subject.id in units else None)) for n in chosen]
        decision = DecisionSnapshot(id=new_id(), node=node, number=command.number, signed_on=command.signed_on, to_unit_id=first.to_unit_id,
                                    award_code=first.award_code, ruleset_id=first.ruleset_id, year=first.year,
                                    signer_title=command.signer_title, signer_name=command.signer_name,
                                    recipients=recipients)
        await write_decision(repo, decision, chosen, principal.actor)
        uow.record(ev.AwardDecided(decision=decision), aggregate_id=decision.id, actor=principal.actor)
        await uow.commit()
    return decision


async def write_decision(repo: AwardsRepository, decision: DecisionSnapshot, chosen: list[NominationSnapshot], actor: Actor) -> None:
    """A decision as it is kept: the decision, an award in the history for each recipient, its nomination
    decided and the step in its trail (`audit replay` writes `award_decided` back through this too)."""
    await repo.add_decision(decision)
    history = [AwardRecord(id=model.award_id(decision.id, n.id), subject=n.subject, award_code=n.award_code, year=n.year,
                           decision_number=decision.number, decided_on=decision.signed_on, source="decided") for n in chosen]
    await repo.add_awards(history, [n.id for n in chosen], decision.id)
    decided = [n.model_copy(update={"state": NominationState.DECIDED, "revision": n.revision + 1}) for n in chosen]
    await repo.save_nominations(decided)
    for n in decided:
        await repo.add_trail(n.id, "decide", NominationState.APPROVED.value, n.state.value, actor.name, actor.role.value, decision.number)


async def load_decision(repo: AwardsRepository, decision_id: str) -> DecisionSnapshot:
    found = await repo.decision(decision_id)
    if found is None:
        raise NotFound("decision_not_found", ref=decision_id)
    return found


async def revoke(uow: AwardsUnitOfWork, principal: Principal, decision_id: str, command: cmd.Revoke) -> None:
    """A revocation (false declarations, say) is a recorded decision with its reason; the history keeps both."""
    async with uow:
        repo = uow.repo
        decision = await load_decision(repo, decision_id)
        await ensure_office(repo, principal, decision.to_unit_id)
        recipient = next((r for r in decision.recipients if r.nomination_id == command.nomination), None)
        if recipient is None:
            raise Invalid("decision_not_recipient", ref=command.nomination)
        if not await repo.revoke_award(command.nomination, f"{command.revocation_number}: {command.reason}"):
            raise Conflict("award_already_revoked")
        uow.record(ev.AwardRevoked(decision_id=decision.id, nomination_id=command.nomination, subject=recipient.subject,
                                   revocation_number=command.revocation_number, reason=command.reason),
                   aggregate_id=decision.id, actor=principal.actor)
        await uow.commit()
