"""Events of the campaigns service: campaigns (phong trào, đợt thi đua), registrations, pledges.

Campaign events carry the full campaign with its indicator tree, so that scoring
can build its replica (and recompute any ranking later) from events alone.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from thidua_shared.events.catalog import EventPayload, event_payload


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


class ScoringRule(Frozen):
    """A named, parameterised rule, stored with the campaign so that scores can be recomputed."""

    name: str = "proportional_with_excess_share"
    params: dict[str, Decimal | int | str | bool] = Field(default_factory=dict)


class Indicator(Frozen):
    code: str  # "I", "1", "1.2", "1.2.3"
    parent_code: str | None = None
    title: str
    kind: IndicatorKind
    max_points: Decimal
    unit_of_measure: str | None = None
    direction: Direction | None = None
    target: Decimal | None = None
    points_per_occurrence: Decimal | None = None
    min_points: Decimal | None = None  # bonus/penalty lower bound (negative for a penalty)
    scoring_rule: ScoringRule | None = None


class Section(Frozen):
    """What one kind of unit should do ("Đối với các HTX: ..."), as in the letter."""

    audience: str
    text: str


class Milestone(Frozen):
    kind: str  # "mid_term" (sơ kết), "final" (tổng kết), "other"
    on: date
    label: str


class AwardOffer(Frozen):
    category: str  # "title" (danh hiệu thi đua) or "commendation" (hình thức khen thưởng)
    name: str


class Attachment(Frozen):
    name: str
    sha256: str | None = None
    url: str | None = None


class Scope(Frozen):
    unit_kinds: list[str] = Field(default_factory=list)
    cluster_ids: list[str] = Field(default_factory=list)
    province_codes: list[str] = Field(default_factory=list)


class CampaignSnapshot(Frozen):
    id: str
    issuer_unit_id: str
    letter_number: str | None
    letter_date: date | None
    title: str
    theme: str | None
    kind: CampaignKind
    period_start: date | None
    period_end: date | None
    registration_deadline: date | None
    scale: Decimal
    scope: Scope
    sections: list[Section]
    milestones: list[Milestone]
    awards: list[AwardOffer]
    attachments: list[Attachment]
    indicators: list[Indicator]
    parent_id: str | None
    status: CampaignStatus
    revision: int


class PledgedTarget(Frozen):
    indicator_code: str
    target: Decimal | None = None
    note: str | None = None


class RegistrationSnapshot(Frozen):
    id: str
    campaign_id: str
    unit_id: str
    targets: list[PledgedTarget]
    titles: list[str]
    status: str  # "active" or "withdrawn"


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
