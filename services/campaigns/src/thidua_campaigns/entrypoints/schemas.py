"""What the campaigns service's HTTP API returns."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from thidua_shared.events.campaigns import CampaignSnapshot, PledgedTarget, RegistrationSnapshot
from thidua_shared.units import UnitRef


class CampaignRef(BaseModel):
    id: str
    title: str


class ChildCampaign(BaseModel):
    id: str
    title: str
    issuer_unit_id: str


class CampaignOut(CampaignSnapshot):
    """The campaign as its events carry it, with its issuer and its links up and down (cụ thể hóa)."""

    issuer: UnitRef | None
    parent: CampaignRef | None
    children: list[ChildCampaign]
    indicator_tree: list[dict[str, Any]] | None = None  # the indicators nested: each with its `children`


class RegistrationOut(RegistrationSnapshot):
    unit_code: str
    unit_name: str


class PledgeMember(BaseModel):
    unit_id: str
    code: str
    name: str
    signed: bool
    signed_by: str | None


class PledgeOut(BaseModel):
    id: str
    cluster_id: str
    year: int
    campaign_id: str | None
    title: str
    text: str
    complete: bool
    members: list[PledgeMember]


class IssuedCampaign(BaseModel):
    id: str
    title: str
    letter_number: str | None
    status: str
    period_start: date | None
    period_end: date | None
    via: UnitRef | None  # the predecessor that issued it, when not the unit itself


class RegisteredCampaign(BaseModel):
    registration_id: str
    campaign_id: str
    campaign_title: str
    status: str
    titles: list[str]
    targets: list[PledgedTarget]
    via: UnitRef | None


class SignedPledge(BaseModel):
    pledge_id: str
    title: str
    year: int
    cluster_id: str
    via: UnitRef | None


class UnitHistoryOut(BaseModel):
    unit: UnitRef
    predecessors: list[UnitRef]
    issued: list[IssuedCampaign]
    registered: list[RegisteredCampaign]
    signed: list[SignedPledge]
