"""The idempotent consumer and its pull loop, against a real nats-server: redelivery and dead letters."""

from __future__ import annotations

from urllib.parse import unquote

import nats
import pytest
from nats.aio.msg import Msg

from thidua_shared.events.envelope import Envelope
from thidua_shared.keys import TrustedKeys
from thidua_shared.messaging.consumer import ConsumerSpec, IdempotentConsumer, PullLoop, RejectEvent
from thidua_shared.messaging.relay import OutboxRelay
from thidua_shared.messaging.streams import DEADLETTER_STREAM
from thidua_shared.messaging.verification import EventVerifier

from tests.support import commit_events, count_up, count_up_batch, create_database, eventually, tables, tally_counts, trust_key

UNIT_REGISTERED = "registry.unit_registered"


def consumer_of(tmp_path, cls, name, db, js, handlers=None, batch_handlers=None, **options) -> IdempotentConsumer:
    spec = ConsumerSpec(name, "registry", handlers=handlers or {}, batch_handlers=batch_handlers or {})
    verifier = EventVerifier(TrustedKeys(trust_key(tmp_path / "trusted")))
    return cls(spec, db, tables, js, "vn", verifier, **options)


class AckLosingConsumer(IdempotentConsumer):
    """Commits its effects but 'loses' the first ack of every message, as a crash right after commit would.
    The real server then redelivers each message when ack_wait runs out."""

    deliveries: dict[str, int]

    async def _ack(self, msg: Msg) -> None:
        event_id = Envelope.from_message(msg.data, msg.headers).id
        self.deliveries[str(event_id)] = self.deliveries.get(str(event_id), 0) + 1
        if self.deliveries[str(event_id)] > 1:
            await msg.ack()


async def start_consumer(url: str, consumer: IdempotentConsumer, **options) -> PullLoop:
    loop = PullLoop(consumer, **options)
    await loop.start()
    return loop


async def publish(db, js, codes: list[str]) -> None:
    await commit_events(db, codes)
    await OutboxRelay(db, tables, js).publish_pending()


async def dead_letters(js) -> list[Msg]:
    info = await js.stream_info(DEADLETTER_STREAM)
    return [await js.get_msg(DEADLETTER_STREAM, seq) for seq in range(info.state.first_seq, info.state.last_seq + 1)] if info.state.messages else []


@pytest.mark.parametrize("shape", ["per_event", "batch"])
async def test_real_redelivery_has_no_second_effect(shape, database_url, tmp_path, nats_server, js_streams):
    producer = await create_database(f"sqlite+aiosqlite:///{tmp_path / 'producer.db'}")
    db = await create_database(database_url)
    codes = [f"HTX-{i}" for i in range(5)]
    await publish(producer, js_streams, codes)

    handlers = {UNIT_REGISTERED: count_up} if shape == "per_event" else {}
    batch_handlers = {UNIT_REGISTERED: count_up_batch} if shape == "batch" else {}
    consumer = consumer_of(tmp_path, AckLosingConsumer, "test-tallies", db, js_streams, handlers, batch_handlers)
    consumer.deliveries = {}
    pull = await start_consumer(nats_server.url, consumer, ack_wait_seconds=1)
    try:
        async def every_message_came_twice() -> bool:
            return len(consumer.deliveries) == 5 and all(n >= 2 for n in consumer.deliveries.values())

        await eventually(every_message_came_twice, timeout=30, message="redelivery of every message")
    finally:
        await pull.stop()
    assert await tally_counts(db) == {code: 1 for code in codes}
    assert consumer.processed == 5
    await db.dispose()
    await producer.dispose()


async def test_a_failing_handler_is_dead_lettered_with_its_error_and_the_rest_goes_on(database_url, tmp_path, nats_server, js_streams):
    producer = await create_database(f"sqlite+aiosqlite:///{tmp_path / 'producer.db'}")
    db = await create_database(database_url)

    async def choke_on_poison(session, event) -> None:
        if event.aggregate_id == "HTX-POISON":
            raise ValueError("không xử lý được HTX-POISON")
        await count_up(session, event)

    consumer = consumer_of(tmp_path, IdempotentConsumer, "test-poison", db, js_streams, {UNIT_REGISTERED: choke_on_poison},
                           max_attempts=3, retry_delay_seconds=0.05)
    pull = await start_consumer(nats_server.url, consumer)
    try:
        await publish(producer, js_streams, ["HTX-1", "HTX-POISON", "HTX-2"])
        await eventually(lambda: _has_dead_letters(js_streams, 1), timeout=30, message="a dead letter")
        await publish(producer, js_streams, ["HTX-3"])  # the consumer keeps going after the poison message
        await eventually(lambda: _counts_are(db, {"HTX-1": 1, "HTX-2": 1, "HTX-3": 1}), message="the good events")
    finally:
        await pull.stop()
    [letter] = await dead_letters(js_streams)
    assert unquote(letter.headers["Thidua-Error"]) == "ValueError('không xử lý được HTX-POISON')"
    assert letter.headers["Thidua-Attempts"] == "3"
    assert letter.headers["Thidua-Consumer"] == "test-poison"
    assert Envelope.from_message(letter.data, letter.headers).aggregate.id == "HTX-POISON"
    await db.dispose()
    await producer.dispose()


async def test_malformed_and_rejected_events_go_straight_to_the_dead_letter_subject(tmp_path, nats_server, js_streams):
    producer = await create_database(f"sqlite+aiosqlite:///{tmp_path / 'producer.db'}")
    db = await create_database(f"sqlite+aiosqlite:///{tmp_path / 'consumer.db'}")

    async def reject_all(session, event) -> None:
        raise RejectEvent("đơn vị không thuộc phạm vi / unit outside scope")

    consumer = consumer_of(tmp_path, IdempotentConsumer, "test-reject", db, js_streams, {UNIT_REGISTERED: reject_all})
    pull = await start_consumer(nats_server.url, consumer)
    try:
        nc = await nats.connect(nats_server.url)
        await nc.jetstream().publish("thidua.events.vn.registry.unit_registered", b"{not json")
        await nc.close()
        await publish(producer, js_streams, ["HTX-R"])
        await eventually(lambda: _has_dead_letters(js_streams, 2), message="two dead letters")
    finally:
        await pull.stop()
    reasons = sorted(unquote(m.headers["Thidua-Error"]) for m in await dead_letters(js_streams))
    assert "malformed envelope" in reasons[0]
    assert "unit outside scope" in reasons[1]
    await db.dispose()
    await producer.dispose()


async def _has_dead_letters(js, count: int) -> bool:
    return (await js.stream_info(DEADLETTER_STREAM)).state.messages >= count


async def _counts_are(db, expected: dict[str, int]) -> bool:
    return await tally_counts(db) == expected


async def test_the_pull_loop_outlives_idle_periods(tmp_path, nats_server, js_streams):
    """Regression: a fetch that times out while idle must not end the loop."""
    import asyncio

    producer = await create_database(f"sqlite+aiosqlite:///{tmp_path / 'producer.db'}")
    db = await create_database(f"sqlite+aiosqlite:///{tmp_path / 'consumer.db'}")
    consumer = consumer_of(tmp_path, IdempotentConsumer, "test-idle", db, js_streams, {UNIT_REGISTERED: count_up})
    pull = await start_consumer(nats_server.url, consumer, idle_timeout=1.0)
    try:
        await publish(producer, js_streams, ["HTX-1"])
        await eventually(lambda: _counts_are(db, {"HTX-1": 1}), message="the first event")
        await asyncio.sleep(2.5)  # idle fetches expire on the server (408) and on the client
        await publish(producer, js_streams, ["HTX-2"])
        await eventually(lambda: _counts_are(db, {"HTX-1": 1, "HTX-2": 1}), message="an event after idling")
    finally:
        await pull.stop()
    await db.dispose()
    await producer.dispose()
