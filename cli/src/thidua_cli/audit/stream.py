"""Reading a node's EVENTS stream back: all of it (for tests and small tools), or one stored message at a time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import nats
from nats.js.api import ConsumerConfig, DeliverPolicy

from thidua_cli.audit.verify import ChainReport, LogVerifier, StoredEvent
from thidua_shared.events.envelope import Envelope
from thidua_shared.keys import TrustedKeys
from thidua_shared.messaging.nats_access import NatsIdentity
from thidua_shared.messaging.streams import EVENTS_STREAM

T = TypeVar("T")


async def read_stream(
    url: str | list[str], identity: NatsIdentity | None = None, stream: str = EVENTS_STREAM, subject: str = "thidua.events.>"
) -> list[Envelope]:
    """Every event in the stream, in stream order (an ephemeral ordered consumer), read as `identity`."""
    nc = await nats.connect(url, **(identity.connect_options() if identity else {}))
    try:
        js = nc.jetstream()
        info = await _patiently(lambda: js.stream_info(stream))
        envelopes: list[Envelope] = []
        if info.state.messages == 0:
            return envelopes
        sub = await _patiently(lambda: js.subscribe(subject, stream=stream, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL))
        try:
            while len(envelopes) < info.state.messages:
                msg = await sub.next_msg(timeout=5)
                envelopes.append(Envelope.from_message(msg.data, msg.headers))
        finally:
            await sub.unsubscribe()
        return envelopes
    finally:
        await nc.close()


async def _patiently(call: Callable[[], Awaitable[T]], attempts: int = 5) -> T:
    """On a cluster that has just lost or regained a server, a JetStream request can time out while the
    stream's replicas settle: try again a few times before giving up."""
    for attempt in range(attempts - 1):
        try:
            return await call()
        except nats.errors.TimeoutError:
            await asyncio.sleep(1 + attempt)
    return await call()


async def iter_stored(url: str | list[str], identity: NatsIdentity | None = None, stream: str = EVENTS_STREAM,
                      subject: str = "thidua.events.>", stall_seconds: float = 5.0) -> AsyncIterator[StoredEvent]:
    """Every message of the stream as stored, in order, up to its last one when the reading began, one at a
    time (an ephemeral ordered consumer: the tools' read-only permissions allow nothing else).

    Holes are yielded too (`StoredEvent.hole`), for the verifier to report: sequences the stream no
    longer has (a server drops a message it finds damaged on disk when it starts), and a message the
    server cannot deliver, which stalls an ordered consumer: after `stall_seconds` without one, reading
    starts again after it."""
    nc = await nats.connect(url, **(identity.connect_options() if identity else {}))
    try:
        js = nc.jetstream()
        info = await _patiently(lambda: js.stream_info(stream))
        last, seen = info.state.last_seq, info.state.first_seq - 1
        while seen < last:
            config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=seen + 1)
            sub = await _patiently(lambda: js.subscribe(subject, stream=stream, ordered_consumer=True, config=config))
            try:
                while seen < last:
                    try:
                        msg = await sub.next_msg(timeout=stall_seconds)
                    except nats.errors.TimeoutError:
                        break
                    sequence = msg.metadata.sequence.stream
                    if sequence > seen + 1:
                        yield StoredEvent.hole(seen + 1, sequence - 1)
                    seen = sequence
                    yield StoredEvent(sequence, msg.subject, msg.data, dict(msg.headers or {}))
            finally:
                await sub.unsubscribe()
            if seen < last:  # stalled: the next message cannot be read; go on after it
                seen += 1
                yield StoredEvent.hole(seen, seen)
    finally:
        await nc.close()


def verify_stream(envelopes: list[Envelope], keys_dir: Path) -> list[ChainReport]:
    """Verify events already read (as `read_stream` gives them), with the same checks as `audit verify`."""
    verifier = LogVerifier(TrustedKeys(keys_dir))
    for position, envelope in enumerate(envelopes, start=1):
        body, headers = envelope.to_message()
        verifier.add(StoredEvent(position, envelope.subject, body, dict(headers)))
    return verifier.reports()
