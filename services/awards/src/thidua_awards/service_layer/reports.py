"""The statistical reports, computed from the data for a period: the records each form counts,
gathered in a fixed number of queries, then counted by the form's own filters (domain/reports.py)."""

from __future__ import annotations

from datetime import date

from thidua_shared.access.tokens import Principal
from thidua_shared.events.awards import NominationState
from thidua_shared.events.campaigns import CampaignStatus
from thidua_shared.roles import Role

from thidua_awards.adapters.repository import AwardsRepository
from thidua_awards.domain import reports
from thidua_awards.domain.rulesets import award_rule

READERS = (Role.NATIONAL_ADMIN, Role.PROVINCIAL_OFFICER, Role.AUDITOR)
NOT_PROPOSED = {NominationState.DRAFTED, NominationState.WITHDRAWN}


async def report(repo: AwardsRepository, principal: Principal, form_id: str, since: date, until: date,
                 to_unit: str | None = None) -> tuple[reports.Form, list[list[int]]]:
    principal.require_role(READERS)
    form = reports.form(form_id)
    if form.dataset == "campaigns":
        records = await _campaigns(repo, since, until)
    else:
        records = await _awards(repo, form, since, until, to_unit)
    return form, reports.compute(form, records)


async def _campaigns(repo: AwardsRepository, since: date, until: date) -> list[dict]:
    launched = [c for c in await repo.campaigns_all() if c.status in (CampaignStatus.LAUNCHED, CampaignStatus.CLOSED)
                and since <= (c.letter_date or c.period_start or since) <= until]
    issuers = await repo.units([c.issuer_unit_id for c in launched])
    return [reports.campaign_record(c, issuers[c.issuer_unit_id].kind if c.issuer_unit_id in issuers else None) for c in launched]


async def _awards(repo: AwardsRepository, form: reports.Form, since: date, until: date, to_unit: str | None) -> list[dict]:
    def fits(ruleset_id: str, code: str) -> str | None:
        award = award_rule(ruleset_id, code)
        return award.report_group if award.level.value == form.level and award.report_group else None

    proposed = []
    for n in await repo.all_nominations(since, until):
        group = fits(n.ruleset_id, n.award_code)
        if group and n.state not in NOT_PROPOSED and (to_unit is None or n.to_unit_id == to_unit):
            proposed.append((group, n.subject.kind.value, n.commendation_type.value))
    awarded = []
    decisions = [d for d in await repo.decisions_between(since, until) if to_unit is None or d.to_unit_id == to_unit]
    nominations = await repo.nominations_by_ids([r.nomination_id for d in decisions for r in d.recipients])
    for d in decisions:
        group = fits(d.ruleset_id, d.award_code)
        if group:
            awarded += [(group, r.subject.kind.value, nominations[r.nomination_id].commendation_type.value if r.nomination_id in nominations
                         else "regular") for r in d.recipients]
    return reports.award_records(proposed, awarded)
