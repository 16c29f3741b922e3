"""The idempotent consumer: effects and the inbox record commit in one transaction.

Messages come from a durable pull consumer with explicit acks: `PullLoop` fetches
up to `batch_size` messages (a fetch returns as soon as any are there) and the
consumer applies them as one batch. The loop is nats-py's own pull API, not a
FastStream subscriber: in FastStream 0.7.8 the batch subscriber strands messages
under a trickle until ack_wait expires, and the per-message one costs about
0.45 ms a message (bench/faststream_pull.py shows both; ag2ai/faststream#2219).
A batch is applied in one transaction (fast path); if that fails, each message is
retried alone so that one poison message cannot hold back the others. A message
that keeps failing goes, after `max_attempts` deliveries, to the dead-letter
subject with the error, and is then terminated: visible there, never lost.

Handlers come in two shapes: a `Handler` takes one event; a `BatchHandler`
takes a run of consecutive events of one type (order is kept), so that read
replicas can upsert many snapshots in one statement.

Consumers check that an envelope parses, not its hash: the stream belongs to
this node, and hashes, chains and signatures are what `thidua events verify`
(the auditor's tool) checks, on the whole log.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from itertools import groupby
from string import printable
from urllib.parse import quote

from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy as JsAckPolicy
from nats.js.api import ConsumerConfig, DeliverPolicy
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.db import Database, dialect_insert
from thidua_shared.events.envelope import Envelope, utc_now
from thidua_shared.logging import bound_to_event, get_logger
from thidua_shared.messaging.streams import DEADLETTER_PREFIX, DEADLETTER_STREAM, EVENTS_STREAM
from thidua_shared.messaging.tables import MessagingTables

log = get_logger(__name__)

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]
BatchHandler = Callable[[AsyncSession, list[Envelope]], Awaitable[None]]
ERROR_SAFE_CHARS = "".join(c for c in printable if c not in "%\r\n\t\x0b\x0c")


class RejectEvent(Exception):
    """Raised by a handler for an event that can never be processed: dead-lettered at once."""


@dataclass
class IdempotentConsumer:
    name: str  # durable consumer name, also the inbox key
    db: Database
    tables: MessagingTables
    handlers: dict[str, Handler]
    js: JetStreamContext
    node: str
    batch_handlers: dict[str, BatchHandler] = field(default_factory=dict)
    max_attempts: int = 5
    retry_delay_seconds: float = 0.5
    processed: int = field(default=0, init=False)
    async def process(self, messages: list[Msg]) -> None:
        batch = [item for msg in messages if (item := await self._decode(msg)) is not None]
        if not batch:
            return
        try:
            await self._apply(batch)
        except Exception:  # noqa: BLE001 - isolate the failing message below
            for msg, envelope in batch:
                await self._process_alone(msg, envelope)
            return
        for msg, _ in batch:
            await self._ack(msg)

    async def _ack(self, msg: Msg) -> None:
        """Acknowledge after commit. Should the ack be lost, the message is redelivered and the inbox skips it."""
        await msg.ack()

    async def _decode(self, msg: Msg) -> tuple[Msg, Envelope] | None:
        try:
            envelope = Envelope.from_bytes(msg.data)
        except ValueError as exc:
            await self._dead_letter(msg, f"malformed envelope: {exc}")
            return None
        return msg, envelope

    async def _apply(self, batch: list[tuple[Msg, Envelope]]) -> None:
        """One transaction: claim the events in the inbox, apply the ones claimed for the first time."""
        inbox, now = self.tables.inbox, utc_now()
        unique = list({str(env.id): env for _, env in batch}.values())
        async with self.db.write_lock, self.db.sessions() as session, session.begin():
            claim = dialect_insert(session)(inbox).on_conflict_do_nothing().returning(inbox.c.event_id)
            rows = [{"consumer": self.name, "event_id": str(e.id), "event_type": e.type, "processed_at": now} for e in unique]
            claimed = set((await session.execute(claim, rows)).scalars())
            # Events not claimed now were processed before (redelivery): their effects are committed already.
            fresh = [e for e in unique if str(e.id) in claimed]
            for event_type, run in groupby(fresh, key=lambda e: e.type):
                await self._handle_run(session, event_type, list(run))
        self.processed += len(fresh)

    async def _handle_run(self, session: AsyncSession, event_type: str, run: list[Envelope]) -> None:
        if event_type in self.batch_handlers:
            with bound_to_event(run[0].id, run[0].correlation_id):
                await self.batch_handlers[event_type](session, run)
        elif event_type in self.handlers:
            for envelope in run:
                with bound_to_event(envelope.id, envelope.correlation_id):
                    await self.handlers[event_type](session, envelope)

    async def _process_alone(self, msg: Msg, envelope: Envelope) -> None:
        try:
            await self._apply([(msg, envelope)])
        except RejectEvent as exc:
            await self._dead_letter(msg, str(exc), envelope)
            return
        except Exception as exc:  # noqa: BLE001 - any failure is retried, then dead-lettered
            attempts = msg.metadata.num_delivered or 1
            with bound_to_event(envelope.id, envelope.correlation_id):
                log.warning("consumer.handler_failed", consumer=self.name, attempts=attempts, error=repr(exc))
            if attempts >= self.max_attempts:
                await self._dead_letter(msg, repr(exc), envelope)
            else:
                await msg.nak(delay=self.retry_delay_seconds * attempts)
            return
        await self._ack(msg)

    async def _dead_letter(self, msg: Msg, reason: str, envelope: Envelope | None = None) -> None:
        event_id = str(envelope.id) if envelope else f"seq-{msg.metadata.sequence.stream}"
        headers = {
            "Nats-Msg-Id": f"{self.name}.{event_id}",
            "Thidua-Consumer": self.name,
            "Thidua-Event-Id": event_id,
            "Thidua-Original-Subject": msg.subject,
            "Thidua-Attempts": str(msg.metadata.num_delivered or 1),
            # Header values must stay ASCII: the error is UTF-8, percent-encoded (urllib.parse.unquote reads it).
            "Thidua-Error": quote(" ".join(reason.split())[:2000], safe=ERROR_SAFE_CHARS),
        }
        await self.js.publish(
            f"{DEADLETTER_PREFIX}.{self.node}.{self.name}", msg.data, headers=headers, stream=DEADLETTER_STREAM
        )
        await msg.term()
        log.error("consumer.dead_lettered", consumer=self.name, event_id=event_id, reason=reason)


@dataclass
class PullLoop:
    """A durable pull subscription feeding one consumer, batch by batch, until stopped."""

    consumer: IdempotentConsumer
    subject: str
    stream: str = EVENTS_STREAM
    batch_size: int = 512
    idle_timeout: float = 5.0  # a fetch returns as soon as messages arrive; this bounds an idle wait
    ack_wait_seconds: float = 30
    _task: asyncio.Task[None] | None = field(default=None, init=False)
    _stopping: bool = field(default=False, init=False)
    _fetching: bool = field(default=False, init=False)

    def config(self) -> ConsumerConfig:
        # max_deliver is unlimited: the consumer bounds retries itself and dead-letters with the reason.
        return ConsumerConfig(
            durable_name=self.consumer.name,
            ack_policy=JsAckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait_seconds,
            max_deliver=-1,
            max_ack_pending=10_000,
            filter_subject=self.subject,
        )

    async def start(self) -> None:
        subscription = await self.consumer.js.pull_subscribe(
            self.subject, durable=self.consumer.name, stream=self.stream, config=self.config()
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
