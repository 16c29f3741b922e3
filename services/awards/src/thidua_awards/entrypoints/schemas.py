"""What the awards service's HTTP API returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from thidua_shared.events.awards import (
    AwardRecord,
    BallotSnapshot,
    DecisionSnapshot,
    DisciplineSnapshot,
    InitiativeSnapshot,
    NominationSnapshot,
    PostingSnapshot,
    TaskRatingSnapshot,
)
from thidua_shared.units import UnitRef


class AwardInfo(BaseModel):
    code: str
    name_vi: str
    name_en: str
    category: str
    level: str
    decided_by: str
    posting_required: bool
    posting_working_days: int


class RuleSetInfo(BaseModel):
    id: str
    title: str
    settled: bool
    note: str | None


class TrailStepOut(BaseModel):
    step: int
    action: str
    from_state: str | None
    to_state: str
    actor_name: str
    actor_role: str
    reason: str | None
    at: datetime


class BallotSummary(BaseModel):
    id: str
    title: str
    status: str
    passed: bool | None  # for this nomination, once the ballot is closed


class NominationOut(NominationSnapshot):
    proposer: UnitRef
    to_unit: UnitRef
    award: AwardInfo
    ruleset: RuleSetInfo
    missing_documents: list[str]
    trail: list[TrailStepOut] = []
    posting_id: str | None = None
    posting_closes_on: date | None = None
    ballots: list[BallotSummary] = []


class DocumentOut(BaseModel):
    name: str
    sha256: str
    size: int
    media_type: str
    download: str


class BallotOut(BallotSnapshot):
    eligible: int
    voted: int
    result: dict[str, Any] | None
    dealt: list[int]  # tellers (by index) who have dealt their part of the key
    counted: list[int]  # tellers who have given their share of the count
    nominees: dict[str, str] = {}  # nomination id → the unit or person it proposes


class BallotListItem(BaseModel):
    id: str
    kind: str
    title: str
    year: int
    status: str
    unit: UnitRef
    cluster: UnitRef | None
    meeting_on: date | None
    opens_at: datetime
    closes_at: datetime
    nominations: list[str]
    eligible: int
    voted: int
    passed: list[str]  # nominations carried, once closed


class VoteReceipt(BaseModel):
    ballot_id: str
    receipt: str
    note: str = ("Mã biên nhận là mã băm của phiếu đã mã hoá của bạn: tìm nó trong hòm phiếu được công bố khi kiểm phiếu. / "
                 "The receipt is the hash of your encrypted ballot: find it in the box published for the count.")


class CommentOut(BaseModel):
    id: str
    nomination_id: str | None
    author: str | None
    text: str
    answer: str | None
    received_at: datetime


class PostedNominee(BaseModel):
    nomination_id: str
    subject_name: str
    award_code: str
    year: int
    summary: str | None


class PostingOut(PostingSnapshot):
    nominees: list[PostedNominee]
    comments: list[CommentOut]


class DecisionOut(DecisionSnapshot):
    revoked: list[str]  # nominations whose award was revoked since


class HistoryOut(BaseModel):
    award: AwardRecord
    award_name: str
    name: str
    unit: UnitRef | None
    via_predecessor: UnitRef | None


class RecordedInitiative(InitiativeSnapshot):
    pass


class RecordedRating(TaskRatingSnapshot):
    pass


class RecordedDiscipline(DisciplineSnapshot):
    pass


class ReportColumn(BaseModel):
    group: str | None
    label: str


class ReportOut(BaseModel):
    form: str
    code: str
    title: str
    since: date
    until: date
    unit_label: str
    rows: list[str]
    columns: list[ReportColumn]
    cells: list[list[int]]
