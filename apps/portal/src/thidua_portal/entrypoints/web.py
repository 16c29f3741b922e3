"""What every page and answer shares: the reader's language (Vietnamese first, English by a switch that is
remembered), and the headers that keep a page from being framed, sniffed or made to run a script it did not
ship."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from thidua_shared.i18n import Language
from fastapi import Request

LANGUAGE_COOKIE = "lang"

# No inline script or style anywhere: a script reaches a page only as a file this portal serves.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def choose_language(request: Request) -> Language:
    """?lang= (the switch), then the remembered choice, then Vietnamese."""
    wanted = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    return "en" if wanted == "en" else "vi"


class SecurityHeaders:
    """Plain ASGI middleware: the headers added to every answer, pages and static files alike."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)
