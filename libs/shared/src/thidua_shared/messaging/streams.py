"""Stream definitions, declared once, centrally (`thidua up`, `thidua streams apply`).

Subscribers never declare streams: FastStream would otherwise merge and rewrite
stream configs as services start.
"""

from __future__ import annotations

from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

EVENTS_STREAM = "EVENTS"
DEADLETTER_STREAM = "DEADLETTER"
DEADLETTER_PREFIX = "thidua.deadletter"

# Publishing retries within this window are dropped by the stream (Nats-Msg-Id = event id).
DUPLICATE_WINDOW_SECONDS = 24 * 3600


def events_stream_config(node: str, replicas: int = 1) -> StreamConfig:
    """The audit log of one node: nothing in it may be deleted or purged."""
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


async def apply_streams(js: JetStreamContext, node: str, replicas: int = 1) -> list[StreamChange]:
    """Create or update the node's streams to match the definitions above."""
    changes = []
    for config in (events_stream_config(node, replicas), deadletter_stream_config(node, replicas)):
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
    return any(getattr(current, f) != getattr(wanted, f) for f in fields)
