"""The campaigns service's own events written back into its tables, as its use cases wrote them
(`audit replay`). Campaigns and registrations travel as whole snapshots; pledges as what was signed."""

from __future__ import annotations

from typing import Any

from thidua_shared.events import campaigns as ev
from thidua_shared.events.catalog import Event
from thidua_shared.messaging.consumer import ConsumerSpec
from thidua_shared.replay import own_event_writers

from thidua_campaigns.adapters.repository import CampaignRepository
from thidua_campaigns.domain.model import Pledge


async def _campaign(repo: CampaignRepository, event: Event[Any]) -> None:
    """Every campaign event carries the campaign as it is after the change (a draft edited says drafted again)."""
    campaign = event.payload.campaign
    if await repo.campaign(campaign.id) is None:
        await repo.add_campaign(campaign)
    else:
        await repo.save_campaign(campaign)


async def _registered(repo: CampaignRepository, event: Event[ev.RegistrationSubmitted]) -> None:
    await repo.add_registration(event.payload.registration)


async def _registration_changed(repo: CampaignRepository, event: Event[Any]) -> None:
    await repo.save_registration(event.payload.registration)


async def _pledge_opened(repo: CampaignRepository, event: Event[ev.PledgeOpened]) -> None:
    p = event.payload
    await repo.add_pledge(Pledge(p.pledge_id, p.cluster_id, p.year, p.campaign_id, p.title, p.text, tuple(p.members)))


async def _pledge_signed(repo: CampaignRepository, event: Event[ev.PledgeSigned]) -> None:
    p = event.payload
    await repo.add_signature(p.pledge_id, p.unit_id, p.signed_by)


async def _pledge_completed(repo: CampaignRepository, event: Event[ev.PledgeCompleted]) -> None:
    await repo.complete_pledge(event.payload.pledge_id)


def own_events() -> ConsumerSpec:
    handlers = {
        **{t: _campaign for t in ("campaigns.campaign_drafted", "campaigns.campaign_launched", "campaigns.campaign_revised",
                                  "campaigns.campaign_closed", "campaigns.campaign_cancelled")},
        "campaigns.registration_submitted": _registered, "campaigns.registration_amended": _registration_changed,
        "campaigns.registration_withdrawn": _registration_changed,
        "campaigns.pledge_opened": _pledge_opened, "campaigns.pledge_signed": _pledge_signed,
        "campaigns.pledge_completed": _pledge_completed,
    }
    return own_event_writers("campaigns", CampaignRepository, handlers)
