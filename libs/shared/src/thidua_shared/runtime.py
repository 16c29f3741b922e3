"""What every service process is made of, wired the same way for all four.

A `ServiceRuntime` owns the database (the platform's and the service's migrations
applied at start), the node key, the trusted keys of other nodes, the NATS
connection, the outbox relay and the service's durable consumers, plus the
platform's own consumer that keeps the service's copy of access tokens.
`thidua_shared.http.create_http_app` puts a FastAPI app in front of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from datetime import UTC, datetime
from typing import Generic, TypeVar

import nats.errors
from faststream.nats import NatsBroker
from faststream.nats.security import NatsNKey
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from pydantic import BaseModel, computed_field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.access.replica import token_replica_consumer
from thidua_shared.consistency import AppliedPositions
from thidua_shared.db import Database, upgrade_to_head_async
from thidua_shared.events.catalog import decode_event
from thidua_shared.events.envelope import SUBJECT_PREFIX
from thidua_shared.jobs import JobBoard
from thidua_shared.keys import TrustedKeys, ensure_node_key
from thidua_shared.logging import get_logger
from thidua_shared.messaging.consumer import ConsumerSpec, IdempotentConsumer, PullLoop
from thidua_shared.messaging.nats_access import NatsIdentity, identity_for
from thidua_shared.messaging.relay import OutboxRelay, broker_publisher
from thidua_shared.messaging.streams import DEADLETTER_PREFIX, DEADLETTER_STREAM, EVENTS_STREAM
from thidua_shared.messaging.tables import MessagingTables
from thidua_shared.messaging.unit_of_work import EventSource, UnitOfWork
from thidua_shared.messaging.verification import EventVerifier
from thidua_shared.settings import ServiceSettings, Settings
from thidua_shared.topology import SERVICES, ServiceInfo

log = get_logger(__name__)
R = TypeVar("R")


HEALTH_TIMEOUT = 2.0  # seconds any one check of /health may take


class ConsumerHealth(BaseModel):
    """A consumer as /health shows it."""

    name: str
    pending: int | None = None  # events in the stream not yet delivered to it
    unacknowledged: int | None = None  # delivered, not yet acknowledged
    dead_letters: int | None = None
    processed: int = 0  # applied by this process since it started

    @computed_field  # type: ignore[prop-decorator]
    @property
    def lag(self) -> int | None:
        """Events in the stream it has not applied yet (None when the stream could not be asked)."""
        return None if self.pending is None or self.unacknowledged is None else self.pending + self.unacknowledged


class Health(BaseModel):
    """What /health answers (with 503 when `status` is "unavailable")."""

    service: str
    node: str
    status: str  # "ok" or "unavailable"
    reasons: list[str]
    database: str
    nats_connected: bool
    outbox_pending: int | None
    outbox_oldest_seconds: float | None
    consumers: list[ConsumerHealth]


def check_against_topology(info: ServiceInfo, consumers: list[ConsumerSpec]) -> None:
    """A service's consumers must be the ones the topology declares (names, sources, event types):
    NATS permissions and the AsyncAPI document are made from that declaration."""
    declared = {(s.name, s.source, frozenset(s.event_types)) for s in info.all_subscriptions}
    actual = {
        (c.name, c.source, frozenset([*c.handlers, *c.batch_handlers, *c.projections])) for c in consumers
    }
    if declared != actual:
        raise ValueError(f"{info.name}: consumers {sorted(map(str, actual))} differ from thidua_shared.topology {sorted(map(str, declared))}")


def tune_garbage_collector() -> None:
    """Move what start-up loaded (modules, models, schemas) out of the collector's sight, and
    collect young objects less often.

    A consumer batch holds hundreds of freshly parsed events (each a handful of objects);
    with the start-up heap in view and a young generation of 700, the collector's passes
    cost about as much as parsing them (measured: 29 µs an event; 17 µs with the heap
    frozen; 10 µs with young collections every 20,000 allocations). Almost everything is
    freed by reference counting anyway. Called once the service is started."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


@dataclass
class ServiceRuntime(Generic[R]):
    name: str
    tables: MessagingTables
    migrations_dir: Path
    repository: Callable[[AsyncSession], R]
    settings: Settings = field(default_factory=Settings)
    consumers: list[ConsumerSpec] = field(default_factory=list)
    extra_migrations: list[Path] = field(default_factory=list)  # branches of shared pieces, e.g. the registry replica
    on_started: list[Callable[["ServiceRuntime[R]"], Awaitable[None]]] = field(default_factory=list)

    db: Database = field(init=False)
    source: EventSource = field(init=False)
    trusted_keys: TrustedKeys = field(init=False)
    identity: NatsIdentity = field(init=False)
    broker: NatsBroker = field(init=False)  # FastStream's broker owns the connection; the relay publishes through it
    nc: NatsClient = field(init=False)
    js: JetStreamContext = field(init=False)
    relay: OutboxRelay = field(init=False)
    applied: AppliedPositions = field(init=False)  # how far each chain read here is applied (read-your-writes)
    jobs: JobBoard = field(default_factory=JobBoard, init=False)
    pull_loops: list[PullLoop] = field(default_factory=list, init=False)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, init=False)

    @property
    def service_settings(self) -> ServiceSettings:
        return ServiceSettings.for_service(self.name)

    @property
    def database_url(self) -> str:
        return self.service_settings.resolved_database_url(self.name, self.settings)

    def __post_init__(self) -> None:
        check_against_topology(self.info, self.all_consumers)

    @property
    def info(self) -> ServiceInfo:
        return SERVICES[self.name]

    @property
    def all_consumers(self) -> list[ConsumerSpec]:
        """The service's own consumers and the platform's token replica."""
        platform = (
            [token_replica_consumer(self.name, self.tables, self.settings.trusted_keys_dir, self.settings.centre_node)]
            if self.info.replicates_tokens else []
        )
        return [*self.consumers, *platform]

    async def start(self) -> None:
        await upgrade_to_head_async(self.migrations_dir, self.database_url, self.extra_migrations)
        self.db = Database.from_url(self.database_url)
        self.source = EventSource(self.settings.node, self.name, ensure_node_key(self.settings.keys_dir, self.settings.node))
        self.trusted_keys = TrustedKeys(self.settings.trusted_keys_dir)
        servers = self.settings.nats_servers
        self.identity = identity_for(self.settings, self.name)
        if self.identity.seed_file is None:
            log.warning("nats.no_credentials", identity=self.name, hint="the server will refuse the connection unless it runs without authentication")
        self.broker = NatsBroker(
            servers, name=f"{self.settings.node}.{self.name}", max_reconnect_attempts=-1, inbox_prefix=self.identity.inbox_prefix,
            security=NatsNKey.from_file(self.identity.seed_file) if self.identity.seed_file else None, apply_types=False,
        )
        await self.broker.connect()
        self.nc = self.broker.connection
        self.js = self.nc.jetstream()
        self.relay = OutboxRelay(self.db, self.tables, broker_publisher(self.broker))
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.name}-relay"))
        verifier = EventVerifier(self.trusted_keys)
        self.applied = AppliedPositions(self.source.chain, probe=self._applied_through)
        for spec in self.all_consumers:
            self.applied.register(spec.name, spec.source)
            consumer = IdempotentConsumer(spec, self.db, self.tables, self.js, self.settings.node, verifier, positions=self.applied)
            loop = PullLoop(consumer)
            await loop.start()
            self.pull_loops.append(loop)
        for hook in self.on_started:
            await hook(self)
        tune_garbage_collector()
        log.info("service.started", database=self.db.engine.dialect.name, nats=",".join(servers))

    async def stop(self) -> None:
        """Stop in order (jobs, relay, consumers, NATS, database), each step bounded: shutting down never hangs."""
        await self._stop_step("jobs", self.jobs.stop())
        self.relay.stop()
        await self._stop_step("relay", self._finish_tasks())
        for loop in self.pull_loops:
            await self._stop_step(f"consumer {loop.consumer.name}", loop.stop())
        await self._stop_step("nats", self._close_nats())
        await self._stop_step("database", self.db.dispose())
        log.info("service.stopped")

    async def _stop_step(self, step: str, work: Awaitable[None], timeout: float = 10.0) -> None:
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            task.cancel()  # not awaited: a step that ignores cancellation must not hold the rest
            log.error("service.stop_step_timed_out", step=step, seconds=timeout)
        elif task.exception() is not None:
            log.warning("service.stop_step_failed", step=step, error=repr(task.exception()))

    async def _finish_tasks(self) -> None:
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _close_nats(self) -> None:
        try:
            await asyncio.wait_for(self.broker.stop(), timeout=5)
        except (TimeoutError, nats.errors.Error):
            await self.nc.close()

    def uow(self) -> UnitOfWork[R]:
        """A unit of work for a use case that changes state (and records events)."""
        return UnitOfWork(self.db, self.tables, self.source, self.repository, on_commit=self.relay.wake)

    @contextlib.asynccontextmanager
    async def reader(self) -> AsyncIterator[R]:
        """The service's repository on a read-only session, for queries."""
        async with self.db.sessions() as session:
            yield self.repository(session)

    async def health(self) -> Health:
        """Honest health: unavailable (with the reasons) when the database or NATS cannot be reached,
        or when the outbox has had an event waiting longer than `outbox_alarm_seconds`."""
        reasons: list[str] = []
        pending, oldest = None, None
        try:
            pending, oldest = await asyncio.wait_for(self._outbox_lag(), timeout=HEALTH_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - whatever it is, the database cannot be used
            reasons.append(f"không truy cập được cơ sở dữ liệu / database unreachable: {type(exc).__name__}")
        connected = self.nc.is_connected
        if not connected:
            reasons.append("mất kết nối NATS / NATS unreachable")
        alarm = self.settings.outbox_alarm_seconds
        if oldest is not None and oldest > alarm:
            reasons.append(f"sự kiện chờ gửi quá {alarm} giây / an event has waited over {alarm} s in the outbox")
        consumers = await self._consumer_health() if connected else [ConsumerHealth(name=loop.consumer.name) for loop in self.pull_loops]
        return Health(
            service=self.name, node=self.settings.node, status="unavailable" if reasons else "ok", reasons=reasons,
            database=self.db.engine.dialect.name, nats_connected=connected, outbox_pending=pending,
            outbox_oldest_seconds=oldest, consumers=consumers,
        )

    async def _outbox_lag(self) -> tuple[int, float | None]:
        outbox = self.tables.outbox
        waiting = outbox.c.published_at.is_(None)
        async with self.db.sessions() as session:
            pending = int(await session.scalar(select(func.count()).select_from(outbox).where(waiting)) or 0)
            first = await session.scalar(select(outbox.c.created_at).where(waiting).order_by(outbox.c.position).limit(1))
        if first is None:
            return pending, None
        first = first if first.tzinfo else first.replace(tzinfo=UTC)
        return pending, round((datetime.now(UTC) - first).total_seconds(), 1)

    async def _applied_through(self, consumer: str, chain: str) -> int | None:
        """How far `consumer` has applied `chain`, as the stream tells it: through the chain's last stored
        event once the consumer's acknowledged floor has passed it. None when the stream cannot say."""
        node, service = chain.split(".", 1)
        try:
            last = await asyncio.wait_for(self.js.get_last_msg(EVENTS_STREAM, f"{SUBJECT_PREFIX}.{node}.{service}.>"), HEALTH_TIMEOUT)
            info = await asyncio.wait_for(self.js.consumer_info(EVENTS_STREAM, consumer), HEALTH_TIMEOUT)
            if info.ack_floor is None or (info.ack_floor.stream_seq or 0) < (last.seq or 0):
                return None
            return decode_event(last.data or b"", last.headers).sequence
        except Exception:  # noqa: BLE001 - the stream cannot tell now: the request waits for the consumer instead
            return None

    async def _consumer_health(self) -> list[ConsumerHealth]:
        """Each consumer's lag as the stream sees it, and the dead letters it has written."""
        try:
            letters = await asyncio.wait_for(
                self.js.stream_info(DEADLETTER_STREAM, subjects_filter=f"{DEADLETTER_PREFIX}.{self.settings.node}.>"), HEALTH_TIMEOUT
            )
            dead = letters.state.subjects or {}
        except Exception:  # noqa: BLE001 - shown as unknown, the service still answers
            dead = None
        found = []
        for loop in self.pull_loops:
            name = loop.consumer.name
            health = ConsumerHealth(name=name, processed=loop.consumer.processed)
            try:
                info = await asyncio.wait_for(self.js.consumer_info(EVENTS_STREAM, name), HEALTH_TIMEOUT)
                health.pending, health.unacknowledged = info.num_pending, info.num_ack_pending
            except Exception:  # noqa: BLE001
                pass
            if dead is not None:
                health.dead_letters = dead.get(f"{DEADLETTER_PREFIX}.{self.settings.node}.{name}", 0)
            found.append(health)
        return found
