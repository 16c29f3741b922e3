"""Nobody can forge an event: NATS refuses strangers and foreign subjects, consumers refuse bad seals.

The finding this answers: a copy of `registry.access_token_issued` with a chosen token hash,
published by anyone, made that token a national admin on the campaigns service.
"""

from __future__ import annotations

import asyncio
from urllib.parse import unquote

import nats
import nats.errors
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from thidua_shared.access.tokens import hash_token, new_token
from thidua_shared.events.envelope import HASH_HEADER, SIGNATURE_HEADER, Envelope, new_event_id
from thidua_shared.messaging.streams import DEADLETTER_STREAM, EVENTS_STREAM

from tests.conftest import SecuredNats
from tests.integration.conftest import System
from tests.support import eventually

TOKEN_SUBJECT = "thidua.events.vn.registry.access_token_issued"


async def genuine_token_event(system: System) -> Envelope:
    """A real `access_token_issued` from the registry, the template an attacker would copy."""
    await system.token("auditor", None, holder="Kiểm tra viên thật")
    return next(e for e in reversed(await system.registry.events()) if e.type == "registry.access_token_issued")


def forged_copy(template: Envelope, token_hash: str, **changes: object) -> Envelope:
    """The template with a chosen token hash and national-admin role, a fresh id, and the old seal."""
    payload = template.payload | {"token_hash": token_hash, "role": "national_admin", "holder_name": "Kẻ giả mạo"}
    return template.model_copy(update={"id": new_event_id(), "payload": payload, **changes})


async def publish_raw(nc: nats.NATS, subject: str, envelope: Envelope, hash_: str, signature: str) -> None:
    body = envelope.content_bytes()
    headers = {"Nats-Msg-Id": str(envelope.id), HASH_HEADER: hash_, SIGNATURE_HEADER: signature}
    await nc.jetstream().publish(subject, body, headers=headers, stream=EVENTS_STREAM, timeout=2)


async def dead_letter_reasons(secured: SecuredNats, count: int) -> list[str]:
    tools = await secured.connect("cli")
    js = tools.jetstream()

    async def enough() -> bool:
        return (await js.stream_info(DEADLETTER_STREAM)).state.messages >= count

    await eventually(enough, message=f"{count} dead letters")
    info = await js.stream_info(DEADLETTER_STREAM)
    letters = [await js.get_msg(DEADLETTER_STREAM, seq) for seq in range(info.state.first_seq, info.state.last_seq + 1)]
    await tools.close()
    return [unquote(letter.headers["Thidua-Error"]) for letter in letters]


async def token_rows(system: System, token_hash: str) -> int:
    from thidua_campaigns.adapters.tables import messaging

    runtime = system.campaigns_app.state.runtime  # type: ignore[attr-defined]
    async with runtime.db.sessions() as session:
        tokens = messaging.access_tokens
        return int(await session.scalar(select(func.count()).select_from(tokens).where(tokens.c.token_hash == token_hash)) or 0)


async def test_a_connection_without_credentials_is_refused(secured_nats: SecuredNats):
    with pytest.raises((nats.errors.Error, OSError)):
        await nats.connect(secured_nats.url, allow_reconnect=False, max_reconnect_attempts=0, connect_timeout=2)


async def test_a_service_may_publish_only_on_its_own_subjects(system: System):
    """The campaigns service's credentials cannot publish a registry event (the original attack), nor the tools' any."""
    template = await genuine_token_event(system)
    token = new_token()
    secured = system.registry.nats
    for identity in ("campaigns", "cli"):
        nc = await secured.connect(identity)
        with pytest.raises((nats.errors.Error, asyncio.TimeoutError)):
            await publish_raw(nc, TOKEN_SUBJECT, forged_copy(template, hash_token(token)), template.hash, template.signature)
        await nc.close()
    tools = await secured.connect("cli")
    stored = (await tools.jetstream().stream_info(EVENTS_STREAM, subjects_filter=TOKEN_SUBJECT)).state.subjects or {}
    await tools.close()
    assert stored.get(TOKEN_SUBJECT) == 2  # the bootstrap token and the auditor's: nothing else got in
    assert (await system.campaigns.get("/campaigns", headers=system.auth(token))).status_code == 401


async def test_forged_events_are_dead_lettered_with_the_reason_and_nothing_is_written(system: System):
    """With the registry's own credentials stolen, forged events still reach nobody's state."""
    template = await genuine_token_event(system)
    secured = system.registry.nats
    thief = await secured.connect("registry")
    tokens = {name: new_token() for name in ("edited", "wrong_key", "foreign_node")}

    # 1. An edited payload under the genuine seal.
    edited = forged_copy(template, hash_token(tokens["edited"]))
    await publish_raw(thief, TOKEN_SUBJECT, edited, template.hash, template.signature)
    # 2. A new event, correctly hashed, signed with a key the campaigns service does not trust for node vn.
    wrong = forged_copy(template, hash_token(tokens["wrong_key"])).sealed(Ed25519PrivateKey.generate())
    await publish_raw(thief, TOKEN_SUBJECT, wrong, wrong.hash, wrong.signature)
    # 3. An event naming another node, slipped onto a vn subject (the registry may only publish under vn).
    foreign = forged_copy(template, hash_token(tokens["foreign_node"]), node="xx").sealed(Ed25519PrivateKey.generate())
    await publish_raw(thief, TOKEN_SUBJECT, foreign, foreign.hash, foreign.signature)
    await thief.close()

    # Both of the campaigns service's consumers read the registry's chains: each dead-letters all three.
    reasons = await dead_letter_reasons(secured, 6)
    assert sum("hash does not match" in r for r in reasons) == 2, reasons
    assert sum("signature does not verify with node vn" in r for r in reasons) == 2, reasons
    assert sum("subject does not match" in r for r in reasons) == 2, reasons
    for token in tokens.values():
        assert await token_rows(system, hash_token(token)) == 0
        assert (await system.campaigns.get("/campaigns", headers=system.auth(token))).status_code == 401
    assert await inbox_ids(system) & {str(edited.id), str(wrong.id), str(foreign.id)} == set()
    # The consumer goes on: a token genuinely issued after the forgeries works.
    later = await system.token("auditor", None, holder="Cấp sau vụ giả mạo")
    assert (await system.campaigns.get("/campaigns", headers=system.auth(later))).status_code == 200


async def inbox_ids(system: System) -> set[str]:
    from thidua_campaigns.adapters.tables import messaging

    runtime = system.campaigns_app.state.runtime  # type: ignore[attr-defined]
    async with runtime.db.sessions() as session:
        return set(await session.scalars(select(messaging.inbox.c.event_id)))


async def test_a_genuine_event_on_another_subject_is_refused(system: System):
    """Subject permissions decide who may publish what; the consumer ties the content to the subject it came on."""
    template = await genuine_token_event(system)
    thief = await system.registry.nats.connect("registry")
    moved = template.model_copy(update={"id": new_event_id()}).sealed(_node_key(system))
    await publish_raw(thief, "thidua.events.vn.registry.unit_registered", moved, moved.hash, moved.signature)
    await thief.close()
    reasons = await dead_letter_reasons(system.registry.nats, 1)
    assert any("subject" in r for r in reasons), reasons


def _node_key(system: System) -> Ed25519PrivateKey:
    from thidua_shared.keys import load_private_key, private_key_path

    return load_private_key(private_key_path(system.registry.settings.keys_dir, "vn"))
