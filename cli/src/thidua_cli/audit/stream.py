"""Reading a node's EVENTS stream back: all of it (for tests and small tools), or one stored message at a time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import nats
from nats.js.api import DeliverPolicy

from thidua_cli.audit.verify import ChainReport, LogVerifier, StoredEvent
from thidua_cli.nats_once import ONE_TRY
from thidua_shared.events.envelope import Envelope
from thidua_shared.keys import TrustedKeys
from thidua_shared.messaging.nats_access import NatsIdentity
from thidua_shared.messaging.streams import EVENTS_STREAM

T = TypeVar("T")


async def read_stream(
    url: str | list[str], identity: NatsIdentity | None = None, stream: str = EVENTS_STREAM, subject: str = "thidua.events.>"
) -> list[Envelope]:
    """Every event in the stream, in stream order (an ephemeral ordered consumer), read as `identity`."""
    nc = await nats.connect(url, **ONE_TRY, **(identity.connect_options() if identity else {}))
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


BATCH = 2000  # messages a direct-get request returns at most: what a reader holds at once


async def iter_stored(url: str | list[str], identity: NatsIdentity | None = None, stream: str = EVENTS_STREAM,
                      stall_seconds: float = 5.0, after: int = 0) -> AsyncIterator[StoredEvent]:
    """Every message of the stream as stored, in order, from the one after stream sequence `after` up to
    the last one when the reading began, one at a time.

    Read by batched direct gets (the tools' read-only permissions allow them; the server answers from
    any replica): one request asks for `BATCH` messages, which are streamed back and end with an
    end-of-batch status, so the reader never holds more than one batch however long the log is.
    Holes are yielded too (`StoredEvent.hole`), for the verifier to report: sequences the stream no
    longer has (a server drops a message it finds damaged on disk when it starts), a batch that does
    not come within `stall_seconds` (a message the server cannot read), skipped one message on, and
    the rest of the log if "nothing from here on" comes back three times running."""
    nc = await nats.connect(url, **ONE_TRY, **(identity.connect_options() if identity else {}))
    try:
        info = await _patiently(lambda: nc.jetstream().stream_info(stream))
        last, seen = info.state.last_seq, max(info.state.first_seq - 1, after)
        inbox = nc.new_inbox()
        sub = await nc.subscribe(inbox)
        misses = 0
        try:
            while seen < last:
                request = json.dumps({"seq": seen + 1, "batch": min(BATCH, last - seen)}).encode()
                await nc.publish(f"$JS.API.DIRECT.GET.{stream}", request, reply=inbox)
                before, asked_again = seen, False
                while True:
                    try:
                        msg = await sub.next_msg(timeout=stall_seconds)
                    except nats.errors.TimeoutError:
                        break
                    headers = dict(msg.headers or {})
                    if "Status" in headers:  # 204: end of this batch; 404: nothing from there on
                        if headers["Status"] == "404":
                            # On a cluster any replica answers, and one behind the leader has nothing yet:
                            # ask again before calling the rest missing (reported, never dropped silently).
                            misses += 1
                            asked_again = misses < 3
                            if asked_again:
                                await asyncio.sleep(0.2 * misses)
                            else:
                                yield StoredEvent.hole(seen + 1, last)
                                seen = last
                        break
                    misses = 0
                    sequence = int(headers.pop("Nats-Sequence"))
                    subject = headers.pop("Nats-Subject", "")
                    for name in ("Nats-Stream", "Nats-Time-Stamp", "Nats-Num-Pending", "Nats-Last-Sequence"):
                        headers.pop(name, None)
                    if sequence > last:
                        seen = last
                        break
                    if sequence > seen + 1:
                        yield StoredEvent.hole(seen + 1, sequence - 1)
                    seen = sequence
                    yield StoredEvent(sequence, subject, msg.data, headers)
                if seen == before and seen < last and not asked_again:  # nothing came: go on after the one holding it up
                    seen += 1
                    yield StoredEvent.hole(seen, seen)
        finally:
            await sub.unsubscribe()
    finally:
        await nc.close()


def verify_stream(envelopes: list[Envelope], keys_dir: Path) -> list[ChainReport]:
    """Verify events already read (as `read_stream` gives them), with the same checks as `audit verify`."""
    verifier = LogVerifier(TrustedKeys(keys_dir))
    for position, envelope in enumerate(envelopes, start=1):
        body, headers = envelope.to_message()
        verifier.add(StoredEvent(position, envelope.subject, body, dict(headers)))
    return verifier.reports()


async def stored_messages(url: str | list[str], identity: NatsIdentity | None, sequences: list[int],
                          stream: str = EVENTS_STREAM) -> list[StoredEvent]:
    """Stored messages, by their stream sequences (a few: one request each, on one connection)."""
    nc = await nats.connect(url, **ONE_TRY, **(identity.connect_options() if identity else {}))
    try:
        js, found = nc.jetstream(), []
        for sequence in sequences:
            msg = await _patiently(lambda: js.get_msg(stream, sequence))
            found.append(StoredEvent(sequence, msg.subject or "", msg.data or b"", dict(msg.headers or {})))
        return found
    finally:
        await nc.close()
