"""Events of the campaigns service: campaigns (phong trào, đợt thi đua), registrations, pledges.

Campaign events carry the full campaign with its indicator tree, so that scoring
can build its replica (and recompute any ranking later) from events alone.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from thidua_shared.events.catalog import EventPayload, event_payload
from thidua_shared.validation import MAX_TEXT, Points, Quantity, Scale

Code = Annotated[str, Field(min_length=1, max_length=20)]  # an indicator's code: "I", "1.2.3"
Name = Annotated[str, Field(max_length=500)]


class CampaignKind(StrEnum):
    REGULAR_MOVEMENT = "regular_movement"  # phong trào thi đua thường xuyên
    SPECIAL_CAMPAIGN = "special_campaign"  # đợt thi đua đặc biệt
    THEMATIC = "thematic"  # thi đua chuyên đề


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    LAUNCHED = "launched"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class IndicatorKind(StrEnum):
    TARGET = "target"  # against a target (quantitative)
    ACHIEVED = "achieved"  # achieved / not (qualitative)
    PER_OCCURRENCE = "per_occurrence"  # points per occurrence, with a cap
    BONUS_PENALTY = "bonus_penalty"  # bonus or penalty points within bounds
    GROUP = "group"  # a heading (I, II, ...) whose score is the sum of its children


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RuleParams(Frozen):
    """A criterion's rule parameters and the bounds of the values units report, each named with the
    rules it serves. Left out, each takes its default."""

    excess_share: Decimal | None = Field(
        None, ge=0, le=1, max_digits=7, decimal_places=6,
        description="proportional_with_excess_share: phần của nửa điểm còn lại được cộng theo tỷ lệ vượt (0–1, mặc định 1) / "
                    "the share of the other half of the points earned in proportion to the excess (0–1, default 1)",
    )
    max_value: Quantity | None = Field(
        None, description="mọi quy tắc: giá trị lớn nhất đơn vị được báo cáo (bỏ trống: không giới hạn) / "
                          "every rule: the largest value a unit may report (left out: no bound)",
    )
    allow_negative: bool | None = Field(
        None, description="mọi quy tắc: cho phép giá trị âm (lỗ, giảm; mặc định không) / "
                          "every rule: a reported value may be negative (a loss, a decrease; default no)",
    )


class ScoringRule(Frozen):
    """A named, parameterised rule, stored with the campaign so that scores can be recomputed."""

    name: str = Field("proportional_with_excess_share", max_length=60,
                      description="proportional_with_excess_share, linear_to_target, threshold (target); all_or_nothing (achieved); "
                                  "per_occurrence_capped (per occurrence); bounded_points (bonus/penalty)")
    params: RuleParams = Field(default_factory=RuleParams)


class Indicator(Frozen):
    code: Code  # "I", "1", "1.2", "1.2.3"
    parent_code: Code | None = None
    title: str = Field(min_length=1, max_length=1000)
    kind: IndicatorKind
    max_points: Points
    unit_of_measure: str | None = Field(None, max_length=100)
    direction: Direction | None = None
    target: Quantity | None = None
    points_per_occurrence: Points | None = None
    min_points: Points | None = None  # bonus/penalty lower bound (negative for a penalty)
    scoring_rule: ScoringRule | None = None


class Section(Frozen):
    """What one kind of unit should do ("Đối với các HTX: ..."), as in the letter."""

    audience: Name
    text: str = Field(max_length=MAX_TEXT)


class Milestone(Frozen):
    kind: str = Field(max_length=40)  # "mid_term" (sơ kết), "final" (tổng kết), "other"
    on: date
    label: Name


class AwardOffer(Frozen):
    category: str = Field(max_length=40)  # "title" (danh hiệu thi đua) or "commendation" (hình thức khen thưởng)
    name: Name


class Attachment(Frozen):
    name: str = Field(max_length=255)
    sha256: str | None = Field(None, pattern="^[0-9a-f]{64}$")
    url: str | None = Field(None, max_length=300)


class Scope(Frozen):
    unit_kinds: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=20)
    cluster_ids: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=500)
    province_codes: list[Annotated[str, Field(max_length=16)]] = Field(default_factory=list, max_length=100)


class CampaignSnapshot(Frozen):
    id: str
    issuer_unit_id: str
    letter_number: str | None = Field(max_length=100)
    letter_date: date | None
    title: str = Field(max_length=500)
    theme: str | None = Field(max_length=2000)
    kind: CampaignKind
    period_start: date | None
    period_end: date | None
    registration_deadline: date | None
    scale: Scale
    scope: Scope
    sections: list[Section] = Field(max_length=50)
    milestones: list[Milestone] = Field(max_length=50)
    awards: list[AwardOffer] = Field(max_length=50)
    attachments: list[Attachment] = Field(max_length=50)
    indicators: list[Indicator] = Field(max_length=500)
    parent_id: str | None
    status: CampaignStatus
    revision: int


class PledgedTarget(Frozen):
    indicator_code: Code
    target: Quantity | None = None
    note: str | None = Field(None, max_length=1000)


class RegistrationSnapshot(Frozen):
    id: str
    campaign_id: str
    unit_id: str
    targets: list[PledgedTarget] = Field(max_length=500)
    titles: list[Name] = Field(max_length=20)
    status: str  # "active" or "withdrawn"
    late_reason: str | None = Field(None, max_length=2000)  # recorded after the deadline by the issuer's side, and why


@event_payload("campaigns.campaign_drafted", aggregate_kind="campaign")
class CampaignDrafted(EventPayload):
    campaign: CampaignSnapshot


@event_payload("campaigns.campaign_launched", aggregate_kind="campaign")
class CampaignLaunched(EventPayload):
    campaign: CampaignSnapshot


@event_payload("campaigns.campaign_revised", aggregate_kind="campaign")
class CampaignRevised(EventPayload):
    campaign: CampaignSnapshot
    reason: str
    changed: list[str]


@event_payload("campaigns.campaign_closed", aggregate_kind="campaign")
class CampaignClosed(EventPayload):
    campaign: CampaignSnapshot


@event_payload("campaigns.campaign_cancelled", aggregate_kind="campaign")
class CampaignCancelled(EventPayload):
    campaign: CampaignSnapshot
    reason: str


@event_payload("campaigns.registration_submitted", aggregate_kind="registration")
class RegistrationSubmitted(EventPayload):
    registration: RegistrationSnapshot


@event_payload("campaigns.registration_amended", aggregate_kind="registration")
class RegistrationAmended(EventPayload):
    registration: RegistrationSnapshot


@event_payload("campaigns.registration_withdrawn", aggregate_kind="registration")
class RegistrationWithdrawn(EventPayload):
    registration: RegistrationSnapshot
    reason: str | None = None


@event_payload("campaigns.pledge_opened", aggregate_kind="pledge")
class PledgeOpened(EventPayload):
    pledge_id: str
    cluster_id: str
    year: int
    campaign_id: str | None
    title: str
    text: str
    members: list[str]


@event_payload("campaigns.pledge_signed", aggregate_kind="pledge")
class PledgeSigned(EventPayload):
    pledge_id: str
    unit_id: str
    signed_by: str


@event_payload("campaigns.pledge_completed", aggregate_kind="pledge")
class PledgeCompleted(EventPayload):
    pledge_id: str
    cluster_id: str
    year: int
    signers: list[str]
