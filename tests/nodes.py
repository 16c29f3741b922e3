"""A centre and provincial nodes as real nats-servers, configured exactly as `thidua up` configures them
(domains, accounts, the centre's leaf listener, each province's link with its own seed and permissions),
with each province's link running through a relay the test can cut and restore."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import nats
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from thidua_cli.audit import read_stream
from thidua_cli.credentials import own_link_key, register_link
from thidua_cli.links import LinkWatcher
from thidua_cli.launcher import embedded_nats_server, stream_sources
from thidua_cli.natsserver import NatsServer, free_port
from thidua_shared.events.envelope import GENESIS_HASH, Envelope
from thidua_shared.keys import ensure_node_key, public_key_path
from thidua_shared.messaging.nats_access import identity_for
from thidua_shared.messaging.streams import EVENTS_STREAM, apply_streams
from thidua_shared.settings import Settings
from thidua_shared.topology import ADMIN_IDENTITY, TOOLS_IDENTITY

from tests.support import eventually, sealed_event


class LinkProxy:
    """A TCP relay standing in for a province's network link: `cut()` drops every connection and
    refuses new ones, `restore()` lets the leaf link connect again."""

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self.target_port = target_port
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._pumps: set[asyncio.Task[None]] = set()

    async def restore(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port, reuse_address=True)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()
        for pump in list(self._pumps):
            pump.cancel()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            target_reader, target_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, target_writer}
        for pump in (self._pump(reader, target_writer), self._pump(target_reader, writer)):
            task = asyncio.create_task(pump)
            self._pumps.add(task)
            task.add_done_callback(self._pumps.discard)

    @staticmethod
    async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()


@dataclass
class Node:
    settings: Settings
    server: NatsServer
    key: Ed25519PrivateKey
    link: LinkProxy | None = None  # a province's link to the centre
    watcher: asyncio.Task[None] | None = None  # what `thidua up` runs beside the server (LinkWatcher)
    _sequences: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.settings.node

    async def connect(self, identity: str) -> nats.NATS:
        return await nats.connect(self.server.url, **identity_for(self.settings, identity).connect_options())

    async def declare_streams(self) -> None:
        admin = await self.connect(ADMIN_IDENTITY)
        try:
            await apply_streams(admin.jetstream(), self.name, 1, stream_sources(self.settings))
        finally:
            await admin.close()

    async def write(self, service: str, event_type: str, count: int) -> list[Envelope]:
        """`count` sealed events of this node's `service` chain, published as that service publishes them."""
        sequence, prev = self._sequences.get(service, (0, GENESIS_HASH))
        events = []
        for _ in range(count):
            sequence += 1
            envelope = sealed_event(self.key, self.name, event_type, sequence, prev, {"n": sequence})
            prev = envelope.hash
            events.append(envelope)
        self._sequences[service] = (sequence, prev)
        nc = await self.connect(service)
        try:
            js = nc.jetstream()
            for envelope in events:
                body, headers = envelope.to_message()
                await js.publish(envelope.subject, body, headers={**headers, "Nats-Msg-Id": str(envelope.id)})
        finally:
            await nc.close()
        return events

    def cli_env(self) -> dict[str, str]:
        """The environment `thidua` runs with on this node (its var folder, server and trusted keys), in Vietnamese."""
        return {"THIDUA_NODE": self.name, "THIDUA_VAR_DIR": str(self.settings.var_dir), "THIDUA_NATS_URL": self.server.url,
                "THIDUA_TRUSTED_KEYS": str(self.settings.trusted_keys_dir), "THIDUA_CENTRE_URL": self.settings.centre_url or "",
                "THIDUA_LANGUAGE": "vi", "COLUMNS": "200"}

    async def events(self) -> list[Envelope]:
        return await read_stream(self.server.url, identity_for(self.settings, TOOLS_IDENTITY))

    async def count(self, stream: str = EVENTS_STREAM, identity: str = TOOLS_IDENTITY) -> int:
        """Messages in a stream of this node (the tools may read the node's own streams; others need the admin)."""
        nc = await self.connect(identity)
        try:
            return (await nc.jetstream().stream_info(stream)).state.messages
        finally:
            await nc.close()

    async def wait_count(self, expected: int, timeout: float = 60.0) -> None:
        async def reached() -> bool:
            return await self.count() >= expected
        await eventually(reached, timeout=timeout, message=f"{self.name}: {expected} events")

    def watch_links(self) -> None:
        watcher = LinkWatcher(self.settings, [f"http://127.0.0.1:{self.server.monitor_port}"])

        async def loop() -> None:
            while True:
                with contextlib.suppress(Exception):  # the server may be down for a moment, as in `up`
                    await watcher.check()
                await asyncio.sleep(0.3)
        self.watcher = asyncio.create_task(loop())

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server.start()


async def build_nodes(tmp_path: Path, provinces: tuple[str, ...] = ("hp", "dn"), watch: bool = True) -> dict[str, Node]:
    """The centre `vn` and `provinces`, every node trusting the others' keys, each province's link registered."""
    trusted = tmp_path / "trusted-keys"
    links = {code: LinkProxy(0) for code in provinces}  # their target, the centre's leaf port, is set below
    settings = {
        code: Settings(node=code, var_dir=tmp_path / code, trusted_keys=trusted, nats_port=free_port(),
                       nats_monitor_port=free_port(), leaf_port=free_port(),
                       centre_url=f"nats-leaf://127.0.0.1:{links[code].port}" if code in links else None)
        for code in ("vn", *provinces)
    }
    keys = {code: ensure_node_key(s.keys_dir, code) for code, s in settings.items()}
    trusted.mkdir(parents=True, exist_ok=True)
    for code, s in settings.items():
        public_key_path(trusted, code).write_bytes(public_key_path(s.keys_dir, code).read_bytes())
    centre_settings = settings["vn"]
    for code in provinces:
        links[code].target_port = centre_settings.leaf_port
        register_link(centre_settings, code, own_link_key(settings[code]))
    nodes = {}
    for code, s in settings.items():
        nodes[code] = Node(s, embedded_nats_server(s, s.var_dir), keys[code], links.get(code))
    nodes["vn"].start()
    for code in provinces:
        await links[code].restore()
        nodes[code].start()
    for node in nodes.values():
        await node.declare_streams()
        if watch:
            node.watch_links()
    return nodes
