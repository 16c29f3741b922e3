"""The portal's application: pages, its static files (htmx among them, never from a CDN: an office may be
offline), the reader's language, and the headers every answer carries."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from thidua_portal.entrypoints.pages import render
from thidua_portal.entrypoints.web import SecurityHeaders, choose_language

STATIC = Path(__file__).parent / "static"


def create_app() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)  # pages for people; the services document the APIs
    app.add_middleware(GZipMiddleware, minimum_size=500)  # a slow link: pages and htmx travel compressed
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/health", include_in_schema=False)
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        return render(request, "home.html", choose_language(request), title="portal_home_title")

    return app
