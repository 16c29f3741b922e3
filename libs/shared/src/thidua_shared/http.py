"""The HTTP face every service shares: FastAPI with bearer auth, bilingual errors and /health.

A service adds its own routers to the app `create_http_app` returns; the runtime
(database, NATS, relay, consumers) starts and stops with the app's lifespan.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from thidua_shared.access.tokens import Principal, principal_for_token
from thidua_shared.errors import AppError
from thidua_shared.events.envelope import new_event_id
from thidua_shared.i18n import Language, language_from_header, translate
from thidua_shared.logging import bound_to_request, get_logger
from thidua_shared.messaging.asyncapi import asyncapi_document
from thidua_shared.runtime import ServiceRuntime
from thidua_shared.settings import Settings

log = get_logger(__name__)
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

    @app.get("/asyncapi.json", tags=["events"], summary="Danh mục sự kiện (AsyncAPI 3) / the event catalog as AsyncAPI 3")
    async def asyncapi() -> dict[str, Any]:
        return asyncapi_document()

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
