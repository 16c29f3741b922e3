"""Events of the scoring service: results and self-scores, review rounds, score tables and rankings.

`scoring.submission_received` and `scoring.review_closed` are its central events; a closed round
publishes `scoring.ranking_published` with the whole table, the policy it was computed under and
a digest of every input, so that anyone can recompute it and get the same bytes.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from thidua_shared.events.campaigns import Code
from thidua_shared.events.catalog import EventPayload, event_payload
from thidua_shared.validation import Points, Quantity, Year

UnitId = Annotated[str, Field(min_length=1, max_length=64)]
Sha256 = Annotated[str, Field(pattern="^[0-9a-f]{64}$")]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Period(StrEnum):
    MID_TERM = "mid_term"  # sơ kết
    FINAL = "final"  # tổng kết


class Evidence(Frozen):
    """A document backing a result (minutes, a certificate, a photo), stored by its SHA-256."""

    name: str = Field(max_length=255)
    sha256: Sha256
    size: int = Field(ge=0)
    media_type: str = Field(max_length=100)


class ReportedResult(Frozen):
    """A unit's result for one criterion: a value (target: the actual figure; per occurrence: the
    count; bonus/penalty: the points claimed) or, for an achieved/not criterion, `achieved`."""

    indicator_code: Code
    value: Quantity | None = None
    achieved: bool | None = None
    unit_of_measure: str | None = Field(None, max_length=100)
    note: str | None = Field(None, max_length=2000)
    evidence: list[Sha256] = Field(default_factory=list, max_length=20)


class CriterionPoints(Frozen):
    indicator_code: Code
    points: Points


class SubmissionSnapshot(Frozen):
    id: str
    node: str
    campaign_id: str
    unit_id: str
    period: Period
    version: int = Field(ge=1)  # 1 when first submitted, + 1 at each revision
    results: list[ReportedResult] = Field(max_length=500)
    evidence: list[Evidence] = Field(max_length=100)
    self_score: list[CriterionPoints] = Field(max_length=500)  # as the service computed it from the campaign's rules
    self_total: Points
    late_reason: str | None = Field(None, max_length=2000)  # a result typed in after the deadline, and why


class Aggregation(StrEnum):
    MEAN = "mean"
    MEDIAN = "median"
    TRIMMED_MEAN = "trimmed_mean"


class Normalization(StrEnum):
    NONE = "none"
    ZSCORE = "zscore"  # each reviewer's scores of a criterion brought to the pool's mean and spread
    RESCALE = "rescale"  # each reviewer's scores of a criterion stretched to the pool's range


class TieBreak(StrEnum):
    CRITERIA_AT_MAX = "criteria_at_max"  # more criteria at their maximum
    FIRST_CRITERION = "first_criterion"  # the higher score on the first criterion
    BALLOT = "ballot"  # still tied: an open tie that a ballot settles, flagged, never guessed


class ScoringPolicy(Frozen):
    """How a round turns reviews into a table, recorded with the round and its ranking."""

    aggregation: Aggregation = Aggregation.MEAN
    trim: Decimal = Field(Decimal("0.2"), ge=0, lt=Decimal("0.5"), max_digits=4, decimal_places=3)
    normalization: Normalization = Normalization.NONE
    decimals: int = Field(2, ge=0, le=4)  # every criterion's points rounded once, half away from zero
    cap_total_at_scale: bool = True  # bonus points never lift a total above the scale
    tie_break: list[TieBreak] = Field(
        default_factory=lambda: [TieBreak.CRITERIA_AT_MAX, TieBreak.FIRST_CRITERION, TieBreak.BALLOT], max_length=3
    )


class AssignmentKind(StrEnum):
    LEADER = "leader"  # the leader's office reviews every member (its deputy reviews the leader)
    ROTATION = "rotation"  # pairwise cross-scoring: each member reviews the next ones, in turn
    PANEL = "panel"  # a declared panel of units reviews every member
    MANUAL = "manual"  # the leader assigns reviewers one by one


class AssignmentRule(Frozen):
    kind: AssignmentKind = AssignmentKind.ROTATION
    reviewers_per_unit: int = Field(2, ge=1, le=10)
    panel: list[UnitId] = Field(default_factory=list, max_length=50)


class MissingWork(Frozen):
    """Work a round was closed without: an assigned review never given (`review`), or a criterion a unit
    explained that its reviewer never scored again (`second_review`)."""

    kind: Literal["review", "second_review"]
    reviewer_unit_id: str
    unit_id: str
    indicator_code: str | None = None


class ClosingDecision(Frozen):
    """The leader's explicit decision to close a round with work missing, and why."""

    missing: list[MissingWork] = Field(max_length=20_000)
    reason: str = Field(min_length=1, max_length=2000)


class RoundSnapshot(Frozen):
    id: str
    node: str  # the node that owns the round: only it writes it
    campaign_id: str
    period: Period
    cluster_id: str
    year: Year
    members: list[str] = Field(max_length=5000)
    policy: ScoringPolicy
    rule: AssignmentRule
    status: Literal["open", "closed"]
    corrects_round_id: str | None = None  # a correction of a closed round is a new round
    reason: str | None = Field(None, max_length=2000)
    closed_with_missing: ClosingDecision | None = None  # closed with work missing, by the leader's decision


class ReviewScore(Frozen):
    indicator_code: Code
    points: Points
    comment: str | None = Field(None, max_length=2000)


class TableCell(Frozen):
    indicator_code: Code
    self_points: Points  # from the unit's own results, as it saw them when it submitted
    computed_points: Points  # the campaign's rule on the unit's results, the cluster's best known
    review_points: Points | None  # the reviewers' scores aggregated by the policy; None if nobody reviewed it
    final_points: Points
    at_max: bool


class TableRow(Frozen):
    unit_id: str
    cells: list[TableCell] = Field(max_length=500)
    base: Points
    bonus: Points
    total: Points
    criteria_at_max: int
    rank: int
    tied_with: list[str] = Field(default_factory=list)  # an open tie: a ballot must settle it


@event_payload("scoring.submission_received", aggregate_kind="submission")
class SubmissionReceived(EventPayload):
    submission: SubmissionSnapshot


@event_payload("scoring.submission_revised", aggregate_kind="submission")
class SubmissionRevised(EventPayload):
    submission: SubmissionSnapshot
    reason: str | None = Field(None, max_length=2000)


@event_payload("scoring.round_opened", aggregate_kind="review_round")
class RoundOpened(EventPayload):
    round: RoundSnapshot


@event_payload("scoring.reviewer_assigned", aggregate_kind="review_round")
class ReviewerAssigned(EventPayload):
    round_id: str
    reviewer_unit_id: str
    unit_id: str


@event_payload("scoring.conflict_declared", aggregate_kind="review_round")
class ConflictDeclared(EventPayload):
    """A reviewer left out of a unit's averages: declared with a reason, or found by the system."""

    round_id: str
    reviewer_unit_id: str
    unit_id: str
    reason: str = Field(max_length=2000)
    automatic: bool


@event_payload("scoring.review_submitted", aggregate_kind="review_round")
class ReviewSubmitted(EventPayload):
    round_id: str
    reviewer_unit_id: str
    unit_id: str
    stage: int = Field(ge=1, le=2)  # 2: the second review of criteria the unit explained
    scores: list[ReviewScore] = Field(max_length=500)


@event_payload("scoring.explanation_submitted", aggregate_kind="review_round")
class ExplanationSubmitted(EventPayload):
    round_id: str
    unit_id: str
    indicator_code: Code
    text: str = Field(max_length=5000)


@event_payload("scoring.review_closed", aggregate_kind="review_round")
class ReviewClosed(EventPayload):
    round_id: str
    leader_unit_id: str | None  # None while the first place is an open tie
    open_ties: list[list[str]]
    inputs_digest: Sha256
    closed_with_missing: ClosingDecision | None = None  # the work missing at close, accepted with a reason


@event_payload("scoring.round_handed_over", aggregate_kind="review_round")
class RoundHandedOver(EventPayload):
    """An open round's writing passes to another node: to the centre for a province whose node is lost,
    or back to the province. Recorded by the centre; `state_digest` is the digest of the round's inputs
    (reports, assignments, conflicts, reviews, explanations) as the centre held them when it was handed
    over: what the new owner goes on from. Writes the old owner made after `taken_up_to` are refused
    everywhere and undone on the old owner's node when it hears of the handover."""

    round_id: str
    from_node: str = Field(max_length=32)
    to_node: str = Field(max_length=32)
    reason: str = Field(min_length=1, max_length=2000)
    state_digest: Sha256
    # The last event of the old owner's chain (`<from_node>.scoring`) about the round that the centre had
    # received: the old owner undoes its later writes to the round. None when the centre hands a round back.
    taken_up_to: int | None = Field(None, ge=1)


@event_payload("scoring.round_return_requested", aggregate_kind="review_round")
class RoundReturnRequested(EventPayload):
    """A province whose round the centre took over asks for it back, from its own node once it has heard
    of the handover (and undone its own writes the centre had not received): every write it made before
    is ahead of this event in its chain, so the centre hands the round back only after this arrives."""

    round_id: str
    reason: str = Field(min_length=1, max_length=2000)


@event_payload("scoring.ranking_published", aggregate_kind="review_round")
class RankingPublished(EventPayload):
    """A cluster's score table and ranking: recomputing it from the inputs gives the same bytes."""

    round_id: str
    node: str
    campaign_id: str
    cluster_id: str
    period: Period
    year: Year
    policy: ScoringPolicy
    rows: list[TableRow] = Field(max_length=5000)
    leader_unit_id: str | None
    open_ties: list[list[str]]
    inputs_digest: Sha256
    table_digest: Sha256
