"""`thidua up --cluster 3`: the centre on three nats-servers; one is killed outright in the middle of a
stream of writes and `up` restarts it: the services keep answering, nothing is lost or duplicated."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_thidua_up import Up, service_events, thidua
from tests.support import free_run

pytestmark = pytest.mark.e2e


def registry_server(first_monitor_port: int) -> int:
    """Which of the three servers (1, 2, 3) holds the registry's connection (named `vn.registry`)."""
    for n in range(3):
        connections = httpx.get(f"http://127.0.0.1:{first_monitor_port + n}/connz").json().get("connections") or []
        if any(c.get("name") == "vn.registry" for c in connections):
            return n + 1
    raise AssertionError("the registry is connected to none of the servers")


def test_a_server_of_the_centres_cluster_dies_mid_write_and_nothing_is_lost(tmp_path: Path):
    up = Up(tmp_path / "var", "--cluster", "3")
    base = free_run(12)
    up.nats_port = base
    # THIDUA_CLUSTER_SIZE for the CLI commands run beside it (`up` has it from --cluster).
    up.env.update(THIDUA_CLUSTER_SIZE="3", THIDUA_NATS_PORT=str(base), THIDUA_NATS_MONITOR_PORT=str(base + 3),
                  THIDUA_CLUSTER_PORT=str(base + 6), THIDUA_LEAF_PORT=str(base + 9))
    up.start()
    try:
        assert up.text().count("NATS JetStream") == 3
        codes = ["VCA"] + [f"LMHTX-{i:02d}" for i in range(60)]
        created = httpx.post(f"{up.registry}/units", headers=up.admin(), json={"code": "VCA", "name": "Liên minh HTX Việt Nam", "kind": "national_alliance"})
        assert created.status_code == 201, created.text
        for i, code in enumerate(codes[1:]):
            if i == 20:  # the very server the registry is connected to dies, with no clean shutdown
                os.kill(int((up.var / "run" / f"nats-server--{registry_server(base + 3)}.pid").read_text()), signal.SIGKILL)
            response = httpx.post(f"{up.registry}/units", headers=up.admin(), timeout=30,
                                  json={"code": code, "name": f"Liên minh HTX tỉnh số {i}", "kind": "provincial_alliance", "parent": "VCA"})
            assert response.status_code == 201, response.text  # the services keep working throughout
            time.sleep(0.05)
        deadline = time.monotonic() + 30
        while "nats-server đã dừng bất thường" not in up.text():
            assert time.monotonic() < deadline, up.text()
            time.sleep(0.2)

        events = service_events(up, len(codes) + 1)  # the bootstrap token and the units
        registered = [e.payload["unit"]["code"] for e in events if e.type == "registry.unit_registered"]
        assert sorted(registered) == sorted(codes)  # 0 lost
        assert [n for n in Counter(e.id for e in events).values() if n > 1] == []  # 0 duplicated
        verified = thidua(up, "events", "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
    finally:
        assert up.stop() == 0
