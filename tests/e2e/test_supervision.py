"""Supervision and honest health, through `thidua up`: a killed nats-server comes back, health tells the truth,
`thidua status` shows it, and `thidua demo` waits for replicas by their lag and completes an interrupted run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sysconfig
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_thidua_up import Up, _running, service_events, thidua
from tests.support import wait_for

pytestmark = pytest.mark.e2e


def health(url: str) -> httpx.Response:
    return httpx.get(f"{url}/health", timeout=10)


def published(up: Up) -> None:
    """Until every service's outbox is empty: everything committed is in the stream."""
    wait_for(lambda: all(health(url).json()["outbox_pending"] == 0 for url in (up.registry, up.campaigns, up.scoring, up.awards)), message="empty outboxes")


def test_a_killed_nats_server_is_restarted_and_health_says_what_is_wrong_meanwhile(tmp_path: Path):
    up = Up(tmp_path / "var").start()
    try:
        nats_pid = int((up.var / "run" / "nats-server.pid").read_text())
        os.kill(nats_pid, signal.SIGKILL)
        down = wait_for(lambda: (r := health(up.registry)).status_code == 503 and r, message="503 while NATS is down")
        assert "NATS" in " ".join(down.json()["reasons"])
        wait_for(lambda: "nats-server đã dừng bất thường" in up.text(), message="the launcher's message")
        wait_for(lambda: health(up.registry).status_code == 200 and health(up.campaigns).status_code == 200,
                 timeout=90, message="both services healthy again")
        assert int((up.var / "run" / "nats-server.pid").read_text()) != nats_pid
        created = httpx.post(f"{up.registry}/units", headers=up.admin(),
                             json={"code": "VCA", "name": "Liên minh Hợp tác xã Việt Nam", "kind": "national_alliance"})
        assert created.status_code == 201
        assert service_events(up, 2)[-1].payload["unit"]["code"] == "VCA"  # the reconnected relay publishes
        status = thidua(up, "status")
        assert status.returncode == 0, status.stdout + status.stderr
        assert "registry" in status.stdout and "campaigns-registry-replica"[:12] in status.stdout
        metrics = httpx.get(f"{up.campaigns}/metrics").text
        for series in ("thidua_http_requests_total", "thidua_outbox_pending", "thidua_consumer_lag", "thidua_dead_letters"):
            assert series in metrics
    finally:
        assert up.stop() == 0


def test_demo_waits_for_a_stalled_replica_and_a_rerun_completes_an_interrupted_one(tmp_path: Path):
    up = Up(tmp_path / "var").start()
    try:
        campaigns_pid = int((up.var / "run" / "campaigns.pid").read_text())
        os.kill(campaigns_pid, signal.SIGSTOP)  # a loaded machine: the campaigns service is far behind
        demo = subprocess.Popen([str(Path(sysconfig.get_path("scripts")) / "thidua"), "demo"], env=up.env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(3)
        os.kill(campaigns_pid, signal.SIGCONT)
        output, _ = demo.communicate(timeout=300)
        assert demo.returncode == 0, output
        assert "Chờ dịch vụ phong trào" in output

        # An interrupted run (killed as it reaches the campaigns) is completed by the next one.
        fresh = Up(tmp_path / "var2").start()
        try:
            partial = subprocess.Popen([str(Path(sysconfig.get_path("scripts")) / "thidua"), "demo"], env=fresh.env,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            seen = ""
            while "Chờ dịch vụ phong trào" not in seen:
                line = partial.stdout.readline()
                assert line, seen
                seen += line
            partial.kill()
            partial.wait()
            assert httpx.get(f"{fresh.registry}/units/LMHTX-15", headers=fresh.admin()).json()["status"] == "active"
            completed = thidua(fresh, "demo")
            assert completed.returncode == 0, completed.stdout + completed.stderr
            yen_bai = httpx.get(f"{fresh.registry}/units/LMHTX-15", headers=fresh.admin()).json()
            assert yen_bai["status"] == "merged" and yen_bai["successor"]["code"] == "LMHTX-10"
            campaigns = httpx.get(f"{fresh.campaigns}/campaigns", headers=fresh.admin()).json()
            assert len(campaigns) == 6
            assert "dẫn đầu: Liên minh HTX thành phố Hồ Chí Minh" in " ".join(completed.stdout.split())  # however the terminal wraps it
            published(fresh)
            before = sum(len(service_events(fresh, 1, service)) for service in ("registry", "campaigns", "scoring", "awards"))
            again = thidua(fresh, "demo")
            assert again.returncode == 0, again.stdout + again.stderr
            published(fresh)
            after = sum(len(service_events(fresh, 1, service)) for service in ("registry", "campaigns", "scoring", "awards"))
            assert after == before  # a complete demo is left as it is
        finally:
            assert fresh.stop() == 0
    finally:
        assert up.stop() == 0


def children_of(up: Up) -> list[int]:
    """The processes `up` recorded as started (nats-server and every service)."""
    return [int(f.read_text()) for f in (up.var / "run").glob("*.pid")]


def test_up_stopped_as_a_terminal_and_a_supervisor_do_stops_everything_and_says_why(tmp_path: Path):
    """SIGINT, then SIGTERM at once, to its process group (a terminal's Ctrl-C, then a supervisor's stop; uv used
    to forward the first again): before, `up` died on the second signal and its children ran on."""
    up = Up(tmp_path / "var", new_session=True).start()
    children = children_of(up)  # nats-server, the four services and the portal
    assert len(children) == 6 and all(_running(pid) for pid in children)
    # Nothing under var/ is readable by anyone but its owner: databases and their WAL, the event store, keys, logs.
    readable = [str(p) for p in [up.var, *up.var.rglob("*")] if not p.is_symlink() and p.lstat().st_mode & 0o077]
    assert not readable, readable[:10]
    os.killpg(up.process.pid, signal.SIGINT)
    os.killpg(up.process.pid, signal.SIGTERM)
    assert up.process.wait(timeout=60) == 0, up.text()
    wait_for(lambda: not any(_running(pid) for pid in children), timeout=30, message="every child of a stopped `up` to end")
    said = up.text()
    assert "Nhận tín hiệu SIGINT" in said and "Đã dừng" in said, said


def test_a_port_held_by_another_program_is_named_with_the_setting_that_moves_it(tmp_path: Path):
    up = Up(tmp_path / "var")
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", up.leaf_port))
        holder.listen()
        command = [str(Path(sysconfig.get_path("scripts")) / "thidua"), "up"]
        done = subprocess.run(command, env=up.env, capture_output=True, text=True, timeout=120)
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 1, said
    assert f"Cổng {up.leaf_port} đang được chương trình khác dùng; đặt THIDUA_LEAF_PORT" in said
    assert "Đã dừng" in said and not any(_running(pid) for pid in children_of(up))
