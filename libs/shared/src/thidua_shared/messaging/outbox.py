"""Reading a service's own events back from its outbox, which keeps every event it ever wrote.

For the rare reads that need an event as it was sealed (the same bytes the log holds): a round
handed away from a node is rebuilt from them; a certificate carries its award's leaf hash in the
centre's Merkle log, which is SHA-256(0x00 || these bytes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.events.catalog import Event, decode_event
from thidua_shared.messaging.tables import MessagingTables


async def own_events(session: AsyncSession, tables: MessagingTables, event_types: Sequence[str],
                     aggregate_id: str) -> list[tuple[bytes, Event[Any]]]:
    """(stored bytes, event) of this service's events of these types about one aggregate, in chain order.
    Streamed (the outbox may be long); only the events of these types are decoded."""
    outbox = tables.outbox
    query = select(outbox.c.data).where(outbox.c.event_type.in_(list(event_types))).order_by(outbox.c.position)
    found = []
    async for data in await session.stream_scalars(query.execution_options(yield_per=1000)):
        envelope = decode_event(data, None)
        if envelope.aggregate.id == aggregate_id:
            found.append((bytes(data), Event.of(envelope)))
    return found
