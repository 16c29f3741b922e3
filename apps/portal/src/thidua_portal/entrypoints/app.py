"""The portal's application: pages, its static files (htmx among them, never from a CDN: an office may be
offline), the reader's language, sign-in with server-side sessions, and the headers every answer carries.

Every form carries a CSRF token (fastapi-csrf-protect: a signed cookie and the same token in the form, or in
htmx's X-CSRF-Token header); a request without it is refused before anything is read or written."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_csrf_protect.exceptions import CsrfProtectError
from fastapi_csrf_protect.flexible import CsrfProtect

from thidua_shared.errors import AppError
from thidua_shared.events.envelope import utc_now
from thidua_shared.http import BodyLimit
from thidua_shared.i18n import translate
from thidua_shared.settings import ServiceSettings, Settings
from thidua_shared.topology import PORTAL

from thidua_portal.entrypoints.pages import render
from thidua_portal.entrypoints.runtime import Portal
from thidua_portal.entrypoints.web import SecurityHeaders, choose_language
from thidua_portal.service_layer import accounts

STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "thidua_session"


def create_app(portal: Portal | None = None) -> FastAPI:
    """The app; `portal` given by tests, otherwise opened at start from the node's settings."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if portal is not None:  # given, and in place since the app was made
            yield
            return
        settings = Settings()
        opened = await Portal.open(settings)
        port = ServiceSettings.for_service(PORTAL).resolved_port(PORTAL)
        await opened.offer_first_admin_link(f"http://{settings.host}:{port}")
        app.state.portal = opened
        _load_csrf(opened.csrf_secret)
        try:
            yield
        finally:
            await opened.close()

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)  # pages for people
    if portal is not None:
        app.state.portal = portal
        _load_csrf(portal.csrf_secret)
    app.add_middleware(BodyLimit, settings=Settings())  # a form is small: a huge body is refused as it streams
    app.add_middleware(GZipMiddleware, minimum_size=500)  # a slow link: pages and htmx travel compressed
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _routes(app)
    return app


def _load_csrf(secret: str) -> None:
    """fastapi-csrf-protect keeps its settings on the class: set once, when the portal's secret is known."""

    @CsrfProtect.load_config
    def config() -> list[tuple[str, object]]:
        return [("secret_key", secret), ("cookie_key", "thidua_csrf"), ("cookie_samesite", "lax"), ("max_age", 4 * 3600)]


def _portal(request: Request) -> Portal:
    portal: Portal = request.app.state.portal
    return portal


async def _person(request: Request) -> accounts.Account | None:
    token = request.cookies.get(SESSION_COOKIE)
    return await accounts.session_account(_portal(request).db, token, utc_now()) if token else None


def _form_page(request: Request, template: str, status: int = 200, **context: object) -> Response:
    """A page with a form: a fresh CSRF token in the form and its signed twin in a cookie."""
    csrf = CsrfProtect()
    token, signed = csrf.generate_csrf_tokens()
    response = render(request, template, choose_language(request), status=status, csrf=token, **context)
    csrf.set_csrf_cookie(signed, response)
    return response


async def _checked_form(request: Request) -> dict[str, str]:
    """The form's fields, once its CSRF token is checked (refused: CsrfProtectError)."""
    form = await request.form()
    await CsrfProtect().validate_csrf(request)
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _routes(app: FastAPI) -> None:
    @app.exception_handler(CsrfProtectError)
    async def csrf_refused(request: Request, _: CsrfProtectError) -> Response:
        return render(request, "refused.html", choose_language(request), status=403, title="portal_csrf_title", message="portal_csrf_refused")

    @app.get("/health", include_in_schema=False)
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        person = await _person(request)
        if person is None:
            return render(request, "home.html", choose_language(request), title="portal_home_title", person=None)
        return _form_page(request, "home.html", title="portal_home_title", person=person)

    @app.get("/dang-nhap", response_class=HTMLResponse)
    async def sign_in_page(request: Request) -> Response:
        return _form_page(request, "sign_in.html", title="portal_sign_in_title", done=request.query_params.get("da-dat") == "1")

    @app.post("/dang-nhap", response_class=HTMLResponse)
    async def sign_in(request: Request) -> Response:
        fields = await _checked_form(request)
        try:
            _, token = await accounts.sign_in(_portal(request).db, fields.get("login", ""), fields.get("password", ""), utc_now())
        except AppError as refused:
            return _form_page(request, "sign_in.html", status=refused.status, title="portal_sign_in_title",
                              error=refused.message(choose_language(request)), login=fields.get("login", ""))
        response = RedirectResponse("/", status_code=303)
        # A new session id at each sign-in (never one the browser brought), readable by no script.
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), max_age=int(accounts.SESSION_LIFETIME.total_seconds()))
        return response

    @app.post("/dang-xuat")
    async def sign_out(request: Request) -> Response:
        await _checked_form(request)
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await accounts.sign_out(_portal(request).db, token, utc_now())
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/thiet-lap-mat-khau/{token}", response_class=HTMLResponse)
    async def set_password_page(request: Request, token: str) -> Response:
        return _form_page(request, "set_password.html", title="portal_set_password_title", token=token)

    @app.post("/thiet-lap-mat-khau/{token}", response_class=HTMLResponse)
    async def set_password(request: Request, token: str) -> Response:
        fields = await _checked_form(request)
        if fields.get("password", "") != fields.get("again", ""):
            return _form_page(request, "set_password.html", status=422, title="portal_set_password_title", token=token,
                              error=translate("portal_passwords_differ", choose_language(request)))
        try:
            await accounts.set_password_by_link(_portal(request).db, token, fields.get("password", ""), utc_now())
        except AppError as refused:
            return _form_page(request, "set_password.html", status=refused.status, title="portal_set_password_title", token=token,
                              error=refused.message(choose_language(request)))
        _portal(request).link_used(token)
        return RedirectResponse("/dang-nhap?da-dat=1", status_code=303)
