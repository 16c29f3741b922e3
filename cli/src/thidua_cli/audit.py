"""Reading the EVENTS stream back and verifying it, chain by chain."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import nats
from nats.js.api import DeliverPolicy

from thidua_shared.events.envelope import Envelope, verify_chain
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


@dataclass
class ChainReport:
    chain: str
    node: str
    count: int
    problems: list[str]
    missing_key: bool


def verify_stream(envelopes: list[Envelope], keys_dir: Path) -> list[ChainReport]:
    chains: dict[tuple[str, str], list[Envelope]] = defaultdict(list)
    for envelope in envelopes:
        chains[(envelope.node, envelope.service)].append(envelope)
    trusted = TrustedKeys(keys_dir)
    reports = []
    for (node, service), chain in sorted(chains.items()):
        keys = trusted.keys_for(node)
        reports.append(ChainReport(f"{node}.{service}", node, len(chain), verify_chain(chain, keys or None), not keys))
    return reports
