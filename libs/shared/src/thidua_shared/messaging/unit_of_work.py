"""Unit of work: the state change and its events commit in one transaction.

Use cases never publish. They `record` events; on `commit` the events are
sealed (sequence, prev_hash, hash, signature) under the chain-head lock and
written to the outbox together with the state, then the relay is woken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.db import Database, dialect_insert
from thidua_shared.events.catalog import EventPayload
from thidua_shared.events.envelope import (
    GENESIS_HASH,
    Actor,
    AggregateRef,
    Envelope,
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


@dataclass(frozen=True)
class PendingEvent:
    payload: EventPayload
    aggregate_id: str
    actor: Actor
    correlation_id: UUID
    causation_id: UUID | None


class UnitOfWork:
    def __init__(
        self,
        db: Database,
        tables: MessagingTables,
        source: EventSource,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._db, self._tables, self._source, self._on_commit = db, tables, source, on_commit
        self._pending: list[PendingEvent] = []
        self.committed: list[Envelope] = []
        self.session: AsyncSession

    async def __aenter__(self) -> Self:
        await self._db.write_lock.acquire()
        self.session = self._db.sessions()
        self._pending = []
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self.session.rollback()  # no-op after a commit
            await self.session.close()
        finally:
            self._db.write_lock.release()

    def record(
        self,
        payload: EventPayload,
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

    async def commit(self) -> list[Envelope]:
        if self._pending:
            self.committed = await self._seal_into_outbox(self._pending)
        await self.session.commit()
        self._pending = []
        if self.committed and self._on_commit:
            self._on_commit()
        return self.committed

    async def _seal_into_outbox(self, pending: list[PendingEvent]) -> list[Envelope]:
        sequence, last_hash = await self._lock_chain_head()
        sealed: list[Envelope] = []
        now = utc_now()
        for item in pending:
            sequence += 1
            envelope = Envelope(
                id=new_event_id(),
                type=item.payload.event_type,
                version=item.payload.event_version,
                occurred_at=now,
                node=self._source.node,
                service=self._source.service,
                sequence=sequence,
                actor=item.actor,
                correlation_id=item.correlation_id,
                causation_id=item.causation_id,
                aggregate=AggregateRef(kind=item.payload.aggregate_kind, id=item.aggregate_id),
                payload=item.payload.model_dump(mode="json"),
                prev_hash=last_hash,
            ).sealed(self._source.key)
            last_hash = envelope.hash
            sealed.append(envelope)
        await self.session.execute(
            insert(self._tables.outbox),
            [
                {
                    "position": env.sequence,
                    "event_id": str(env.id),
                    "event_type": env.type,
                    "subject": env.subject,
                    "data": env.to_bytes(),
                    "created_at": now,
                }
                for env in sealed
            ],
        )
        await self.session.execute(
            update(self._tables.chain_head)
            .where(self._tables.chain_head.c.chain == self._source.chain)
            .values(last_sequence=sequence, last_hash=last_hash)
        )
        return sealed

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
