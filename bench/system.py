"""The system as the benchmarks run it: an authenticated nats-server and services as their own
processes on SQLite, each on a free port, with a bootstrap admin token."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from thidua_cli.credentials import accounts_block
from thidua_cli.natsserver import NatsServer, free_port
from thidua_shared.access.tokens import hash_token, new_token
from thidua_shared.settings import Settings


@dataclass
class BenchSystem:
    nats: NatsServer
    token: str
    settings: Settings
    urls: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def stop(self) -> None:
        for process in self.processes.values():
            process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            process.wait(30)
        self.nats.stop()


def start_system(tmp: Path, services: list[str]) -> BenchSystem:
    settings = Settings(var_dir=tmp / "var", node="vn")
    nats_server = NatsServer(store_dir=tmp / "nats", accounts=accounts_block(settings, services)).start()
    system = BenchSystem(nats_server, new_token(), settings)
    env = dict(os.environ, THIDUA_VAR_DIR=str(settings.var_dir), THIDUA_NATS_URL=nats_server.url,
               THIDUA_BOOTSTRAP_ADMIN_TOKEN_HASH=hash_token(system.token), THIDUA_LOG_FORMAT="json", THIDUA_LOG_LEVEL="WARNING")
    for name in services:
        env.pop(f"THIDUA_{name.upper()}_DATABASE_URL", None)
        env[f"THIDUA_{name.upper()}_PORT"] = str(free_port())
    subprocess.run([sys.executable, "-m", "thidua_cli", "streams", "apply"], env=env, check=True, capture_output=True)
    for name in services:
        log = (tmp / f"{name}.log").open("wb")
        profile = ["-m", "cProfile", "-o", str(tmp.parent / f"{name}.prof")] if os.environ.get("BENCH_PROFILE") == name else []
        system.processes[name] = subprocess.Popen([sys.executable, *profile, "-m", f"thidua_{name}"], env=env, stdout=log, stderr=subprocess.STDOUT)
        system.urls[name] = f"http://127.0.0.1:{env[f'THIDUA_{name.upper()}_PORT']}"
    for name in services:
        _wait_healthy(system, name, tmp / f"{name}.log")
    return system


def _wait_healthy(system: BenchSystem, name: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{system.urls[name]}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline and system.processes[name].poll() is None, log.read_text()
        time.sleep(0.2)


def caught_up(system: BenchSystem) -> bool:
    """Every service has published what it committed and applied what the others published."""
    for url in system.urls.values():
        health = httpx.get(f"{url}/health", timeout=10).json()
        if health["outbox_pending"] != 0 or any(c["lag"] != 0 for c in health["consumers"]):
            return False
    return True


def wait_caught_up(system: BenchSystem, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not caught_up(system):
        assert time.monotonic() < deadline, "the services did not catch up"
        time.sleep(0.1)
