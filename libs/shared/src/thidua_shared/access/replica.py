"""Every service's copy of the access tokens, from the registry's events only.

A token is issued once and revoked at most once; as a replica that never goes back in
time, a revocation is never undone by a late copy of the issue.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.db import dialect_insert
from thidua_shared.events.catalog import Event
from thidua_shared.events.registry import AccessTokenIssued, AccessTokenRevoked
from thidua_shared.messaging.consumer import ConsumerSpec
from thidua_shared.messaging.replica import Projection
from thidua_shared.messaging.tables import MessagingTables

TOKEN_EVENTS = (AccessTokenIssued.event_type, AccessTokenRevoked.event_type)


def token_replica_consumer(service: str, tables: MessagingTables) -> ConsumerSpec:
    """The durable consumer `<service>-tokens` on the registry's chains."""
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

    projection = Projection(kind="access_token", key=lambda e: e.payload.token_id, apply=apply)
    return ConsumerSpec(name=f"{service}-tokens", source="registry", projections={t: projection for t in TOKEN_EVENTS})
