"""What every service process is made of, wired the same way for all four.

A `ServiceRuntime` owns the database (migrated at start), the node key, the
NATS connection, the outbox relay and the service's durable consumers. `create_http_app` puts a FastAPI app with bilingual errors, bearer
auth and `/health` in front of it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import nats
import nats.errors
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from sqlalchemy import func, select, text

from thidua_shared.auth import Principal, principal_for_token
from thidua_shared.db import Database, upgrade_to_head_async
from thidua_shared.errors import AppError
from thidua_shared.i18n import Language, language_from_header, translate
from thidua_shared.keys import ensure_node_key
from thidua_shared.logging import bound_to_request, get_logger
from thidua_shared.events.envelope import new_event_id
from thidua_shared.messaging.consumer import BatchHandler, Handler, IdempotentConsumer, PullLoop
from thidua_shared.messaging.relay import OutboxRelay
from thidua_shared.messaging.tables import MessagingTables
from thidua_shared.messaging.unit_of_work import EventSource, UnitOfWork
from thidua_shared.settings import ServiceSettings, Settings

log = get_logger(__name__)


@dataclass(frozen=True)
class ConsumerSpec:
    """A durable consumer of another service's events: `subject` filters the EVENTS stream."""

    name: str
    subject: str
    handlers: dict[str, Handler] = field(default_factory=dict)
    batch_handlers: dict[str, BatchHandler] = field(default_factory=dict)


@dataclass
class ServiceRuntime:
    name: str
    tables: MessagingTables
    migrations_dir: Path
    settings: Settings = field(default_factory=Settings)
    consumers: list[ConsumerSpec] = field(default_factory=list)
    on_started: list[Callable[["ServiceRuntime"], Awaitable[None]]] = field(default_factory=list)

    db: Database = field(init=False)
    source: EventSource = field(init=False)
    nc: NatsClient = field(init=False)
    js: JetStreamContext = field(init=False)
    relay: OutboxRelay = field(init=False)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, init=False)
    _pull_loops: list[PullLoop] = field(default_factory=list, init=False)

    @property
    def service_settings(self) -> ServiceSettings:
        return ServiceSettings.for_service(self.name)

    @property
    def database_url(self) -> str:
        return self.service_settings.resolved_database_url(self.name, self.settings)

    async def start(self) -> None:
        await upgrade_to_head_async(self.migrations_dir, self.database_url)
        self.db = Database.from_url(self.database_url)
        self.source = EventSource(self.settings.node, self.name, ensure_node_key(self.settings.keys_dir, self.settings.node))
        url = self.settings.effective_nats_url
        self.nc = await nats.connect(url, name=f"{self.settings.node}.{self.name}", max_reconnect_attempts=-1)
        self.js = self.nc.jetstream()
        self.relay = OutboxRelay(self.db, self.tables, self.js)
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.name}-relay"))
        for spec in self.consumers:
            consumer = IdempotentConsumer(
                spec.name, self.db, self.tables, spec.handlers, self.js, self.settings.node, batch_handlers=spec.batch_handlers
            )
            loop = PullLoop(consumer, spec.subject)
            await loop.start()
            self._pull_loops.append(loop)
        for hook in self.on_started:
            await hook(self)
        log.info("service.started", database=self.db.engine.dialect.name, nats=url)

    async def stop(self) -> None:
        """Stop in order (relay, consumers, NATS, database), each step bounded: shutting down never hangs."""
        self.relay.stop()
        await self._stop_step("relay", self._finish_tasks())
        for loop in self._pull_loops:
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
            await asyncio.wait_for(self.nc.drain(), timeout=5)
        except (TimeoutError, nats.errors.Error):
            await self.nc.close()

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.db, self.tables, self.source, on_commit=self.relay.wake)

    async def health(self) -> dict[str, Any]:
        outbox = self.tables.outbox
        async with self.db.sessions() as session:
            await session.execute(text("SELECT 1"))
            pending = await session.scalar(select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None)))
        return {
            "service": self.name,
            "node": self.settings.node,
            "status": "ok",
            "database": self.db.engine.dialect.name,
            "nats_connected": self.nc.is_connected,
            "outbox_pending": pending,
        }


# --- HTTP ----------------------------------------------------------------------
bearer = HTTPBearer(auto_error=False, description="Mã truy cập / access token: `Authorization: Bearer tdt_...`")


def get_runtime(request: Request) -> ServiceRuntime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def get_language(request: Request) -> Language:
    return language_from_header(request.headers.get("accept-language"))


async def get_principal(
    runtime: Annotated[ServiceRuntime, Depends(get_runtime)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    async with runtime.db.sessions() as session:
        return await principal_for_token(session, runtime.tables, credentials.credentials if credentials else None)


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
LanguageDep = Annotated[Language, Depends(get_language)]


def create_http_app(runtime: ServiceRuntime, *, title: str, description: str) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    app.state.runtime = runtime

    @app.middleware("http")
    async def correlate(request: Request, call_next):  # type: ignore[no-untyped-def]
        """One correlation id per request (or the caller's X-Correlation-Id): in every log line and event."""
        correlation_id = _correlation_id_from(request.headers.get("x-correlation-id"))
        with bound_to_request(correlation_id):
            response = await call_next(request)
        response.headers["X-Correlation-Id"] = str(correlation_id)
        return response

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(exc.body(get_language(request)), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        language = get_language(request)
        errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        body = {
            "code": "validation_failed",
            "message": translate("validation_failed", language),
            "message_vi": translate("validation_failed", "vi"),
            "message_en": translate("validation_failed", "en"),
            "details": errors,
        }
        return JSONResponse(body, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("http.unexpected_error", path=request.url.path)
        return JSONResponse(AppError("internal_error").body(get_language(request)), status_code=500)

    @app.get("/health", tags=["health"], summary="Tình trạng dịch vụ / service health")
    async def health(rt: RuntimeDep) -> dict[str, Any]:
        return await rt.health()

    return app


def _correlation_id_from(header: str | None) -> UUID:
    try:
        return UUID(header) if header else new_event_id()
    except ValueError:
        return new_event_id()


def serve(service: str, create_app: Callable[[], FastAPI]) -> None:
    """Run one service process: logging, then uvicorn on the service's port."""
    import uvicorn

    from thidua_shared.logging import configure_logging
    from thidua_shared.settings import ServiceSettings

    settings = Settings()
    configure_logging(settings, service)
    port = ServiceSettings.for_service(service).resolved_port(service)
    uvicorn.run(create_app(), host=settings.host, port=port, log_config=None, access_log=False)
