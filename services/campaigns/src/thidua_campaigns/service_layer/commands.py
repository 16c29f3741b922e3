"""What callers ask the campaigns service to do. Units and clusters are named by code (or id)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from thidua_shared.events.campaigns import (
    Attachment,
    AwardOffer,
    CampaignKind,
    Indicator,
    Milestone,
    PledgedTarget,
    Section,
)


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ScopeIn(Command):
    unit_kinds: list[str] = Field(default_factory=list, description="Loại đơn vị là đối tượng / unit kinds targeted")
    clusters: list[str] = Field(default_factory=list, description="Cụm/khối (mã) / clusters or blocks by code")
    province_codes: list[str] = Field(default_factory=list)


class CampaignFields(Command):
    letter_number: str | None = Field(None, max_length=100, examples=["121/LMHTXVN-TĐKT"])
    letter_date: date | None = None
    title: str = Field(min_length=1, max_length=500)
    theme: str | None = Field(None, max_length=2000)
    kind: CampaignKind = CampaignKind.REGULAR_MOVEMENT
    period_start: date | None = None
    period_end: date | None = None
    registration_deadline: date | None = None
    scale: Decimal = Decimal(100)
    scope: ScopeIn = Field(default_factory=ScopeIn)
    sections: list[Section] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)
    awards: list[AwardOffer] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)


class DraftCampaign(CampaignFields):
    issuer: str = Field(description="Đơn vị phát động / issuing unit")


class UpdateDraft(Command):
    """Any field of a draft; only the fields sent change."""

    letter_number: str | None = None
    letter_date: date | None = None
    title: str | None = Field(None, min_length=1, max_length=500)
    theme: str | None = None
    kind: CampaignKind | None = None
    period_start: date | None = None
    period_end: date | None = None
    registration_deadline: date | None = None
    scale: Decimal | None = None
    scope: ScopeIn | None = None
    sections: list[Section] | None = None
    milestones: list[Milestone] | None = None
    awards: list[AwardOffer] | None = None
    attachments: list[Attachment] | None = None
    indicators: list[Indicator] | None = None


class ReviseCampaign(Command):
    reason: str = Field(min_length=1, max_length=2000)
    changes: dict[str, object] = Field(description="Trường cần điều chỉnh / fields to revise")


class AdoptCampaign(Command):
    """Cụ thể hóa: a lower level turns a launched campaign into its own, with local targets."""

    issuer: str
    letter_number: str | None = None
    letter_date: date | None = None
    title: str = Field(min_length=1, max_length=500)
    theme: str | None = None
    kind: CampaignKind | None = None
    period_start: date | None = None
    period_end: date | None = None
    registration_deadline: date | None = None
    scope: ScopeIn = Field(default_factory=ScopeIn)
    sections: list[Section] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)
    local_targets: dict[str, Decimal] = Field(default_factory=dict)


class CloseOrCancel(Command):
    reason: str = Field("", max_length=2000)


class Register(Command):
    unit: str
    targets: list[PledgedTarget] = Field(default_factory=list)
    titles: list[str] = Field(default_factory=list, description="Danh hiệu đăng ký phấn đấu / titles aimed for")


class Amend(Command):
    targets: list[PledgedTarget] | None = None
    titles: list[str] | None = None


class Withdraw(Command):
    reason: str | None = Field(None, max_length=2000)


class OpenPledge(Command):
    cluster: str
    year: int = Field(ge=1946, le=2100)
    title: str = Field(min_length=1, max_length=500)
    text: str = Field(min_length=1)
    campaign: str | None = None


class SignPledge(Command):
    unit: str
