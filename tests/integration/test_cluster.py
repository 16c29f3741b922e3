"""The centre on three nats-servers (`thidua up --cluster 3`): streams replicated three times, and a
server killed outright in the middle of a stream of writes loses nothing and duplicates nothing."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest

from thidua_cli.audit import read_stream, verify_stream
from thidua_cli.launcher import declare_streams, embedded_nats_servers
from thidua_shared.access.tokens import hash_token, new_token
from thidua_shared.keys import ensure_node_key
from thidua_shared.messaging.nats_access import identity_for
from thidua_shared.messaging.streams import EVENTS_STREAM
from thidua_shared.settings import Settings
from thidua_shared.topology import TOOLS_IDENTITY

from thidua_registry.entrypoints.app import create_app

from tests.support import eventually, free_run

pytestmark = pytest.mark.timeout(240)


async def test_a_server_killed_mid_write_loses_nothing_and_duplicates_nothing(tmp_path: Path, monkeypatch) -> None:
    base = free_run(12)  # one run checked free for all four kinds of port of the three servers (before, each kind's run
    # was checked at one place and used three ports further on, where another test's server could be listening)
    settings = Settings(var_dir=tmp_path / "var", node="vn", cluster_size=3, nats_port=base,
                        nats_monitor_port=base + 3, cluster_port=base + 6, leaf_port=base + 9)
    ensure_node_key(settings.keys_dir, "vn")
    servers = embedded_nats_servers(settings, settings.var_dir)
    for server in servers:
        server.start()
    try:
        await declare_streams(settings, leader_wait=30.0)
        tools = await __import__("nats").connect(settings.nats_servers, **identity_for(settings, TOOLS_IDENTITY).connect_options())
        info = await tools.jetstream().stream_info(EVENTS_STREAM)
        await tools.close()
        assert info.config.num_replicas == 3

        admin_token = new_token()
        monkeypatch.setenv("THIDUA_REGISTRY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}")
        monkeypatch.setenv("THIDUA_BOOTSTRAP_ADMIN_TOKEN_HASH", hash_token(admin_token))
        app = create_app(settings)
        async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registry") as http:
            runtime = app.state.runtime
            auth = {"Authorization": f"Bearer {admin_token}"}
            assert (await http.post("/units", headers=auth, json={"code": "VCA", "name": "Liên minh HTX Việt Nam", "kind": "national_alliance"})).status_code == 201
            # Kill the very server the registry is connected to, with no clean shutdown, mid-stream.
            victim = next(s for s in servers if s.port == runtime.nc.connected_url.port)
            for i in range(90):
                if i == 30:
                    victim.kill()
                if i == 60:
                    victim.start()
                response = await http.post("/units", headers=auth, json={
                    "code": f"LMHTX-{i:02d}", "name": f"Liên minh HTX tỉnh số {i}", "kind": "provincial_alliance", "parent": "VCA"})
                assert response.status_code == 201, response.text  # the service keeps working throughout
                await asyncio.sleep(0.02)

            async def all_published() -> bool:
                try:
                    await runtime.relay.publish_pending()
                except Exception:  # noqa: BLE001 - a publish may time out while the cluster re-elects: retry, as the relay does
                    return False
                return (await http.get("/health")).json()["outbox_pending"] == 0
            await eventually(all_published, timeout=90, message="the outbox to drain")

        events = [e for e in await read_stream(settings.nats_servers, identity_for(settings, TOOLS_IDENTITY)) if e.service == "registry"]
        registered = [e.payload["unit"]["code"] for e in events if e.type == "registry.unit_registered"]
        assert sorted(registered) == sorted(["VCA", *(f"LMHTX-{i:02d}" for i in range(90))])  # 0 lost
        assert [n for n in Counter(e.id for e in events).values() if n > 1] == []  # 0 duplicated
        assert [e.sequence for e in events] == list(range(1, len(events) + 1))
        assert [r.problems for r in verify_stream(events, settings.keys_dir) if r.problems] == []
    finally:
        for server in servers:
            server.stop()
