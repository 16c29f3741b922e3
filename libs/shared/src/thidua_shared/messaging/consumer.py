"""The idempotent consumer: verified events, effects and the inbox record commit in one transaction.

Messages come from a durable pull consumer with explicit acks: `PullLoop` fetches up
to `batch_size` messages (a fetch returns as soon as any are there) and the consumer
handles them as one batch:

1. decode: a body that is not an envelope is dead-lettered;
2. verify: hash, subject and signature against the trusted key of the node the event
   names (`verification.py`); a forged or damaged event is dead-lettered with the
   reason and nothing of it is written, not even its id in the inbox;
3. type: the payload is parsed into its catalog model; handlers get typed `Event`s;
4. apply: one transaction claims the event ids in `inbox` (`INSERT ... ON CONFLICT DO
   NOTHING RETURNING`) and applies only those claimed for the first time; replicas
   (`Projection`s) apply only events newer than what they hold (`replica.py`);
5. ack, after commit. A lost ack means redelivery, which the inbox skips.

If the batch transaction fails, each message is retried alone so that one poison
message cannot hold back the others; after `max_attempts` deliveries it goes to the
dead-letter subject with the error and is terminated: visible there, never lost.

The loop is nats-py's pull API, not a FastStream subscriber: in FastStream 0.7.8 the
batch subscriber strands messages under a trickle until ack_wait expires, and the
per-message one costs about 0.45 ms a message (bench/faststream_pull.py;
ag2ai/faststream#2219). FastStream's broker owns the connection it runs on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from itertools import groupby
from string import printable
from typing import Any
from urllib.parse import quote

from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy as JsAckPolicy
from nats.js.api import ConsumerConfig, DeliverPolicy
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.consistency import AppliedPositions
from thidua_shared.db import Database, dialect_insert
from thidua_shared.events.catalog import Event, UnknownEventType, decode_event
from thidua_shared.events.envelope import HASH_HEADER, SIGNATURE_HEADER, SUBJECT_PREFIX, Envelope, utc_now
from thidua_shared.logging import bound_to_event, get_logger
from thidua_shared.messaging.replica import Projection, apply_newer
from thidua_shared.messaging.streams import DEADLETTER_PREFIX, DEADLETTER_STREAM, EVENTS_STREAM
from thidua_shared.messaging.tables import MessagingTables
from thidua_shared.messaging.verification import EventVerifier, Received

log = get_logger(__name__)

Handler = Callable[[AsyncSession, Event[Any]], Awaitable[None]]
BatchHandler = Callable[[AsyncSession, list[Event[Any]]], Awaitable[None]]
ERROR_SAFE_CHARS = "".join(c for c in printable if c not in "%\r\n\t\x0b\x0c")


class RejectEvent(Exception):
    """Raised by a handler for an event that can never be processed: dead-lettered at once."""


@dataclass(frozen=True)
class ConsumerSpec:
    """A durable consumer of one service's events, from every node (`thidua.events.*.<source>.>`).

    It reads whole chains, so that the verifier can let one signature vouch for a run of
    events. `handlers` take one event, `batch_handlers` a run of consecutive events of one
    type, `projections` keep a read replica that never goes back in time."""

    name: str
    source: str
    handlers: dict[str, Handler] = field(default_factory=dict)
    batch_handlers: dict[str, BatchHandler] = field(default_factory=dict)
    projections: dict[str, Projection] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        return f"{SUBJECT_PREFIX}.*.{self.source}.>"

    def handles(self, event_type: str) -> bool:
        return event_type in self.handlers or event_type in self.batch_handlers or event_type in self.projections


@dataclass
class _Item:
    msg: Msg
    envelope: Envelope
    event: Event[Any] | None = None  # typed, for events this consumer handles


@dataclass
class IdempotentConsumer:
    spec: ConsumerSpec
    db: Database
    tables: MessagingTables
    js: JetStreamContext
    node: str
    verifier: EventVerifier
    max_attempts: int = 5
    retry_delay_seconds: float = 0.5
    positions: AppliedPositions | None = None  # told how far each chain is applied (read-your-writes)
    processed: int = field(default=0, init=False)
    dead_lettered: int = field(default=0, init=False)
    _retrying: set[str] = field(default_factory=set, init=False)  # event ids of this batch that come again

    @property
    def name(self) -> str:
        return self.spec.name

    async def process(self, messages: list[Msg]) -> None:
        received, malformed = _decode(messages)
        self._retrying = set()
        try:
            await self._process(received, malformed)
        finally:
            self._tell_positions(received)

    def _tell_positions(self, received: list[Received[Msg]]) -> None:
        """Each chain's position once everything of it up to there is finished (a message that comes
        again holds its chain back at the event before it)."""
        if self.positions is None:
            return
        finished: dict[str, int] = {}
        held_back: set[str] = set()
        for item in received:
            chain = f"{item.envelope.node}.{item.envelope.service}"
            if chain in held_back:
                continue
            if str(item.envelope.id) in self._retrying:
                held_back.add(chain)
                continue
            finished[chain] = max(item.envelope.sequence, finished.get(chain, 0))
        self.positions.advance(self.name, finished)

    async def _process(self, received: list[Received[Msg]], malformed: list[tuple[Msg, str]]) -> None:
        for msg, reason in malformed:
            await self._dead_letter(msg, reason)
        verdict = self.verifier.verify(received)
        for rejected, reason in verdict.rejected:
            await self._dead_letter(rejected.handle, reason, rejected.envelope)
        batch, untyped = _typed(verdict.accepted, self.spec)
        for item, reason in untyped:
            await self._dead_letter(item.msg, reason, item.envelope)
        if not batch:
            return
        try:
            await self._apply(batch)
        except Exception:  # noqa: BLE001 - isolate the failing message below
            for item in batch:
                await self._process_alone(item)
            return
        for item in batch:
            await self._ack(item.msg)

    async def _ack(self, msg: Msg) -> None:
        """Acknowledge after commit. Should the ack be lost, the message is redelivered and the inbox skips it."""
        await msg.ack()

    async def _apply(self, batch: list[_Item]) -> None:
        """One transaction: claim the events in the inbox, apply the ones claimed for the first time."""
        events = [item.event for item in batch if item.event is not None]
        if not events:
            return  # nothing this consumer handles: acknowledged without a write
        async with self.db.write_lock, self.db.sessions() as session, session.begin():
            fresh = await claim(session, self.tables, self.name, events)
            await apply_events(session, self.spec, self.tables, fresh)
        self.processed += len(fresh)

    async def _process_alone(self, item: _Item) -> None:
        try:
            await self._apply([item])
        except RejectEvent as exc:
            await self._dead_letter(item.msg, str(exc), item.envelope)
            return
        except Exception as exc:  # noqa: BLE001 - any failure is retried, then dead-lettered
            attempts = item.msg.metadata.num_delivered or 1
            with bound_to_event(item.envelope.id, item.envelope.correlation_id):
                log.warning("consumer.handler_failed", consumer=self.name, attempts=attempts, error=repr(exc))
            if attempts >= self.max_attempts:
                await self._dead_letter(item.msg, repr(exc), item.envelope)
            else:
                self._retrying.add(str(item.envelope.id))
                await item.msg.nak(delay=self.retry_delay_seconds * attempts)
            return
        await self._ack(item.msg)

    async def _dead_letter(self, msg: Msg, reason: str, envelope: Envelope | None = None) -> None:
        event_id = str(envelope.id) if envelope else f"seq-{msg.metadata.sequence.stream}"
        original = msg.headers or {}
        headers = {
            "Nats-Msg-Id": f"{self.name}.{event_id}.{msg.metadata.sequence.stream}",
            "Thidua-Consumer": self.name,
            "Thidua-Event-Id": event_id,
            "Thidua-Original-Subject": msg.subject,
            "Thidua-Stream-Sequence": str(msg.metadata.sequence.stream),
            "Thidua-Attempts": str(msg.metadata.num_delivered or 1),
            # Header values must stay ASCII: the error is UTF-8, percent-encoded (urllib.parse.unquote reads it).
            "Thidua-Error": quote(" ".join(reason.split())[:2000], safe=ERROR_SAFE_CHARS),
            # The seal as it arrived, so that the evidence stays with the letter.
            **{name: original[name] for name in (HASH_HEADER, SIGNATURE_HEADER) if name in original},
        }
        await self.js.publish(
            f"{DEADLETTER_PREFIX}.{self.node}.{self.name}", msg.data, headers=headers, stream=DEADLETTER_STREAM
        )
        await msg.term()
        self.dead_lettered += 1
        log.error("consumer.dead_lettered", consumer=self.name, event_id=event_id, reason=reason)


async def claim(session: AsyncSession, tables: MessagingTables, consumer: str, events: list[Event[Any]]) -> list[Event[Any]]:
    """Claim the events in the inbox (`INSERT ... ON CONFLICT DO NOTHING RETURNING`); return those claimed now.
    Events not claimed now were processed before (redelivery): their effects are committed already."""
    inbox, now = tables.inbox, utc_now()
    events = list({str(e.id): e for e in events}.values())  # a message delivered twice in one batch counts once
    statement = dialect_insert(session)(inbox).on_conflict_do_nothing().returning(inbox.c.event_id)
    rows = [{"consumer": consumer, "event_id": str(e.id), "event_type": e.type, "processed_at": now} for e in events]
    claimed = set((await session.execute(statement, rows)).scalars())
    return [e for e in events if str(e.id) in claimed]


async def apply_events(session: AsyncSession, spec: ConsumerSpec, tables: MessagingTables, events: list[Event[Any]]) -> None:
    """Apply events in order, each run of one type at once: projections (never back in time), batch handlers, handlers.
    The live consumer and `audit replay` apply through this one function."""
    for event_type, run in groupby(events, key=lambda e: e.type):
        await _handle_run(session, spec, tables, event_type, list(run))


async def _handle_run(session: AsyncSession, spec: ConsumerSpec, tables: MessagingTables, event_type: str,
                      run: list[Event[Any]]) -> None:
    with bound_to_event(run[0].id, run[0].correlation_id):
        if event_type in spec.projections:
            await apply_newer(session, tables.replica_versions, spec.projections[event_type], run)
            return
        if event_type in spec.batch_handlers:
            await spec.batch_handlers[event_type](session, run)
            return
    for event in run:
        with bound_to_event(event.id, event.correlation_id):
            await spec.handlers[event_type](session, event)


def _decode(messages: list[Msg]) -> tuple[list[Received[Msg]], list[tuple[Msg, str]]]:
    """Parse each body as an envelope; one that is not goes to the dead letters with the parser's reason."""
    received, malformed = [], []
    for msg in messages:
        try:
            envelope = decode_event(msg.data, msg.headers)
        except ValueError as exc:
            malformed.append((msg, f"không phải một sự kiện / malformed envelope: {exc}"))
            continue
        received.append(Received.of(msg, msg.subject, msg.data, envelope))
    return received, malformed


def _typed(accepted: list[Received[Msg]], spec: ConsumerSpec) -> tuple[list[_Item], list[tuple[_Item, str]]]:
    """Parse the payloads of the events `spec` handles into their catalog models."""
    items, untyped = [], []
    for received in accepted:
        item = _Item(received.handle, received.envelope)
        if spec.handles(item.envelope.type):
            try:
                item.event = Event.of(item.envelope)
            except (UnknownEventType, ValidationError) as exc:
                untyped.append((item, f"nội dung không đúng danh mục / payload not in the catalog: {exc}"))
                continue
        items.append(item)
    return items, untyped


@dataclass
class PullLoop:
    """A durable pull subscription feeding one consumer, batch by batch, until stopped.

    Batches are fetched and applied one after the other: prefetching the next batch
    while one is applied was measured slower (nats-py decodes the incoming messages on
    the same event loop that applies the batch)."""

    consumer: IdempotentConsumer
    stream: str = EVENTS_STREAM
    batch_size: int = 512
    idle_timeout: float = 5.0  # a fetch returns as soon as messages arrive; this bounds an idle wait
    ack_wait_seconds: float = 30
    _task: asyncio.Task[None] | None = field(default=None, init=False)
    _stopping: bool = field(default=False, init=False)
    _fetching: bool = field(default=False, init=False)

    def config(self) -> ConsumerConfig:
        # `name` as well as `durable_name`: nats-py then creates the consumer on
        # $JS.API.CONSUMER.CREATE.<stream>.<name>.<filter>, a subject NATS permissions can pin.
        # max_deliver is unlimited: the consumer bounds retries itself and dead-letters with the reason.
        return ConsumerConfig(
            name=self.consumer.name,
            durable_name=self.consumer.name,
            ack_policy=JsAckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait_seconds,
            max_deliver=-1,
            max_ack_pending=10_000,
            filter_subject=self.consumer.spec.subject,
        )

    async def start(self) -> None:
        subscription = await self.consumer.js.pull_subscribe(
            self.consumer.spec.subject, durable=self.consumer.name, stream=self.stream, config=self.config()
        )
        self._task = asyncio.create_task(self._run(subscription), name=f"consumer-{self.consumer.name}")

    async def _run(self, subscription: JetStreamContext.PullSubscription) -> None:
        while not self._stopping:
            self._fetching = True
            try:
                messages = await subscription.fetch(batch=self.batch_size, timeout=self.idle_timeout)
            except TimeoutError:  # nothing came while idle (nats-py's and asyncio's timeouts alike)
                continue
            except NatsError as exc:  # connection trouble: nats-py reconnects; try again shortly
                log.warning("consumer.fetch_failed", consumer=self.consumer.name, error=repr(exc))
                await asyncio.sleep(1.0)
                continue
            finally:
                self._fetching = False
            try:
                await self.consumer.process(messages)
            except Exception as exc:  # noqa: BLE001 - the loop must outlive any batch; redelivery retries it
                log.error("consumer.batch_failed", consumer=self.consumer.name, error=repr(exc))

    async def stop(self) -> None:
        """Stop after the batch in hand. Only a loop waiting on NATS is cancelled: cancelling it
        inside a database call can hang. Fetched messages not yet acknowledged come again later."""
        self._stopping = True
        if self._task is None:
            return
        if self._fetching:
            self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
