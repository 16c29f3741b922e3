"""Rendering a page: one layout, the reader's language, texts from the platform's one message catalog, numbers
and dates as Vietnamese readers write them. Jinja escapes every value it prints."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from thidua_shared.i18n import Language, format_date, format_number, translate
from thidua_portal.entrypoints.web import LANGUAGE_COOKIE

HTMX = "htmx-2.0.8.min.js"  # one pinned major version, served by the portal itself
TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(default=True),
                        trim_blocks=True, lstrip_blocks=True)
YEAR = 365 * 24 * 3600


def render(request: Request, template: str, language: Language, status: int = 200, **context: object) -> HTMLResponse:
    """A whole page; the language chosen with ?lang= is remembered for the next ones."""
    def t(code: str, **params: object) -> str:
        return translate(code, language, **params)

    html = TEMPLATES.get_template(template).render(
        t=t, lang=language, other="en" if language == "vi" else "vi", path=request.url.path, htmx=HTMX,
        number=lambda value: format_number(value, language), date=lambda value: format_date(value, language), **context)
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in ("vi", "en"):
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=YEAR, httponly=True, samesite="lax")
    return response
