"""Reading the EVENTS stream back and verifying it, chain by chain."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import nats
from nats.js.api import DeliverPolicy

from thidua_shared.events.envelope import Envelope, verify_chain
from thidua_shared.keys import load_public_key, public_key_path
from thidua_shared.messaging.nats_access import NatsIdentity
from thidua_shared.messaging.streams import EVENTS_STREAM


async def read_stream(
    url: str, identity: NatsIdentity | None = None, stream: str = EVENTS_STREAM, subject: str = "thidua.events.>"
) -> list[Envelope]:
    """Every event in the stream, in stream order (an ephemeral ordered consumer), read as `identity`."""
    nc = await nats.connect(url, **(identity.connect_options() if identity else {}))
    try:
        js = nc.jetstream()
        info = await js.stream_info(stream)
        envelopes: list[Envelope] = []
        if info.state.messages == 0:
            return envelopes
        sub = await js.subscribe(subject, stream=stream, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL)
        try:
            while len(envelopes) < info.state.messages:
                msg = await sub.next_msg(timeout=5)
                envelopes.append(Envelope.from_message(msg.data, msg.headers))
        finally:
            await sub.unsubscribe()
        return envelopes
    finally:
        await nc.close()


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
    reports = []
    for (node, service), chain in sorted(chains.items()):
        key_path = public_key_path(keys_dir, node)
        key = load_public_key(key_path) if key_path.exists() else None
        reports.append(ChainReport(f"{node}.{service}", node, len(chain), verify_chain(chain, key), key is None))
    return reports
