"""Stream definitions, declared once, centrally (`thidua up`, `thidua streams apply`).

Subscribers never declare streams: FastStream would otherwise merge and rewrite
stream configs as services start.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, ExternalStream, RetentionPolicy, StorageType, StreamConfig, StreamSource
from nats.js.errors import NotFoundError

from thidua_shared.topology import CENTRE_NODE, SERVICES_SENT_DOWN

if TYPE_CHECKING:
    from nats.aio.client import Client as NATS

EVENTS_STREAM = "EVENTS"
DEADLETTER_STREAM = "DEADLETTER"
DEADLETTER_PREFIX = "thidua.deadletter"

# Publishing retries within this window are dropped by the stream (Nats-Msg-Id = event id).
DUPLICATE_WINDOW_SECONDS = 24 * 3600


def domain_api(node: str) -> str:
    """Each node's nats-server runs JetStream in its own domain, named after the node."""
    return f"$JS.{node}.API"


def sources_from_provinces(provinces: Iterable[str]) -> list[StreamSource]:
    """Up: the centre's log collects each province's own events through the province's domain.
    Only the province's subjects: what it sourced from the centre must not come back."""
    return [
        StreamSource(name=EVENTS_STREAM, filter_subject=f"thidua.events.{province}.>", external=ExternalStream(api=domain_api(province)))
        for province in sorted(provinces)
    ]


def sources_from_centre(centre: str = CENTRE_NODE) -> list[StreamSource]:
    """Down: a province's log holds what its replicas are built from (units, clusters, tokens, campaigns),
    sourced from the centre's chains of those services only."""
    return [
        StreamSource(name=EVENTS_STREAM, filter_subject=f"thidua.events.{centre}.{service}.>", external=ExternalStream(api=domain_api(centre)))
        for service in SERVICES_SENT_DOWN
    ]


def events_stream_config(node: str, replicas: int = 1, sources: list[StreamSource] | None = None) -> StreamConfig:
    """The audit log of one node: nothing in it may be deleted or purged. Sourced events (the other
    nodes') keep their subjects, so consumers and the audit read them exactly as the node's own."""
    return StreamConfig(
        name=EVENTS_STREAM,
        description=f"Thi Đua audit log of node {node}",
        subjects=[f"thidua.events.{node}.>"],
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        max_age=0,
        max_msgs=-1,
        max_bytes=-1,
        num_replicas=replicas,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
        deny_delete=True,
        deny_purge=True,
        allow_direct=True,
        sources=sources or None,
    )


def deadletter_stream_config(node: str, replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=DEADLETTER_STREAM,
        description=f"Thi Đua messages that could not be processed on node {node}, with the reason",
        subjects=[f"{DEADLETTER_PREFIX}.{node}.>"],
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        num_replicas=replicas,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
        deny_delete=True,
        allow_direct=True,
    )


@dataclass(frozen=True)
class StreamChange:
    name: str
    action: str  # "created", "updated", "unchanged"


async def apply_streams(
    js: JetStreamContext, node: str, replicas: int = 1, sources: list[StreamSource] | None = None
) -> list[StreamChange]:
    """Create or update the node's streams to match the definitions above."""
    changes = []
    for config in (events_stream_config(node, replicas, sources), deadletter_stream_config(node, replicas)):
        try:
            current = await js.stream_info(config.name)
        except NotFoundError:
            await js.add_stream(config)
            changes.append(StreamChange(config.name, "created"))
            continue
        if _differs(current.config, config):
            await js.update_stream(config)
            changes.append(StreamChange(config.name, "updated"))
        else:
            changes.append(StreamChange(config.name, "unchanged"))
    return changes


def _differs(current: StreamConfig, wanted: StreamConfig) -> bool:
    fields = ("subjects", "deny_delete", "deny_purge", "duplicate_window", "num_replicas", "description", "allow_direct")
    return any(getattr(current, f) != getattr(wanted, f) for f in fields) or _sources(current) != _sources(wanted)


def _sources(config: StreamConfig) -> set[tuple[str, str | None, str | None]]:
    return {(s.name, s.filter_subject, s.external.api if s.external else None) for s in config.sources or ()}


async def resume_sources(nc: "NATS", origin: str) -> bool:
    """Set up again, now, the sources of this node's EVENTS stream that read from `origin`'s domain.

    After a link comes back, nats-server retries a failed source on a back-off (5 s × failures, up to
    2 minutes), so a province's week offline would reach the centre only minutes later. Removing the
    source and adding it again makes the server create its sourcing consumer at once, from the last
    message it holds of that source (as after a restart); the duplicate window and idempotent
    consumers cover the rest. Done through the raw API: the client library drops an empty list."""
    info = json.loads((await nc.request(f"$JS.API.STREAM.INFO.{EVENTS_STREAM}", b"", timeout=5)).data)
    config = info.get("config", {})
    sources = config.get("sources") or []
    api = domain_api(origin)
    keep = [s for s in sources if (s.get("external") or {}).get("api") != api]
    if len(keep) == len(sources):
        return False
    for wanted in (keep, sources):
        reply = json.loads((await nc.request(f"$JS.API.STREAM.UPDATE.{EVENTS_STREAM}", json.dumps({**config, "sources": wanted}).encode(), timeout=5)).data)
        if "error" in reply:
            raise RuntimeError(f"stream update refused: {reply['error']}")
    return True
