"""The awards service's read side, checked against the caller's scope.

Offices read what is addressed to them or proposed below them; a unit reads its own proposals;
auditors and the national board read everything. Ballots show tallies and the sealed box once
closed, and before that only turnout. Lists load what they show in a fixed number of statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from thidua_shared.access.tokens import Principal
from thidua_shared.errors import Conflict, Forbidden, NotFound
from thidua_shared.events.awards import AwardRecord, BallotSnapshot, DecisionSnapshot, NominationSnapshot, PostingSnapshot, SubjectKind
from thidua_shared.registry_replica import ClusterView, load_cluster, load_unit
from thidua_shared.units import UnitRef

from thidua_awards.adapters.repository import AwardsRepository, CommentRow, TrailStep
from thidua_awards.domain import model
from thidua_awards.domain.rulesets import AwardRule, RuleSet, award_rule, ruleset
from thidua_awards.service_layer.access import manages_ballot, may_read_nomination, reaches
from thidua_awards.service_layer.ballots import load_ballot
from thidua_awards.service_layer.services import load_decision, load_nomination, load_posting


async def unit_refs(repo: AwardsRepository, unit_ids: list[str]) -> dict[str, UnitRef]:
    found = await repo.units(unit_ids)
    return {u: UnitRef(id=u, code=found[u].code, name=found[u].name) if u in found else UnitRef(id=u, code=u, name="") for u in unit_ids}


# --- nominations -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NominationView:
    nomination: NominationSnapshot
    proposer: UnitRef
    to_unit: UnitRef
    award: AwardRule
    rules: RuleSet
    missing_documents: list[str] = field(default_factory=list)
    trail: list[TrailStep] = field(default_factory=list)
    posting: PostingSnapshot | None = None
    ballots: list[tuple[BallotSnapshot, dict[str, Any] | None]] = field(default_factory=list)


async def nomination_details(repo: AwardsRepository, principal: Principal, nomination_id: str) -> NominationView:
    nomination = await load_nomination(repo, nomination_id)
    if not await may_read_nomination(repo, principal, nomination):
        raise Forbidden("forbidden_scope", unit=await repo.code_of(nomination.to_unit_id))
    refs = await unit_refs(repo, [nomination.proposer_unit_id, nomination.to_unit_id])
    award = award_rule(nomination.ruleset_id, nomination.award_code)
    return NominationView(
        nomination, refs[nomination.proposer_unit_id], refs[nomination.to_unit_id], award, ruleset(nomination.ruleset_id),
        [k.value for k in model.missing_documents(award, nomination.documents)], await repo.trail(nomination.id),
        (await repo.postings_of([nomination.id])).get(nomination.id), await repo.ballots_of([nomination.id]),
    )


async def nomination_list(repo: AwardsRepository, principal: Principal, *, to_unit: str | None, campaign: str | None, award: str | None,
                          year: int | None, state: str | None, subject: str | None, limit: int, offset: int) -> list[NominationView]:
    to_unit_id = (await load_unit(repo, to_unit)).id if to_unit else None
    found = await repo.list_nominations(to_unit=to_unit_id, proposer_within=principal.scope_unit_id, campaign=campaign, award=award,
                                        year=year, state=state, subject=subject, limit=limit, offset=offset)
    refs = await unit_refs(repo, sorted({u for n in found for u in (n.proposer_unit_id, n.to_unit_id)}))
    views = []
    for n in found:
        award_of = award_rule(n.ruleset_id, n.award_code)
        views.append(NominationView(n, refs[n.proposer_unit_id], refs[n.to_unit_id], award_of, ruleset(n.ruleset_id),
                                    [k.value for k in model.missing_documents(award_of, n.documents)]))
    return views


async def counters(repo: AwardsRepository, principal: Principal, campaign: str | None, to_unit: str | None, year: int | None) -> dict[str, int]:
    """The offices' counters: proposed, returned, not eligible, escalated, approved (and the states behind them)."""
    to_unit_id = (await load_unit(repo, to_unit)).id if to_unit else None
    if to_unit_id and not await reaches(repo, principal, to_unit_id):
        raise Forbidden("forbidden_scope", unit=to_unit or "")
    states = await repo.counters(campaign, to_unit_id, year)
    proposed = sum(count for state, count in states.items() if state not in ("drafted", "not_eligible"))
    return {
        "proposed": proposed, "returned": await repo.returned_count(campaign, to_unit_id, year),
        "not_eligible": states.get("not_eligible", 0), "escalated": states.get("escalated", 0),
        "approved": states.get("approved", 0) + states.get("decided", 0),
        **{f"state_{state}": count for state, count in sorted(states.items()) if state != "not_eligible"},
    }


# --- ballots ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BallotView:
    ballot: BallotSnapshot
    result: dict[str, Any] | None
    eligible: int
    voted: int
    dealt: list[int]  # the tellers (by index) who have dealt their part of the key
    counted: list[int]  # the tellers who have given their share of the count
    nominees: dict[str, str] = field(default_factory=dict)  # each nomination's subject, as a tally names it


async def ballot_details(repo: AwardsRepository, principal: Principal, ballot_id: str) -> BallotView:
    ballot, result = await load_ballot(repo, ballot_id)
    await _may_read(repo, principal, ballot)
    eligible, voted = await repo.voters_voted(ballot.id)
    dealt = [d.index for d in await repo.deals(ballot.id)]
    counted = [c.index for c in await repo.counts(ballot.id)]
    named = await repo.nominations_by_ids(ballot.nominations)  # one query: the tally names people, never ids
    return BallotView(ballot, result, eligible, voted, dealt, counted, {n: named[n].subject_name for n in ballot.nominations if n in named})


@dataclass(frozen=True)
class BallotRow:
    """A ballot as a list shows it: whose, which cluster, the year, how many of those who may vote have."""

    ballot: BallotSnapshot
    unit: UnitRef
    cluster: UnitRef | None
    eligible: int
    voted: int
    passed: list[str]  # nominations carried, once closed


async def ballot_list(repo: AwardsRepository, principal: Principal, cluster: str | None, year: int | None, status: str | None,
                      limit: int, offset: int) -> list[BallotRow]:
    """The ballots the caller may read (the office that opened it and those above, its voters, the cluster's
    managers), so that a council member or a teller finds a ballot's id without being told it."""
    cluster_view = await load_cluster(repo, cluster) if cluster else None
    found = await repo.list_ballots(cluster_view.id if cluster_view else None, year, status, limit, offset)
    if principal.scope_unit_id is not None:
        # One query for the page's units and voters; a ballot not seen through them is asked the full rule.
        mine = await repo.within(principal.scope_unit_id, sorted({u for b, _ in found for u in (b.unit_id, *b.voters)}))
        found = [(b, r) for b, r in found if mine.intersection((b.unit_id, *b.voters)) or principal.person_id in b.voters
                 or await _readable(repo, principal, b)]
    refs = await unit_refs(repo, sorted({b.unit_id for b, _ in found}))
    clusters = await repo.clusters(sorted({b.cluster_id for b, _ in found if b.cluster_id}))
    turnout = await repo.turnout([b.id for b, _ in found])
    return [BallotRow(b, refs[b.unit_id], _cluster_ref(clusters.get(b.cluster_id)) if b.cluster_id else None,
                      *turnout.get(b.id, (0, 0)), sorted(t["nomination_id"] for t in (result or {}).get("tallies", []) if t["passed"]))
            for b, result in found]


def _cluster_ref(cluster: ClusterView | None) -> UnitRef | None:
    return UnitRef(id=cluster.id, code=cluster.code, name=cluster.name) if cluster else None


async def _readable(repo: AwardsRepository, principal: Principal, ballot: BallotSnapshot) -> bool:
    """Who may read a ballot: the office that opened it and those above, its voters, the cluster's managers."""
    return (await reaches(repo, principal, ballot.unit_id) or await _voter_of(repo, principal, ballot)
            or await manages_ballot(repo, principal, ballot))


async def _may_read(repo: AwardsRepository, principal: Principal, ballot: BallotSnapshot) -> None:
    if not await _readable(repo, principal, ballot):
        raise Forbidden("forbidden_scope", unit=await repo.code_of(ballot.unit_id))


async def _voter_of(repo: AwardsRepository, principal: Principal, ballot: BallotSnapshot) -> bool:
    if principal.person_id is not None and principal.person_id in ballot.voters:
        return True
    return principal.scope_unit_id is not None and principal.scope_unit_id in ballot.voters


async def tellers_view(repo: AwardsRepository, principal: Principal, ballot_id: str) -> dict[str, Any]:
    """What a teller's device needs, all public: the committee's transport keys, the deals, the encrypted tally, the counts."""
    ballot, _ = await load_ballot(repo, ballot_id)
    await _may_read(repo, principal, ballot)
    keys = await repo.teller_keys(ballot.tellers)
    return {"ballot_id": ballot.id, "threshold": ballot.threshold, "public_key": ballot.public_key,
            "tellers": [{"index": i, "teller": t, "transport_key": keys.get(t)} for i, t in enumerate(ballot.tellers, start=1)],
            "deals": [d.model_dump(mode="json") for d in await repo.deals(ballot.id)],
            "counting": await repo.tally(ballot.id),
            "counts": [c.model_dump(mode="json") for c in await repo.counts(ballot.id)]}


async def box_page(repo: AwardsRepository, principal: Principal, ballot_id: str, after: str, limit: int) -> dict[str, Any]:
    """The published box, a page at a time in receipt order (an open ballot's box is not published yet)."""
    ballot, _ = await load_ballot(repo, ballot_id)
    await _may_read(repo, principal, ballot)
    if ballot.status not in ("counting", "closed"):
        raise Conflict("ballot_box_not_published")
    page = await repo.box_page(ballot.id, after, limit)
    return {"ballots": [{"receipt": r, "ballot": b.model_dump(mode="json")} for r, b in page],
            "next": page[-1][0] if len(page) == limit else None}


async def check_receipt(repo: AwardsRepository, principal: Principal, ballot_id: str, receipt: str) -> dict[str, Any]:
    """A voter checks their ballot is in the box as their device encrypted it: the receipt is its SHA-256."""
    ballot, _ = await load_ballot(repo, ballot_id)
    await _may_read(repo, principal, ballot)
    if not await repo.in_box(ballot.id, receipt.lower()):
        raise NotFound("receipt_not_found")
    return {"ballot_id": ballot.id, "receipt": receipt.lower(), "in_box": True, "counted": ballot.status == "closed"}


# --- postings -----------------------------------------------------------------------------------------------
async def posting_details(repo: AwardsRepository, principal: Principal, posting_id: str) -> tuple[PostingSnapshot, list[NominationSnapshot], list[CommentRow]]:
    """A posting is public to every holder of a token: that is its purpose."""
    posting = await load_posting(repo, posting_id)
    nominations = await repo.nominations_by_ids(posting.nominations)
    return posting, [nominations[n] for n in posting.nominations if n in nominations], await repo.comments(posting.id)


# --- decisions and history ----------------------------------------------------------------------------------
async def decision_details(repo: AwardsRepository, principal: Principal, decision_id: str) -> tuple[DecisionSnapshot, set[str]]:
    """A decision is public once issued; with the nominations whose award was later revoked."""
    decision = await load_decision(repo, decision_id)
    return decision, await repo.revoked_nominations([r.nomination_id for r in decision.recipients])


@dataclass(frozen=True)
class HistoryView:
    record: AwardRecord
    name: str
    unit: UnitRef | None
    via: UnitRef | None  # a predecessor it came from, by a merger


async def history(repo: AwardsRepository, principal: Principal, *, unit: str | None, person: str | None, award: str | None,
                  year: int | None, limit: int, offset: int) -> list[HistoryView]:
    """Awards by unit (its predecessors' too), person, award and year; a unit's own people with `person=*`."""
    subjects: list[str] | None = None
    origin: dict[str, str] = {}
    if unit:
        found = await load_unit(repo, unit)
        predecessors = [p for p, _ in await repo.predecessors(found.id)]
        subjects = [found.id, *predecessors]
        origin = {p: p for p in predecessors}
        if person == "*":
            subjects += [p.id for p in (await repo.people_of_units([found.id])).get(found.id, [])]
    elif person:
        subjects = [person]
    records = await repo.history(subjects, award, year, limit, offset)
    people = await repo.people([r.subject.id for r in records if r.subject.kind is SubjectKind.PERSON])
    unit_ids = sorted({r.subject.id for r in records if r.subject.kind is SubjectKind.UNIT} | {p.unit_id for p in people.values()})
    refs = await unit_refs(repo, unit_ids)
    views = []
    for r in records:
        if r.subject.kind is SubjectKind.PERSON:
            p = people.get(r.subject.id)
            views.append(HistoryView(r, p.full_name if p else r.subject.id, refs.get(p.unit_id) if p else None, None))
        else:
            ref = refs.get(r.subject.id)
            views.append(HistoryView(r, ref.name if ref else r.subject.id, ref, ref if r.subject.id in origin else None))
    return views
