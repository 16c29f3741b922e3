"""Submissions and review rounds, and the rules that keep them honest. Pure: no I/O.

- A registered unit reports its results for a campaign and a period, and may revise them until
  the period's deadline or until a review round that includes it opens; after that, only the
  issuer's side may type results in, with the reason recorded (old records from paper).
- A round belongs to one cluster or block, campaign, period and year, and to the node that opened
  it: only that node writes it. Its members are the cluster's members of that year registered
  for the campaign (or for a campaign that adopted it).
- Reviewers are units. A unit never reviews itself, its parent or child, or its successor or
  predecessor: such pairs are excluded as reviewers are assigned, and recorded. A reviewer may
  declare a conflict with a reason; it is then left out of that unit's averages.
- A first review scores every criterion. The unit may explain a disputed score; a second review
  settles the explained criteria. The leader closes the round; after that nothing changes (a
  correction is a new round that names the one it corrects).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from thidua_shared.errors import Conflict, Forbidden, Invalid
from thidua_shared.events.campaigns import CampaignSnapshot, CampaignStatus
from thidua_shared.events.scoring import AssignmentKind, AssignmentRule, ClosingDecision, MissingWork, Period, ReviewScore, RoundSnapshot
from thidua_shared.i18n import format_date

from thidua_scoring.domain.fixed import points_int
from thidua_scoring.domain.results import Node


# --- submissions --------------------------------------------------------------------------------
def deadline(campaign: CampaignSnapshot, period: Period) -> date | None:
    """The last day to report for a period: its milestone (sơ kết, tổng kết), or for the final one the campaign's end."""
    milestone = next((m.on for m in campaign.milestones if m.kind == period.value), None)
    if milestone is not None:
        return milestone
    return campaign.period_end if period is Period.FINAL else None


def check_reporting_open(campaign: CampaignSnapshot, period: Period, today: date, late_reason: str | None, may_back_fill: bool) -> None:
    """Results are reported while the campaign runs and the period's deadline has not passed; later, only
    the issuer's side types them in (old records), and says why."""
    if campaign.status not in (CampaignStatus.LAUNCHED, CampaignStatus.CLOSED):
        raise Conflict("reporting_campaign_not_running", title=campaign.title)
    due = deadline(campaign, period)
    late = campaign.status is CampaignStatus.CLOSED or (due is not None and today > due)
    if not late:
        return
    if not may_back_fill:
        raise Conflict("reporting_closed", date=format_date(due) if due else format_date(campaign.period_end))
    if not (late_reason and late_reason.strip()):
        raise Invalid("reporting_late_needs_reason")


def check_same_campaign(reported_for: str, now_for: str) -> None:
    """A unit reports once across a campaign and those adopting it: a revision goes where the report is."""
    if reported_for != now_for:
        raise Conflict("submission_elsewhere", campaign=reported_for)


def check_revisable(locked_by_round: str | None) -> None:
    if locked_by_round is not None:
        raise Conflict("submission_locked", round=locked_by_round)


# --- rounds ---------------------------------------------------------------------------------------
def ensure_owned(round_: RoundSnapshot, node: str) -> None:
    if round_.node != node:
        raise Conflict("round_owned_by_other_node", node=round_.node)


def check_handover(round_: RoundSnapshot, to_node: str, here: str, centre: str, former_owners: Sequence[str],
                   asked_back: set[str]) -> None:
    """Only the centre records a handover, of an open round, between the owning province and the centre:
    it takes over a province's round (its node lost) or hands it back to a province that owned it and
    asked for it back from its node (so that every write it made meanwhile reached the centre first)."""
    if here != centre:
        raise Conflict("handover_at_centre_only", centre=centre)
    if to_node == round_.node:
        raise Conflict("handover_to_owner", node=to_node)
    if round_.node != centre and to_node != centre:
        raise Conflict("handover_to_centre_only", node=round_.node, centre=centre)
    if round_.node == centre and to_node not in former_owners:
        raise Conflict("handover_back_only", node=to_node)
    if round_.node == centre and to_node not in asked_back:
        raise Conflict("handover_back_not_asked", node=to_node)


def check_return_request(round_: RoundSnapshot, here: str, centre: str, former_owners: Sequence[str]) -> None:
    """A province asks, from its own node, for a round back that the centre took over from it."""
    if here == centre or here not in former_owners:
        raise Conflict("handover_back_only", node=here)
    if round_.node != centre:
        raise Conflict("return_not_with_centre", node=round_.node, centre=centre)


# A closed round publishes its whole table in one event (about 140 bytes a cell): this many cells
# (members × criteria) keep it well within the largest event the platform commits.
MAX_ROUND_CELLS = 12_000


def check_round_size(members: int, criteria: int) -> None:
    if members * criteria > MAX_ROUND_CELLS:
        raise Invalid("round_too_large", members=members, criteria=criteria, limit=MAX_ROUND_CELLS)


def ensure_member(round_: RoundSnapshot, unit_id: str, label: str) -> None:
    if unit_id not in round_.members:
        raise Invalid("reviewer_not_member", unit=label)


def ensure_open(round_: RoundSnapshot) -> None:
    if round_.status != "open":
        raise Conflict("round_closed")


@dataclass(frozen=True)
class Kinship:
    """What the registry replica says of two units, for conflicts: parents, successors."""

    parent: dict[str, str | None]
    successor: dict[str, str | None]

    def related(self, a: str, b: str) -> str | None:
        """Why `a` may not review `b` (or the reverse), or None."""
        if a == b:
            return "chính đơn vị đó / the unit itself"
        if self.parent.get(a) == b or self.parent.get(b) == a:
            return "đơn vị cấp trên hoặc cấp dưới / its parent or child"
        if self.successor.get(a) == b or self.successor.get(b) == a:
            return "đơn vị kế thừa hoặc tiền thân / its successor or predecessor"
        return None


@dataclass
class Assignments:
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (reviewer, unit)
    excluded: list[tuple[str, str, str]] = field(default_factory=list)  # (reviewer, unit, why)


def assign(
    rule: AssignmentRule, members: Sequence[str], leader: str | None, deputy: str | None, kinship: Kinship,
    sort_key: Callable[[str], str] = str,
) -> Assignments:
    """Reviewers by the round's declared rule, skipping (and recording) pairs in a conflict."""
    ordered = sorted(members, key=sort_key)
    result = Assignments()

    def offer(reviewer: str, unit: str) -> bool:
        why = kinship.related(reviewer, unit)
        if why is not None:
            if reviewer != unit:
                result.excluded.append((reviewer, unit, why))
            return False
        result.pairs.append((reviewer, unit))
        return True

    if rule.kind is AssignmentKind.LEADER:
        if leader is None:
            raise Conflict("round_needs_leader")
        for unit in ordered:
            if not offer(leader, unit) and unit == leader:
                backup = deputy or next((m for m in ordered if m != leader and kinship.related(m, leader) is None), None)
                if backup is not None:
                    offer(backup, unit)
    elif rule.kind is AssignmentKind.ROTATION:
        # Each member is reviewed by the members after it, in turn (wrapping round), skipping any in a
        # conflict: every unit gets its number of reviewers whenever the cluster has enough.
        count = len(ordered)
        for index, unit in enumerate(ordered):
            given, step = 0, 1
            while given < min(rule.reviewers_per_unit, count - 1) and step < count:
                if offer(ordered[(index + step) % count], unit):
                    given += 1
                step += 1
    elif rule.kind is AssignmentKind.PANEL:
        if not rule.panel:
            raise Invalid("round_panel_empty")
        for reviewer in sorted(rule.panel, key=sort_key):
            for unit in ordered:
                offer(reviewer, unit)
    return result


def check_review(nodes: Sequence[Node], scores: Sequence[ReviewScore], stage: int, explained: set[str]) -> None:
    """A first review scores every criterion; a second only criteria the unit explained. Points within bounds."""
    leaves = {n.code: n for n in nodes if n.leaf is not None}
    seen: set[str] = set()
    for score in scores:
        node = leaves.get(score.indicator_code)
        if node is None:
            raise Invalid("result_unknown_criterion", code=score.indicator_code)
        if score.indicator_code in seen:
            raise Invalid("result_duplicate", code=score.indicator_code)
        seen.add(score.indicator_code)
        low = node.leaf.min_points if node.kind == "bonus_penalty" else 0  # type: ignore[union-attr]
        if not low <= points_int(score.points) <= node.max_points:
            raise Invalid("review_points_out_of_bounds", code=node.code)
    if stage == 1 and seen != set(leaves):
        raise Invalid("review_incomplete", missing=", ".join(sorted(set(leaves) - seen)))
    if stage == 2:
        if not seen:
            raise Invalid("review_second_needs_scores")
        unexplained = sorted(seen - explained)
        if unexplained:
            raise Invalid("review_second_unexplained", codes=", ".join(unexplained))


def stage_of(already_reviewed: bool) -> int:
    return 2 if already_reviewed else 1


def ensure_assigned(assigned: bool, conflicted: bool) -> None:
    if not assigned:
        raise Forbidden("review_not_assigned")
    if conflicted:
        raise Conflict("review_conflicted")


def check_explanation(nodes: Sequence[Node], code: str, reviewed: bool) -> None:
    if code not in {n.code for n in nodes if n.leaf is not None}:
        raise Invalid("result_unknown_criterion", code=code)
    if not reviewed:
        raise Conflict("explanation_before_review")


def missing_work(assigned: set[tuple[str, str]], conflicted: set[tuple[str, str]], first_reviews: set[tuple[str, str]],
                 second_reviews: set[tuple[str, str, str]], explained: set[tuple[str, str]]) -> list[MissingWork]:
    """What a round would be closed without: each assigned (and not conflicted) reviewer's review of its
    unit, and each explained criterion its reviewers (who reviewed it once) have not scored again."""
    active = sorted(assigned - conflicted)
    missing = [MissingWork(kind="review", reviewer_unit_id=r, unit_id=u) for r, u in active if (r, u) not in first_reviews]
    for unit, code in sorted(explained):
        missing += [MissingWork(kind="second_review", reviewer_unit_id=r, unit_id=unit, indicator_code=code)
                    for r, u in active if u == unit and (r, u) in first_reviews and (r, u, code) not in second_reviews]
    return missing


def check_closing(missing: list[MissingWork], accept_missing: bool, reason: str | None, codes: dict[str, str]) -> ClosingDecision | None:
    """A round closes with work missing only by the leader's explicit decision, with a reason. The refusal
    lists what is missing, units named by their codes."""
    if not missing:
        return None
    if not accept_missing:
        listed = [{"kind": m.kind, "reviewer": codes.get(m.reviewer_unit_id, m.reviewer_unit_id),
                   "unit": codes.get(m.unit_id, m.unit_id), "indicator_code": m.indicator_code} for m in missing]
        raise Conflict("round_work_missing", details=listed, reviews=sum(1 for m in missing if m.kind == "review"),
                       second=sum(1 for m in missing if m.kind == "second_review"))
    if not (reason and reason.strip()):
        raise Invalid("round_missing_needs_reason", count=len(missing))
    return ClosingDecision(missing=missing, reason=reason.strip())
