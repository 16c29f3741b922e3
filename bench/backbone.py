"""Backbone benchmark: outbox relay and idempotent consumer against raw nats-py, in one run.

    uv run python bench/backbone.py [--events 10000] [--database-url URL] [--consumer-database-url URL]

Starts its own nats-server, commits `--events` events to an outbox, then measures on them:
  raw publish    js.publish + wait for the stream's ack, one by one (with Nats-Msg-Id), a copy
                 of the same bodies and headers on another subject
  relay          outbox rows -> acknowledged stream messages (through FastStream's NatsBroker, as in
                 the services) -> rows marked published
  raw consume    a durable pull consumer of the relay's messages: fetch in batches, ack each
  consumer       the idempotent consumer on the same messages: decode, verify (hash, subject,
                 Ed25519 signature per run of a chain), type the payload, claim the inbox and
                 apply the effect in one transaction per batch, ack
Raw consume runs before and after the consumer and the ratio uses their mean, so that a machine
that speeds up or slows down during the run does not tilt it. Compare ratios, not rates.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import nats
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import (  # noqa: E402
    ADMIN, KEY, count_up_batch, create_database, no_repository, tables, tally_counts, trust_key, unit_registered,
)
from thidua_cli.natsserver import NatsServer  # noqa: E402
from thidua_shared.keys import TrustedKeys  # noqa: E402
from thidua_shared.messaging.consumer import ConsumerSpec, IdempotentConsumer, PullLoop  # noqa: E402
from faststream.nats import NatsBroker  # noqa: E402
from thidua_shared.messaging.relay import OutboxRelay, broker_publisher  # noqa: E402
from thidua_shared.messaging.streams import apply_streams  # noqa: E402
from thidua_shared.messaging.unit_of_work import EventSource, UnitOfWork  # noqa: E402
from thidua_shared.messaging.verification import EventVerifier  # noqa: E402
from thidua_shared.runtime import tune_garbage_collector  # noqa: E402

RELAYED = "thidua.events.vn.registry.>"


async def fill_outbox(db, count: int, source: EventSource) -> list[tuple[str, bytes, dict[str, str]]]:
    """Commit `count` events (100 per transaction; not timed); return (subject, body, headers) of each."""
    for start in range(0, count, 100):
        async with UnitOfWork(db, tables, source, no_repository) as uow:
            for i in range(start, min(start + 100, count)):
                uow.record(unit_registered(f"HTX-{i:06d}"), aggregate_id=f"HTX-{i:06d}", actor=ADMIN)
            await uow.commit()
    outbox = tables.outbox
    async with db.sessions() as session:
        query = select(outbox.c.subject, outbox.c.data, outbox.c.event_id, outbox.c.hash, outbox.c.signature).order_by(outbox.c.position)
        rows = (await session.execute(query)).all()
    return [(r.subject, r.data, {"Nats-Msg-Id": f"raw-{r.event_id}", "Thidua-Hash": r.hash, "Thidua-Signature": r.signature}) for r in rows]


async def raw_publish(js, messages: list[tuple[str, bytes, dict[str, str]]]) -> float:
    started = time.perf_counter()
    for subject, data, headers in messages:
        await js.publish(subject.replace(".registry.", ".rawbench."), data, stream="EVENTS", headers=headers)
    return len(messages) / (time.perf_counter() - started)


async def relay_publish(db, broker: NatsBroker, count: int) -> float:
    """The relay as services run it: publishing through FastStream's broker, waiting for each acknowledgement."""
    relay = OutboxRelay(db, tables, broker_publisher(broker))
    started = time.perf_counter()
    published = await relay.publish_pending()
    elapsed = time.perf_counter() - started
    assert published == count, (published, count)
    return count / elapsed


async def raw_consume(js, count: int, batch: int, durable: str) -> float:
    sub = await js.pull_subscribe(RELAYED, durable=durable, stream="EVENTS")
    received = 0
    started = time.perf_counter()
    while received < count:
        for msg in await sub.fetch(batch=batch, timeout=5):
            await msg.ack()
            received += 1
    elapsed = time.perf_counter() - started
    await sub.unsubscribe()
    return count / elapsed


async def idempotent_consume(db, js, count: int, batch: int, keys_dir: Path) -> tuple[float, int]:
    spec = ConsumerSpec("bench-tallies", "registry", batch_handlers={"registry.unit_registered": count_up_batch})
    verifier = EventVerifier(TrustedKeys(trust_key(keys_dir)))
    consumer = IdempotentConsumer(spec, db, tables, js, "vn", verifier)
    loop = PullLoop(consumer, batch_size=batch)
    started = time.perf_counter()
    await loop.start()
    while consumer.processed < count:
        await asyncio.sleep(0.005)
    elapsed = time.perf_counter() - started
    await loop.stop()
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(tables.inbox)) == count
    assert set((await tally_counts(db)).values()) == {1}  # every event had its effect, once
    return count / elapsed, verifier.signatures_checked


async def main(events: int, database_url: str | None, batch: int = 512, consumer_url: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = NatsServer(store_dir=Path(tmp) / "nats").start()
        try:
            nc = await nats.connect(server.url)
            js = nc.jetstream()
            await apply_streams(js, "vn")
            producer = await create_database(database_url or f"sqlite+aiosqlite:///{tmp}/producer.db")
            consumer_db = await create_database(consumer_url or f"sqlite+aiosqlite:///{tmp}/consumer.db")
            messages = await fill_outbox(producer, events, EventSource("vn", "registry", KEY))
            tune_garbage_collector()  # as every service does once started (both sides of the ratio run with it)

            broker = NatsBroker(server.url, apply_types=False)
            await broker.connect()
            raw_pub = await raw_publish(js, messages)
            relay = await relay_publish(producer, broker, events)
            await broker.stop()
            raw_before = await raw_consume(js, events, batch, "raw-before")
            consume, signatures = await idempotent_consume(consumer_db, js, events, batch, Path(tmp) / "keys")
            raw_after = await raw_consume(js, events, batch, "raw-after")
            await nc.close()
        finally:
            server.stop()

    def backend(url: str | None) -> str:
        return "PostgreSQL" if url and url.startswith("postgresql") else "SQLite"

    raw_sub = (raw_before + raw_after) / 2
    print(f"events per phase: {events}; pull batches of {batch}; outbox on {backend(database_url)}, inbox on {backend(consumer_url)}")
    print(f"raw publish (ack each)     {raw_pub:9.0f} msg/s")
    print(f"outbox relay               {relay:9.0f} msg/s   ratio relay/raw    = {relay / raw_pub:.2f}")
    print(f"raw pull + ack             {raw_sub:9.0f} msg/s   (before {raw_before:.0f}, after {raw_after:.0f})")
    print(f"idempotent consumer        {consume:9.0f} msg/s   ratio consumer/raw = {consume / raw_sub:.2f}"
          f"   (verified: {signatures} signatures for {events} events)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=512, help="pull batch size, the same for raw and consumer")
    parser.add_argument("--database-url", help="outbox database (default: a temporary SQLite file)")
    parser.add_argument("--consumer-database-url", help="inbox and state database (default: a temporary SQLite file); must be empty")
    args = parser.parse_args()
    asyncio.run(main(args.events, args.database_url, args.batch, args.consumer_database_url))
