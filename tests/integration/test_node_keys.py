"""Node keys travel as events signed by the centre: a province's key registered at the centre is
trusted by every service; after a rotation, events signed with the earlier key still verify."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from thidua_shared.keys import TrustedKeys
from thidua_shared.messaging.verification import EventVerifier, Received

from tests.integration.conftest import System
from tests.support import eventually, sealed_event


def pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def signed_by(key: Ed25519PrivateKey, sequence: int = 1) -> Received[str]:
    envelope = sealed_event(key, "hp", "scoring.submission_received", sequence, aggregate_kind="submission")
    return Received.of("m", envelope.subject, envelope.content_bytes(), envelope)


async def test_a_province_key_registered_at_the_centre_is_trusted_everywhere_and_survives_rotation(system: System) -> None:
    keys_dir = system.registry.settings.trusted_keys_dir
    first, second, stranger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    verifier = EventVerifier(TrustedKeys(keys_dir))
    assert verifier.verify([signed_by(first)]).accepted == []  # not trusted before the centre says so

    registered = await system.registry.post("/nodes/hp/keys", {"public_key_pem": pem(first), "reason": "Nút Hải Phòng"})
    assert registered.status_code == 201, registered.text

    async def campaigns_trusts(count: int) -> bool:
        await system.registry.events()  # published by the registry's relay
        return len(TrustedKeys(keys_dir).keys_for("hp")) == count
    await eventually(lambda: campaigns_trusts(1), message="the campaigns service to keep hp's key")  # written by its token replica
    old = signed_by(first)
    assert EventVerifier(TrustedKeys(keys_dir)).verify([old]).accepted == [old]

    rotated = await system.registry.post("/nodes/hp/keys", {"public_key_pem": pem(second), "reason": "Thay khóa định kỳ"})
    assert rotated.status_code == 201, rotated.text
    await eventually(lambda: campaigns_trusts(2), message="the rotated key to arrive")
    check = EventVerifier(TrustedKeys(keys_dir))
    new, forged = signed_by(second, 2), signed_by(stranger, 3)
    verdict = check.verify([old, new, forged])
    assert verdict.accepted == [old, new]  # signed before and after the rotation
    assert [item for item, _ in verdict.rejected] == [forged]

    events = [e for e in await system.registry.events() if e.type == "registry.node_key_registered"]
    assert [e.payload["node"] for e in events] == ["hp", "hp"] and all(e.node == "vn" for e in events)


async def test_a_key_that_is_not_ed25519_is_refused_with_a_reason(system: System) -> None:
    response = await system.registry.post("/nodes/hp/keys", {"public_key_pem": "-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----",
                                                               "reason": "thử"}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Ed25519" in response.json()["message_en"] and "Ed25519" in response.json()["message_vi"]
    bad_node = await system.registry.post("/nodes/HP!/keys", {"public_key_pem": pem(Ed25519PrivateKey.generate()), "reason": "thử"})
    assert bad_node.status_code == 422
