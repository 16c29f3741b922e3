"""The verifier: one signature vouches for a linked run of a chain; anything forged is singled out."""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from thidua_shared.events.envelope import GENESIS_HASH, Envelope
from thidua_shared.keys import TrustedKeys
from thidua_shared.messaging.verification import EventVerifier, Received

from tests.support import KEY, sealed_event, trust_key, unit_registered


def chain(length: int, key: Ed25519PrivateKey = KEY, start: int = 1, prev: str = GENESIS_HASH) -> list[Envelope]:
    events = []
    for sequence in range(start, start + length):
        payload = unit_registered(f"HTX-{sequence:03d}")
        envelope = sealed_event(key, "vn", payload.event_type, sequence, prev, payload.model_dump(mode="json"), aggregate_kind="unit")
        events.append(envelope)
        prev = envelope.hash
    return events


def received(envelope: Envelope, body: bytes | None = None, subject: str | None = None) -> Received[str]:
    return Received.of(str(envelope.id), subject or envelope.subject, body or envelope.content_bytes(), envelope)


def verifier(tmp_path: Path) -> EventVerifier:
    return EventVerifier(TrustedKeys(trust_key(tmp_path / "keys")))


def test_a_linked_run_is_vouched_for_by_one_signature(tmp_path: Path) -> None:
    check = verifier(tmp_path)
    verdict = check.verify([received(e) for e in chain(50)])
    assert len(verdict.accepted) == 50 and not verdict.rejected
    assert check.signatures_checked == 1


def test_a_forged_event_inside_a_run_is_rejected_and_the_genuine_ones_kept(tmp_path: Path) -> None:
    genuine = chain(6)
    forged = genuine[3].model_copy(update={"payload": unit_registered("FORGED").model_dump(mode="json")}).sealed(Ed25519PrivateKey.generate())
    batch = [received(e) for e in genuine[:3]] + [received(forged)] + [received(e) for e in genuine[4:]]
    verdict = verifier(tmp_path).verify(batch)
    assert [r.envelope.id for r, _ in verdict.rejected] == [forged.id]
    assert "signature does not verify" in verdict.rejected[0][1]
    assert [a.envelope.sequence for a in verdict.accepted] == [1, 2, 3, 5, 6]


def test_an_edited_body_under_its_old_seal_fails_the_hash(tmp_path: Path) -> None:
    [original] = chain(1)
    edited = original.model_copy(update={"payload": unit_registered("EDITED").model_dump(mode="json")})
    # The edited content travels with the original's hash and signature.
    item = Received(str(edited.id), edited.subject, hashlib.sha256(edited.content_bytes()).hexdigest(),
                    edited.model_copy(update={"hash": original.hash, "signature": original.signature}))
    verdict = verifier(tmp_path).verify([item])
    assert not verdict.accepted and "hash does not match" in verdict.rejected[0][1]


def test_an_event_on_a_subject_not_its_own_and_a_node_without_a_key_are_rejected(tmp_path: Path) -> None:
    [event] = chain(1)
    elsewhere = received(event, subject="thidua.events.vn.registry.unit_dissolved")
    stranger = chain(1, key=Ed25519PrivateKey.generate())[0].model_copy(update={"node": "xx"})
    stranger = stranger.sealed(Ed25519PrivateKey.generate())
    verdict = verifier(tmp_path).verify([elsewhere, received(stranger)])
    reasons = [reason for _, reason in verdict.rejected]
    assert not verdict.accepted
    assert "subject does not match" in reasons[0] and "no trusted key for node xx" in reasons[1]


def test_a_redelivered_older_event_is_checked_alone(tmp_path: Path) -> None:
    events = chain(5)
    check = verifier(tmp_path)
    verdict = check.verify([received(e) for e in (events[4], events[1], events[2])])
    assert len(verdict.accepted) == 3
    assert check.signatures_checked == 2  # the run 2-3, and 5 alone
