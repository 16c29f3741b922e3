"""What callers ask the campaigns service to do. Units and clusters are named by code (or id)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from thidua_shared.events.campaigns import (
    Attachment,
    AwardOffer,
    CampaignKind,
    Code,
    Indicator,
    Milestone,
    Name,
    PledgedTarget,
    Section,
)
from thidua_shared.events.registry import UnitKind
from thidua_shared.validation import Command, Day, MAX_TEXT, Quantity, Scale, Year

Ref = Annotated[str, Field(min_length=1, max_length=64)]  # a unit or cluster by code or id, a campaign by id


class ScopeIn(Command):
    unit_kinds: list[UnitKind] = Field(default_factory=list, max_length=20, description="Loại đơn vị là đối tượng / unit kinds targeted")
    clusters: list[Ref] = Field(default_factory=list, max_length=500, description="Cụm/khối (mã) / clusters or blocks by code")
    province_codes: list[Annotated[str, Field(max_length=16)]] = Field(default_factory=list, max_length=100)


class CampaignFields(Command):
    letter_number: str | None = Field(None, max_length=100, examples=["121/LMHTXVN-TĐKT"])
    letter_date: Day | None = None
    title: str = Field(min_length=1, max_length=500)
    theme: str | None = Field(None, max_length=2000)
    kind: CampaignKind = CampaignKind.REGULAR_MOVEMENT
    period_start: Day | None = None
    period_end: Day | None = None
    registration_deadline: Day | None = None
    scale: Scale = Decimal(100)
    scope: ScopeIn = Field(default_factory=ScopeIn)
    sections: list[Section] = Field(default_factory=list, max_length=50)
    milestones: list[Milestone] = Field(default_factory=list, max_length=50)
    awards: list[AwardOffer] = Field(default_factory=list, max_length=50)
    attachments: list[Attachment] = Field(default_factory=list, max_length=50)
    indicators: list[Indicator] = Field(default_factory=list, max_length=500)


class DraftCampaign(CampaignFields):
    issuer: Ref = Field(description="Đơn vị phát động / issuing unit")


class UpdateDraft(Command):
    """Any field of a draft; only the fields sent change."""

    letter_number: str | None = Field(None, max_length=100)
    letter_date: Day | None = None
    title: str | None = Field(None, min_length=1, max_length=500)
    theme: str | None = Field(None, max_length=2000)
    kind: CampaignKind | None = None
    period_start: Day | None = None
    period_end: Day | None = None
    registration_deadline: Day | None = None
    scale: Scale | None = None
    scope: ScopeIn | None = None
    sections: list[Section] | None = Field(None, max_length=50)
    milestones: list[Milestone] | None = Field(None, max_length=50)
    awards: list[AwardOffer] | None = Field(None, max_length=50)
    attachments: list[Attachment] | None = Field(None, max_length=50)
    indicators: list[Indicator] | None = Field(None, max_length=500)


class ReviseCampaign(Command):
    reason: str = Field(min_length=1, max_length=2000)
    changes: dict[Annotated[str, Field(max_length=40)], object] = Field(
        max_length=20, description="Trường cần điều chỉnh / fields to revise (checked as the campaign is)"
    )


class AdoptCampaign(Command):
    """Cụ thể hóa: a lower level turns a launched campaign into its own, with local targets."""

    issuer: Ref
    letter_number: str | None = Field(None, max_length=100)
    letter_date: Day | None = None
    title: str = Field(min_length=1, max_length=500)
    theme: str | None = Field(None, max_length=2000)
    kind: CampaignKind | None = None
    period_start: Day | None = None
    period_end: Day | None = None
    registration_deadline: Day | None = None
    scope: ScopeIn = Field(default_factory=ScopeIn)
    sections: list[Section] = Field(default_factory=list, max_length=50)
    milestones: list[Milestone] = Field(default_factory=list, max_length=50)
    local_targets: dict[Code, Quantity] = Field(default_factory=dict, max_length=500)


class CloseOrCancel(Command):
    reason: str = Field("", max_length=2000)


class Register(Command):
    unit: Ref
    targets: list[PledgedTarget] = Field(default_factory=list, max_length=500)
    titles: list[Name] = Field(default_factory=list, max_length=20, description="Danh hiệu đăng ký phấn đấu / titles aimed for")
    late_reason: str | None = Field(None, max_length=2000, description="Nhập bổ sung sau hạn: lý do / recorded after the deadline: why")


class Amend(Command):
    targets: list[PledgedTarget] | None = Field(None, max_length=500)
    titles: list[Name] | None = Field(None, max_length=20)


class Withdraw(Command):
    reason: str | None = Field(None, max_length=2000)


class OpenPledge(Command):
    cluster: Ref
    year: Year
    title: str = Field(min_length=1, max_length=500)
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    campaign: Ref | None = None


class SignPledge(Command):
    unit: Ref
