"""Secret ballots: receipts, the sealed box and the tally. Pure: no I/O.

A voter gets a random receipt when casting; the box keeps only the receipt's SHA-256 with the
choices, sorted by that hash, and nothing of the voter or of the moment. Who voted is kept
apart (one vote each). At close, the box (hash → choices) is published: each voter finds the
hash of their receipt and sees their choices were counted; anyone can recount the tally.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from thidua_shared.errors import Invalid
from thidua_shared.events.awards import CastBallot, Choice, QuestionTally, VoteBasis, VoteRule
from thidua_shared.events.envelope import canonical_json


def new_receipt() -> str:
    return secrets.token_urlsafe(24)


def receipt_hash(receipt: str) -> str:
    return hashlib.sha256(receipt.encode()).hexdigest()


def sealed(box: Sequence[CastBallot], cast: CastBallot) -> list[CastBallot]:
    """The box with one more ballot, kept in the order of receipt hashes, so that nothing tells when it came."""
    return sorted([*box, cast], key=lambda b: b.receipt_hash)


def box_digest(box: Sequence[CastBallot]) -> str:
    return hashlib.sha256(canonical_json([b.model_dump(mode="json") for b in box])).hexdigest()


def tally(box: Sequence[CastBallot], nominations: Sequence[str], eligible: int, rule: VoteRule) -> tuple[list[QuestionTally], bool]:
    """Per nomination: yes, no, abstain, the share of yes on the rule's basis, passed; and whether the quorum was met.
    Shares are exact fractions, compared without rounding."""
    voted = len(box)
    quorum_met = eligible > 0 and Decimal(voted) >= rule.quorum * eligible
    base = voted if rule.basis is VoteBasis.PRESENT else eligible
    tallies = []
    for nomination in nominations:
        counts = {choice: sum(1 for b in box if b.choices.get(nomination) is choice) for choice in Choice}
        yes = counts[Choice.YES]
        share = (Decimal(yes) / base).quantize(Decimal("0.0001")) if base else Decimal(0)
        passed = quorum_met and base > 0 and Decimal(yes) >= rule.threshold * base
        tallies.append(QuestionTally(nomination_id=nomination, yes=yes, no=counts[Choice.NO], abstain=counts[Choice.ABSTAIN],
                                     share=share, passed=passed))
    return tallies, quorum_met


def check_choices(choices: Mapping[str, Choice], nominations: Sequence[str]) -> None:
    """A ballot answers every question on it, and nothing else."""
    unknown = sorted(set(choices) - set(nominations))
    if unknown:
        raise Invalid("ballot_unknown_question", ref=unknown[0])
    missing = sorted(set(nominations) - set(choices))
    if missing:
        raise Invalid("ballot_incomplete", count=len(missing))


def result(eligible: int, voted: int, quorum_met: bool, digest: str, tallies: Sequence[QuestionTally]) -> dict[str, Any]:
    """What a closed ballot keeps beside its box: the same figures its `ballot_closed` event publishes."""
    return {"eligible": eligible, "voted": voted, "quorum_met": quorum_met, "box_digest": digest,
            "tallies": [t.model_dump(mode="json") for t in tallies]}
