"""The dossier's path through the offices, as a state machine, and the checks at each step. Pure.

drafted → submitted → received → (assigned →) checked → to_council → approved/rejected → decided;
returned (with a reason) at any step before the council's verdict, and resubmitted once fixed;
withdrawn by the proposer before it is received; escalated to a higher level once checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import NAMESPACE_URL, uuid5

from thidua_shared.errors import Conflict, Invalid
from thidua_shared.i18n import Label
from thidua_shared.events.awards import DocumentKind, DossierDocument, NominationSnapshot, NominationState as S

from thidua_awards.domain.rulesets import AwardRule, Quota

TRANSITIONS: dict[str, tuple[frozenset[S], S]] = {
    "submit": (frozenset({S.DRAFTED, S.RETURNED}), S.SUBMITTED),
    "receive": (frozenset({S.SUBMITTED}), S.RECEIVED),
    "assign": (frozenset({S.RECEIVED, S.ASSIGNED}), S.ASSIGNED),
    "check": (frozenset({S.RECEIVED, S.ASSIGNED, S.CHECKED}), S.CHECKED),
    "return": (frozenset({S.SUBMITTED, S.RECEIVED, S.ASSIGNED, S.CHECKED, S.TO_COUNCIL}), S.RETURNED),
    "withdraw": (frozenset({S.DRAFTED, S.SUBMITTED, S.RETURNED}), S.WITHDRAWN),
    "escalate": (frozenset({S.CHECKED}), S.ESCALATED),
    "to_council": (frozenset({S.CHECKED}), S.TO_COUNCIL),
    "approve": (frozenset({S.TO_COUNCIL}), S.APPROVED),
    "reject": (frozenset({S.TO_COUNCIL}), S.REJECTED),
    "decide": (frozenset({S.APPROVED}), S.DECIDED),
}
NEEDS_REASON = frozenset({"return", "reject", "escalate"})
# States the counters and quotas see as "in front of the council or past it".
AT_COUNCIL = frozenset({S.TO_COUNCIL, S.APPROVED, S.DECIDED})


def next_state(nomination: NominationSnapshot, action: str, reason: str | None = None) -> S:
    allowed, target = TRANSITIONS[action]
    if nomination.state not in allowed:
        raise Conflict("nomination_wrong_state", action=Label(f"nomination_action_{action}"), state=Label(f"nomination_state_{nomination.state.value}"))
    if action in NEEDS_REASON and not (reason and reason.strip()):
        raise Invalid("nomination_needs_reason", action=Label(f"nomination_action_{action}"))
    return target


def missing_documents(award: AwardRule, documents: Sequence[DossierDocument]) -> list[DocumentKind]:
    present = {d.kind for d in documents}
    return [kind for kind in award.required_documents() if kind not in present]


def ensure_complete(award: AwardRule, documents: Sequence[DossierDocument]) -> None:
    missing = missing_documents(award, documents)
    if missing:
        raise Invalid("dossier_incomplete", missing=", ".join(k.value for k in missing))


def ensure_may_go_to_council(nomination: NominationSnapshot) -> None:
    if nomination.eligible is not True:
        raise Conflict("nomination_not_eligible")


def quota_limit(quota: Quota, cluster_leaders: int) -> int:
    """How many nominations of one award may stand before the council in the quota's scope."""
    if quota.kind == "share_of_cluster_leaders":
        assert quota.share is not None
        return max(1, int(quota.share * cluster_leaders))  # rounded down: a quota is never exceeded
    return quota.max or 1


def ensure_within_quota(quota: Quota, used: int, limit: int, award: AwardRule) -> None:
    if used >= limit:
        raise Conflict("quota_reached", award=award.name_vi, used=used, limit=limit)


def ensure_posting_closed(required: bool, closes_on: date | None, today: date) -> None:
    """The council decides on a nominee that must be posted only once the posting window is over."""
    if not required:
        return
    if closes_on is None:
        raise Conflict("posting_required")
    if today <= closes_on:
        raise Conflict("posting_not_over", date=closes_on.strftime("%d/%m/%Y"))


def award_id(decision_id: str, nomination_id: str) -> str:
    """An award of the history is one recipient of one decision: its id follows from the two, so the
    decision's event says it (and `audit replay` finds the same row)."""
    return str(uuid5(NAMESPACE_URL, f"thidua:award:{decision_id}:{nomination_id}"))
