"""What the scoring service's HTTP API returns."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

from thidua_shared.events.scoring import Evidence, Period, RoundSnapshot, ScoringPolicy, SubmissionSnapshot, TableRow
from thidua_shared.units import UnitRef


class CriterionOut(BaseModel):
    code: str
    parent_code: str | None
    title: str
    kind: str
    max_points: Decimal
    unit_of_measure: str | None


class SelfScoreLine(BaseModel):
    indicator_code: str
    title: str
    points: Decimal
    max_points: Decimal


class SelfScoreOut(BaseModel):
    """What the unit sees before it confirms: the points the campaign's rules give its results."""

    campaign_id: str
    unit: UnitRef
    period: Period
    lines: list[SelfScoreLine]
    total: Decimal
    scale: Decimal


class VersionOut(BaseModel):
    version: int
    submitted_by: str
    submitted_at: datetime
    reason: str | None
    submission: SubmissionSnapshot


class SubmissionOut(SubmissionSnapshot):
    unit: UnitRef
    versions: list[VersionOut] = []  # every version, oldest first (in the details only)


class EvidenceOut(Evidence):
    download: str  # the path to fetch it from


class ClusterOut(BaseModel):
    id: str
    code: str
    name: str
    kind: str


class AssignmentOut(BaseModel):
    reviewer: UnitRef
    unit: UnitRef
    reviewed: bool


class ConflictOut(BaseModel):
    reviewer: UnitRef
    unit: UnitRef
    reason: str
    automatic: bool


class ExplanationOut(BaseModel):
    unit: UnitRef
    indicator_code: str
    text: str


class HandoverOut(BaseModel):
    """The round's writing passed from one node to another, recorded by the centre."""

    from_node: str
    to_node: str
    reason: str
    state_digest: str  # the round's inputs as the centre held them when it was handed over
    handed_by: str
    handed_at: datetime


class RoundOut(RoundSnapshot):
    cluster: ClusterOut
    campaign_title: str
    member_units: list[UnitRef]
    assignments: list[AssignmentOut] = []
    conflicts: list[ConflictOut] = []
    explanations: list[ExplanationOut] = []
    handovers: list[HandoverOut] = []
    asked_back_by: list[str] = []  # former owners that asked, from their node, for the round back
    leader_unit_id: str | None = None
    inputs_digest: str | None = None
    table_digest: str | None = None


class ReviewOut(BaseModel):
    reviewer_unit_id: str
    unit_id: str
    indicator_code: str
    stage: int
    points: Decimal
    comment: str | None


class ReviewAccepted(BaseModel):
    round_id: str
    reviewer_unit_id: str
    unit_id: str
    stage: int


class TableRowOut(TableRow):
    unit: UnitRef


class MissingWorkOut(BaseModel):
    kind: Literal["review", "second_review"]  # an assigned review never given; an explained criterion not reviewed again
    reviewer: UnitRef
    unit: UnitRef
    indicator_code: str | None


class ClosingOut(BaseModel):
    """The round was closed with work missing, by the leader's explicit decision: why, and what was missing."""

    reason: str
    missing: list[MissingWorkOut]


class TableOut(BaseModel):
    """A cluster's score table: units × criteria, self-score beside review score, totals, ranks."""

    round_id: str
    campaign_id: str
    campaign_title: str
    cluster: ClusterOut
    period: Period
    year: int
    status: str
    provisional: bool  # an open round's table as it stands now: not published, it may still change
    policy: ScoringPolicy
    criteria: list[CriterionOut]
    rows: list[TableRowOut]
    leader_unit_id: str | None
    open_ties: list[list[str]]
    inputs_digest: str | None
    table_digest: str | None
    closed_with_missing: ClosingOut | None = None


class ScoreSheetOut(BaseModel):
    round_id: str
    unit: UnitRef
    provisional: bool
    criteria: list[CriterionOut]
    submission: SubmissionSnapshot | None
    row: TableRow | None
    reviews: list[ReviewOut]
    explanations: dict[str, str]


class TargetLineOut(BaseModel):
    indicator_code: str
    title: str
    unit_of_measure: str | None
    target: Decimal | None
    actual: Decimal | None
    percent_of_target: Decimal | None
    points: Decimal | None


class TargetSheetOut(BaseModel):
    unit: UnitRef
    submitted: bool
    lines: list[TargetLineOut]


class StandingOut(BaseModel):
    unit: UnitRef
    self_total: Decimal
    version: int
    node: str
