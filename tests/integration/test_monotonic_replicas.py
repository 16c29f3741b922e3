"""Replicas never go back in time: an older snapshot delivered after a newer one is recorded and skipped.

The finding: with the campaigns service stopped while a unit was created and then renamed,
the redelivered `unit_registered` was applied after the rename, and the replica kept the
old name for good (a merged or dissolved unit would have come back to life the same way).
Here the registry's real events are fetched from a real nats-server and handed to the
campaigns service's replica consumer newest first, as a late redelivery would. The registry
runs on SQLite and PostgreSQL (the parametrised database), the replica on SQLite; the
replica's PostgreSQL path is the same shared code, run by the campaigns API tests.
"""

from __future__ import annotations

from nats.js.api import ConsumerConfig
from sqlalchemy import select

from thidua_shared.access.replica import token_replica_consumer
from thidua_shared.db import Database, upgrade_to_head_async
from thidua_shared.keys import TrustedKeys
from thidua_shared.messaging.consumer import IdempotentConsumer
from thidua_shared.messaging.verification import EventVerifier

from thidua_shared.registry_replica import MIGRATIONS as REGISTRY_REPLICA, registry_replica_consumer

from thidua_campaigns.adapters.tables import messaging
from thidua_campaigns.adapters.tables import registry as replica
from thidua_campaigns.entrypoints.app import MIGRATIONS

from tests.integration.conftest import RegistryClient


async def campaigns_database(url: str) -> Database:
    await upgrade_to_head_async(MIGRATIONS, url, [REGISTRY_REPLICA])
    return Database.from_url(url)


async def registry_history(r: RegistryClient) -> dict[str, str]:
    """A unit registered, renamed, then merged; a cluster whose 2026 members change twice; a token issued then revoked."""
    await r.unit("VCA", "Liên minh Hợp tác xã Việt Nam", "national_alliance")
    await r.unit("LMHTX-10", "Liên minh HTX tỉnh Lào Cai", "provincial_alliance", "VCA", "10")
    yen_bai = await r.unit("LMHTX-15", "Liên minh HTX tỉnh Yên Bái (tên cũ)", "provincial_alliance", "VCA", "15")
    assert (await r.patch("/units/LMHTX-15", {"name": "Liên minh HTX tỉnh Yên Bái"})).status_code == 200
    assert (await r.post("/units/LMHTX-15/merge", {"successor": "LMHTX-10", "effective_date": "2025-07-01"})).status_code == 200
    cluster = (await r.post("/clusters", {"code": "CUM-BAC", "name": "Cụm thi đua miền núi phía Bắc", "owner": "VCA"})).json()
    await r.put("/clusters/CUM-BAC/members/2026", {"units": ["LMHTX-10", "LMHTX-15"]})
    await r.put("/clusters/CUM-BAC/members/2026", {"units": ["LMHTX-10"]})
    await r.put("/clusters/CUM-BAC/members/2027", {"units": ["LMHTX-10"]})
    issued = (await r.post("/tokens", {"holder_name": "Cán bộ cũ", "role": "auditor"})).json()
    revoked = await r.http.delete(f"/tokens/{issued['id']}", headers=r.as_(r.admin_token))
    assert revoked.status_code == 204
    return {"unit": yen_bai["id"], "cluster": cluster["id"], "token": issued["id"]}


async def fetch_all(js, subject: str, durable: str) -> list:
    """Every message of the consumer's subject, fetched (not acknowledged) in stream order."""
    config = ConsumerConfig(name=durable, durable_name=durable, filter_subject=subject, ack_wait=60)
    sub = await js.pull_subscribe(subject, durable=durable, stream="EVENTS", config=config)
    messages = []
    while True:
        try:
            batch = await sub.fetch(batch=500, timeout=1)
        except TimeoutError:
            return messages
        messages.extend(batch)


async def test_older_snapshots_delivered_after_newer_ones_are_skipped(registry: RegistryClient, tmp_path):
    ids = await registry_history(registry)
    await registry.events()  # everything committed is in the stream
    db = await campaigns_database(f"sqlite+aiosqlite:///{tmp_path / 'campaigns.db'}")
    nc = await registry.nats.connect("campaigns")
    js = nc.jetstream()
    verifier = EventVerifier(TrustedKeys(registry.settings.keys_dir))
    consumers = [
        IdempotentConsumer(spec, db, messaging, js, "vn", verifier)
        for spec in (registry_replica_consumer("campaigns", replica), token_replica_consumer("campaigns", messaging))
    ]
    for consumer in consumers:
        messages = await fetch_all(js, consumer.spec.subject, consumer.spec.name)
        assert len(messages) > 10
        for msg in reversed(messages):  # newest first: every older event arrives after a newer one
            await consumer.process([msg])

    async with db.sessions() as session:
        unit = (await session.execute(select(replica.units).where(replica.units.c.id == ids["unit"]))).one()
        members = {
            (row.year, row.unit_id)
            for row in await session.execute(select(replica.members).where(replica.members.c.cluster_id == ids["cluster"]))
        }
        token = (await session.execute(select(messaging.access_tokens).where(messaging.access_tokens.c.id == ids["token"]))).one()
        cluster = (await session.execute(select(replica.clusters).where(replica.clusters.c.id == ids["cluster"]))).one()
        inbox = set(await session.scalars(select(messaging.inbox.c.event_id)))
    assert unit.name == "Liên minh HTX tỉnh Yên Bái" and unit.status == "merged"  # neither the old name nor "active" came back
    lao_cai = (await registry.get("/units/LMHTX-10")).json()["id"]
    assert members == {(2026, lao_cai), (2027, lao_cai)}  # each year's newest list
    assert token.revoked_at is not None  # the late copy of the issue did not revive it
    assert (cluster.code, cluster.name) == ("CUM-BAC", "Cụm thi đua miền núi phía Bắc")
    every_event = {str(e.id) for e in await registry.events() if any(c.spec.handles(e.type) for c in consumers)}
    assert every_event <= inbox  # the skipped ones are recorded as processed
    await nc.close()
    await db.dispose()


async def test_in_order_delivery_still_applies_every_change(registry: RegistryClient, tmp_path):
    """The other half of the rule: newer events are applied, one after the other."""
    ids = await registry_history(registry)
    await registry.events()
    db = await campaigns_database(f"sqlite+aiosqlite:///{tmp_path / 'campaigns.db'}")
    nc = await registry.nats.connect("campaigns")
    js = nc.jetstream()
    consumer = IdempotentConsumer(registry_replica_consumer("campaigns", replica), db, messaging, js, "vn", EventVerifier(TrustedKeys(registry.settings.keys_dir)))
    names = []
    for msg in await fetch_all(js, consumer.spec.subject, consumer.spec.name):
        await consumer.process([msg])
        async with db.sessions() as session:
            names.append(await session.scalar(select(replica.units.c.name).where(replica.units.c.id == ids["unit"])))
    assert "Liên minh HTX tỉnh Yên Bái (tên cũ)" in names and names[-1] == "Liên minh HTX tỉnh Yên Bái"
    await nc.close()
    await db.dispose()
