"""The transactional outbox and its relay, against a real nats-server, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import nats
import pytest
from sqlalchemy import func, select

from thidua_cli.audit import read_stream
from thidua_shared.db import Database
from thidua_shared.events.envelope import Envelope, verify_chain
from thidua_shared.messaging.relay import OutboxRelay
from thidua_shared.messaging.streams import apply_streams
from thidua_shared.messaging.unit_of_work import UnitOfWork
from thidua_cli.natsserver import NatsServer

from tests.support import ADMIN, KEY, SOURCE, commit_events, create_database, eventually, no_repository, tables, tallies, unit_registered


class RelayKilled(BaseException):
    """Stands for the relay process dying: nothing after it runs."""


async def unpublished(db) -> int:
    async with db.sessions() as session:
        return await session.scalar(select(func.count()).select_from(tables.outbox).where(tables.outbox.c.published_at.is_(None)))


async def test_relay_killed_between_publish_and_mark_leaves_each_event_once_in_order(database_url, nats_server, js_streams):
    db = await create_database(database_url)
    await commit_events(db, [f"HTX-{i:02d}" for i in range(1, 11)])  # committed, relay not yet running
    published_before_death = 0

    async def die_at_fourth(_event_id: str) -> None:
        nonlocal published_before_death
        published_before_death += 1
        if published_before_death == 4:
            raise RelayKilled

    with pytest.raises(RelayKilled):
        await OutboxRelay(db, tables, js_streams, after_publish=die_at_fourth).publish_pending()
    assert await unpublished(db) == 10  # four reached the stream, none was marked

    assert await OutboxRelay(db, tables, js_streams).publish_pending() == 10
    assert await unpublished(db) == 0

    envelopes = await read_stream(nats_server.url)
    assert [e.sequence for e in envelopes] == list(range(1, 11))
    assert len({e.id for e in envelopes}) == 10
    assert [e.payload["unit"]["code"] for e in envelopes] == [f"HTX-{i:02d}" for i in range(1, 11)]
    assert verify_chain(envelopes, KEY.public_key()) == []
    await db.dispose()


async def test_state_and_events_commit_together_or_not_at_all(database_url):
    db = await create_database(database_url)
    with pytest.raises(RuntimeError):
        async with UnitOfWork(db, tables, SOURCE, no_repository) as uow:
            await uow.session.execute(tallies.insert().values(unit_id="HTX-X", count=1))
            uow.record(unit_registered("HTX-X"), aggregate_id="HTX-X", actor=ADMIN)
            raise RuntimeError("the use case failed before commit")
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(tallies)) == 0
        assert await session.scalar(select(func.count()).select_from(tables.outbox)) == 0
    await db.dispose()


async def test_relay_waits_out_a_nats_outage_and_delivers_everything(tmp_path, database_url):
    server = NatsServer(store_dir=tmp_path / "nats").start()
    nc = await nats.connect(server.url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    await apply_streams(nc.jetstream(), "vn")
    db = await create_database(database_url)
    relay = OutboxRelay(db, tables, nc.jetstream(), publish_timeout=1.0)
    task = asyncio.create_task(relay.run())
    try:
        await commit_events(db, ["HTX-A"])
        relay.wake()
        await eventually(lambda: _zero(db), message="first event published")
        server.stop()
        await commit_events(db, ["HTX-B", "HTX-C"])  # the service keeps accepting work while NATS is down
        relay.wake()
        await asyncio.sleep(1.0)
        assert await unpublished(db) == 2
        server.start()
        await eventually(lambda: _zero(db), timeout=30, message="events published after NATS returned")
    finally:
        task.cancel()
        await nc.close()
    envelopes = await read_stream(server.url)
    assert [e.payload["unit"]["code"] for e in envelopes] == ["HTX-A", "HTX-B", "HTX-C"]
    assert verify_chain(envelopes, KEY.public_key()) == []
    server.stop()
    await db.dispose()


@pytest.mark.postgres
async def test_two_processes_writing_one_chain_never_fork_it(postgres_url):
    """Two Database objects stand for two processes of one service on PostgreSQL: the chain head row lock serialises them."""
    first = await create_database(postgres_url)
    second = Database.from_url(postgres_url)
    await asyncio.gather(
        commit_events(first, [f"A-{i}" for i in range(15)]),
        commit_events(second, [f"B-{i}" for i in range(15)]),
    )
    async with first.sessions() as session:
        outbox = tables.outbox
        rows = (await session.execute(select(outbox.c.data, outbox.c.hash, outbox.c.signature).order_by(outbox.c.position))).all()
    envelopes = [Envelope.from_message(r.data, {"Thidua-Hash": r.hash, "Thidua-Signature": r.signature}) for r in rows]
    assert [e.sequence for e in envelopes] == list(range(1, 31))
    assert verify_chain(envelopes, KEY.public_key()) == []
    await first.dispose()
    await second.dispose()


async def _zero(db) -> bool:
    return await unpublished(db) == 0
