"""Secret ballots: the tellers, the box's digest and the tally's rule. Pure: no I/O.

Choices are encrypted on the voter's device to the ballot's key, which the tellers (Ban kiểm phiếu)
make together and hold in shares, any `threshold` of them needed to decrypt (the mathematics is in
`thidua_shared.encrypted_ballot`). The server keeps encrypted ballots only, each under its receipt
(the SHA-256 of the encrypted ballot); at the end of voting it publishes the box and the product of
its ballots, and only that product, the tally, is decrypted. Each voter finds their receipt in the
published box; anyone can recompute the product and check the tellers' proofs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from thidua_shared.events.awards import BallotSnapshot, Choice, QuestionTally, VoteBasis, VoteRule


def default_threshold(tellers: int) -> int:
    """A majority of the committee decrypts: one teller alone never can, unless the committee is one."""
    return tellers // 2 + 1


def teller_index(ballot: BallotSnapshot, teller: str) -> int | None:
    """A teller's index (1..n) in the ballot's committee, by the committee's sorted order."""
    return ballot.tellers.index(teller) + 1 if teller in ballot.tellers else None


class BoxDigest:
    """SHA-256 over the box's receipts in order: the box a `ballot_counting` event commits to."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256(b"thidua ballot box\n")

    def add(self, receipt: str) -> None:
        self._hash.update(receipt.encode() + b"\n")

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def tally(counts: Sequence[Mapping[Choice, int]], nominations: Sequence[str], eligible: int, voted: int,
          rule: VoteRule) -> tuple[list[QuestionTally], bool]:
    """Per nomination: yes, no, abstain, the share of yes on the rule's basis, passed; and whether the quorum was met.
    Shares are exact fractions, compared without rounding."""
    quorum_met = eligible > 0 and Decimal(voted) >= rule.quorum * eligible
    base = voted if rule.basis is VoteBasis.PRESENT else eligible
    tallies = []
    for nomination, count in zip(nominations, counts, strict=True):
        yes = count.get(Choice.YES, 0)
        share = (Decimal(yes) / base).quantize(Decimal("0.0001")) if base else Decimal(0)
        passed = quorum_met and base > 0 and Decimal(yes) >= rule.threshold * base
        tallies.append(QuestionTally(nomination_id=nomination, yes=yes, no=count.get(Choice.NO, 0),
                                     abstain=count.get(Choice.ABSTAIN, 0), share=share, passed=passed))
    return tallies, quorum_met


def result(eligible: int, voted: int, quorum_met: bool, digest: str, tallies: Sequence[QuestionTally]) -> dict[str, Any]:
    """What a closed ballot keeps beside its box: the same figures its `ballot_closed` event publishes."""
    return {"eligible": eligible, "voted": voted, "quorum_met": quorum_met, "box_digest": digest,
            "tallies": [t.model_dump(mode="json") for t in tallies]}
