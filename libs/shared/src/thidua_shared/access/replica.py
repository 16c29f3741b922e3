"""Every service's copy of the access tokens and of the node keys, from the registry's events only.

A token is issued once and revoked at most once; as a replica that never goes back in
time, a revocation is never undone by a late copy of the issue. A node key registered by the
centre is written beside the configured keys (`TrustedKeys` reads both); only the centre's
registry chain is believed.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.db import dialect_insert
from thidua_shared.events.catalog import Event
from thidua_shared.events.registry import AccessTokenIssued, AccessTokenRevoked, NodeKeyRegistered
from thidua_shared.keys import public_key_from_raw, registered_key_path, write_public_key
from thidua_shared.messaging.consumer import ConsumerSpec
from thidua_shared.messaging.replica import Projection
from thidua_shared.messaging.tables import MessagingTables
from thidua_shared.topology import CENTRE_NODE

# The token events; the whole subscription (with node keys) is topology.TOKEN_EVENTS.
TOKEN_ONLY_EVENTS = (AccessTokenIssued.event_type, AccessTokenRevoked.event_type)
log = structlog.get_logger("thidua.access")


def token_replica_consumer(service: str, tables: MessagingTables, keys_dir: Path | None = None, centre: str = CENTRE_NODE) -> ConsumerSpec:
    """The durable consumer `<service>-tokens` on the registry's chains: tokens, and node keys into `keys_dir`."""
    tokens = tables.access_tokens

    async def apply(session: AsyncSession, events: list[Event[Any]]) -> None:
        issued = [e for e in events if isinstance(e.payload, AccessTokenIssued)]
        revoked = [e for e in events if isinstance(e.payload, AccessTokenRevoked)]
        if issued:
            statement = dialect_insert(session)(tokens)
            await session.execute(
                statement.on_conflict_do_nothing(index_elements=[tokens.c.id]),
                [
                    {
                        "id": e.payload.token_id, "token_hash": e.payload.token_hash, "holder_name": e.payload.holder_name,
                        "person_id": e.payload.person_id, "role": e.payload.role.value,
                        "scope_unit_id": e.payload.scope_unit_id, "issued_at": e.occurred_at,
                    }
                    for e in issued
                ],
            )
        for e in revoked:
            # A revocation carries what is needed to refuse the token even if its issue never arrived.
            statement = dialect_insert(session)(tokens).values(
                id=e.payload.token_id, token_hash=e.payload.token_hash, holder_name="", person_id=None,
                role="revoked", scope_unit_id=None, issued_at=e.occurred_at, revoked_at=e.occurred_at,
            )
            await session.execute(
                statement.on_conflict_do_update(index_elements=[tokens.c.id], set_={"revoked_at": e.occurred_at})
            )

    async def keep_keys(session: AsyncSession, events: list[Event[Any]]) -> None:
        for e in events:
            if e.envelope.node != centre:
                log.warning("node_key.ignored", node=e.payload.node, from_node=e.envelope.node, reason="only the centre registers keys")
                continue
            if keys_dir is not None:
                key = public_key_from_raw(base64.b64decode(e.payload.public_key))
                write_public_key(registered_key_path(keys_dir, e.payload.node, key), key)  # the same file again is harmless

    projection = Projection(kind="access_token", key=lambda e: e.payload.token_id, apply=apply)
    keys = Projection(kind="node_key", key=lambda e: f"{e.payload.node}:{e.payload.public_key}", apply=keep_keys)
    return ConsumerSpec(name=f"{service}-tokens", source="registry",
                        projections={**{t: projection for t in TOKEN_ONLY_EVENTS}, NodeKeyRegistered.event_type: keys})
