"""The portal's accounts (issue 19, item 2), on SQLite and PostgreSQL: the first national administrator sets a
password through a one-time link; signing in opens a new session each time; wrong passwords back off, and no
refusal says whether a login exists; the database holds no password, link or session token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from thidua_portal.adapters.tables import metadata
from thidua_portal.migrations import MIGRATIONS
from thidua_portal.service_layer import accounts
from thidua_shared.db import Database, upgrade_to_head_async
from thidua_shared.errors import Invalid, Unauthorized

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
PASSWORD = "chè shan tuyết suối giàng"


@pytest.fixture
async def db(database_url: str):
    await upgrade_to_head_async(MIGRATIONS, database_url, platform=False)
    database = Database.from_url(database_url)
    yield database
    await database.dispose()


async def test_the_migrations_build_the_declared_tables(db: Database) -> None:
    async with db.engine.connect() as connection:
        assert await connection.run_sync(lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)) == []


async def test_the_first_administrator_sets_a_password_through_a_link_that_works_once(db: Database) -> None:
    token = await accounts.first_admin_link(db, NOW)
    assert token and await accounts.first_admin_link(db, NOW) != token  # a fresh link at each start until it is used
    with pytest.raises(Invalid) as weak:
        await accounts.set_password_by_link(db, token, "password1", NOW)
    assert weak.value.code == "password_too_short"
    admin = await accounts.set_password_by_link(db, token, PASSWORD, NOW)
    assert admin.login == accounts.FIRST_ADMIN_LOGIN
    for later in (token, "khong-co"):
        with pytest.raises(Invalid) as used:
            await accounts.set_password_by_link(db, later, PASSWORD + " nữa", NOW)
        assert used.value.code == "setup_link_invalid"
    assert await accounts.first_admin_link(db, NOW) is None  # once set, `up` prints no link


async def test_a_link_expires(db: Database) -> None:
    token = await accounts.first_admin_link(db, NOW)
    with pytest.raises(Invalid):
        await accounts.set_password_by_link(db, token or "", PASSWORD, NOW + accounts.LINK_LIFETIME)


async def test_signing_in_opens_a_new_session_and_wrong_passwords_back_off_without_naming_the_account(db: Database) -> None:
    await accounts.set_password_by_link(db, await accounts.first_admin_link(db, NOW) or "", PASSWORD, NOW)
    account, first = await accounts.sign_in(db, " QuanTri ", PASSWORD, NOW)  # a login as typed: case and spaces
    _, second = await accounts.sign_in(db, "quantri", PASSWORD, NOW)
    assert first != second and (await accounts.session_account(db, first, NOW)).id == account.id
    await accounts.sign_out(db, first, NOW)
    assert await accounts.session_account(db, first, NOW) is None
    assert await accounts.session_account(db, second, NOW + accounts.SESSION_LIFETIME) is None  # expired
    for login in ("khong-co-ai", "quantri"):  # the same answer whether the login exists or not
        with pytest.raises(Unauthorized) as refused:
            await accounts.sign_in(db, login, "sai mật khẩu rồi nhé", NOW)
        assert refused.value.code == "sign_in_failed"
    for _ in range(4):
        with pytest.raises(Unauthorized):
            await accounts.sign_in(db, "quantri", "sai mật khẩu rồi nhé", NOW)
    with pytest.raises(Unauthorized) as waiting:
        await accounts.sign_in(db, "quantri", PASSWORD, NOW)  # even the right password waits its turn
    assert waiting.value.code == "sign_in_wait"
    await accounts.sign_in(db, "quantri", PASSWORD, NOW + timedelta(minutes=15))


async def test_the_database_holds_no_password_link_or_session_token(db: Database) -> None:
    token = await accounts.first_admin_link(db, NOW) or ""
    await accounts.set_password_by_link(db, token, PASSWORD, NOW)
    _, session_token = await accounts.sign_in(db, "quantri", PASSWORD, NOW)
    rows = []
    async with db.engine.connect() as connection:
        for table in ("accounts", "setup_links", "sessions"):
            rows += (await connection.execute(text(f"SELECT * FROM {table}"))).all()
    stored = " ".join(str(row) for row in rows)
    assert "argon2id" in stored and not any(secret in stored for secret in (PASSWORD, token, session_token))
