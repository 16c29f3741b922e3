"""The outbox relay: publishes committed events in chain order and marks them published.

Each publish waits for the stream's acknowledgement and carries
`Nats-Msg-Id = event id`, so a relay that dies after publishing but before
marking republishes on restart and the stream drops the copy.

In a service the relay publishes through the FastStream broker that owns the
service's connection (`broker_publisher`); tests of the plumbing may hand it a
bare JetStream context (`jetstream_publisher`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from nats.errors import Error as NatsError
from faststream.nats import NatsBroker
from nats.js import JetStreamContext
from sqlalchemy import select, update

from thidua_shared.db import Database
from thidua_shared.events.envelope import HASH_HEADER, SIGNATURE_HEADER, utc_now
from thidua_shared.logging import get_logger
from thidua_shared.messaging.streams import EVENTS_STREAM
from thidua_shared.messaging.tables import MessagingTables

log = get_logger(__name__)

# Test hook: called after each acknowledged publish, before the batch is marked.
AfterPublish = Callable[[str], Awaitable[None]]
# Publishes one message to a stream and waits for its acknowledgement (raises on failure).
Publish = Callable[[str, bytes, dict[str, str], float], Awaitable[None]]


def jetstream_publisher(js: JetStreamContext, stream: str = EVENTS_STREAM) -> Publish:
    async def publish(subject: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
        await js.publish(subject, body, timeout=timeout, stream=stream, headers=headers)

    return publish


def broker_publisher(broker: NatsBroker, stream: str = EVENTS_STREAM) -> Publish:
    async def publish(subject: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
        await broker.publish(body, subject, headers=headers, stream=stream, timeout=timeout, correlation_id=headers["Nats-Msg-Id"])

    return publish


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        tables: MessagingTables,
        publish: Publish | JetStreamContext,
        *,
        batch_size: int = 500,
        idle_poll_seconds: float = 0.5,
        publish_timeout: float = 5.0,
        after_publish: AfterPublish | None = None,
    ) -> None:
        self._db, self._tables = db, tables
        self._publish_one = publish if callable(publish) else jetstream_publisher(publish)
        self._batch_size = batch_size
        self._idle_poll, self._publish_timeout = idle_poll_seconds, publish_timeout
        self._after_publish = after_publish
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        """Called by the unit of work after a commit, so events go out at once."""
        self._wake.set()

    def stop(self) -> None:
        """Ask `run` to return after the batch in hand: cancelling it inside a database call can hang."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        backoff = 0.2
        while not self._stopping:
            try:
                published = await self.publish_pending()
                backoff = 0.2
            except (NatsError, TimeoutError, OSError) as exc:
                log.warning("relay.publish_failed", error=str(exc), retry_in=backoff)
                await self._wait_for_work(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            if published == 0:
                await self._wait_for_work(self._idle_poll)

    async def _wait_for_work(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=timeout)
        except TimeoutError:
            pass
        if not self._stopping:
            self._wake.clear()

    async def publish_pending(self) -> int:
        """Publish every unpublished event, batch by batch; return how many went out."""
        total = 0
        while not self._stopping and (batch := await self._next_batch()):
            published: list[int] = []
            for row in batch:
                try:
                    await self._publish(row)
                except (NatsError, TimeoutError, OSError):
                    # Keep what the stream acknowledged; the rest goes out on the next round.
                    await self._mark_published(published)
                    raise
                published.append(row.position)
                if self._after_publish:
                    await self._after_publish(row.event_id)
            await self._mark_published(published)
            total += len(published)
        return total

    async def _next_batch(self) -> list[Any]:
        outbox = self._tables.outbox
        async with self._db.sessions() as session:
            result = await session.execute(
                select(outbox.c.position, outbox.c.event_id, outbox.c.subject, outbox.c.data, outbox.c.hash, outbox.c.signature)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.position)
                .limit(self._batch_size)
            )
            return list(result.all())

    async def _publish(self, row: Any) -> None:
        headers = {"Nats-Msg-Id": row.event_id, HASH_HEADER: row.hash, SIGNATURE_HEADER: row.signature}
        await self._publish_one(row.subject, row.data, headers, self._publish_timeout)

    async def _mark_published(self, positions: list[int]) -> None:
        if not positions:
            return
        outbox = self._tables.outbox
        async with self._db.write_lock, self._db.sessions() as session:
            await session.execute(
                update(outbox).where(outbox.c.position.in_(positions)).values(published_at=utc_now())
            )
            await session.commit()
