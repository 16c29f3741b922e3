"""The links between nodes as the local JetStream sees them: one row per source of the node's EVENTS
stream (at the centre: each province, up; on a province: each centre chain, down)."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass

import httpx
import nats

from thidua_cli.nats_once import ONE_TRY
from thidua_cli.natsserver import node_of
from thidua_shared.messaging.nats_access import identity_for
from thidua_shared.messaging.streams import EVENTS_STREAM, resume_sources
from thidua_shared.settings import Settings
from thidua_shared.topology import ADMIN_IDENTITY, TOOLS_IDENTITY

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
    nc = await nats.connect(settings.nats_servers, **ONE_TRY, **identity_for(settings, TOOLS_IDENTITY).connect_options())
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


class LinkWatcher:
    """Run by `thidua up` beside its nats-server: when a leaf link (a province at the centre, the centre
    on a province) comes back, the sources reading from that node are set up again at once instead of
    at the server's next retry; again a moment later if nothing was heard since (the link not ready yet)."""

    RECHECK_SECONDS = 2.0
    GIVE_UP_SECONDS = 30.0

    def __init__(self, settings: Settings, monitor_urls: list[str]) -> None:
        self.settings = settings
        self.monitor_urls = monitor_urls  # every server of the node (a centre's cluster: links reach any)
        self._connections: set[tuple[str, str, object]] = set()
        self._settling: dict[str, tuple[float, float]] = {}  # node -> (link back at, last set up at)

    async def check(self) -> list[str]:
        """One look at the links; the nodes whose sources were set up again."""
        leafs = []
        async with httpx.AsyncClient(timeout=2) as client:
            for url in self.monitor_urls:
                with contextlib.suppress(httpx.HTTPError):  # a server of a cluster may be down
                    leafs += [(url, leaf) for leaf in (await client.get(f"{url}/leafz")).json().get("leafs") or []]
        # A connection is its node, server and connection id: a link that dropped and came back between
        # two looks is a new connection too.
        connections = {(node_of(leaf.get("name", "")), url, leaf.get("id")) for url, leaf in leafs}
        connected = {node for node, _, _ in connections}
        now = time.monotonic()
        due = sorted({node for node, _, _ in connections - self._connections})
        for node in due:
            self._settling[node] = (now, 0.0)
        self._connections = connections
        if self._settling:
            links = {link.node: link for link in await read_links(self.settings)}
            for node, (back_at, set_up_at) in list(self._settling.items()):
                link = links.get(node)
                heard_since_set_up = link is not None and link.silent_seconds is not None and link.silent_seconds < now - set_up_at
                if node not in connected or now - back_at > self.GIVE_UP_SECONDS or (set_up_at and heard_since_set_up):
                    del self._settling[node]
                elif node not in due and now - set_up_at >= self.RECHECK_SECONDS:
                    due.append(node)
        return await self._set_up_again([n for n in due if n in self._settling], now)

    async def _set_up_again(self, nodes: list[str], now: float) -> list[str]:
        if not nodes:
            return []
        resumed = []
        nc = await nats.connect(self.settings.nats_servers, connect_timeout=5, **identity_for(self.settings, ADMIN_IDENTITY).connect_options())
        try:
            for node in nodes:
                self._settling[node] = (self._settling[node][0], now)
                if await resume_sources(nc, node):
                    resumed.append(node)
        finally:
            await nc.close()
        return resumed
