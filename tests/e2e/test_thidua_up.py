"""End to end: `thidua up` as a process, a unit registered over HTTP, its event read back from the stream."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sysconfig
import time
from pathlib import Path

import httpx
import pytest

from thidua_cli.audit import read_stream
from thidua_shared.messaging.nats_access import NatsIdentity
from thidua_shared.events.envelope import verify_chain
from thidua_shared.keys import load_public_key, public_key_path
from thidua_cli.natsserver import free_port
from thidua_shared.consistency import HeldPositions

from tests.support import wait_for

pytestmark = pytest.mark.e2e


class Up:
    """`thidua up` in a child process, with its own ports and var folder."""

    def __init__(self, var: Path, *up_args: str, new_session: bool = False) -> None:
        self.var = var
        self.up_args = up_args
        self.new_session = new_session  # a process group of its own, to be signalled as a terminal does
        self.nats_port, self.registry_port, self.campaigns_port, self.scoring_port = free_port(), free_port(), free_port(), free_port()
        self.awards_port, self.leaf_port, self.portal_port = free_port(), free_port(), free_port()
        self.env = dict(
            os.environ,
            THIDUA_VAR_DIR=str(var),
            THIDUA_NATS_PORT=str(self.nats_port),
            THIDUA_NATS_MONITOR_PORT=str(free_port()),
            THIDUA_LEAF_PORT=str(self.leaf_port),
            THIDUA_REGISTRY_PORT=str(self.registry_port),
            THIDUA_CAMPAIGNS_PORT=str(self.campaigns_port),
            THIDUA_SCORING_PORT=str(self.scoring_port),
            THIDUA_AWARDS_PORT=str(self.awards_port),
            THIDUA_PORTAL_PORT=str(self.portal_port),
            THIDUA_LOG_FORMAT="json",
        )
        for name in ("THIDUA_NATS_URL", "THIDUA_REGISTRY_DATABASE_URL", "THIDUA_CAMPAIGNS_DATABASE_URL", "THIDUA_SCORING_DATABASE_URL", "THIDUA_AWARDS_DATABASE_URL",
                     "THIDUA_BOOTSTRAP_ADMIN_TOKEN_HASH"):
            self.env.pop(name, None)
        self.output = var.parent / f"up-{time.monotonic_ns()}.out"
        self.process: subprocess.Popen[bytes] | None = None
        self.positions = HeldPositions()

    def start(self) -> "Up":
        thidua = Path(sysconfig.get_path("scripts")) / "thidua"
        with self.output.open("wb") as out:
            self.process = subprocess.Popen([str(thidua), "up", *self.up_args], env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=self.new_session)
        deadline = time.monotonic() + 90
        while "sẵn sàng" not in self.text():
            assert self.process.poll() is None, self.text()
            assert time.monotonic() < deadline, self.text()
            time.sleep(0.2)
        return self

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)  # what Ctrl-C does
        return self.process.wait(timeout=60)

    @property
    def registry(self) -> str:
        return f"http://127.0.0.1:{self.registry_port}"

    @property
    def campaigns(self) -> str:
        return f"http://127.0.0.1:{self.campaigns_port}"

    @property
    def scoring(self) -> str:
        return f"http://127.0.0.1:{self.scoring_port}"

    @property
    def portal(self) -> str:
        return f"http://127.0.0.1:{self.portal_port}"

    @property
    def awards(self) -> str:
        return f"http://127.0.0.1:{self.awards_port}"

    @property
    def nats_url(self) -> str:
        return f"nats://127.0.0.1:{self.nats_port}"

    @property
    def nats_urls(self) -> list[str]:
        """Every server's URL (three with --cluster 3)."""
        size = int(self.env.get("THIDUA_CLUSTER_SIZE", "1"))
        return [f"nats://127.0.0.1:{self.nats_port + i}" for i in range(size)]

    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {(self.var / 'admin.token').read_text().strip()}"}

    def client(self, url: str, token: str | None = None) -> httpx.Client:
        """A client of one service that, like the CLI, sends back the positions of what this test wrote
        (read-your-writes): a unit just created in the registry is never "not found" in campaigns."""
        headers = {"Authorization": f"Bearer {token}"} if token else self.admin()
        return httpx.Client(base_url=url, headers=headers, timeout=30, event_hooks=self.positions.hooks())


def thidua(up: Up, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The `thidua` command run against this system, as an officer would from a terminal."""
    command = [str(Path(sysconfig.get_path("scripts")) / "thidua"), *args]
    return subprocess.run(command, env=up.env, capture_output=True, text=True, timeout=timeout)


def service_events(up: "Up", count: int, service: str = "registry") -> list:
    """The service's events in the stream, read with the tools' own credentials from var/credentials."""
    tools = NatsIdentity("cli", up.var / "credentials" / "cli.nk")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        events = [e for e in asyncio.run(read_stream(up.nats_urls, tools)) if e.service == service]
        if len(events) >= count:
            return events
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} {service} events in the stream")


def eventually_ok(request, timeout: float = 30.0) -> httpx.Response:  # type: ignore[no-untyped-def]
    """Retry while another node's service catches up across the leaf link (404 unit, 401 token): a position
    written at the centre is applied at a province only once the link carries it, however long that takes.
    On one node, use `Up.client`, which waits for exactly what was written instead."""
    deadline = time.monotonic() + timeout
    while True:
        response = request()
        if response.status_code not in (401, 404) or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def test_thidua_up_registers_a_unit_whose_event_is_signed_and_chained_and_resumes_after_restart(tmp_path: Path):
    var = tmp_path / "var"
    up = Up(var).start()
    try:
        assert "tdt_" in up.text()  # the admin token is printed on first start
        ready = [line for line in up.text().splitlines() if up.portal in line or "Dịch vụ " in line]
        assert up.portal in ready[0], ready  # the portal's address first: it is the one people open
        page = httpx.get(up.portal)
        assert page.status_code == 200 and '<html lang="vi">' in page.text
        link = next(word for word in up.text().split() if word.startswith(f"{up.portal}/thiet-lap-mat-khau/"))
        assert "Đặt mật khẩu" in httpx.get(link).text  # the first administrator's one-time link, printed and working
        created = httpx.post(f"{up.registry}/units", headers=up.admin(), json={"code": "VCA", "name": "Liên minh Hợp tác xã Việt Nam", "kind": "national_alliance"})
        assert created.status_code == 201, created.text
        events = service_events(up, 2)  # the bootstrap token, then the unit
    finally:
        assert up.stop() == 0
    assert "Đã dừng" in up.text()

    unit_event = events[-1]
    assert unit_event.type == "registry.unit_registered" and unit_event.version == 1
    assert unit_event.payload["unit"]["code"] == "VCA" and unit_event.payload["unit"]["id"] == created.json()["id"]
    assert unit_event.node == "vn" and unit_event.actor.role.value == "national_admin"
    assert unit_event.aggregate.kind == "unit" and unit_event.correlation_id is not None
    key = load_public_key(public_key_path(var / "keys", "vn"))
    assert verify_chain(events, key) == []

    again = Up(var).start()  # a second `up` resumes the data
    try:
        assert "tdt_" not in again.text()
        assert httpx.get(f"{again.registry}/units/VCA", headers=again.admin()).status_code == 200
        httpx.post(f"{again.registry}/units", headers=again.admin(),
                   json={"code": "VCA-TDKT", "name": "Ban Thi đua – Khen thưởng", "kind": "department", "parent": "VCA"}).raise_for_status()
        resumed = service_events(again, 3)
    finally:
        assert again.stop() == 0
    assert [e.sequence for e in resumed] == [1, 2, 3]
    assert verify_chain(resumed, key) == []


def test_a_unit_registered_in_the_registry_registers_for_a_launched_campaign(tmp_path: Path):
    up = Up(tmp_path / "var").start()
    try:
        registry, campaigns = up.client(up.registry), up.client(up.campaigns)
        for body in (
            {"code": "VCA", "name": "Liên minh Hợp tác xã Việt Nam", "kind": "national_alliance"},
            {"code": "LMHTX-37", "name": "Liên minh HTX tỉnh Ninh Bình", "kind": "provincial_alliance", "parent": "VCA", "province_code": "37"},
            {"code": "HTX-37-KT", "name": "HTX Dịch vụ nông nghiệp Khánh Thiện", "kind": "cooperative", "parent": "LMHTX-37"},
        ):
            unit = registry.post("/units", json=body)
            unit.raise_for_status()
        year = time.localtime().tm_year
        campaign = {
            "issuer": "LMHTX-37", "title": "Đoàn kết sáng tạo", "period_start": f"{year}-01-01", "period_end": f"{year}-12-31",
            "scope": {"unit_kinds": ["cooperative"]},
            "indicators": [{"code": "I", "title": "Sáng kiến", "kind": "achieved", "max_points": 100}],
        }
        drafted = campaigns.post("/campaigns", json=campaign)
        assert drafted.status_code == 201, drafted.text
        campaign_id = drafted.json()["id"]
        campaigns.post(f"/campaigns/{campaign_id}/launch").raise_for_status()
        registered = campaigns.post(f"/campaigns/{campaign_id}/registrations",
                                json={"unit": "HTX-37-KT", "titles": ["Tập thể lao động tiên tiến"]})
        assert registered.status_code == 201, registered.text
        events = service_events(up, 3, "campaigns")
    finally:
        assert up.stop() == 0
    assert [e.type for e in events] == ["campaigns.campaign_drafted", "campaigns.campaign_launched", "campaigns.registration_submitted"]
    assert [e.sequence for e in events] == [1, 2, 3]
    assert registered.json()["unit_id"] == unit.json()["id"]  # the registry's unit, known to campaigns through events
    assert events[2].payload["registration"]["unit_id"] == unit.json()["id"] and events[2].aggregate.kind == "registration"
    key = load_public_key(public_key_path(tmp_path / "var" / "keys", "vn"))
    assert verify_chain(events, key) == []


def test_a_killed_launchers_children_end_with_it_and_up_starts_cleanly_again(tmp_path: Path):
    """Killed outright (SIGKILL: no handler runs), `up`'s nats-server and services end too (the kernel's
    parent-death signal: thidua_cli.tied); before, they ran on until the next `up` found them."""
    var = tmp_path / "var"
    first = Up(var).start()
    assert first.process is not None
    leftover_pids = [int(p.read_text()) for p in (var / "run").glob("*.pid")]
    assert len(leftover_pids) == 6 and all(Path(f"/proc/{pid}").exists() for pid in leftover_pids)
    first.process.kill()
    first.process.wait()
    wait_for(lambda: not any(_running(pid) for pid in leftover_pids), message="every child of the killed launcher to end")

    second = Up(var)
    second.nats_port, second.registry_port, second.campaigns_port, second.scoring_port, second.awards_port = (
        first.nats_port, first.registry_port, first.campaigns_port, first.scoring_port, first.awards_port)
    second.env.update(THIDUA_NATS_PORT=str(first.nats_port), THIDUA_REGISTRY_PORT=str(first.registry_port),
                      THIDUA_CAMPAIGNS_PORT=str(first.campaigns_port), THIDUA_SCORING_PORT=str(first.scoring_port),
                      THIDUA_AWARDS_PORT=str(first.awards_port), THIDUA_NATS_MONITOR_PORT=first.env["THIDUA_NATS_MONITOR_PORT"],
                      THIDUA_PORTAL_PORT=str(first.portal_port))
    second.start()
    try:
        assert httpx.get(f"{second.registry}/health").status_code == 200
    finally:
        assert second.stop() == 0


def _running(pid: int) -> bool:
    """Alive and not a zombie (an ended child whose parent has not waited for it yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
