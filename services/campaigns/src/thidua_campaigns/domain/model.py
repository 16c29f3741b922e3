"""Campaign lifecycle, scope, registration and pledge rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from thidua_shared.registry_replica.reader import ClusterView, UnitView  # noqa: F401  (the replica's view, re-exported)
from thidua_shared.errors import Conflict, Invalid
from thidua_shared.events.campaigns import (
    CampaignSnapshot,
    CampaignStatus,
    PledgedTarget,
    RegistrationSnapshot,
)
from thidua_shared.i18n import format_date

from thidua_campaigns.domain import indicators as tree

# What may change after launch, with a recorded reason (điều chỉnh).
REVISABLE_AFTER_LAUNCH = frozenset(
    {"title", "theme", "period_end", "registration_deadline", "sections", "milestones", "awards", "attachments", "indicators"}
)

STATUS_VI = {CampaignStatus.DRAFT: "còn là bản nháp", CampaignStatus.LAUNCHED: "đã được phát động",
             CampaignStatus.CLOSED: "đã kết thúc", CampaignStatus.CANCELLED: "đã bị hủy"}


def _status(campaign: CampaignSnapshot) -> dict[str, str]:
    return {"status": campaign.status.value, "status_vi": STATUS_VI[campaign.status]}


@dataclass(frozen=True)
class Pledge:
    """A cluster's yearly pledge (giao ước thi đua), signed member by member."""

    id: str
    cluster_id: str
    year: int
    campaign_id: str | None
    title: str
    text: str
    members: tuple[str, ...]
    signatures: tuple[tuple[str, str], ...] = ()  # (unit id, signed by), in signing order
    complete: bool = False

    @property
    def signers(self) -> list[str]:
        return [unit_id for unit_id, _ in self.signatures]


def check_dates(campaign: CampaignSnapshot) -> None:
    start, end, deadline = campaign.period_start, campaign.period_end, campaign.registration_deadline
    if start and end and end < start:
        raise Invalid("period_reversed", start=format_date(start), end=format_date(end))
    if deadline and start and end and not start <= deadline <= end:
        raise Invalid("deadline_outside_period", deadline=format_date(deadline))


def ensure_draft(campaign: CampaignSnapshot) -> None:
    if campaign.status is not CampaignStatus.DRAFT:
        raise Conflict("campaign_not_draft", title=campaign.title, **_status(campaign))


def ensure_launched(campaign: CampaignSnapshot) -> None:
    if campaign.status is not CampaignStatus.LAUNCHED:
        raise Conflict("campaign_not_launched", title=campaign.title, **_status(campaign))


def launch(campaign: CampaignSnapshot) -> CampaignSnapshot:
    """No launch without a period and indicators whose points add up to the scale."""
    ensure_draft(campaign)
    if campaign.period_start is None or campaign.period_end is None:
        raise Invalid("launch_needs_period")
    if not campaign.indicators:
        raise Invalid("launch_needs_indicators")
    check_dates(campaign)
    checked = tree.check_tree(list(campaign.indicators), campaign.scale)
    return campaign.model_copy(update={"status": CampaignStatus.LAUNCHED, "indicators": checked})


def revise(campaign: CampaignSnapshot, changes: dict[str, object], reason: str) -> tuple[CampaignSnapshot, list[str]]:
    """After launch, change only what may change, with a reason; the revision number goes up."""
    ensure_launched(campaign)
    if not reason.strip():
        raise Invalid("revision_needs_reason")
    for name in changes:
        if name not in REVISABLE_AFTER_LAUNCH:
            raise Invalid("revision_not_allowed", field=name)
    revised = CampaignSnapshot.model_validate(campaign.model_dump() | changes)
    changed = sorted(n for n in changes if getattr(revised, n) != getattr(campaign, n))
    if not changed:
        raise Invalid("nothing_to_change")
    check_dates(revised)
    indicators = tree.check_tree(list(revised.indicators), revised.scale)
    return revised.model_copy(update={"indicators": indicators, "revision": campaign.revision + 1}), changed


def close(campaign: CampaignSnapshot) -> CampaignSnapshot:
    ensure_launched(campaign)
    return campaign.model_copy(update={"status": CampaignStatus.CLOSED})


def cancel(campaign: CampaignSnapshot) -> CampaignSnapshot:
    if campaign.status in (CampaignStatus.CLOSED, CampaignStatus.CANCELLED):
        raise Conflict("campaign_not_launched", title=campaign.title, **_status(campaign))
    return campaign.model_copy(update={"status": CampaignStatus.CANCELLED})


def adopt(parent: CampaignSnapshot, child: CampaignSnapshot, local_targets: dict[str, Decimal]) -> CampaignSnapshot:
    """Cụ thể hóa: the child inherits the parent's indicators, with its own targets."""
    ensure_launched(parent)
    indicators = tree.with_local_targets(list(parent.indicators), local_targets)
    return child.model_copy(update={"parent_id": parent.id, "indicators": indicators, "scale": parent.scale})


def ensure_in_scope(campaign: CampaignSnapshot, unit: UnitView, lineage: list[str], memberships: set[str]) -> None:
    """A unit is targeted if it lies under the issuer and matches every criterion the scope sets."""
    scope = campaign.scope
    targeted = (
        campaign.issuer_unit_id in lineage
        and (not scope.unit_kinds or unit.kind in scope.unit_kinds)
        and (not scope.province_codes or unit.province_code in scope.province_codes)
        and (not scope.cluster_ids or bool(memberships & set(scope.cluster_ids)))
    )
    if not targeted:
        raise Invalid("unit_not_in_scope", unit=unit.code, title=campaign.title)


def campaign_years(campaign: CampaignSnapshot) -> list[int]:
    """The calendar years a campaign runs in (cluster memberships are per year)."""
    if campaign.period_start and campaign.period_end:
        return list(range(campaign.period_start.year, campaign.period_end.year + 1))
    return []


def registration_deadline(campaign: CampaignSnapshot) -> date | None:
    return campaign.registration_deadline or campaign.period_end


def ensure_registration_open(campaign: CampaignSnapshot, today: date, late_reason: str | None = None, may_back_fill: bool = False) -> None:
    """Units register until the deadline; later, only the issuer's side records a registration made on
    paper (old records typed in), and says why."""
    ensure_launched(campaign)
    deadline = registration_deadline(campaign)
    if deadline is None or today <= deadline:
        return
    if not may_back_fill:
        raise Conflict("registration_closed", deadline=format_date(deadline))
    if not (late_reason and late_reason.strip()):
        raise Invalid("registration_late_needs_reason")


def check_targets(campaign: CampaignSnapshot, targets: list[PledgedTarget]) -> None:
    known = {i.code for i in campaign.indicators}
    for target in targets:
        if target.indicator_code not in known:
            raise Invalid("indicator_unknown", code=target.indicator_code)


def ensure_active_registration(registration: RegistrationSnapshot) -> None:
    if registration.status != "active":
        raise Conflict("registration_withdrawn")


def sign_pledge(members: list[str], signers: list[str], unit: UnitView, year: int) -> bool:
    """Record one member's signature; True when every current member has signed (giao ước hoàn tất)."""
    if set(members) <= set(signers):
        raise Conflict("pledge_complete")
    if unit.id not in members:
        raise Invalid("pledge_not_member", unit=unit.code, year=year)
    if unit.id in signers:
        raise Conflict("pledge_already_signed", unit=unit.code)
    return set(members) <= set(signers) | {unit.id}
