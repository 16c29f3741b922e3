"""A service's state rebuilt from the log alone, into a fresh SQLite database (`thidua audit replay`).

Every event of the node's log is read once, in the log's order, verified as a consumer verifies it
(hash, subject, signature of the node named in it), and applied by:
- the service's own consumers, exactly as they run live (the same `ConsumerSpec`s, the same inbox
  claims, the same projections that never go back in time);
- the service's `own_events` writer for the node's own chain of that service: what its use cases
  wrote when they recorded those events (`service_layer/own_events.py` of each service). Every own
  event is also put back in the outbox, and the chain head set, as the unit of work wrote them.

Own rows are stamped with each event's own time (`stamped`), as the unit of work stamped them. An
event a consumer refuses (the live one dead-lettered it) is refused here too, and counted with
its reason; a batch is applied in one transaction and, should one event fail, event by event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.db import Database
from thidua_shared.events.catalog import Event, UnknownEventType, decode_event
from thidua_shared.events.envelope import at_moment
from thidua_shared.messaging.consumer import BatchHandler, ConsumerSpec, Handler, RejectEvent, apply_events, claim
from thidua_shared.messaging.tables import MessagingTables
from thidua_shared.messaging.verification import EventVerifier, Received

R = TypeVar("R")

# What the outbox and the inbox hold beside the events: delivery times, in no event.
DELIVERY_TIMES = {
    "outbox.published_at": "lúc bộ chuyển tiếp gửi sự kiện đi / when the relay published the event",
    "inbox.processed_at": "lúc bộ tiêu thụ xử lý sự kiện / when the consumer applied the event",
}


@dataclass(frozen=True)
class ReplaySpec:
    """How one service is rebuilt from the log, and what of its tables the log cannot hold."""

    service: str
    tables: MessagingTables
    consumers: Sequence[ConsumerSpec]  # as the live service runs them (`ServiceRuntime.all_consumers`)
    own_events: ConsumerSpec  # writes this node's own events of the service into its tables
    # Event types of the service that write none of its tables (what they change lives elsewhere), with why.
    writes_no_table: dict[str, str] = field(default_factory=dict)
    # "table" or "table.column" the log cannot hold, with why (bilingual): not compared, and said so.
    not_in_log: dict[str, str] = field(default_factory=dict)
    # Rows of a table the log can hold (the rest is named in `not_in_log` under the table's name).
    comparable_rows: dict[str, Callable[[MetaData], Any]] = field(default_factory=dict)

    @property
    def metadata(self) -> MetaData:
        return self.tables.outbox.metadata

    @property
    def skipped(self) -> dict[str, str]:
        return {**DELIVERY_TIMES, **self.not_in_log}


@dataclass
class Refusal:
    event_id: str
    event_type: str
    chain: str
    reason: str


@dataclass
class _Batch:
    """What one batch of the log writes: (writer, event) in the log's order, and the own events' outbox rows,
    each with the index of the work it comes before."""

    work: list[tuple[ConsumerSpec, Event[Any]]] = field(default_factory=list)
    outbox: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    flushed: int = 0  # outbox rows written so far

    async def flush(self, session: AsyncSession, outbox: Any, before: int) -> None:
        """Write the outbox rows of the own events up to work index `before` (one statement)."""
        end = self.flushed
        while end < len(self.outbox) and self.outbox[end][0] <= before:
            end += 1
        if end > self.flushed:
            # The log's own bytes copied back, thousands a batch: straight to the driver (SQLite), which
            # halves the replay's cost of them; the comparison reads them back through the table's types.
            connection = await session.connection()
            await connection.exec_driver_sql(OUTBOX_INSERT, [row for _, row in self.outbox[self.flushed : end]])
            self.flushed = end


OUTBOX_COLUMNS = ("position", "event_id", "event_type", "subject", "data", "hash", "signature", "created_at")
OUTBOX_INSERT = f"INSERT INTO outbox ({', '.join(OUTBOX_COLUMNS)}) VALUES ({', '.join('?' for _ in OUTBOX_COLUMNS)})"


def _outbox_row(envelope: Any, subject: str, body: bytes) -> tuple[Any, ...]:
    # `subject`: where it was stored, which the verifier found to be the one the event names. The time as
    # SQLAlchemy keeps a DateTime in SQLite (UTC, without its zone).
    return (envelope.sequence, str(envelope.id), envelope.type, subject, body, envelope.hash, envelope.signature,
            envelope.occurred_at.strftime("%Y-%m-%d %H:%M:%S.%f"))


@dataclass
class Replayer:
    """Feeds the log, batch by batch, into a fresh database built from the service's tables."""

    spec: ReplaySpec
    node: str
    db: Database
    verifier: EventVerifier
    read: int = 0
    applied: int = 0  # events some writer of this service handled
    rejected: list[Refusal] = field(default_factory=list)  # failed verification: never applied (dead letters live)
    refused: list[Refusal] = field(default_factory=list)  # a writer refused it (dead letters live)
    _head: tuple[int, str] | None = field(default=None, init=False)
    _writers_of: dict[tuple[str, str, bool], list[ConsumerSpec]] = field(default_factory=dict, init=False)

    @property
    def own_chain(self) -> str:
        return f"{self.node}.{self.spec.service}"

    async def create_tables(self) -> None:
        async with self.db.engine.begin() as connection:
            await connection.run_sync(self.spec.metadata.create_all)

    def prepare(self, stored: Sequence[tuple[str, bytes, dict[str, str]]]) -> "_Batch":
        """Decode, verify and sort out one batch of the log as stored, (subject, body, headers) each, in the
        log's order (no I/O: the next batch is prepared while one is written)."""
        self.read += len(stored)
        received = []
        for subject, body, headers in stored:
            try:
                envelope = decode_event(body, headers)
            except ValueError as exc:
                self.rejected.append(Refusal("?", "?", subject, f"không phải một sự kiện / malformed envelope: {exc}"))
                continue
            received.append(Received.of(body, subject, body, envelope))
        verdict = self.verifier.verify(received)
        for item, reason in verdict.rejected:
            self.rejected.append(self._refusal(item.envelope, reason))
        return self._batch(verdict.accepted)

    async def write(self, batch: "_Batch") -> None:
        if batch.work or batch.outbox:
            await self._apply(batch)

    def _batch(self, accepted: list[Received[bytes]]) -> "_Batch":
        batch = _Batch()
        for item in accepted:
            envelope = item.envelope
            own = envelope.chain == self.own_chain
            writers = self._writers(envelope.service, envelope.type, own)
            if not writers and not own:
                continue
            try:
                event = Event.of(envelope)
            except (UnknownEventType, ValidationError) as exc:
                self.refused.append(self._refusal(envelope, f"nội dung không đúng danh mục / payload not in the catalog: {exc}"))
                continue
            if own:  # every own event goes back in the outbox, as the unit of work wrote it
                batch.outbox.append((len(batch.work), _outbox_row(envelope, item.subject, item.handle)))
                self._head = (envelope.sequence, envelope.hash)
            batch.work.extend((writer, event) for writer in writers)
        return batch

    def _writers(self, service: str, event_type: str, own: bool) -> list[ConsumerSpec]:
        """Who writes an event of this kind here: the consumers that handle it, and the own-event writer."""
        key = (service, event_type, own)
        if key not in self._writers_of:
            writers = [s for s in self.spec.consumers if s.source == service and s.handles(event_type)]
            if own and self.spec.own_events.handles(event_type):
                writers.append(self.spec.own_events)
            self._writers_of[key] = writers
        return self._writers_of[key]

    async def _apply(self, batch: "_Batch") -> None:
        try:
            async with self.db.sessions() as session, session.begin():
                await self._write(session, batch, range(len(batch.work)))
        except Exception:  # noqa: BLE001 - as a live consumer does: each event alone, to find the one refused
            batch.flushed = 0
            applied = [index for index in range(len(batch.work)) if await self._apply_alone(batch, index)]
            await self._apply_alone(batch, None)
            self.applied += len({batch.work[index][1].id for index in applied})
            return
        self.applied += len({e.id for _, e in batch.work})

    async def _apply_alone(self, batch: "_Batch", index: int | None) -> bool:
        """Item `index` of the batch in a transaction of its own (None: only the outbox rows left); False if refused."""
        indexes, flushed = range(0) if index is None else range(index, index + 1), batch.flushed
        try:
            async with self.db.sessions() as session, session.begin():
                await self._write(session, batch, indexes)
        except Exception as exc:  # noqa: BLE001 - live: dead-lettered at once (RejectEvent), or after retries
            batch.flushed = flushed  # rolled back with the event: written with the next one
            if index is None:
                raise
            reason = str(exc) if isinstance(exc, RejectEvent) else repr(exc)
            self.refused.append(self._refusal(batch.work[index][1].envelope, reason))
            return False
        return True

    async def _write(self, session: AsyncSession, batch: "_Batch", indexes: range) -> None:
        work, own_writer = batch.work, self.spec.own_events
        # Inbox claims first, per consumer, as each live consumer claims its batch.
        items = [(i, *work[i]) for i in indexes]
        for spec in {id(w): w for _, w, _ in items if w is not own_writer}.values():
            await claim(session, self.spec.tables, spec.name, [e for _, w, e in items if w is spec])
        for _, run in groupby(items, key=lambda item: id(item[1])):
            run = list(run)
            start, writer = run[0][0], run[0][1]
            if writer is not own_writer:  # a consumer may read what the service wrote before it (its outbox)
                await batch.flush(session, self.spec.tables.outbox, start)
            await apply_events(session, writer, self.spec.tables, [e for _, _, e in run])
        await batch.flush(session, self.spec.tables.outbox, indexes.stop if indexes else len(work))

    async def finish(self) -> None:
        """The chain head, as the unit of work leaves it after the last own event."""
        if self._head is None:
            return
        head = self.spec.tables.chain_head
        async with self.db.sessions() as session, session.begin():
            await session.execute(head.insert().values(chain=self.own_chain, last_sequence=self._head[0], last_hash=self._head[1]))

    def _refusal(self, envelope: Any, reason: str) -> Refusal:
        return Refusal(str(envelope.id), envelope.type, envelope.chain, reason)


def stamped(handler: Handler) -> Handler:
    """An own-event writer that stamps what it writes with the event's time, as the unit of work did."""
    async def write(session: AsyncSession, event: Event[Any]) -> None:
        with at_moment(event.occurred_at):
            await handler(session, event)
    return write


def stamped_runs(handler: BatchHandler) -> BatchHandler:
    """The same for a writer of runs (a bulk import's events): one call per moment in the run."""
    async def write(session: AsyncSession, events: list[Event[Any]]) -> None:
        for moment, run in groupby(events, key=lambda e: e.occurred_at):
            with at_moment(moment):
                await handler(session, list(run))
    return write


def own_event_writers(service: str, repository: Callable[[Any], R], writers: Mapping[str, Callable[[R, Event[Any]], Awaitable[None]]]) -> ConsumerSpec:
    """A service's writers of its own events as a replay applies them: each given the service's repository
    on the replay's session, each stamping what it writes with its event's time."""
    def handler(write: Callable[[R, Event[Any]], Awaitable[None]]) -> Handler:
        async def handle(session: AsyncSession, event: Event[Any]) -> None:
            await write(repository(session), event)
        return stamped(handle)
    return ConsumerSpec(name=f"{service}-own-events", source=service, handlers={t: handler(w) for t, w in writers.items()})
