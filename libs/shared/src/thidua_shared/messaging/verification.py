"""What a consumer checks before it applies an event: that the node named in it signed it.

Per event, cheaply: the SHA-256 of the body received equals the hash in its seal, the
subject it arrived on is the one its content names (NATS permissions decide who may
publish on a subject; this ties the content to that decision), and the node it names
has a trusted key. Signatures cost about 0.1 ms each, so they are checked per run: the
events of one (node, service) chain that follow each other in a batch (sequence + 1,
prev_hash = the previous hash) are vouched for by the signature of the last one, whose
hash covers the prev_hash of the one before, and so on back. Only if that signature
fails is each event of the run checked alone, so that one forged event cannot make
genuine ones fail with it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from thidua_shared.events.envelope import Envelope
from thidua_shared.keys import TrustedKeys

T = TypeVar("T")


@dataclass(frozen=True)
class Received(Generic[T]):
    """An event as it arrived: the transport's handle (a NATS message), its subject, body digest and parsed envelope."""

    handle: T
    subject: str
    body_hash: str
    envelope: Envelope

    @classmethod
    def of(cls, handle: T, subject: str, body: bytes, envelope: Envelope) -> "Received[T]":
        return cls(handle, subject, hashlib.sha256(body).hexdigest(), envelope)


@dataclass
class Verdict(Generic[T]):
    accepted: list[Received[T]] = field(default_factory=list)
    rejected: list[tuple[Received[T], str]] = field(default_factory=list)  # with the reason, in both languages


class EventVerifier:
    def __init__(self, keys: TrustedKeys) -> None:
        self.keys = keys
        self.signatures_checked = 0  # for tests and benchmarks: how many Ed25519 verifications ran

    def verify(self, batch: Sequence[Received[T]]) -> Verdict[T]:
        verdict: Verdict[T] = Verdict()
        by_chain: dict[str, list[Received[T]]] = defaultdict(list)
        for item in batch:
            problem = self._check_alone(item)
            if problem:
                verdict.rejected.append((item, problem))
            else:
                by_chain[item.envelope.chain].append(item)
        good: set[int] = set()
        for items in by_chain.values():
            for run in _runs(items):
                accepted, rejected = self._check_run(run)
                good.update(id(item) for item in accepted)
                verdict.rejected.extend(rejected)
        verdict.accepted = [item for item in batch if id(item) in good]  # stream order kept
        return verdict

    def _check_alone(self, item: Received[T]) -> str | None:
        envelope = item.envelope
        if item.body_hash != envelope.hash:
            return "băm không khớp nội dung / hash does not match the content"
        if item.subject != envelope.subject:
            return f"chủ đề {item.subject} khác sự kiện {envelope.subject} / subject does not match the event"
        if self.keys.key_for(envelope.node) is None:
            return f"không có khóa tin cậy của nút {envelope.node} / no trusted key for node {envelope.node}"
        return None

    def _check_run(self, run: list[Received[T]]) -> tuple[list[Received[T]], list[tuple[Received[T], str]]]:
        if self._signed(run[-1]):
            return run, []
        accepted, rejected = [], []
        for item in run[:-1]:  # the last one just failed; the others may still be genuine
            (accepted.append(item) if self._signed(item) else rejected.append((item, _bad_signature(item))))
        rejected.append((run[-1], _bad_signature(run[-1])))
        return accepted, rejected

    def _signed(self, item: Received[T]) -> bool:
        """Signed with one of the node's keys; if none verifies, the keys are read again once (a key
        registered a moment ago, a rotation) before the event is refused."""
        for reload in (False, True):
            for key in self.keys.keys_for(item.envelope.node, reload=reload):
                self.signatures_checked += 1
                if item.envelope.signature_matches(item.body_hash, key):
                    return True
        return False


def _bad_signature(item: Received[T]) -> str:
    node = item.envelope.node
    return f"chữ ký không hợp lệ với khóa của nút {node} / signature does not verify with node {node}'s key"


def _runs(items: list[Received[T]]) -> list[list[Received[T]]]:
    """Split one chain's events into runs that link: each the next sequence, its prev_hash the previous hash."""
    ordered = sorted(items, key=lambda item: item.envelope.sequence)
    runs: list[list[Received[T]]] = []
    for item in ordered:
        last = runs[-1][-1].envelope if runs else None
        if last is not None and item.envelope.sequence == last.sequence + 1 and item.envelope.prev_hash == last.hash:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs
