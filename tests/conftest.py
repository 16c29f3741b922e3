"""Fixtures: real nats-server processes on free ports, SQLite files, and PostgreSQL databases.

PostgreSQL comes from THIDUA_TEST_POSTGRES_URL (CI sets it to the machine's server);
without it, or when that server does not answer, PostgreSQL tests are skipped with a
message that says so.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import nats
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from thidua_cli.credentials import accounts_block
from thidua_cli.natsserver import NatsServer
from thidua_shared.messaging.nats_access import NatsIdentity, identity_for
from thidua_shared.messaging.streams import apply_streams
from thidua_shared.settings import Settings
from thidua_shared.topology import ADMIN_IDENTITY

POSTGRES_ADMIN_URL = os.environ.get("THIDUA_TEST_POSTGRES_URL")


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A nats-server without authentication, for tests of the messaging plumbing alone."""
    server = NatsServer(store_dir=tmp_path / "nats").start_on_free_ports()
    yield server
    server.stop()


@dataclass
class SecuredNats:
    """A nats-server as `thidua up` runs it: every identity authenticated, each with its permissions."""

    server: NatsServer
    settings: Settings  # var_dir holds credentials/ (the seeds) and keys/

    @property
    def url(self) -> str:
        return self.server.url

    def identity(self, name: str) -> NatsIdentity:
        return identity_for(self.settings, name)

    async def connect(self, name: str) -> nats.NATS:
        return await nats.connect(self.url, **self.identity(name).connect_options())


@pytest.fixture
async def secured_nats(tmp_path: Path) -> AsyncIterator[SecuredNats]:
    settings = Settings(var_dir=tmp_path / "var", node="vn")
    server = NatsServer(store_dir=tmp_path / "secured-nats",
                        accounts=accounts_block(settings, ["registry", "campaigns", "scoring", "awards"])).start_on_free_ports()
    secured = SecuredNats(server, settings.model_copy(update={"nats_url": server.url}))
    admin = await secured.connect(ADMIN_IDENTITY)
    await apply_streams(admin.jetstream(), "vn")
    await admin.close()
    yield secured
    server.stop()


@pytest.fixture
async def js_streams(nats_server: NatsServer) -> AsyncIterator[nats.js.JetStreamContext]:
    """A JetStream context with the node's streams declared, as `thidua up` does."""
    nc = await nats.connect(nats_server.url)
    await apply_streams(nc.jetstream(), "vn")
    yield nc.jetstream()
    await nc.close()


def _postgres_skip_reason() -> str | None:
    if not POSTGRES_ADMIN_URL:
        return "PostgreSQL tests skipped: set THIDUA_TEST_POSTGRES_URL (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres)"

    async def probe() -> None:
        engine = create_async_engine(POSTGRES_ADMIN_URL)
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        finally:
            await engine.dispose()

    try:
        asyncio.run(probe())
    except Exception as exc:  # noqa: BLE001
        return f"PostgreSQL tests skipped: {POSTGRES_ADMIN_URL} does not answer ({exc.__class__.__name__})"
    return None


_PG_SKIP: list[str | None] = []


def postgres_skip_reason() -> str | None:
    if not _PG_SKIP:
        _PG_SKIP.append(_postgres_skip_reason())
    return _PG_SKIP[0]


def _run_admin(sql: str) -> None:
    async def run() -> None:
        engine = create_async_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(sql))
        finally:
            await engine.dispose()

    asyncio.run(run())


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    reason = postgres_skip_reason()
    if reason:
        pytest.skip(reason)
    assert POSTGRES_ADMIN_URL
    name = f"thidua_test_{uuid.uuid4().hex[:12]}"
    _run_admin(f'CREATE DATABASE "{name}"')
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    _run_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(autouse=True)
def answers_agree_with_what_was_done() -> Iterator[None]:
    """Every test, every service in this process: no request was answered with an error after it had
    committed something (a refusal must come before anything is written)."""
    from thidua_shared import consistency

    consistency.contradictions.clear()
    yield
    found = list(consistency.contradictions)
    consistency.contradictions.clear()
    assert not found, f"answered with an error after a commit: {found}"
