"""Unit of work: the state change and its events commit in one transaction.

Use cases never publish. They `record` events; on `commit` the events are
sealed (sequence, prev_hash, hash, signature) under the chain-head lock and
written to the outbox together with the state, then the relay is woken.

The unit of work carries the service's repository (`uow.repo`), made on the
same session: a use case loads, decides and saves through it, and never
touches SQL. Tests of use cases swap in a fake unit of work with in-memory
repositories (tests/fakes.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from types import TracebackType
from typing import Generic, Self, TypeVar
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.consistency import note_commit
from thidua_shared.db import Database, dialect_insert
from thidua_shared.errors import PayloadTooLarge
from thidua_shared.events.catalog import EventPayload
from thidua_shared.events.envelope import (
    GENESIS_HASH,
    Actor,
    AggregateRef,
    Envelope,
    at_moment,
    new_event_id,
    utc_now,
)
from thidua_shared.logging import current_correlation_id
from thidua_shared.messaging.tables import MessagingTables




@dataclass(frozen=True)
class EventSource:
    """Where this process's events come from, and the key that signs them."""

    node: str
    service: str
    key: Ed25519PrivateKey

    @property
    def chain(self) -> str:
        return f"{self.node}.{self.service}"


R = TypeVar("R")
T = TypeVar("T")
OFF_LOOP_SEALING = 200  # events per commit above which sealing runs in a worker thread
# The largest event body a use case may commit. NATS takes messages up to its max_payload (4 MB
# as thidua runs it); an event the relay could never publish would hold up every event after it
# in the chain, so it is refused here, before anything is written.
MAX_EVENT_BYTES = 2 * 1024 * 1024
SEAL_CHUNK = 2000  # events sealed and written at a time
RepositoryFactory = Callable[[AsyncSession], R]


@dataclass(frozen=True)
class PendingEvent:
    payload: EventPayload | Callable[[], EventPayload]  # a callable: made when sealed (bulk work)
    aggregate_id: str
    actor: Actor
    correlation_id: UUID
    causation_id: UUID | None


class UnitOfWork(Generic[R]):
    def __init__(
        self,
        db: Database,
        tables: MessagingTables,
        source: EventSource,
        repository: RepositoryFactory[R],
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._db, self._tables, self._source, self._on_commit = db, tables, source, on_commit
        self._repository = repository
        self._pending: list[PendingEvent] = []
        self.session: AsyncSession
        self.repo: R

    async def __aenter__(self) -> Self:
        await self._db.write_lock.acquire()
        # One moment for the whole change: the rows it writes and its events carry the same time.
        self._moment = at_moment()
        self._moment.__enter__()
        self.session = self._db.sessions()
        self.repo = self._repository(self.session)
        self._pending = []
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self.session.rollback()  # no-op after a commit
            await self.session.close()
        finally:
            self._moment.__exit__(None, None, None)
            self._db.write_lock.release()

    def record(
        self,
        payload: EventPayload | Callable[[], EventPayload],
        *,
        aggregate_id: str,
        actor: Actor,
        correlation_id: UUID | None = None,
        causation_id: UUID | None = None,
    ) -> None:
        correlation = (
            correlation_id
            or current_correlation_id.get()
            or (self._pending[0].correlation_id if self._pending else new_event_id())
        )
        self._pending.append(PendingEvent(payload, aggregate_id, actor, correlation, causation_id))

    def record_each(
        self, items: Iterable[T], payload: Callable[[T], EventPayload], aggregate_id: Callable[[T], str], *, actor: Actor
    ) -> None:
        """Record one event per item, each payload made only when it is sealed: a bulk import of
        35,000 units does not hold 35,000 payload models at once."""
        for item in items:
            self.record(partial(payload, item), aggregate_id=aggregate_id(item), actor=actor)  # type: ignore[arg-type]

    async def commit(self, progress: Callable[[int], None] | None = None) -> int:
        """Seal the recorded events into the outbox and commit them with the state; return how many.
        `progress` is told after each chunk of sealed events (a bulk import shows it)."""
        count = len(self._pending)
        last = await self._seal_into_outbox(self._pending, progress) if self._pending else None
        await self.session.commit()
        note_commit(self._source.chain, last)  # the request's answer carries it (read-your-writes)
        self._pending = []
        if count and self._on_commit:
            self._on_commit()
        return count

    async def _seal_into_outbox(self, pending: list[PendingEvent], progress: Callable[[int], None] | None) -> int:
        """Number, chain, hash and sign the events, chunk by chunk, and write them to the outbox.

        A bulk import seals tens of thousands of events: those chunks are sealed in a worker
        thread (the event loop keeps answering) and not kept in memory after they are written."""
        sequence, last_hash = await self._lock_chain_head()
        now = utc_now()
        for start in range(0, len(pending), SEAL_CHUNK):
            chunk = pending[start : start + SEAL_CHUNK]
            if len(pending) > OFF_LOOP_SEALING:
                sealed = await asyncio.to_thread(seal_events, chunk, self._source, sequence, last_hash, now)
            else:
                sealed = seal_events(chunk, self._source, sequence, last_hash, now)
            rows = [
                {
                    "position": env.sequence, "event_id": str(env.id), "event_type": env.type, "subject": env.subject,
                    "data": body, "hash": env.hash, "signature": env.signature, "created_at": now,
                }
                for env, body in sealed
            ]
            await self.session.execute(insert(self._tables.outbox), rows)
            sequence, last_hash = sealed[-1][0].sequence, sealed[-1][0].hash
            if progress:
                progress(len(chunk))
        await self.session.execute(
            update(self._tables.chain_head)
            .where(self._tables.chain_head.c.chain == self._source.chain)
            .values(last_sequence=sequence, last_hash=last_hash)
        )
        return sequence

    async def _lock_chain_head(self) -> tuple[int, str]:
        """Read and lock the head of this service's chain (created at genesis if absent).

        ON CONFLICT DO NOTHING makes two first writers agree on one genesis row;
        on PostgreSQL, FOR UPDATE then serialises writers of the same chain."""
        head = self._tables.chain_head
        await self.session.execute(
            dialect_insert(self.session)(head)
            .values(chain=self._source.chain, last_sequence=0, last_hash=GENESIS_HASH)
            .on_conflict_do_nothing(index_elements=[head.c.chain])
        )
        query = select(head.c.last_sequence, head.c.last_hash).where(head.c.chain == self._source.chain)
        if self._db.is_postgres:
            query = query.with_for_update()
        row = (await self.session.execute(query)).one()
        return int(row.last_sequence), str(row.last_hash)


def seal_events(
    pending: list[PendingEvent], source: EventSource, sequence: int, last_hash: str, now: datetime
) -> list[tuple[Envelope, bytes]]:
    """Number, chain, hash and sign the recorded events after (sequence, last_hash); return each with its body."""
    sealed: list[tuple[Envelope, bytes]] = []
    for item in pending:
        sequence += 1
        payload = item.payload if isinstance(item.payload, EventPayload) else item.payload()
        envelope, body = Envelope(
            id=new_event_id(),
            type=payload.event_type,
            version=payload.event_version,
            occurred_at=now,
            node=source.node,
            service=source.service,
            sequence=sequence,
            actor=item.actor,
            correlation_id=item.correlation_id,
            causation_id=item.causation_id,
            aggregate=AggregateRef(kind=payload.aggregate_kind, id=item.aggregate_id),
            payload=payload.model_dump(mode="json"),
            prev_hash=last_hash,
        ).sealed_with_body(source.key)
        if len(body) > MAX_EVENT_BYTES:
            raise PayloadTooLarge("event_too_large", type=payload.event_type, size=f"{len(body) / 2**20:.1f} MB",
                                  limit=f"{MAX_EVENT_BYTES // 2**20} MB")
        last_hash = envelope.hash
        sealed.append((envelope, body))
    return sealed
