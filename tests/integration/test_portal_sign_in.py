"""Signing in to the portal (issue 19, items 2 and 7), over HTTP: the first administrator's one-time link sets a
password, signing in sets a new HttpOnly session cookie, a form without its CSRF token is refused before anything
is written, wrong passwords answer in Vietnamese (or English) without naming the account, signing out ends the
session."""

from __future__ import annotations

import re

import httpx
import pytest

from thidua_portal.entrypoints.app import SESSION_COOKIE, create_app
from thidua_portal.entrypoints.runtime import FIRST_ADMIN_FILE, Portal
from thidua_shared.settings import Settings

PASSWORD = "chè shan tuyết suối giàng"


@pytest.fixture
async def portal(tmp_path):
    opened = await Portal.open(Settings(var_dir=tmp_path / "var"))
    link = await opened.offer_first_admin_link("http://portal.test")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(opened)), base_url="http://portal.test") as client:
        client.first_admin_link = link  # type: ignore[attr-defined]
        client.portal = opened  # type: ignore[attr-defined]
        yield client
    await opened.close()


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf-token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


async def set_password(client: httpx.AsyncClient) -> None:
    path = httpx.URL(client.first_admin_link).path  # type: ignore[attr-defined]
    page = await client.get(path)
    done = await client.post(path, data={"csrf-token": csrf_of(page), "password": PASSWORD, "again": PASSWORD})
    assert (done.status_code, done.headers["location"]) == (303, "/dang-nhap?da-dat=1"), done.text


async def test_the_first_administrator_sets_a_password_signs_in_and_out(portal: httpx.AsyncClient, tmp_path) -> None:
    assert (tmp_path / "var" / "portal" / FIRST_ADMIN_FILE).stat().st_mode & 0o077 == 0  # the link, for its owner only
    await set_password(portal)
    assert not (tmp_path / "var" / "portal" / FIRST_ADMIN_FILE).exists()  # once used, `up` prints it no more
    again = await portal.get(httpx.URL(portal.first_admin_link).path)  # type: ignore[attr-defined]
    refused = await portal.post(httpx.URL(portal.first_admin_link).path,  # type: ignore[attr-defined]
                                data={"csrf-token": csrf_of(again), "password": PASSWORD, "again": PASSWORD})
    assert refused.status_code == 422 and "Liên kết này không dùng được" in refused.text

    portal.cookies.set(SESSION_COOKIE, "chosen-by-an-attacker", domain="portal.test")  # a session id the browser brought is never kept
    page = await portal.get("/dang-nhap")
    signed_in = await portal.post("/dang-nhap", data={"csrf-token": csrf_of(page), "login": "QuanTri", "password": PASSWORD})
    assert signed_in.status_code == 303
    cookie = signed_in.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "chosen-by-an-attacker" not in cookie
    home = await portal.get("/")
    assert "Xin chào, Quản trị quốc gia." in home.text

    out = await portal.post("/dang-xuat", data={"csrf-token": csrf_of(home)})
    assert out.status_code == 303 and "Xin chào" not in (await portal.get("/")).text


async def test_a_form_without_its_csrf_token_is_refused_before_anything_is_written(portal: httpx.AsyncClient) -> None:
    path = httpx.URL(portal.first_admin_link).path  # type: ignore[attr-defined]
    await portal.get(path)  # the cookie half is there; the form half is missing
    forged = await portal.post(path, data={"password": PASSWORD, "again": PASSWORD})
    assert forged.status_code == 403 and "Biểu mẫu đã hết hạn hoặc không đến từ trang này" in forged.text
    portal.cookies.clear()
    page = await portal.get(path)
    wrong = await portal.post(path, data={"csrf-token": csrf_of(page) + "x", "password": PASSWORD, "again": PASSWORD})
    assert wrong.status_code == 403
    await set_password(portal)  # the link still works: nothing was written by the forged requests


async def test_wrong_passwords_answer_without_naming_the_account_in_the_readers_language(portal: httpx.AsyncClient) -> None:
    await set_password(portal)
    for login, language, said in (("quantri", "vi", "Tên đăng nhập hoặc mật khẩu không đúng."),
                                  ("khong-co-ai", "vi", "Tên đăng nhập hoặc mật khẩu không đúng."),
                                  ("quantri", "en", "Wrong login or password.")):
        page = await portal.get("/dang-nhap", params={"lang": language})
        refused = await portal.post("/dang-nhap", data={"csrf-token": csrf_of(page), "login": login, "password": "sai mật khẩu rồi nhé"})
        assert refused.status_code == 401 and said in refused.text
        assert f'value="{login}"' in refused.text and SESSION_COOKIE not in refused.headers.get("set-cookie", "")


async def test_what_a_person_types_is_shown_inert(portal: httpx.AsyncClient) -> None:
    page = await portal.get("/dang-nhap")
    typed = '"><script>alert(1)</script>'
    refused = await portal.post("/dang-nhap", data={"csrf-token": csrf_of(page), "login": typed, "password": "x"})
    assert "<script>alert(1)</script>" not in refused.text and "&lt;script&gt;" in refused.text


async def test_a_huge_form_is_refused_before_it_is_read(portal: httpx.AsyncClient) -> None:
    page = await portal.get("/dang-nhap")
    huge = await portal.post("/dang-nhap", data={"csrf-token": csrf_of(page), "login": "x" * 2_000_000, "password": "y"})
    assert huge.status_code == 413
