"""The links between nodes as the local JetStream sees them: one row per source of the node's EVENTS
stream (at the centre: each province, up; on a province: each centre chain, down)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import nats

from thidua_shared.messaging.nats_access import identity_for
from thidua_shared.messaging.streams import EVENTS_STREAM
from thidua_shared.settings import Settings
from thidua_shared.topology import TOOLS_IDENTITY

# A sourcing consumer hears from its origin every few seconds while the link is up (data or heartbeats);
# silence longer than this means the link is down.
SILENT_SECONDS = 30.0


@dataclass(frozen=True)
class Link:
    node: str  # the other node
    subjects: str  # what this source carries
    waiting: int  # events known to wait at the other end (as of the last contact)
    silent_seconds: float | None  # since the last contact; None: never in contact
    error: str | None

    def connected(self, silent_seconds: float = SILENT_SECONDS) -> bool | None:
        """True while the origin is heard from; None before the first contact (an origin with nothing
        to send yet is not heard from either)."""
        return None if self.silent_seconds is None else self.silent_seconds < silent_seconds

    def overdue(self, alarm_hours: float) -> bool:
        """Cut off longer than the alarm allows (the centre reports such a province)."""
        return self.silent_seconds is None or self.silent_seconds > alarm_hours * 3600


async def read_links(settings: Settings) -> list[Link]:
    nc = await nats.connect(settings.effective_nats_url, connect_timeout=5, **identity_for(settings, TOOLS_IDENTITY).connect_options())
    try:
        reply = await nc.request(f"$JS.API.STREAM.INFO.{EVENTS_STREAM}", b"", timeout=5)
    finally:
        await nc.close()
    info = json.loads(reply.data)
    return [_link(source) for source in info.get("sources") or []]


def _link(source: dict) -> Link:
    api = (source.get("external") or {}).get("api", "")
    node = api.split(".")[1] if api.startswith("$JS.") else "?"
    active_ns = source.get("active", -1)
    return Link(
        node=node, subjects=source.get("filter_subject") or ">", waiting=int(source.get("lag", 0)),
        silent_seconds=None if active_ns is None or active_ns < 0 else active_ns / 1e9,
        error=(source.get("error") or {}).get("description"),
    )
