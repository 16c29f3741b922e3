"""The HTTP face every service shares: FastAPI with bearer auth, bilingual errors, limits and /health.

A service adds its own routers to the app `create_http_app` returns; the runtime
(database, NATS, relay, consumers, jobs) starts and stops with the app's lifespan.
Every answer other than success is `ErrorBody`, documented in the OpenAPI of every route.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from fastapi_offline import FastAPIOffline
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from thidua_shared.access.tokens import Principal, principal_for_token
from thidua_shared.consistency import AFTER_HEADER, POSITION_HEADER, Written, contradictions, current_write, format_positions, parse_positions
from thidua_shared.errors import AppError, Forbidden, Invalid, NotFound, PayloadTooLarge, ServiceUnavailable
from thidua_shared.events.envelope import new_event_id
from thidua_shared.files import LocalFileStore, StoredFile
from thidua_shared.i18n import LANGUAGES, Language, language_from_header, translate
from thidua_shared.validation_messages import explain
from thidua_shared.jobs import Job, JobView, Progress
from thidua_shared.logging import bound_to_request, get_logger
from thidua_shared.messaging.asyncapi import asyncapi_document
from thidua_shared.roles import Role
from thidua_shared.metrics import ServiceMetrics
from thidua_shared.runtime import Health, ServiceRuntime
from thidua_shared.settings import Settings
from thidua_shared.spreadsheets import SheetLimits
from thidua_shared.tabular import ImportWork

log = get_logger(__name__)



# The framework's refusals by status, each with its message here.
FRAMEWORK_ERRORS = {400: "body_unreadable", 404: "route_not_found", 405: "method_not_allowed", 406: "not_acceptable",
                    415: "media_type_unsupported"}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes, media_type: str, filename: str) -> Response:
    """A file the service built, offered for download under its Vietnamese name."""
    return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


class ErrorBody(BaseModel):
    """Every error the API answers with: a stable code and the message in both languages."""

    code: str
    message: str
    message_vi: str
    message_en: str
    details: Any = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "Yêu cầu sai / bad request",
        401: "Thiếu hoặc sai mã truy cập / missing or invalid token",
        403: "Không có quyền / forbidden by role or scope",
        404: "Không tìm thấy / not found",
        409: "Xung đột trạng thái / conflicts with the current state",
        413: "Dữ liệu quá lớn / request body too large",
        422: "Dữ liệu không hợp lệ / invalid input",
    }.items()
}

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


# --- request size ------------------------------------------------------------------------
class BodyLimit:
    """Refuse a request body over the limit (413) before it is read: multipart uploads up to
    `max_upload_mb`, anything else up to `max_json_kb`. Counted as it streams, so a body that
    lies about its Content-Length (or sends none) is stopped too."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings

    def _limit(self, scope: Scope) -> tuple[int, str]:
        headers = dict(scope.get("headers") or [])
        if headers.get(b"content-type", b"").startswith(b"multipart/form-data"):
            return self.settings.max_upload_mb * 2**20, f"{self.settings.max_upload_mb} MB"
        return self.settings.max_json_kb * 2**10, f"{self.settings.max_json_kb} KB"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, label = self._limit(scope)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(scope, send, label)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge("payload_too_large", limit=label)
            return message

        try:
            await self.app(scope, counting_receive, send)
        except PayloadTooLarge:  # raised while something outside the routes was reading the body
            await _too_large(scope, send, label)


# --- read your writes; answers that agree with what was done ------------------------------------
UNWAITED = frozenset({"/health", "/metrics"})  # they tell how far behind the service is: never held up by it


class Consistency:
    """Read-your-writes and honest answers (see thidua_shared.consistency).

    A request carrying `Thidua-After` is served once this service has applied those positions (else,
    after `read_your_writes_seconds`, 503 with Retry-After and nothing done); a write's answer carries
    its position (`Thidua-Position`); an error answered after a commit, which would tell the caller that
    nothing was done when something was, is logged as an error and remembered (the tests fail on it)."""

    def __init__(self, app: ASGIApp, runtime: ServiceRuntime) -> None:
        self.app, self.runtime = app, runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        wanted = parse_positions(headers.get(AFTER_HEADER.lower().encode(), b"").decode("latin-1"))
        if wanted and scope.get("path") not in UNWAITED:
            missing = await self.runtime.applied.wait(wanted, self.runtime.settings.read_your_writes_seconds)
            if missing:
                await _not_yet_applied(scope, send, missing)
                return
        written = Written()
        token = current_write.set(written)

        async def answering(message: Message) -> None:
            if message["type"] == "http.response.start":
                if written.sequence and message["status"] < 400:
                    message["headers"] = [*message.get("headers", []),
                                          (POSITION_HEADER.encode(), format_positions({written.chain: written.sequence}).encode())]  # type: ignore[dict-item]
                if written.committed and message["status"] >= 400:
                    _contradiction(scope, message["status"])
            await send(message)

        try:
            await self.app(scope, receive, answering)
        except Exception:
            if written.committed:
                _contradiction(scope, 500)
            raise
        finally:
            current_write.reset(token)


def _contradiction(scope: Scope, status: int) -> None:
    where = f"{scope.get('method')} {scope.get('path')} → {status}"
    contradictions.append(where)
    log.error("http.answer_contradicts_write", request=where)


async def _not_yet_applied(scope: Scope, send: Send, missing: dict[str, int]) -> None:
    language = language_from_header(dict(scope.get("headers") or []).get(b"accept-language", b"").decode() or None)
    error = ServiceUnavailable("not_yet_applied", positions=format_positions(missing))
    response = JSONResponse(error.body(language), status_code=503, headers={"Retry-After": "1"})
    await response({"type": "http", **scope}, _no_body, send)


async def _too_large(scope: Scope, send: Send, label: str) -> None:
    language = language_from_header(dict(scope.get("headers") or []).get(b"accept-language", b"").decode() or None)
    response = JSONResponse(PayloadTooLarge("payload_too_large", limit=label).body(language), status_code=413)
    await response({"type": "http", **scope}, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


# --- uploads ---------------------------------------------------------------------------------
@dataclass
class ReceivedFile:
    path: Path
    filename: str

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.path)


async def receive_file(request: Request, runtime: ServiceRuntime) -> ReceivedFile:
    """The `file` field of a multipart form, copied to a file of its own under var/tmp.

    Call it after the caller's role and scope are checked: nothing of the file is read before."""
    form = await request.form(max_files=1, max_fields=20)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise Invalid("upload_missing_file")
    folder = runtime.settings.var_dir / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=folder, suffix=Path(upload.filename or "").suffix[:10])

    def copy() -> int:
        with os.fdopen(handle, "wb") as out:
            shutil.copyfileobj(upload.file, out, 1024 * 1024)
            return out.tell()

    size = await asyncio.to_thread(copy)
    await form.close()
    received = ReceivedFile(Path(name), upload.filename or "")
    if size == 0:
        received.discard()
        raise Invalid("upload_empty")
    return received


DOCUMENT_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "PDF, Word, Excel, ODF hoặc ảnh quét / PDF, Word, Excel, ODF or a scan"}},
}}}}}


def document_store(runtime: ServiceRuntime) -> LocalFileStore:
    """The service's documents (letters, evidence), kept by content on the node's disk."""
    return LocalFileStore(runtime.settings.var_dir / "attachments" / runtime.name)


async def store_document(request: Request, runtime: ServiceRuntime) -> StoredFile:
    """An uploaded document (`file` of a multipart form) put in the service's store. Check the caller first."""
    received = await receive_file(request, runtime)
    try:
        return await document_store(runtime).put(received.path, received.filename)
    finally:
        received.discard()


def add_document_download(router: APIRouter, tag: str) -> None:
    """`GET /attachments/{digest}`: a stored document by its SHA-256."""

    @router.get("/attachments/{digest}", tags=[tag], summary="Tải văn bản đính kèm / download a document", response_class=FileResponse)
    async def download(digest: str, runtime: RuntimeDep, principal: PrincipalDep) -> FileResponse:
        path = document_store(runtime).locate(digest)
        if path is None:
            raise NotFound("attachment_not_found")
        return FileResponse(path, media_type="application/octet-stream")


async def start_import(request: Request, runtime: ServiceRuntime, principal: Principal, language: Language, kind: str,
                       wait: float, work: ImportWork) -> JSONResponse:
    """An uploaded .xlsx/.csv imported as a job (202, `GET /jobs/{id}` shows its progress), the file
    discarded after. Check the caller's role before: nothing of the file is read until here."""
    received = await receive_file(request, runtime)
    settings = runtime.settings
    limits = SheetLimits(settings.max_unpacked_mb * 2**20, settings.max_import_rows)

    async def run(progress: Progress) -> dict[str, Any]:
        try:
            progress.start_phase("reading")
            return await work(received.path, received.filename, limits, progress)
        finally:
            received.discard()

    job = runtime.jobs.start(kind, principal.token_id, run)
    return await job_response(runtime, job, wait, language)


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary", "description": "Tệp .xlsx hoặc .csv / an .xlsx or .csv file"}},
        }}},
    }
}


# --- the app -------------------------------------------------------------------------------------
async def job_response(runtime: ServiceRuntime, job: Job, wait: float, language: Language) -> JSONResponse:
    """Answer for a job just started: its outcome if it finishes within `wait` seconds (the result,
    or its error as any failed request would), else 202 with the job to poll."""
    finished = await runtime.jobs.wait(job.id, wait) if wait else job
    if finished is not None and finished.status == "failed" and finished.error is not None:
        raise finished.error
    view = (finished or job).view(language)
    status = 202 if view.status == "running" else 200
    return JSONResponse(view.model_dump(mode="json"), status_code=status, headers={"Location": f"/jobs/{job.id}"})


def create_http_app(runtime: ServiceRuntime, *, title: str, description: str) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    # /docs and /redoc with their scripts served by the service itself (fastapi-offline): a provincial
    # office's network may have no internet, so no CDN.
    app = FastAPIOffline(title=title, description=description, version="0.1.0", lifespan=lifespan, responses=ERROR_RESPONSES)
    app.state.runtime = runtime
    metrics = ServiceMetrics(runtime.name)
    app.add_middleware(BodyLimit, settings=runtime.settings)
    app.add_middleware(Consistency, runtime=runtime)

    @app.middleware("http")
    async def correlate(request: Request, call_next):  # type: ignore[no-untyped-def]
        """One correlation id per request (or the caller's X-Correlation-Id): in every log line and event;
        each answer counted and timed by its route for /metrics."""
        correlation_id = _correlation_id_from(request.headers.get("x-correlation-id"))
        started = time.perf_counter()
        with bound_to_request(correlation_id):
            response = await call_next(request)
        elapsed = time.perf_counter() - started
        route = request.scope.get("route")
        metrics.observe(request.method, getattr(route, "path", "unmatched"), response.status_code, elapsed)
        response.headers["X-Correlation-Id"] = str(correlation_id)
        # How long the service took, as browsers' developer tools and the benchmarks read it.
        response.headers["Server-Timing"] = f"app;dur={elapsed * 1000:.1f}"
        return response

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(exc.body(get_language(request)), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        language = get_language(request)
        errors = explain(exc.errors())  # each field by its label, the problem in words: never pydantic's English
        said = {lang: translate("validation_failed", lang) + (f" {errors[0][f'message_{lang}']}" if errors else "") for lang in LANGUAGES}
        body = {"code": "validation_failed", "message": said[language], "message_vi": said["vi"], "message_en": said["en"], "details": errors}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def framework_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """The framework's own refusals (no such route, method, a body that does not parse, broken
        multipart) in the same bilingual body as every other error, never its English `detail`."""
        code = FRAMEWORK_ERRORS.get(exc.status_code, "request_refused")
        error = AppError(code, status=exc.status_code, method=request.method)
        return JSONResponse(error.body(get_language(request)), status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("http.unexpected_error", path=request.url.path)
        return JSONResponse(AppError("internal_error").body(get_language(request)), status_code=500)

    @app.get("/health", response_model=Health, tags=["health"], responses={503: {"model": Health}},
             summary="Tình trạng dịch vụ (503 khi không phục vụ được) / service health (503 when it cannot serve)")
    async def health(rt: RuntimeDep) -> JSONResponse:
        found = await rt.health()
        return JSONResponse(found.model_dump(mode="json"), status_code=200 if found.status == "ok" else 503)

    @app.get("/metrics", tags=["health"], response_class=PlainTextResponse, summary="Số đo Prometheus / Prometheus metrics")
    async def prometheus(rt: RuntimeDep) -> PlainTextResponse:
        return PlainTextResponse(metrics.render(await rt.health()), media_type=CONTENT_TYPE_LATEST)

    @app.get("/asyncapi.json", tags=["events"], summary="Danh mục sự kiện (AsyncAPI 3) / the event catalog as AsyncAPI 3")
    async def asyncapi() -> dict[str, Any]:
        return asyncapi_document()

    @app.get("/jobs/{job_id}", response_model=JobView, tags=["jobs"],
             summary="Tiến độ và kết quả một công việc dài / progress and result of a long job")
    async def job(job_id: str, rt: RuntimeDep, principal: PrincipalDep, language: LanguageDep) -> JobView:
        found = rt.jobs.get(job_id)
        if found is None:
            raise NotFound("job_not_found", ref=job_id)
        if found.owner != principal.token_id and principal.role is not Role.NATIONAL_ADMIN:
            raise Forbidden("forbidden_role", role=principal.role.value)
        return found.view(language)

    return app


def _correlation_id_from(header: str | None) -> UUID:
    try:
        return UUID(header) if header else new_event_id()
    except ValueError:
        return new_event_id()


def serve(service: str, create_app: Callable[[], FastAPI]) -> None:
    """Run one service process (or the portal): logging, then uvicorn on its port."""
    import uvicorn

    from thidua_shared.logging import configure_logging
    from thidua_shared.owner_only import write_owner_only
    from thidua_shared.settings import ServiceSettings

    write_owner_only()  # its database files, WAL, documents and logs: readable by their owner only
    settings = Settings()
    configure_logging(settings, service)
    port = ServiceSettings.for_service(service).resolved_port(service)
    uvicorn.run(create_app(), host=settings.host, port=port, log_config=None, access_log=False)
