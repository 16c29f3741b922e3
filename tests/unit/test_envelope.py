"""The envelope: canonical encoding, hash chain and signatures catch tampering."""

from __future__ import annotations

import hashlib

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from thidua_shared.events import GENESIS_HASH, Actor, AggregateRef, Envelope, canonical_json, new_event_id
from thidua_shared.events.all import load_all
from thidua_shared.events.catalog import CATALOG, json_schemas, parse_payload
from thidua_shared.events.envelope import verify_chain
from thidua_shared.events.registry import UnitKind, UnitRegistered, UnitSnapshot, UnitStatus
from thidua_shared.roles import Role

KEY = Ed25519PrivateKey.generate()
ACTOR = Actor(id="p-1", role=Role.NATIONAL_ADMIN, name="Đỗ Bích Hường")


def unit_payload(code: str) -> dict:
    snapshot = UnitSnapshot(
        id=f"id-{code}", code=code, name="Liên minh HTX thành phố Đà Nẵng", kind=UnitKind.PROVINCIAL_ALLIANCE,
        parent_id="id-VCA", province_code="48", status=UnitStatus.ACTIVE,
    )
    return UnitRegistered(unit=snapshot).model_dump(mode="json")


def make_chain(length: int) -> list[Envelope]:
    chain, prev = [], GENESIS_HASH
    for sequence in range(1, length + 1):
        env = Envelope(
            id=new_event_id(), type="registry.unit_registered", version=1,
            occurred_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), node="vn", service="registry",
            sequence=sequence, actor=ACTOR, correlation_id=new_event_id(),
            aggregate=AggregateRef(kind="unit", id=f"u{sequence}"), payload=unit_payload(f"LM-{sequence}"), prev_hash=prev,
        ).sealed(KEY)
        chain.append(env)
        prev = env.hash
    return chain


def test_canonical_json_is_independent_of_key_order_and_keeps_vietnamese() -> None:
    assert canonical_json({"b": 1, "a": "Hải Phòng"}) == canonical_json({"a": "Hải Phòng", "b": 1})
    assert "Hải Phòng".encode() in canonical_json({"a": "Hải Phòng"})


def test_round_trip_keeps_hash_and_signature_valid() -> None:
    env = make_chain(1)[0]
    body, headers = env.to_message()
    again = Envelope.from_message(body, headers)
    assert again == env and headers["Nats-Msg-Id"] == str(env.id)
    assert hashlib.sha256(body).hexdigest() == env.hash  # the body is exactly what was hashed
    assert again.hash_is_valid()
    assert again.signature_is_valid(KEY.public_key())
    assert env.subject == "thidua.events.vn.registry.unit_registered"


def test_intact_chain_verifies() -> None:
    assert verify_chain(make_chain(5), KEY.public_key()) == []


def test_altered_payload_is_detected() -> None:
    chain = make_chain(3)
    forged = chain[1].model_copy(update={"payload": unit_payload("FORGED")})
    problems = verify_chain([chain[0], forged, chain[2]], KEY.public_key())
    assert any("hash does not match" in p for p in problems)


def test_altered_and_rehashed_event_breaks_signature_and_next_link() -> None:
    chain = make_chain(3)
    other_key = Ed25519PrivateKey.generate()
    forged = chain[1].model_copy(update={"payload": unit_payload("FORGED")}).sealed(other_key)
    problems = verify_chain([chain[0], forged, chain[2]], KEY.public_key())
    assert any("signature" in p for p in problems)
    assert any("prev_hash" in p for p in problems)


def test_dropped_event_is_detected() -> None:
    chain = make_chain(4)
    problems = verify_chain([chain[0], chain[1], chain[3]])
    assert any("sequence 4, expected 3" in p for p in problems)


def test_reordered_events_are_detected() -> None:
    chain = make_chain(3)
    assert verify_chain([chain[0], chain[2], chain[1]]) != []


def test_occurred_at_must_carry_a_time_zone() -> None:
    with pytest.raises(ValueError):
        Envelope(
            id=new_event_id(), type="registry.unit_registered", version=1, occurred_at=datetime(2026, 1, 1),
            node="vn", service="registry", sequence=1, actor=ACTOR, correlation_id=new_event_id(),
            aggregate=AggregateRef(kind="unit", id="x"), payload={}, prev_hash=GENESIS_HASH,
        )


def test_catalog_parses_payloads_and_exports_a_schema_per_event() -> None:
    load_all()
    payload = parse_payload("registry.unit_registered", 1, unit_payload("LM-1"))
    assert isinstance(payload, UnitRegistered)
    schemas = json_schemas()
    assert set(schemas) == {f"{t}.v{v}" for t, v in CATALOG}
    schema = schemas["registry.unit_registered.v1"]
    assert schema["properties"]["type"]["const"] == "registry.unit_registered"
    assert {"node", "actor", "correlation_id", "causation_id", "prev_hash", "hash", "signature"} <= set(schema["properties"])
