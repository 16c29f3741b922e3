"""A registry service running in-process (real lifespan: migrations, NATS, relay) over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from thidua_shared.consistency import HeldPositions

from thidua_cli.audit import read_stream
from thidua_shared.access.tokens import hash_token, new_token
from thidua_shared.events.envelope import Envelope
from thidua_shared.settings import Settings
from thidua_shared.topology import TOOLS_IDENTITY

from thidua_registry.entrypoints.app import create_app

from tests.conftest import SecuredNats
from tests.nodes import Node, build_nodes


@dataclass
class RegistryClient:
    http: httpx.AsyncClient
    admin_token: str
    nats: SecuredNats
    settings: Settings

    @property
    def nats_url(self) -> str:
        return self.nats.url

    def as_(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    async def post(self, path: str, json: object, token: str | None = None, **kw) -> httpx.Response:
        return await self.http.post(path, json=json, headers=self.as_(token or self.admin_token) | kw.pop("headers", {}), **kw)

    async def get(self, path: str, token: str | None = None, **kw) -> httpx.Response:
        return await self.http.get(path, headers=self.as_(token or self.admin_token) | kw.pop("headers", {}), **kw)

    async def patch(self, path: str, json: object, token: str | None = None) -> httpx.Response:
        return await self.http.patch(path, json=json, headers=self.as_(token or self.admin_token))

    async def put(self, path: str, json: object, token: str | None = None) -> httpx.Response:
        return await self.http.put(path, json=json, headers=self.as_(token or self.admin_token))

    async def unit(self, code: str, name: str, kind: str, parent: str | None = None, province: str | None = None) -> dict:
        response = await self.post("/units", {"code": code, "name": name, "kind": kind, "parent": parent, "province_code": province})
        assert response.status_code == 201, response.text
        return response.json()

    async def token(self, role: str, scope: str | None, holder: str = "Người dùng thử") -> str:
        response = await self.post("/tokens", {"holder_name": holder, "role": role, "scope_unit": scope})
        assert response.status_code == 201, response.text
        return response.json()["token"]

    async def events(self) -> list[Envelope]:
        """The registry's events in the stream, once the relay has published everything committed."""
        runtime = self.http._transport.app.state.runtime  # type: ignore[attr-defined]
        await runtime.relay.publish_pending()
        return [e for e in await read_stream(self.nats_url, self.nats.identity(TOOLS_IDENTITY)) if e.service == "registry"]


@pytest.fixture
async def registry(database_url, secured_nats: SecuredNats, monkeypatch) -> AsyncIterator[RegistryClient]:
    admin_token = new_token()
    monkeypatch.setenv("THIDUA_REGISTRY_DATABASE_URL", database_url)
    monkeypatch.setenv("THIDUA_BOOTSTRAP_ADMIN_TOKEN_HASH", hash_token(admin_token))
    settings = secured_nats.settings
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry", event_hooks=HeldPositions().async_hooks()) as http:
            yield RegistryClient(http, admin_token, secured_nats, settings)


@dataclass
class System:
    """Registry and campaigns in one process, talking only through the real NATS stream."""

    registry: RegistryClient
    campaigns: httpx.AsyncClient
    campaigns_app: object

    def auth(self, token: str | None = None) -> dict[str, str]:
        return self.registry.as_(token or self.registry.admin_token)

    async def token(self, role: str, scope: str | None, holder: str = "Người dùng thử") -> str:
        """Issue a token in the registry and wait until the campaigns service has it (from the event)."""
        import asyncio
        import time

        token = await self.registry.token(role, scope, holder)
        await self.registry.events()
        deadline = time.monotonic() + 20
        while (await self.campaigns.get("/campaigns", headers=self.auth(token))).status_code == 401:
            assert time.monotonic() < deadline, "the token never reached the campaigns service"
            await asyncio.sleep(0.05)
        return token

    async def replicated(self, unit_code: str, timeout: float = 20.0) -> None:
        """Wait until the campaigns service's replica has caught up with the registry (unit and tokens)."""
        import asyncio
        import time

        from sqlalchemy import select

        from thidua_campaigns.adapters.tables import registry

        await self.registry.events()  # the registry's relay has published everything committed
        runtime = self.campaigns_app.state.runtime  # type: ignore[attr-defined]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            async with runtime.db.sessions() as session:
                if await session.scalar(select(registry.units.c.id).where(registry.units.c.code == unit_code.upper())):
                    return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{unit_code} never reached the campaigns replica")


@pytest.fixture
async def system(tmp_path, database_url, secured_nats: SecuredNats, monkeypatch) -> AsyncIterator[System]:
    from thidua_campaigns.entrypoints.app import create_app as create_campaigns_app

    admin_token = new_token()
    monkeypatch.setenv("THIDUA_REGISTRY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}")
    monkeypatch.setenv("THIDUA_CAMPAIGNS_DATABASE_URL", database_url)
    monkeypatch.setenv("THIDUA_BOOTSTRAP_ADMIN_TOKEN_HASH", hash_token(admin_token))
    settings = secured_nats.settings
    registry_app, campaigns_app = create_app(settings), create_campaigns_app(settings)
    async with registry_app.router.lifespan_context(registry_app), campaigns_app.router.lifespan_context(campaigns_app):
        positions = HeldPositions()  # one client's memory of its writes, shared by its clients of each service
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=registry_app), base_url="http://registry",
                              event_hooks=positions.async_hooks()) as registry_http,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=campaigns_app), base_url="http://campaigns",
                              event_hooks=positions.async_hooks()) as campaigns_http,
        ):
            yield System(RegistryClient(registry_http, admin_token, secured_nats, settings), campaigns_http, campaigns_app)


@dataclass
class ScoringSystem(System):
    """Registry, campaigns and scoring (and awards, for the `awards_system`) in one process, talking only
    through the real NATS stream."""

    scoring: httpx.AsyncClient = None  # type: ignore[assignment]
    scoring_app: object = None
    awards: httpx.AsyncClient | None = None
    awards_app: object = None

    async def caught_up(self, timeout: float = 20.0) -> None:
        """Wait until every event committed anywhere has reached scoring (and awards) and been applied."""
        from tests.support import eventually

        await self.registry.events()
        downstream = [c for c in (self.scoring, self.awards) if c is not None]
        for app in (self.campaigns_app, self.scoring_app, self.awards_app):
            if app is not None:
                await app.state.runtime.relay.publish_pending()  # type: ignore[attr-defined]

        async def applied() -> bool:
            for client in downstream:
                if not all(c["lag"] == 0 for c in (await client.get("/health")).json()["consumers"]):
                    return False
            return True

        await eventually(applied, timeout, "the services to catch up")

    async def replays_identical(self, service: str) -> str:
        """`thidua audit replay <service>` once everything is applied: the service rebuilt from the log
        alone is the live one, table by table (on SQLite or PostgreSQL, whichever the test runs on)."""
        from tests.support import run_cli

        await self.caught_up()
        settings = self.registry.settings
        env = {"THIDUA_NODE": settings.node, "THIDUA_VAR_DIR": str(settings.var_dir), "THIDUA_NATS_URL": self.registry.nats_url,
               "THIDUA_LANGUAGE": "vi", "COLUMNS": "200"}
        replayed = await run_cli(["audit", "replay", service], env)
        assert replayed.returncode == 0 and "Giống hệt CSDL đang chạy" in replayed.said, replayed.stdout + replayed.stderr
        return replayed.said

    async def token(self, role: str, scope: str | None, holder: str = "Người dùng thử", person: str | None = None) -> str:
        if person is None:
            token = await super().token(role, scope, holder)
        else:
            response = await self.registry.post("/tokens", {"holder_name": holder, "role": role, "scope_unit": scope, "person": person})
            assert response.status_code == 201, response.text
            token = response.json()["token"]
        await self.caught_up()
        return token


async def _system(tmp_path, database_url, secured_nats: SecuredNats, monkeypatch, with_awards: bool) -> AsyncIterator[ScoringSystem]:  # type: ignore[no-untyped-def]
    from contextlib import AsyncExitStack

    from thidua_campaigns.entrypoints.app import create_app as create_campaigns_app
    from thidua_scoring.entrypoints.app import create_app as create_scoring_app

    admin_token = new_token()
    monkeypatch.setenv("THIDUA_REGISTRY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}")
    monkeypatch.setenv("THIDUA_CAMPAIGNS_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'campaigns.db'}")
    monkeypatch.setenv("THIDUA_SCORING_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'scoring.db'}" if with_awards else database_url)
    monkeypatch.setenv("THIDUA_AWARDS_DATABASE_URL", database_url)
    monkeypatch.setenv("THIDUA_BOOTSTRAP_ADMIN_TOKEN_HASH", hash_token(admin_token))
    settings = secured_nats.settings
    apps = [create_app(settings), create_campaigns_app(settings), create_scoring_app(settings)]
    if with_awards:
        from thidua_awards.entrypoints.app import create_app as create_awards_app

        apps.append(create_awards_app(settings))
    async with AsyncExitStack() as stack:
        for app in apps:
            await stack.enter_async_context(app.router.lifespan_context(app))
        positions = HeldPositions()  # one client's memory of its writes, shared by its clients of each service
        clients = [await stack.enter_async_context(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}",
                                                                     event_hooks=positions.async_hooks()))
                   for app, name in zip(apps, ("registry", "campaigns", "scoring", "awards"))]
        yield ScoringSystem(RegistryClient(clients[0], admin_token, secured_nats, settings), clients[1], apps[1], clients[2], apps[2],
                            clients[3] if with_awards else None, apps[3] if with_awards else None)


@pytest.fixture
async def scoring_system(tmp_path, database_url, secured_nats: SecuredNats, monkeypatch) -> AsyncIterator[ScoringSystem]:
    async for system in _system(tmp_path, database_url, secured_nats, monkeypatch, with_awards=False):
        yield system


@pytest.fixture
async def awards_system(tmp_path, database_url, secured_nats: SecuredNats, monkeypatch) -> AsyncIterator[ScoringSystem]:
    """The four services; the awards service on the database under test."""
    async for system in _system(tmp_path, database_url, secured_nats, monkeypatch, with_awards=True):
        yield system


@pytest.fixture
async def centre(tmp_path) -> AsyncIterator[Node]:
    """The centre's node alone (its own nats-server, keys and credentials): what the audit tools read."""
    nodes = await build_nodes(tmp_path, provinces=(), watch=False)
    yield nodes["vn"]
    nodes["vn"].stop()
