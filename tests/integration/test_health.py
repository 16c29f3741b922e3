"""/health tells the truth: 503 with the reason when the outbox is stuck, lag and dead letters in the body."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from thidua_shared.events.envelope import utc_now

from tests.integration.conftest import RegistryClient, System


async def test_an_event_waiting_too_long_in_the_outbox_makes_health_unavailable(registry: RegistryClient):
    healthy = await registry.http.get("/health")
    assert healthy.status_code == 200 and healthy.json()["status"] == "ok" and healthy.json()["reasons"] == []
    runtime = registry.http._transport.app.state.runtime  # type: ignore[attr-defined]
    runtime.relay.stop()  # nothing publishes any more, as when the relay is wedged
    await runtime._finish_tasks()
    await registry.unit("VCA", "Liên minh Hợp tác xã Việt Nam", "national_alliance")
    async with runtime.db.sessions() as session:
        await session.execute(update(runtime.tables.outbox).values(created_at=utc_now() - timedelta(minutes=10)))
        await session.commit()
    stuck = await registry.http.get("/health", headers={"Accept-Language": "en"})
    assert stuck.status_code == 503
    body = stuck.json()
    assert body["status"] == "unavailable" and body["outbox_pending"] == 1 and body["outbox_oldest_seconds"] >= 600
    assert any("outbox" in reason for reason in body["reasons"])


async def test_health_reports_each_consumers_lag_and_dead_letters(system: System):
    await system.registry.unit("VCA", "Liên minh Hợp tác xã Việt Nam", "national_alliance")
    await system.replicated("VCA")
    body = (await system.campaigns.get("/health")).json()
    consumers = {c["name"]: c for c in body["consumers"]}
    assert set(consumers) == {"campaigns-registry-replica", "campaigns-tokens"}
    replica = consumers["campaigns-registry-replica"]
    assert replica["lag"] == 0 and replica["dead_letters"] == 0 and replica["processed"] >= 1


async def test_the_api_pages_need_no_internet(registry: RegistryClient):
    """A provincial office may have no internet: /docs and /redoc load every script and style from the service."""
    import re

    for page in ("/docs", "/redoc"):
        html = (await registry.http.get(page)).text
        assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html) + re.findall(r"""url: ?["']([^"']+)["']""", html)
        assert assets, page
        assert [a for a in assets if a.startswith(("http://", "https://", "//"))] == [], page
        for asset in assets:
            response = await registry.http.get(asset)
            assert response.status_code == 200, (page, asset)
