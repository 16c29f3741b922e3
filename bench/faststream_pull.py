"""Why the consumer uses nats-py's pull API rather than a FastStream subscriber (FastStream 0.7.8).

    uv run python bench/faststream_pull.py

1. Trickle: 300 messages published at random 0–30 ms intervals, read by (a) FastStream's batch pull
   subscriber (batch=True, timeout 50 ms), (b) FastStream's per-message pull subscriber, (c) a plain
   nats-py fetch loop. Prints how many each received within 2 s; the rest sit unacknowledged on the
   server until ack_wait (30 s) expires.
2. Throughput: 10,000 messages through the per-message FastStream subscriber and the nats-py loop, acking each.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
import tempfile
import time
from pathlib import Path

import nats
from faststream import Context
from faststream.middlewares import AckPolicy
from faststream.nats import JStream, NatsBroker, PullSub
from nats.js.api import ConsumerConfig

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from thidua_shared.messaging.streams import apply_streams  # noqa: E402
from thidua_cli.natsserver import NatsServer  # noqa: E402

SUBJECT = "thidua.events.vn.bench.x"


async def faststream_reader(url: str, durable: str, batch: bool, seen: list[bytes]) -> NatsBroker:
    broker = NatsBroker(url, logger=None)
    pull = PullSub(batch_size=512, timeout=0.05, batch=True) if batch else PullSub(batch_size=512, timeout=5)

    @broker.subscriber(SUBJECT, stream=JStream("EVENTS", declare=False), durable=durable, pull_sub=pull,
                       ack_policy=AckPolicy.MANUAL, config=ConsumerConfig(ack_wait=30, max_deliver=-1))
    async def handle(message=Context("message")) -> None:  # noqa: ANN001
        for msg in message.raw_message if batch else [message.raw_message]:
            seen.append(msg.data)
            await msg.ack()

    await broker.start()
    return broker


async def nats_reader(js, durable: str, seen: list[bytes]) -> asyncio.Task[None]:
    sub = await js.pull_subscribe(SUBJECT, durable=durable, stream="EVENTS", config=ConsumerConfig(ack_wait=30, max_deliver=-1))

    async def run() -> None:
        while True:
            try:
                messages = await sub.fetch(batch=512, timeout=5)
            except nats.errors.TimeoutError:
                continue
            for msg in messages:
                seen.append(msg.data)
                await msg.ack()

    return asyncio.create_task(run())


async def stop_task(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = NatsServer(store_dir=Path(tmp) / "nats").start()
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        await apply_streams(js, "vn")
        batch_seen, single_seen, plain_seen = [], [], []
        readers = [await faststream_reader(server.url, "fs-batch", True, batch_seen),
                   await faststream_reader(server.url, "fs-single", False, single_seen)]
        plain = await nats_reader(js, "plain", plain_seen)
        for i in range(300):
            await js.publish(SUBJECT, str(i).encode())
            await asyncio.sleep(random.random() * 0.03)
        await asyncio.sleep(2)
        print(f"trickle of 300: FastStream batch got {len(batch_seen)}, FastStream per-message {len(single_seen)}, nats-py loop {len(plain_seen)}")
        for reader in readers:
            await reader.stop()
        await stop_task(plain)

        count = 10_000
        for i in range(count):
            await js.publish(SUBJECT, str(i).encode())
        for name, start_reader in (("FastStream per-message", lambda seen: faststream_reader(server.url, "fs-rate", False, seen)),
                                   ("nats-py loop", lambda seen: nats_reader(js, "plain-rate", seen))):
            seen: list[bytes] = []
            started = time.perf_counter()
            reader = await start_reader(seen)
            while len(seen) < count + 300:
                await asyncio.sleep(0.005)
            rate = len(seen) / (time.perf_counter() - started)
            print(f"{name:24s} {rate:8.0f} msg/s")
            if isinstance(reader, NatsBroker):
                await reader.stop()
            else:
                await stop_task(reader)
        await nc.close()
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
