"""The campaigns service's read side, checked against the caller's scope.

Lists fetch what each row shows for the whole page in a fixed number of statements
(issuers, parents, children); nothing here runs a query per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from thidua_shared.access.tokens import Principal
from thidua_shared.errors import Forbidden, Invalid, NotFound
from thidua_shared.events.campaigns import CampaignSnapshot, Indicator, RegistrationSnapshot
from thidua_shared.events.registry import UnitKind
from thidua_shared.registry_replica import load_cluster, load_unit
from thidua_shared.units import UnitRef

from thidua_campaigns.adapters.repository import CampaignRepository
from thidua_campaigns.domain.model import Pledge, UnitView, campaign_years, ensure_in_scope
from thidua_campaigns.service_layer.access import ensure_reach, ensure_visible, targeting_lineage
from thidua_campaigns.service_layer.services import load_campaign

LEVEL_KINDS = {"national": ("national_alliance",), "provincial": ("provincial_alliance",)}


@dataclass(frozen=True)
class CampaignView:
    campaign: CampaignSnapshot
    issuer: UnitRef | None
    parent: tuple[str, str] | None  # (id, title)
    children: list[tuple[str, str, str]]  # (id, title, issuer id)
    indicator_tree: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class RegistrationView:
    registration: RegistrationSnapshot
    unit: UnitRef | None


@dataclass(frozen=True)
class PledgeView:
    pledge: Pledge
    members: list[tuple[UnitRef, str | None]]  # (member, signed by)


@dataclass
class UnitHistory:
    unit: UnitRef
    predecessors: list[UnitRef] = field(default_factory=list)
    issued: list[tuple[CampaignSnapshot, UnitRef | None]] = field(default_factory=list)  # with the predecessor it came from
    registered: list[tuple[RegistrationSnapshot, str, UnitRef | None]] = field(default_factory=list)  # + campaign title
    signed: list[tuple[Pledge, UnitRef | None]] = field(default_factory=list)


def _ref(unit: UnitView | None) -> UnitRef | None:
    return UnitRef(id=unit.id, code=unit.code, name=unit.name) if unit else None


def indicator_tree(indicators: Sequence[Indicator]) -> list[dict[str, Any]]:
    nodes = {i.code: {**i.model_dump(mode="json"), "children": []} for i in indicators}
    roots = []
    for i in indicators:
        (nodes[i.parent_code]["children"] if i.parent_code else roots).append(nodes[i.code])
    return roots


async def _views(repo: CampaignRepository, found: list[CampaignSnapshot], with_tree: bool = False) -> list[CampaignView]:
    issuers = await repo.units([c.issuer_unit_id for c in found])
    parents = await repo.titles([c.parent_id for c in found if c.parent_id])
    children = await repo.children_of([c.id for c in found])
    return [
        CampaignView(
            campaign=c, issuer=_ref(issuers.get(c.issuer_unit_id)),
            parent=(c.parent_id, parents[c.parent_id]) if c.parent_id in parents else None,
            children=children.get(c.id, []),
            indicator_tree=indicator_tree(c.indicators) if with_tree else None,
        )
        for c in found
    ]


async def campaign_list(
    repo: CampaignRepository, principal: Principal, *, level: str | None, status: str | None, year: int | None,
    text: str | None, unit_ref: str | None, limit: int, offset: int,
) -> list[CampaignView]:
    issuer_kinds: Sequence[str] | None = None
    if level is not None:
        issuer_kinds = LEVEL_KINDS.get(level)
        if issuer_kinds is None:
            kinds = {k for kinds in LEVEL_KINDS.values() for k in kinds}
            issuer_kinds = [k for k in (k.value for k in UnitKind) if k not in kinds]  # "unit": issued by anything else
    found = await repo.list_campaigns(
        drafts_within=principal.scope_unit_id, status=status, year=year, text=text, issuer_kinds=issuer_kinds,
        limit=limit, offset=offset,
    )
    if unit_ref:
        found = await _targeting(repo, found, await load_unit(repo, unit_ref))
    return await _views(repo, found)


async def _targeting(repo: CampaignRepository, found: list[CampaignSnapshot], unit: UnitView) -> list[CampaignSnapshot]:
    """The campaigns among `found` whose scope includes `unit`: its lineage and memberships loaded once."""
    lineage = await targeting_lineage(repo, unit.id)
    memberships = await repo.memberships(unit.id)
    targeted = []
    for campaign in found:
        clusters = set().union(*(memberships.get(y, set()) for y in campaign_years(campaign)))
        try:
            ensure_in_scope(campaign, unit, lineage, clusters)
        except Invalid:
            continue
        targeted.append(campaign)
    return targeted


async def campaign_details(repo: CampaignRepository, principal: Principal, campaign_id: str) -> CampaignView:
    campaign = await load_campaign(repo, campaign_id)
    await ensure_visible(repo, principal, campaign)
    return (await _views(repo, [campaign], with_tree=True))[0]


async def registrations_in_reach(repo: CampaignRepository, principal: Principal, campaign_id: str) -> tuple[CampaignSnapshot, list[RegistrationView]]:
    """The issuer's side sees every registration; anyone else only their own subtree's."""
    campaign = await load_campaign(repo, campaign_id)
    await ensure_visible(repo, principal, campaign)
    issuer_side = principal.scope_unit_id is None or principal.scope_unit_id in await repo.lineage(campaign.issuer_unit_id)
    found = await repo.registrations_of(campaign.id, within=None if issuer_side else principal.scope_unit_id)
    units = await repo.units([r.unit_id for r in found])
    return campaign, [RegistrationView(r, _ref(units.get(r.unit_id))) for r in found]


async def registration_details(repo: CampaignRepository, principal: Principal, registration_id: str) -> RegistrationView:
    registration = await repo.registration(registration_id)
    if registration is None:
        raise NotFound("registration_not_found", ref=registration_id)
    campaign = await load_campaign(repo, registration.campaign_id)
    if principal.scope_unit_id is not None and principal.scope_unit_id not in await repo.lineage(campaign.issuer_unit_id):
        await ensure_reach(repo, principal, registration.unit_id, registration.id)
    unit = (await repo.units([registration.unit_id])).get(registration.unit_id)
    return RegistrationView(registration, _ref(unit))


async def pledge_list(repo: CampaignRepository, principal: Principal, cluster_ref: str, year: int | None) -> list[PledgeView]:
    """A cluster's pledges (of one year, or every year) that the caller may read."""
    cluster = await load_cluster(repo, cluster_ref)
    views = []
    for pledge in await repo.pledges_of(cluster.id, year):
        try:
            views.append(await pledge_details(repo, principal, pledge.id, pledge))
        except Forbidden:
            continue
    return views


async def pledge_details(repo: CampaignRepository, principal: Principal, pledge_id: str, pledge: Pledge | None = None) -> PledgeView:
    """A pledge is read by its cluster's owner side and by the members (and those above them)."""
    pledge = pledge or await repo.pledge(pledge_id)
    if pledge is None:
        raise NotFound("pledge_not_found", ref=pledge_id)
    cluster = await repo.cluster(pledge.cluster_id)
    if principal.scope_unit_id is not None:
        reachable = [cluster.owner_unit_id] if cluster else []
        for unit_id in [*reachable, *pledge.members]:
            if principal.scope_unit_id in await repo.lineage(unit_id):
                break
        else:
            raise Forbidden("forbidden_scope", unit=cluster.code if cluster else pledge.cluster_id)
    units = await repo.units(list(pledge.members))
    signed = dict(pledge.signatures)
    members = [(_ref(units.get(u)) or UnitRef(id=u, code=u, name=""), signed.get(u)) for u in pledge.members]
    return PledgeView(pledge, members)


async def unit_history(repo: CampaignRepository, principal: Principal, unit_ref: str) -> UnitHistory:
    """What a unit and every unit merged into it issued, registered and signed, each naming where it came from."""
    unit = await load_unit(repo, unit_ref)
    await ensure_reach(repo, principal, unit.id, unit.code)
    predecessors = await repo.predecessors(unit.id)
    named = await repo.units([unit.id, *(p for p, _ in predecessors)])
    origin = {p: _ref(named.get(p)) for p, _ in predecessors}
    ids = [unit.id, *origin]
    history = UnitHistory(unit=UnitRef(id=unit.id, code=unit.code, name=unit.name), predecessors=[r for r in origin.values() if r])
    history.issued = [(c, origin.get(c.issuer_unit_id)) for c in await repo.campaigns_issued_by(ids)]
    registrations = await repo.registrations_by_units(ids)
    titles = await repo.titles([r.campaign_id for r in registrations])
    history.registered = [(r, titles.get(r.campaign_id, ""), origin.get(r.unit_id)) for r in registrations]
    history.signed = [(pledge, origin.get(signer)) for pledge, signer in await repo.pledges_signed_by(ids)]
    return history
