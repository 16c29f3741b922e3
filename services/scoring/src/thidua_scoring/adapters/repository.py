"""Reading and writing submissions, review rounds and their results, and the replicas. Knows SQL; knows no rules.

Points are stored as integers of 1/10,000 point: exact on SQLite and PostgreSQL alike.
Lists load what they show in a fixed number of statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.campaigns_replica import CampaignsReplicaReader
from thidua_shared import document_register
from thidua_shared.db import dialect_insert, where_given
from thidua_shared.events.campaigns import RegistrationSnapshot
from thidua_shared.events.catalog import Event
from thidua_shared.messaging.outbox import own_events
from thidua_shared.events.envelope import utc_now
from thidua_shared.events.scoring import ClosingDecision, RoundSnapshot, SubmissionSnapshot
from thidua_shared.files import StoredFile
from thidua_shared.registry_replica import RegistryReplicaReader
from thidua_shared.registry_replica.reader import chunks

from thidua_scoring.adapters.tables import (
    assignments,
    conflicts,
    evidence,
    explanations,
    messaging,
    registry,
    replica_campaigns,
    replica_registrations,
    reviews,
    round_members,
    round_handovers,
    round_results,
    round_return_requests,
    rounds,
    standings,
    submission_versions,
    submissions,
)


@dataclass(frozen=True)
class ReviewRow:
    reviewer_unit_id: str
    unit_id: str
    indicator_code: str
    stage: int
    points: int  # × 10^4
    comment: str | None


@dataclass(frozen=True)
class ConflictRow:
    reviewer_unit_id: str
    unit_id: str
    reason: str
    automatic: bool


@dataclass(frozen=True)
class VersionRow:
    snapshot: SubmissionSnapshot
    reason: str | None
    submitted_by: str
    submitted_at: datetime


@dataclass(frozen=True)
class RoundResult:
    inputs: dict[str, Any]
    inputs_digest: str
    table: dict[str, Any]
    table_digest: str
    leader_unit_id: str | None


@dataclass(frozen=True)
class HandoverRow:
    from_node: str
    to_node: str
    reason: str
    state_digest: str
    handed_by: str
    handed_at: datetime


class ScoringRepository(RegistryReplicaReader, CampaignsReplicaReader):
    """Submissions, rounds and results; units, clusters and campaigns from the replicas it inherits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.registry = registry
        self.campaigns_table = replica_campaigns

    # --- the campaigns replica (campaign, adoptions_of, campaign_titles: CampaignsReplicaReader) ---------
    async def active_registration(self, campaign_id: str, unit_id: str) -> RegistrationSnapshot | None:
        snapshot = await self.session.scalar(select(replica_registrations.c.snapshot).where(
            replica_registrations.c.campaign_id == campaign_id, replica_registrations.c.unit_id == unit_id,
            replica_registrations.c.status == "active",
        ))
        return RegistrationSnapshot.model_validate(snapshot) if snapshot else None

    async def registered_units(self, campaign_ids: Sequence[str]) -> set[str]:
        query = select(replica_registrations.c.unit_id).where(
            replica_registrations.c.campaign_id.in_(list(campaign_ids)), replica_registrations.c.status == "active"
        )
        return set(await self.session.scalars(query))

    async def registrations_of(self, campaign_ids: Sequence[str], units: Sequence[str] | None = None,
                               within: str | None = None) -> list[RegistrationSnapshot]:
        """Active registrations for these campaigns (of these units, or of a subtree), one per unit: the
        first campaign's wins (a unit of an adopting campaign registers for it, not twice)."""
        query = select(replica_registrations.c.snapshot).where(
            replica_registrations.c.campaign_id.in_(list(campaign_ids)), replica_registrations.c.status == "active"
        )
        if within is not None:
            query = query.where(replica_registrations.c.unit_id.in_(self.subtree_query(within)))
        found = []
        for chunk in chunks(units) if units is not None else [None]:
            part = query if chunk is None else query.where(replica_registrations.c.unit_id.in_(chunk))
            found.extend(RegistrationSnapshot.model_validate(s) for s in await self.session.scalars(part))
        rank = {c: i for i, c in enumerate(campaign_ids)}
        by_unit: dict[str, RegistrationSnapshot] = {}
        for r in sorted(found, key=lambda r: (rank[r.campaign_id], r.unit_id)):
            by_unit.setdefault(r.unit_id, r)
        return list(by_unit.values())

    # --- submissions ------------------------------------------------------------------------------
    async def submission(self, submission_id: str) -> SubmissionSnapshot | None:
        snapshot = await self.session.scalar(select(submissions.c.snapshot).where(submissions.c.id == submission_id))
        return SubmissionSnapshot.model_validate(snapshot) if snapshot else None

    async def submission_in(self, campaign_ids: Sequence[str], unit_id: str, period: str) -> SubmissionSnapshot | None:
        """The unit's report for the period under one of these campaigns (there is at most one)."""
        snapshot = await self.session.scalar(select(submissions.c.snapshot).where(
            submissions.c.campaign_id.in_(list(campaign_ids)), submissions.c.unit_id == unit_id, submissions.c.period == period,
        ).limit(1))
        return SubmissionSnapshot.model_validate(snapshot) if snapshot else None

    async def save_submission(self, snapshot: SubmissionSnapshot, submitted_by: str, reason: str | None, self_total: int) -> None:
        """Store a new version: the submission's current state, and the version kept beside the others."""
        now = utc_now()
        await self._set_current(snapshot, self_total, now, first=snapshot.version == 1)
        await self.session.execute(insert(submission_versions).values(self._version_row(snapshot, submitted_by, reason, now)))

    async def copy_submission(self, snapshot: SubmissionSnapshot, submitted_by: str, reason: str | None, self_total: int,
                              at: datetime) -> bool:
        """Keep another node's report as it sent it: the version beside the others, the current state only if
        newer than the one held. False if the unit already reported the period here under another id."""
        clash = await self.session.scalar(select(submissions.c.id).where(
            submissions.c.campaign_id == snapshot.campaign_id, submissions.c.unit_id == snapshot.unit_id,
            submissions.c.period == snapshot.period.value, submissions.c.id != snapshot.id,
        ))
        if clash is not None:
            return False
        held = await self.session.scalar(select(submissions.c.version).where(submissions.c.id == snapshot.id))
        if held is None or held < snapshot.version:
            await self._set_current(snapshot, self_total, at, first=held is None)
        await self.session.execute(dialect_insert(self.session)(submission_versions).values(
            self._version_row(snapshot, submitted_by, reason, at),
        ).on_conflict_do_nothing(index_elements=[submission_versions.c.submission_id, submission_versions.c.version]))
        return True

    async def _set_current(self, snapshot: SubmissionSnapshot, self_total: int, at: datetime, first: bool) -> None:
        """The submission's current state: the row created with its first version, updated with later ones."""
        values = {"version": snapshot.version, "self_total": self_total, "snapshot": snapshot.model_dump(mode="json"), "updated_at": at}
        if first:
            await self.session.execute(insert(submissions).values(
                id=snapshot.id, node=snapshot.node, campaign_id=snapshot.campaign_id, unit_id=snapshot.unit_id,
                period=snapshot.period.value, created_at=at, **values,
            ))
        else:
            await self.session.execute(update(submissions).where(submissions.c.id == snapshot.id).values(**values))

    @staticmethod
    def _version_row(snapshot: SubmissionSnapshot, submitted_by: str, reason: str | None, at: datetime) -> dict[str, Any]:
        return {"submission_id": snapshot.id, "version": snapshot.version, "snapshot": snapshot.model_dump(mode="json"),
                "reason": reason, "submitted_by": submitted_by, "submitted_at": at}

    async def versions(self, submission_id: str) -> list[VersionRow]:
        query = select(submission_versions).where(submission_versions.c.submission_id == submission_id).order_by(submission_versions.c.version)
        return [VersionRow(SubmissionSnapshot.model_validate(r.snapshot), r.reason, r.submitted_by, r.submitted_at)
                for r in await self.session.execute(query)]

    async def submissions_of(self, campaign_ids: Sequence[str], period: str | None, units: Sequence[str] | None = None,
                             within: str | None = None, limit: int = 1000, offset: int = 0) -> list[SubmissionSnapshot]:
        query = select(submissions.c.snapshot).where(submissions.c.campaign_id.in_(list(campaign_ids))).order_by(submissions.c.unit_id)
        if period:
            query = query.where(submissions.c.period == period)
        if within is not None:
            query = query.where(submissions.c.unit_id.in_(self.subtree_query(within)))
        if units is None:
            return [SubmissionSnapshot.model_validate(s) for s in await self.session.scalars(query.limit(limit).offset(offset))]
        found = []
        for chunk in chunks(units):
            found.extend(SubmissionSnapshot.model_validate(s) for s in await self.session.scalars(query.where(submissions.c.unit_id.in_(chunk))))
        return found

    async def add_evidence(self, stored: StoredFile, uploaded_by: str) -> None:
        await document_register.register(self.session, evidence, stored, uploaded_by)

    async def evidence_by_hash(self, hashes: Sequence[str]) -> dict[str, StoredFile]:
        return await document_register.registered(self.session, evidence, hashes)

    async def locking_round(self, campaign_ids: Sequence[str], period: str, unit_id: str) -> str | None:
        """A round (open or closed) of one of these campaigns and this period that includes the unit."""
        query = (
            select(rounds.c.id).join(round_members, round_members.c.round_id == rounds.c.id)
            .where(rounds.c.campaign_id.in_(list(campaign_ids)), rounds.c.period == period, round_members.c.unit_id == unit_id)
            .limit(1)
        )
        return await self.session.scalar(query)

    # --- rounds -----------------------------------------------------------------------------------
    async def round(self, round_id: str) -> RoundSnapshot | None:
        snapshot = await self.session.scalar(select(rounds.c.snapshot).where(rounds.c.id == round_id))
        return RoundSnapshot.model_validate(snapshot) if snapshot else None

    async def open_round_for(self, campaign_id: str, period: str, cluster_id: str) -> str | None:
        return await self.session.scalar(select(rounds.c.id).where(
            rounds.c.campaign_id == campaign_id, rounds.c.period == period, rounds.c.cluster_id == cluster_id, rounds.c.status == "open",
        ))

    async def add_round(self, snapshot: RoundSnapshot, at: datetime | None = None) -> None:
        await self.session.execute(insert(rounds).values(
            id=snapshot.id, node=snapshot.node, campaign_id=snapshot.campaign_id, period=snapshot.period.value,
            cluster_id=snapshot.cluster_id, year=snapshot.year, status=snapshot.status, snapshot=snapshot.model_dump(mode="json"),
            opened_at=at or utc_now(),
        ))
        if snapshot.members:
            await self.session.execute(insert(round_members), [{"round_id": snapshot.id, "unit_id": u} for u in snapshot.members])

    async def close_round(self, snapshot: RoundSnapshot, result: RoundResult) -> None:
        await self.mark_closed(snapshot.id, utc_now(), snapshot.closed_with_missing)
        await self.add_result(snapshot.id, result)

    async def mark_closed(self, round_id: str, at: datetime, closing: ClosingDecision | None = None) -> None:
        snapshot = await self.round(round_id)
        if snapshot is not None:
            closed = snapshot.model_copy(update={"status": "closed", "closed_with_missing": closing})
            await self.session.execute(update(rounds).where(rounds.c.id == round_id).values(
                status="closed", snapshot=closed.model_dump(mode="json"), closed_at=at,
            ))

    async def add_result(self, round_id: str, result: RoundResult) -> None:
        await self.session.execute(insert(round_results).values(
            round_id=round_id, inputs=result.inputs, inputs_digest=result.inputs_digest, table=result.table,
            table_digest=result.table_digest, leader_unit_id=result.leader_unit_id,
        ))

    async def hand_over(self, snapshot: RoundSnapshot, handover: HandoverRow) -> None:
        """The round's writing passes to `handover.to_node`: the owner changed, the handover kept in order."""
        await self.session.execute(update(rounds).where(rounds.c.id == snapshot.id).values(
            node=handover.to_node, snapshot=snapshot.model_copy(update={"node": handover.to_node}).model_dump(mode="json"),
        ))
        await self.session.execute(delete(round_return_requests).where(round_return_requests.c.round_id == snapshot.id))
        position = await self.session.scalar(select(func.count()).select_from(round_handovers).where(round_handovers.c.round_id == snapshot.id))
        await self.session.execute(insert(round_handovers).values(
            round_id=snapshot.id, position=int(position or 0) + 1, from_node=handover.from_node, to_node=handover.to_node,
            reason=handover.reason, state_digest=handover.state_digest, handed_by=handover.handed_by, handed_at=handover.handed_at,
        ))

    async def request_return(self, round_id: str, node: str, reason: str, by: str, at: datetime) -> None:
        statement = dialect_insert(self.session)(round_return_requests).values(
            round_id=round_id, node=node, reason=reason, requested_by=by, requested_at=at)
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=[round_return_requests.c.round_id, round_return_requests.c.node],
            set_={"reason": statement.excluded.reason, "requested_by": statement.excluded.requested_by,
                  "requested_at": statement.excluded.requested_at},
        ))

    async def return_requested(self, round_id: str) -> set[str]:
        """The nodes that asked for the round back since its last handover."""
        query = select(round_return_requests.c.node).where(round_return_requests.c.round_id == round_id)
        return set(await self.session.scalars(query))

    async def former_owners(self, round_id: str) -> list[str]:
        """The nodes the round was handed away from, in order."""
        query = select(round_handovers.c.from_node).where(round_handovers.c.round_id == round_id).order_by(round_handovers.c.position)
        return list(await self.session.scalars(query))

    async def handovers(self, round_id: str) -> list[HandoverRow]:
        query = select(round_handovers).where(round_handovers.c.round_id == round_id).order_by(round_handovers.c.position)
        return [HandoverRow(r.from_node, r.to_node, r.reason, r.state_digest, r.handed_by, r.handed_at) for r in await self.session.execute(query)]

    # --- copies of other nodes' rounds, and handovers ------------------------------------------------
    async def note_copied(self, round_id: str, event: Event[Any]) -> None:
        """Remember the last event of the round's owner copied here: a handover says what it took."""
        versions = messaging.replica_versions
        statement = dialect_insert(self.session)(versions).values(
            kind="round_copy", key=round_id, chain=event.envelope.chain, sequence=event.envelope.sequence, occurred_at=event.occurred_at,
        )
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=[versions.c.kind, versions.c.key],
            set_={"chain": statement.excluded.chain, "sequence": statement.excluded.sequence, "occurred_at": statement.excluded.occurred_at},
        ))

    async def copied_up_to(self, round_id: str, chain: str) -> int | None:
        """The sequence, in `chain`, of the last event about the round copied here from that chain."""
        versions = messaging.replica_versions
        return await self.session.scalar(select(versions.c.sequence).where(
            versions.c.kind == "round_copy", versions.c.key == round_id, versions.c.chain == chain,
        ))

    async def own_events(self, event_types: Sequence[str], aggregate_id: str) -> list[Event[Any]]:
        """This service's own events of these types about one aggregate, in chain order, from the outbox
        (which keeps every event it ever wrote). Read once, when a round is handed away from this node."""
        return [event for _, event in await own_events(self.session, messaging, event_types, aggregate_id)]

    async def clear_round(self, round_id: str) -> None:
        """Forget everything written into an (open or closed) round but the round itself, which reopens:
        the former owner rebuilds it to the state that was handed over."""
        for table in (assignments, conflicts, reviews, explanations, round_results):
            await self.session.execute(delete(table).where(table.c.round_id == round_id))
        snapshot = await self.round(round_id)
        if snapshot is not None:
            await self.session.execute(update(rounds).where(rounds.c.id == round_id).values(
                status="open", closed_at=None, snapshot=snapshot.model_copy(update={"status": "open"}).model_dump(mode="json"),
            ))

    async def list_rounds(self, campaign_ids: Sequence[str] | None, cluster_id: str | None, status: str | None,
                          limit: int, offset: int, member: str | None = None, year: int | None = None) -> list[RoundSnapshot]:
        query = select(rounds.c.snapshot).order_by(rounds.c.opened_at.desc(), rounds.c.id).limit(limit).offset(offset)
        if campaign_ids is not None:
            query = query.where(rounds.c.campaign_id.in_(list(campaign_ids)))
        query = where_given(query, [(rounds.c.cluster_id, cluster_id), (rounds.c.status, status), (rounds.c.year, year)])
        if member is not None:
            query = query.where(rounds.c.id.in_(select(round_members.c.round_id).where(round_members.c.unit_id == member)))
        return [RoundSnapshot.model_validate(s) for s in await self.session.scalars(query)]

    async def reviewed_pairs(self, round_id: str) -> set[tuple[str, str]]:
        """(reviewer, unit) pairs that have submitted a first review."""
        query = select(reviews.c.reviewer_unit_id, reviews.c.unit_id).where(reviews.c.round_id == round_id, reviews.c.stage == 1).distinct()
        return {(r.reviewer_unit_id, r.unit_id) for r in await self.session.execute(query)}

    async def assignments(self, round_id: str) -> set[tuple[str, str]]:
        query = select(assignments.c.reviewer_unit_id, assignments.c.unit_id).where(assignments.c.round_id == round_id)
        return {(r.reviewer_unit_id, r.unit_id) for r in await self.session.execute(query)}

    async def add_assignments(self, round_id: str, pairs: Sequence[tuple[str, str]]) -> None:
        if pairs:
            await self.session.execute(insert(assignments), [{"round_id": round_id, "reviewer_unit_id": r, "unit_id": u} for r, u in pairs])

    async def conflicts(self, round_id: str) -> list[ConflictRow]:
        query = select(conflicts).where(conflicts.c.round_id == round_id).order_by(conflicts.c.unit_id, conflicts.c.reviewer_unit_id)
        return [ConflictRow(r.reviewer_unit_id, r.unit_id, r.reason, r.automatic) for r in await self.session.execute(query)]

    async def add_conflict(self, round_id: str, reviewer: str, unit: str, reason: str, automatic: bool, declared_by: str,
                           at: datetime | None = None) -> None:
        statement = dialect_insert(self.session)(conflicts).values(
            round_id=round_id, reviewer_unit_id=reviewer, unit_id=unit, reason=reason, automatic=automatic,
            declared_by=declared_by, declared_at=at or utc_now(),
        )
        await self.session.execute(statement.on_conflict_do_nothing(
            index_elements=[conflicts.c.round_id, conflicts.c.reviewer_unit_id, conflicts.c.unit_id]
        ))

    async def reviews(self, round_id: str, unit_id: str | None = None, reviewer: str | None = None) -> list[ReviewRow]:
        query = select(reviews).where(reviews.c.round_id == round_id).order_by(
            reviews.c.unit_id, reviews.c.reviewer_unit_id, reviews.c.indicator_code, reviews.c.stage
        )
        query = where_given(query, [(reviews.c.unit_id, unit_id), (reviews.c.reviewer_unit_id, reviewer)])
        return [ReviewRow(r.reviewer_unit_id, r.unit_id, r.indicator_code, r.stage, r.points, r.comment)
                for r in await self.session.execute(query)]

    async def add_reviews(self, round_id: str, rows: Sequence[ReviewRow], reviewed_by: str, at: datetime | None = None) -> None:
        now = at or utc_now()
        await self.session.execute(insert(reviews), [
            {"round_id": round_id, "reviewer_unit_id": r.reviewer_unit_id, "unit_id": r.unit_id, "indicator_code": r.indicator_code,
             "stage": r.stage, "points": r.points, "comment": r.comment, "reviewed_by": reviewed_by, "reviewed_at": now}
            for r in rows
        ])

    async def explained(self, round_id: str, unit_id: str | None = None) -> dict[tuple[str, str], str]:
        """(unit, criterion) → the unit's explanation."""
        query = select(explanations).where(explanations.c.round_id == round_id)
        if unit_id is not None:
            query = query.where(explanations.c.unit_id == unit_id)
        return {(r.unit_id, r.indicator_code): r.text for r in await self.session.execute(query)}

    async def add_explanation(self, round_id: str, unit_id: str, code: str, text: str, by: str, at: datetime | None = None) -> None:
        await self.session.execute(delete(explanations).where(
            explanations.c.round_id == round_id, explanations.c.unit_id == unit_id, explanations.c.indicator_code == code,
        ))
        await self.session.execute(insert(explanations).values(
            round_id=round_id, unit_id=unit_id, indicator_code=code, text=text, explained_by=by, explained_at=at or utc_now(),
        ))

    async def result(self, round_id: str) -> RoundResult | None:
        row = (await self.session.execute(select(round_results).where(round_results.c.round_id == round_id))).first()
        return RoundResult(row.inputs, row.inputs_digest, row.table, row.table_digest, row.leader_unit_id) if row else None

    # --- standings ----------------------------------------------------------------------------------
    async def standings(self, campaign_ids: Sequence[str], period: str, within: str | None, limit: int) -> list[tuple[str, int, int, str]]:
        """(unit, self total × 10^4, version, node), best first."""
        query = (
            select(standings.c.unit_id, standings.c.self_total, standings.c.version, standings.c.node)
            .where(standings.c.campaign_id.in_(list(campaign_ids)), standings.c.period == period)
            .order_by(standings.c.self_total.desc(), standings.c.unit_id).limit(limit)
        )
        if within is not None:
            query = query.where(standings.c.unit_id.in_(self.subtree_query(within)))
        return [(r.unit_id, r.self_total, r.version, r.node) for r in await self.session.execute(query)]

    async def count_submissions(self, campaign_ids: Sequence[str], period: str) -> int:
        query = select(func.count()).select_from(submissions).where(
            and_(submissions.c.campaign_id.in_(list(campaign_ids)), submissions.c.period == period)
        )
        return int(await self.session.scalar(query) or 0)

