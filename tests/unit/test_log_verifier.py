"""The log verifier on stored messages built by hand: each kind of damage named where it is."""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from thidua_cli.audit import LogVerifier, StoredEvent
from thidua_shared.events.envelope import GENESIS_HASH, HASH_HEADER, Envelope
from thidua_shared.keys import TrustedKeys, public_key_path, write_public_key

from tests.support import sealed_event


def chain_of(key: Ed25519PrivateKey, count: int) -> list[Envelope]:
    events, prev = [], GENESIS_HASH
    for sequence in range(1, count + 1):
        events.append(sealed_event(key, "hp", "scoring.submission_received", sequence, prev, {"n": sequence}))
        prev = events[-1].hash
    return events


def stored(position: int, envelope: Envelope, body: bytes | None = None, headers: dict | None = None) -> StoredEvent:  # type: ignore[type-arg]
    own_body, own_headers = envelope.to_message()
    return StoredEvent(position, envelope.subject, own_body if body is None else body, {**own_headers, **(headers or {})})


def verify(tmp_path, key: Ed25519PrivateKey | None, messages: list[StoredEvent]) -> LogVerifier:  # type: ignore[no-untyped-def]
    if key is not None:
        write_public_key(public_key_path(tmp_path, "hp"), key.public_key())
    verifier = LogVerifier(TrustedKeys(tmp_path))
    for message in messages:
        verifier.add(message)
    return verifier


def test_an_intact_chain(tmp_path) -> None:  # type: ignore[no-untyped-def]
    key = Ed25519PrivateKey.generate()
    verifier = verify(tmp_path, key, [stored(i, e) for i, e in enumerate(chain_of(key, 5), start=1)])
    assert verifier.intact and [(r.chain, r.count, r.problems) for r in verifier.reports()] == [("hp.scoring", 5, [])]


def test_an_altered_event_a_forged_signature_and_a_misplaced_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    key, forger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    events = chain_of(key, 6)
    altered = events[1].to_message()[0].replace(b'"n":2', b'"n":9')
    forged = sealed_event(forger, "hp", "scoring.submission_received", 3, events[1].hash, {"n": 3})
    resealed = hashlib.sha256(altered).hexdigest()  # a forger who fixes the hash cannot fix the signature
    messages = [stored(1, events[0]), stored(2, events[1], altered), stored(3, forged), stored(4, events[3], headers={HASH_HEADER: resealed}),
                StoredEvent(5, "thidua.events.hp.registry.unit_registered", *events[4].to_message()), stored(6, events[5]), stored(7, events[5])]
    report = verify(tmp_path, key, messages).reports()
    problems = {r.chain: r.problems for r in report}
    assert problems["hp.scoring"] == [
        f"#2 {events[1].id} (sequence 2): its content does not match its hash (altered)",
        f"#3 {forged.id} (sequence 3): its signature is not valid for this node's keys",
        f"#3 {forged.id} (sequence 3): prev_hash does not match the previous event's hash",  # it follows the stored #2
        f"#4 {events[3].id} (sequence 4): its content does not match its hash (altered)",
        f"#4 {events[3].id} (sequence 4): prev_hash does not match the previous event's hash",
        f"#6 {events[5].id} (sequence 6): event 5 of the chain missing before it (lost, removed or never received)",
        f"#7 {events[5].id} (sequence 6): sequence 6 again or out of order (expected 7)",
    ]
    assert problems["hp.registry"] == [f"#5 {events[4].id} (sequence 5): its subject does not name it",
                                       f"#5 {events[4].id} (sequence 5): events 1–4 of the chain missing before it (lost, removed or never received)"]


def test_damaged_bytes_an_unknown_key_and_a_hole(tmp_path) -> None:  # type: ignore[no-untyped-def]
    key = Ed25519PrivateKey.generate()
    events = chain_of(key, 3)
    damaged = StoredEvent(2, events[1].subject, b"\xff\x00not json", {})
    verifier = verify(tmp_path, None, [stored(1, events[0]), damaged, StoredEvent.hole(3, 9), stored(10, events[2])])
    report = verifier.reports()[0]
    assert report.missing_key and not verifier.intact
    assert report.problems[0] == "#2: the stored event is damaged (not an event)"
    assert verifier.unreadable == ["#3–#9: not in the stream any more (removed, or lost when found damaged on disk)"]


def test_a_run_is_vouched_for_by_its_last_signature_and_every_signature_checks_each_seal(tmp_path) -> None:  # type: ignore[no-untyped-def]
    key, forger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    events = chain_of(key, 6)
    bad_seal = forger.sign(bytes.fromhex(events[2].hash))  # a valid event whose stored signature was replaced
    messages = [stored(i, e, headers={"Thidua-Signature": base64.b64encode(bad_seal).decode()} if i == 3 else None)
                for i, e in enumerate(events, start=1)]
    assert verify(tmp_path, key, messages).intact  # its content is vouched for by the run's last signature
    thorough = LogVerifier(TrustedKeys(tmp_path), every_signature=True)
    for message in messages:
        thorough.add(message)
    assert thorough.reports()[0].problems == [f"#3 {events[2].id} (sequence 3): its signature is not valid for this node's keys"]

    # A forger who rewrites the chain's end (links and hashes right) cannot sign its last event.
    rewritten, prev = list(events[:3]), events[2].hash
    for sequence in range(4, 7):
        rewritten.append(sealed_event(forger, "hp", "scoring.submission_received", sequence, prev, {"n": 99}))
        prev = rewritten[-1].hash
    problems = verify(tmp_path / "again", key, [stored(i, e) for i, e in enumerate(rewritten, start=1)]).reports()[0].problems
    assert problems == [f"#6 {rewritten[5].id} (sequence 6), vouching for the run from #1 {events[0].id}: "
                        "its signature is not valid for this node's keys"]
