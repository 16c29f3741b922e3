"""Reading and writing the awards service's data. Knows SQL; knows no rules.

Lists and the facts eligibility needs load in a fixed number of statements, whatever the number
of subjects (chunks of ids in `IN` lists).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.campaigns_replica import CampaignsReplicaReader
from thidua_shared import document_register
from thidua_shared.db import dialect_insert, where_given
from thidua_shared.events.awards import (
    AwardRecord,
    BallotSnapshot,
    EncryptedBallot,
    DECISION_EVENTS,
    DecisionSnapshot,
    DisciplineLevel,
    DisciplineSnapshot,
    InitiativeLevel,
    InitiativeSnapshot,
    NominationSnapshot,
    PostingSnapshot,
    Subject,
    SubjectKind,
    TaskRating,
    TaskRatingSnapshot,
    TellerCount,
    TellerDeal,
)
from thidua_shared.events.envelope import utc_now
from thidua_shared.messaging.outbox import own_events
from thidua_shared.transparency import merkle
from thidua_shared.files import StoredFile
from thidua_shared.registry_replica import RegistryReplicaReader
from thidua_shared.registry_replica.reader import chunks
from thidua_shared.text import search_key

from thidua_awards.adapters.tables import (
    award_history,
    ballot_box,
    ballot_counts,
    ballot_deals,
    ballot_questions,
    ballot_voters,
    ballots,
    teller_keys,
    decisions,
    disciplines,
    documents,
    initiatives,
    messaging,
    nomination_trail,
    nominations,
    posting_comments,
    posting_nominations,
    postings,
    registry,
    replica_campaigns,
    replica_people,
    replica_rankings,
    task_ratings,
)
from thidua_awards.domain.eligibility import Discipline, Initiative, SubjectFacts


@dataclass(frozen=True)
class PersonView:
    id: str
    unit_id: str
    full_name: str
    position: str | None


@dataclass(frozen=True)
class RankingView:
    round_id: str
    campaign_id: str
    cluster_id: str
    year: int
    leader_unit_id: str | None
    open_ties: list[list[str]]
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class TrailStep:
    step: int
    action: str
    from_state: str | None
    to_state: str
    actor_name: str
    actor_role: str
    reason: str | None
    at: datetime


@dataclass(frozen=True)
class CommentRow:
    id: str
    posting_id: str
    nomination_id: str | None
    author: str | None
    text: str
    answer: str | None
    received_at: datetime



def _nomination_filters(campaign_id: str | None, to_unit: str | None, year: int | None) -> list[tuple[ColumnElement[Any], object]]:
    return [(nominations.c.campaign_id, campaign_id), (nominations.c.to_unit_id, to_unit), (nominations.c.year, year)]

class AwardsRepository(RegistryReplicaReader, CampaignsReplicaReader):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.registry = registry
        self.campaigns_table = replica_campaigns

    # --- people (replica) -------------------------------------------------------------------------
    async def people(self, person_ids: Sequence[str]) -> dict[str, PersonView]:
        found = {}
        for chunk in chunks(person_ids):
            for r in await self.session.execute(select(replica_people).where(replica_people.c.id.in_(chunk))):
                found[r.id] = PersonView(r.id, r.unit_id, r.full_name, r.position)
        return found

    async def people_of_units(self, unit_ids: Sequence[str]) -> dict[str, list[PersonView]]:
        found: dict[str, list[PersonView]] = {}
        for chunk in chunks(unit_ids):
            query = select(replica_people).where(replica_people.c.unit_id.in_(chunk)).order_by(replica_people.c.full_name)
            for r in await self.session.execute(query):
                found.setdefault(r.unit_id, []).append(PersonView(r.id, r.unit_id, r.full_name, r.position))
        return found

    async def people_named(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[PersonView]]:
        """(unit id, folded full name) → the people of that unit with that name (one query a chunk of units)."""
        wanted = {(u, n) for u, n in keys}
        by_unit = await self.people_of_units(sorted({u for u, _ in wanted}))
        found: dict[tuple[str, str], list[PersonView]] = {}
        for unit_id, people in by_unit.items():
            for p in people:
                key = (unit_id, search_key(p.full_name))
                if key in wanted:
                    found.setdefault(key, []).append(p)
        return found

    # --- rankings (replica) ----------------------------------------------------------------------------
    async def ranking(self, round_id: str) -> RankingView | None:
        row = (await self.session.execute(select(replica_rankings).where(replica_rankings.c.round_id == round_id))).first()
        return _ranking(row) if row else None

    async def rankings_of_year(self, year: int) -> list[RankingView]:
        """A year's final rankings (a few hundred clusters and blocks at most)."""
        query = select(replica_rankings).where(replica_rankings.c.year == year, replica_rankings.c.period == "final")
        return [_ranking(r) for r in await self.session.execute(query.order_by(replica_rankings.c.round_id))]

    async def cluster_leaders_count(self, year: int) -> int:
        """How many units lead a cluster or block in a year's final rankings (a quota's base)."""
        query = select(func.count(func.distinct(replica_rankings.c.leader_unit_id))).where(
            replica_rankings.c.year == year, replica_rankings.c.period == "final", replica_rankings.c.leader_unit_id.is_not(None))
        return int(await self.session.scalar(query) or 0)

    # --- records -------------------------------------------------------------------------------------------
    async def add_initiatives(self, items: Sequence[InitiativeSnapshot]) -> None:
        if items:
            await self.session.execute(insert(initiatives), [
                {"id": i.id, "subject_kind": i.subject.kind.value, "subject_id": i.subject.id, "title": i.title, "level": i.level.value,
                 "year": i.year, "recognised_by": i.recognised_by, "document_number": i.document_number, "claimed": i.claimed} for i in items])

    async def initiative(self, initiative_id: str) -> InitiativeSnapshot | None:
        row = (await self.session.execute(select(initiatives).where(initiatives.c.id == initiative_id))).first()
        if row is None:
            return None
        return InitiativeSnapshot(id=row.id, subject=Subject(kind=SubjectKind(row.subject_kind), id=row.subject_id), title=row.title,
                                  level=InitiativeLevel(row.level), year=row.year, recognised_by=row.recognised_by,
                                  document_number=row.document_number, claimed=row.claimed)

    async def rating(self, subject_id: str, year: int) -> TaskRatingSnapshot | None:
        row = (await self.session.execute(select(task_ratings).where(task_ratings.c.subject_id == subject_id,
                                                                     task_ratings.c.year == year))).first()
        if row is None:
            return None
        return TaskRatingSnapshot(subject=Subject(kind=SubjectKind(row.subject_kind), id=row.subject_id), year=row.year,
                                  rating=TaskRating(row.rating), claimed=row.claimed)

    async def confirm_initiative(self, initiative_id: str) -> None:
        await self.session.execute(update(initiatives).where(initiatives.c.id == initiative_id).values(claimed=False))

    async def confirm_rating(self, subject_id: str, year: int) -> None:
        await self.session.execute(update(task_ratings).where(task_ratings.c.subject_id == subject_id, task_ratings.c.year == year)
                                   .values(claimed=False))

    async def save_ratings(self, items: Sequence[TaskRatingSnapshot]) -> None:
        if items:
            statement = dialect_insert(self.session)(task_ratings)
            await self.session.execute(
                statement.on_conflict_do_update(index_elements=[task_ratings.c.subject_id, task_ratings.c.year],
                                                set_={"rating": statement.excluded.rating, "claimed": statement.excluded.claimed}),
                [{"subject_id": r.subject.id, "year": r.year, "subject_kind": r.subject.kind.value, "rating": r.rating.value,
                  "claimed": r.claimed} for r in items])

    async def add_disciplines(self, items: Sequence[DisciplineSnapshot]) -> None:
        if items:
            await self.session.execute(insert(disciplines), [
                {"id": d.id, "subject_kind": d.subject.kind.value, "subject_id": d.subject.id, "level": d.level.value,
                 "starts_on": d.starts_on, "ends_on": d.ends_on, "reason": d.reason} for d in items])

    async def add_awards(self, items: Sequence[AwardRecord], nomination_ids: Sequence[str | None] | None = None,
                         decision_id: str | None = None) -> None:
        if items:
            links = nomination_ids or [None] * len(items)
            await self.session.execute(insert(award_history), [
                {"id": a.id, "subject_kind": a.subject.kind.value, "subject_id": a.subject.id, "award_code": a.award_code,
                 "year": a.year, "decision_id": decision_id, "decision_number": a.decision_number, "decided_on": a.decided_on,
                 "nomination_id": link, "source": a.source, "revoked": a.revoked, "revoked_reason": None}
                for a, link in zip(items, links, strict=True)])

    async def awards_held(self, subject_ids: Sequence[str], award_code: str | None = None, year: int | None = None) -> list[AwardRecord]:
        found = []
        for chunk in chunks(subject_ids):
            query = select(award_history).where(award_history.c.subject_id.in_(chunk))
            if award_code is not None:
                query = query.where(award_history.c.award_code == award_code)
            if year is not None:
                query = query.where(award_history.c.year == year)
            found.extend(_award(r) for r in await self.session.execute(query))
        return found

    async def revoke_award(self, nomination_id: str, reason: str) -> int:
        result = await self.session.execute(update(award_history).where(
            award_history.c.nomination_id == nomination_id, award_history.c.revoked.is_(False)).values(revoked=True, revoked_reason=reason))
        return int(result.rowcount or 0)

    async def facts(self, subject_ids: Sequence[str]) -> dict[str, SubjectFacts]:
        """What is recorded of each subject: awards (not revoked), ratings, disciplines, initiatives; four queries a chunk."""
        facts = {s: SubjectFacts() for s in subject_ids}
        for chunk in chunks(subject_ids):
            for r in await self.session.execute(select(award_history).where(award_history.c.subject_id.in_(chunk), award_history.c.revoked.is_(False))):
                facts[r.subject_id].awards.setdefault(r.year, {})[r.award_code] = r.decision_number or r.id
            # a unit's own claims do not count until confirmed by a higher level
            for r in await self.session.execute(select(task_ratings).where(task_ratings.c.subject_id.in_(chunk), task_ratings.c.claimed.is_(False))):
                facts[r.subject_id].ratings[r.year] = TaskRating(r.rating)
            for r in await self.session.execute(select(disciplines).where(disciplines.c.subject_id.in_(chunk))):
                facts[r.subject_id].disciplines.append(Discipline(DisciplineLevel(r.level), r.starts_on, r.ends_on, r.id))
            for r in await self.session.execute(select(initiatives).where(initiatives.c.subject_id.in_(chunk), initiatives.c.claimed.is_(False))):
                facts[r.subject_id].initiatives.append(Initiative(InitiativeLevel(r.level), r.year, r.id))
        return facts

    async def history(self, subject_ids: Sequence[str] | None, award_code: str | None, year: int | None,
                      limit: int, offset: int) -> list[AwardRecord]:
        query = select(award_history).order_by(award_history.c.year.desc(), award_history.c.award_code, award_history.c.subject_id)
        if subject_ids is not None:
            query = query.where(award_history.c.subject_id.in_(list(subject_ids)[:2000]))
        if award_code:
            query = query.where(award_history.c.award_code == award_code)
        if year:
            query = query.where(award_history.c.year == year)
        return [_award(r) for r in await self.session.execute(query.limit(limit).offset(offset))]

    # --- documents -------------------------------------------------------------------------------------------
    async def add_document(self, stored: StoredFile, uploaded_by: str) -> None:
        await document_register.register(self.session, documents, stored, uploaded_by)

    async def document(self, sha256: str) -> StoredFile | None:
        return (await document_register.registered(self.session, documents, [sha256])).get(sha256)

    # --- nominations -----------------------------------------------------------------------------------------
    async def nomination(self, nomination_id: str) -> NominationSnapshot | None:
        snapshot = await self.session.scalar(select(nominations.c.snapshot).where(nominations.c.id == nomination_id))
        return NominationSnapshot.model_validate(snapshot) if snapshot else None

    async def nominations_by_ids(self, ids: Sequence[str]) -> dict[str, NominationSnapshot]:
        found = {}
        for chunk in chunks(ids):
            for s in await self.session.scalars(select(nominations.c.snapshot).where(nominations.c.id.in_(chunk))):
                n = NominationSnapshot.model_validate(s)
                found[n.id] = n
        return found

    async def save_nominations(self, items: Sequence[NominationSnapshot], cluster_id: str | None = None) -> None:
        """Insert new ones, update the others (a bulk import saves thousands in a few statements)."""
        now = utc_now()
        known = set()
        for chunk in chunks([n.id for n in items]):
            known.update(await self.session.scalars(select(nominations.c.id).where(nominations.c.id.in_(chunk))))
        new = [n for n in items if n.id not in known]
        if new:
            await self.session.execute(insert(nominations), [self._nomination_values(n) | {"cluster_id": n.cluster_id or cluster_id,
                                                                                         "created_at": now, "updated_at": now} for n in new])
        for n in (n for n in items if n.id in known):
            await self.session.execute(update(nominations).where(nominations.c.id == n.id).values(**self._nomination_values(n), updated_at=now))

    @staticmethod
    def _nomination_values(n: NominationSnapshot) -> dict[str, Any]:
        return {"id": n.id, "node": n.node, "award_code": n.award_code, "ruleset_id": n.ruleset_id, "year": n.year,
                "subject_kind": n.subject.kind.value, "subject_id": n.subject.id, "subject_name": n.subject_name,
                "proposer_unit_id": n.proposer_unit_id, "to_unit_id": n.to_unit_id, "campaign_id": n.campaign_id,
                "state": n.state.value, "eligible": n.eligible, "snapshot": n.model_dump(mode="json")}

    async def open_nomination_for(self, award_code: str, year: int, subject_id: str) -> str | None:
        """A nomination of the same award, year and subject that is still alive (not withdrawn, rejected or returned for good)."""
        return await self.session.scalar(select(nominations.c.id).where(
            nominations.c.award_code == award_code, nominations.c.year == year, nominations.c.subject_id == subject_id,
            nominations.c.state.not_in(["withdrawn", "rejected"])).limit(1))

    async def alive_nominations(self, subject_ids: Sequence[str]) -> set[tuple[str, int, str]]:
        """(award, year, subject) of every nomination of these subjects still alive (not withdrawn or rejected)."""
        found: set[tuple[str, int, str]] = set()
        for chunk in chunks(subject_ids):
            query = select(nominations.c.award_code, nominations.c.year, nominations.c.subject_id).where(
                nominations.c.subject_id.in_(chunk), nominations.c.state.not_in(["withdrawn", "rejected"]))
            found.update((r.award_code, r.year, r.subject_id) for r in await self.session.execute(query))
        return found

    async def count_at_council(self, award_code: str, year: int, states: Sequence[str], cluster_id: str | None = None) -> int:
        query = select(func.count()).select_from(nominations).where(
            nominations.c.award_code == award_code, nominations.c.year == year, nominations.c.state.in_(list(states)))
        if cluster_id is not None:
            query = query.where(nominations.c.cluster_id == cluster_id)
        return int(await self.session.scalar(query) or 0)

    async def nomination_cluster(self, nomination_id: str) -> str | None:
        return await self.session.scalar(select(nominations.c.cluster_id).where(nominations.c.id == nomination_id))

    async def list_nominations(self, *, to_unit: str | None, proposer_within: str | None, campaign: str | None, award: str | None,
                               year: int | None, state: str | None, subject: str | None, limit: int, offset: int) -> list[NominationSnapshot]:
        query = where_given(select(nominations.c.snapshot).order_by(nominations.c.created_at.desc(), nominations.c.id), [
            (nominations.c.to_unit_id, to_unit), (nominations.c.campaign_id, campaign), (nominations.c.award_code, award),
            (nominations.c.year, year), (nominations.c.state, state), (nominations.c.subject_id, subject),
        ])
        if proposer_within is not None:
            within = self.subtree_query(proposer_within)
            query = query.where(or_(nominations.c.proposer_unit_id.in_(within), nominations.c.to_unit_id.in_(within)))
        return [NominationSnapshot.model_validate(s) for s in await self.session.scalars(query.limit(limit).offset(offset))]

    async def counters(self, campaign_id: str | None, to_unit: str | None, year: int | None) -> dict[str, int]:
        """How many nominations are in each state (the offices' counters are built from these)."""
        query = select(nominations.c.state, nominations.c.eligible, func.count()).group_by(nominations.c.state, nominations.c.eligible)
        query = where_given(query, _nomination_filters(campaign_id, to_unit, year))
        counts: dict[str, int] = {}
        for state, eligible, count in await self.session.execute(query):
            counts[state] = counts.get(state, 0) + count
            if eligible is False:
                counts["not_eligible"] = counts.get("not_eligible", 0) + count
        return counts

    async def returned_count(self, campaign_id: str | None, to_unit: str | None, year: int | None) -> int:
        """Nominations returned at least once (their trail says so, whatever their state now)."""
        query = select(func.count(func.distinct(nomination_trail.c.nomination_id))).join(
            nominations, nominations.c.id == nomination_trail.c.nomination_id).where(nomination_trail.c.action == "return")
        query = where_given(query, _nomination_filters(campaign_id, to_unit, year))
        return int(await self.session.scalar(query) or 0)

    async def add_trail(self, nomination_id: str, action: str, from_state: str | None, to_state: str, actor_name: str,
                        actor_role: str, reason: str | None) -> None:
        last = await self.session.scalar(select(func.max(nomination_trail.c.step)).where(nomination_trail.c.nomination_id == nomination_id))
        await self.session.execute(insert(nomination_trail).values(
            nomination_id=nomination_id, step=(last or 0) + 1, action=action, from_state=from_state, to_state=to_state,
            actor_name=actor_name, actor_role=actor_role, reason=reason, at=utc_now()))

    async def add_trails(self, steps: Sequence[tuple[str, str, str | None, str, str, str, str | None]]) -> None:
        """First steps of new nominations (a bulk import), in one statement."""
        if steps:
            now = utc_now()
            await self.session.execute(insert(nomination_trail), [
                {"nomination_id": n, "step": 1, "action": a, "from_state": f, "to_state": t, "actor_name": name, "actor_role": role,
                 "reason": reason, "at": now} for n, a, f, t, name, role, reason in steps])

    async def trail(self, nomination_id: str) -> list[TrailStep]:
        query = select(nomination_trail).where(nomination_trail.c.nomination_id == nomination_id).order_by(nomination_trail.c.step)
        return [TrailStep(r.step, r.action, r.from_state, r.to_state, r.actor_name, r.actor_role, r.reason, r.at)
                for r in await self.session.execute(query)]

    async def all_nominations(self, since: date, until: date) -> list[NominationSnapshot]:
        """Nominations created in a period (the statistical reports count them)."""
        query = select(nominations.c.snapshot).where(
            nominations.c.created_at >= datetime(since.year, since.month, since.day),
            nominations.c.created_at < datetime(until.year, until.month, until.day, 23, 59, 59))
        return [NominationSnapshot.model_validate(s) for s in await self.session.scalars(query)]

    # --- ballots ----------------------------------------------------------------------------------------------
    async def add_ballot(self, ballot: BallotSnapshot) -> None:
        await self.session.execute(insert(ballots).values(
            id=ballot.id, node=ballot.node, kind=ballot.kind, unit_id=ballot.unit_id, cluster_id=ballot.cluster_id, year=ballot.year,
            status=ballot.status, snapshot=ballot.model_dump(mode="json"), result=None))
        await self.session.execute(insert(ballot_voters), [{"ballot_id": ballot.id, "voter": v, "voted": False} for v in sorted(ballot.voters)])
        await self.session.execute(insert(ballot_questions), [{"ballot_id": ballot.id, "nomination_id": n} for n in ballot.nominations])

    async def save_ballot(self, ballot: BallotSnapshot) -> None:
        await self.session.execute(update(ballots).where(ballots.c.id == ballot.id).values(
            status=ballot.status, snapshot=ballot.model_dump(mode="json")))

    async def ballot(self, ballot_id: str) -> tuple[BallotSnapshot, dict[str, Any] | None] | None:
        row = (await self.session.execute(select(ballots.c.snapshot, ballots.c.result).where(ballots.c.id == ballot_id))).first()
        return (BallotSnapshot.model_validate(row.snapshot), row.result) if row else None

    async def list_ballots(self, cluster_id: str | None, year: int | None, status: str | None, limit: int, offset: int,
                           ) -> list[tuple[BallotSnapshot, dict[str, Any] | None]]:
        """Ballots, the latest year first."""
        query = where_given(select(ballots.c.snapshot, ballots.c.result), [(ballots.c.cluster_id, cluster_id), (ballots.c.year, year),
                                                                          (ballots.c.status, status)])
        query = query.order_by(ballots.c.year.desc(), ballots.c.id).limit(limit).offset(offset)
        return [(BallotSnapshot.model_validate(row.snapshot), row.result) for row in await self.session.execute(query)]

    async def turnout(self, ballot_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """(eligible, voted) of each ballot, for a page at once."""
        found: dict[str, tuple[int, int]] = {}
        for chunk in chunks(sorted(set(ballot_ids))):
            query = select(ballot_voters.c.ballot_id, func.count(), func.sum(case((ballot_voters.c.voted, 1), else_=0))).where(
                ballot_voters.c.ballot_id.in_(chunk)).group_by(ballot_voters.c.ballot_id)
            for ballot_id, eligible, voted in await self.session.execute(query):
                found[ballot_id] = (int(eligible), int(voted or 0))
        return found

    async def ballots_of(self, nomination_ids: Sequence[str]) -> list[tuple[BallotSnapshot, dict[str, Any] | None]]:
        """Ballots (open or closed) that put any of these nominations to the vote."""
        found: dict[str, tuple[BallotSnapshot, dict[str, Any] | None]] = {}
        for chunk in chunks(sorted(set(nomination_ids))):
            query = select(ballots.c.id, ballots.c.snapshot, ballots.c.result).join(
                ballot_questions, ballot_questions.c.ballot_id == ballots.c.id).where(ballot_questions.c.nomination_id.in_(chunk))
            for row in await self.session.execute(query):
                found[row.id] = (BallotSnapshot.model_validate(row.snapshot), row.result)
        return list(found.values())

    async def voter_state(self, ballot_id: str, voter: str) -> bool | None:
        """None: not a voter; False: may still vote; True: has voted."""
        return await self.session.scalar(select(ballot_voters.c.voted).where(ballot_voters.c.ballot_id == ballot_id, ballot_voters.c.voter == voter))

    async def mark_voted(self, ballot_id: str, voter: str) -> bool:
        """True if this call recorded the vote (a second, concurrent one gets False)."""
        result = await self.session.execute(update(ballot_voters).where(
            ballot_voters.c.ballot_id == ballot_id, ballot_voters.c.voter == voter, ballot_voters.c.voted.is_(False)).values(voted=True))
        return bool(result.rowcount)

    # The box: encrypted ballots keyed by receipt, read a page at a time in receipt order.
    async def in_box(self, ballot_id: str, receipt: str) -> bool:
        return await self.session.scalar(select(func.count()).select_from(ballot_box).where(
            ballot_box.c.ballot_id == ballot_id, ballot_box.c.receipt == receipt)) > 0

    async def add_to_box(self, ballot_id: str, cast: Sequence[tuple[str, EncryptedBallot]]) -> None:
        if cast:
            await self.session.execute(insert(ballot_box), [{"ballot_id": ballot_id, "receipt": receipt, "ballot": b.model_dump(mode="json")}
                                                            for receipt, b in cast])

    async def box_page(self, ballot_id: str, after: str = "", limit: int = 200) -> list[tuple[str, EncryptedBallot]]:
        rows = await self.session.execute(select(ballot_box.c.receipt, ballot_box.c.ballot).where(
            ballot_box.c.ballot_id == ballot_id, ballot_box.c.receipt > after).order_by(ballot_box.c.receipt).limit(limit))
        return [(r.receipt, EncryptedBallot.model_validate(r.ballot)) for r in rows]

    async def set_tally(self, ballot_id: str, tally: dict[str, Any]) -> None:
        await self.session.execute(update(ballots).where(ballots.c.id == ballot_id).values(tally=tally))

    async def tally(self, ballot_id: str) -> dict[str, Any] | None:
        return await self.session.scalar(select(ballots.c.tally).where(ballots.c.id == ballot_id))

    # The tellers: transport keys, deals and counts (all public; a teller's secrets never come here).
    async def save_teller_key(self, teller: str, public_key: str) -> None:
        statement = dialect_insert(self.session)(teller_keys)
        await self.session.execute(statement.on_conflict_do_update(index_elements=[teller_keys.c.teller],
                                                                   set_={"public_key": statement.excluded.public_key}),
                                   [{"teller": teller, "public_key": public_key}])

    async def teller_keys(self, tellers: Sequence[str]) -> dict[str, str]:
        rows = await self.session.execute(select(teller_keys).where(teller_keys.c.teller.in_(list(tellers))))
        return {r.teller: r.public_key for r in rows}

    async def add_deal(self, ballot_id: str, teller: str, deal: TellerDeal) -> None:
        await self.session.execute(insert(ballot_deals).values(ballot_id=ballot_id, teller_index=deal.index, teller=teller,
                                                               deal=deal.model_dump(mode="json")))

    async def deals(self, ballot_id: str) -> list[TellerDeal]:
        rows = await self.session.execute(select(ballot_deals.c.deal).where(ballot_deals.c.ballot_id == ballot_id)
                                          .order_by(ballot_deals.c.teller_index))
        return [TellerDeal.model_validate(r.deal) for r in rows]

    async def add_count(self, ballot_id: str, teller: str, count: TellerCount) -> None:
        await self.session.execute(insert(ballot_counts).values(ballot_id=ballot_id, teller_index=count.index, teller=teller,
                                                                count=count.model_dump(mode="json")))

    async def counts(self, ballot_id: str) -> list[TellerCount]:
        rows = await self.session.execute(select(ballot_counts.c.count).where(ballot_counts.c.ballot_id == ballot_id)
                                          .order_by(ballot_counts.c.teller_index))
        return [TellerCount.model_validate(r.count) for r in rows]

    async def voters_voted(self, ballot_id: str) -> tuple[int, int]:
        """(eligible, voted) of one ballot."""
        return (await self.turnout([ballot_id])).get(ballot_id, (0, 0))

    async def close_ballot(self, ballot: BallotSnapshot, result: dict[str, Any]) -> None:
        await self.session.execute(update(ballots).where(ballots.c.id == ballot.id).values(
            status="closed", snapshot=ballot.model_dump(mode="json"), result=result))

    # --- postings ---------------------------------------------------------------------------------------------
    async def add_posting(self, posting: PostingSnapshot) -> None:
        await self.session.execute(insert(postings).values(id=posting.id, to_unit_id=posting.to_unit_id, status=posting.status,
                                                           closes_on=posting.closes_on, snapshot=posting.model_dump(mode="json")))
        await self.session.execute(insert(posting_nominations), [{"posting_id": posting.id, "nomination_id": n} for n in posting.nominations])

    async def list_postings(self, to_unit_id: str | None, status: str | None, limit: int, offset: int) -> list[PostingSnapshot]:
        """Postings, those closing last first."""
        query = where_given(select(postings.c.snapshot), [(postings.c.to_unit_id, to_unit_id), (postings.c.status, status)])
        query = query.order_by(postings.c.closes_on.desc(), postings.c.id).limit(limit).offset(offset)
        return [PostingSnapshot.model_validate(s) for s in await self.session.scalars(query)]

    async def posting(self, posting_id: str) -> PostingSnapshot | None:
        snapshot = await self.session.scalar(select(postings.c.snapshot).where(postings.c.id == posting_id))
        return PostingSnapshot.model_validate(snapshot) if snapshot else None

    async def save_posting(self, posting: PostingSnapshot) -> None:
        await self.session.execute(update(postings).where(postings.c.id == posting.id).values(status=posting.status, snapshot=posting.model_dump(mode="json")))

    async def postings_of(self, nomination_ids: Sequence[str]) -> dict[str, PostingSnapshot]:
        """nomination id → the posting that published it (the latest, if several)."""
        found: dict[str, PostingSnapshot] = {}
        for chunk in chunks(nomination_ids):
            query = select(posting_nominations.c.nomination_id, postings.c.snapshot).join(
                postings, postings.c.id == posting_nominations.c.posting_id).where(posting_nominations.c.nomination_id.in_(chunk))
            for row in await self.session.execute(query):
                posting = PostingSnapshot.model_validate(row.snapshot)
                if row.nomination_id not in found or found[row.nomination_id].closes_on < posting.closes_on:
                    found[row.nomination_id] = posting
        return found

    async def add_comment(self, comment_id: str, posting_id: str, nomination_id: str | None, author: str | None, text: str) -> None:
        await self.session.execute(insert(posting_comments).values(id=comment_id, posting_id=posting_id, nomination_id=nomination_id,
                                                                   author=author, text=text, received_at=utc_now()))

    async def answer_comment(self, comment_id: str, answer: str) -> None:
        await self.session.execute(update(posting_comments).where(posting_comments.c.id == comment_id).values(answer=answer, answered_at=utc_now()))

    async def comments(self, posting_id: str) -> list[CommentRow]:
        query = select(posting_comments).where(posting_comments.c.posting_id == posting_id).order_by(posting_comments.c.received_at)
        return [CommentRow(r.id, r.posting_id, r.nomination_id, r.author, r.text, r.answer, r.received_at) for r in await self.session.execute(query)]

    # --- decisions ----------------------------------------------------------------------------------------------
    async def add_decision(self, decision: DecisionSnapshot) -> None:
        await self.session.execute(insert(decisions).values(
            id=decision.id, node=decision.node, number=decision.number, signed_on=decision.signed_on, to_unit_id=decision.to_unit_id,
            award_code=decision.award_code, year=decision.year, snapshot=decision.model_dump(mode="json")))

    async def decision(self, decision_id: str) -> DecisionSnapshot | None:
        snapshot = await self.session.scalar(select(decisions.c.snapshot).where(or_(decisions.c.id == decision_id, decisions.c.number == decision_id)))
        return DecisionSnapshot.model_validate(snapshot) if snapshot else None

    async def decision_leaf(self, decision_id: str) -> bytes | None:
        """The leaf hash, in the centre's Merkle log, of the event that decided (or last revoked) the awards."""
        found = await own_events(self.session, messaging, DECISION_EVENTS, decision_id)
        return merkle.leaf_hash(found[-1][0]) if found else None

    async def decision_number_taken(self, to_unit_id: str, number: str) -> bool:
        return bool(await self.session.scalar(select(decisions.c.id).where(decisions.c.to_unit_id == to_unit_id, decisions.c.number == number)))

    async def list_decisions(self, to_unit: str | None, year: int | None, number: str | None, limit: int) -> list[DecisionSnapshot]:
        query = where_given(select(decisions.c.snapshot).order_by(decisions.c.signed_on.desc()).limit(limit),
                            [(decisions.c.number, number), (decisions.c.to_unit_id, to_unit), (decisions.c.year, year)])
        return [DecisionSnapshot.model_validate(s) for s in await self.session.scalars(query)]

    async def decisions_between(self, since: date, until: date) -> list[DecisionSnapshot]:
        query = select(decisions.c.snapshot).where(decisions.c.signed_on >= since, decisions.c.signed_on <= until)
        return [DecisionSnapshot.model_validate(s) for s in await self.session.scalars(query)]

    async def revoked_nominations(self, nomination_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(nomination_ids):
            found.update(await self.session.scalars(select(award_history.c.nomination_id).where(
                award_history.c.nomination_id.in_(chunk), award_history.c.revoked.is_(True))))
        return found


def _ranking(row: Any) -> RankingView:
    return RankingView(row.round_id, row.campaign_id, row.cluster_id, row.year, row.leader_unit_id, row.open_ties, row.rows)


def _award(r: Any) -> AwardRecord:
    return AwardRecord(id=r.id, subject=Subject(kind=SubjectKind(r.subject_kind), id=r.subject_id), award_code=r.award_code, year=r.year,
                       decision_number=r.decision_number, decided_on=r.decided_on, source=r.source, revoked=r.revoked)

