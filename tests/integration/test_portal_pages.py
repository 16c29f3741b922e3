"""The portal's foundation (issue 19, item 1): pages rendered on the server in Vietnamese first and English by a
switch that is remembered, htmx served by the portal itself, a page under 100 KB on the wire, no inline script
or style (the Content-Security-Policy allows none), and the headers every answer carries."""

from __future__ import annotations

import re

import httpx
import pytest

from thidua_portal.entrypoints.app import create_app
from thidua_portal.entrypoints.pages import HTMX
from thidua_portal.entrypoints.runtime import Portal
from thidua_shared.settings import Settings


@pytest.fixture
async def portal(tmp_path):
    opened = await Portal.open(Settings(var_dir=tmp_path / "var"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(opened)), base_url="http://portal.test") as client:
        yield client
    await opened.close()


async def test_vietnamese_first_english_by_a_switch_that_is_remembered(portal: httpx.AsyncClient) -> None:
    home = await portal.get("/")
    assert home.status_code == 200 and '<html lang="vi">' in home.text
    assert "Thi đua – khen thưởng khu vực kinh tế tập thể" in home.text and 'href="/?lang=en"' in home.text
    switched = await portal.get("/", params={"lang": "en"})
    assert '<html lang="en">' in switched.text and "Emulation and commendation" in switched.text
    assert "lang=en" in switched.headers["set-cookie"] and "httponly" in switched.headers["set-cookie"].lower()
    remembered = await portal.get("/")  # the client keeps the cookie, as a browser does
    assert '<html lang="en">' in remembered.text and 'href="/?lang=vi"' in remembered.text


async def test_pages_ship_no_inline_script_or_style_and_carry_the_security_headers(portal: httpx.AsyncClient) -> None:
    for path in ("/", "/dang-nhap", f"/static/{HTMX}", "/static/portal.css"):
        answer = await portal.get(path)
        assert answer.status_code == 200, path
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
        assert answer.headers["x-content-type-options"] == "nosniff" and answer.headers["referrer-policy"] == "same-origin"
    for page in ("/", "/dang-nhap"):
        assert_no_inline_code((await portal.get(page)).text)


def assert_no_inline_code(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # every script is a file
    assert not re.search(r"\son[a-z]+\s*=", html, re.I) and "<style" not in html and "style=" not in html
    assert re.findall(r'<script src="([^"]+)"', html) == [f"/static/{HTMX}"]  # htmx from here, never a CDN


async def test_a_page_and_what_it_loads_stay_under_100_kb_on_the_wire(portal: httpx.AsyncClient) -> None:
    gzip = {"accept-encoding": "gzip"}
    sizes = {}
    for path in ("/dang-nhap", f"/static/{HTMX}", "/static/portal.css"):
        async with portal.stream("GET", path, headers=gzip) as answer:
            sizes[path] = sum([len(chunk) async for chunk in answer.aiter_raw()])
    assert sum(sizes.values()) < 100_000, sizes
    assert (await portal.get("/health")).json() == {"status": "ok"}
