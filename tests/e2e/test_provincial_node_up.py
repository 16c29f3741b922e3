"""`thidua up --node hp --centre …` beside the centre's `thidua up`: the province is registered with
the CLI, runs scoring alone on its own server and database, and works with what came down."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_thidua_up import Up, eventually_ok, thidua

pytestmark = pytest.mark.e2e


def test_a_provincial_node_runs_beside_the_centre_and_uses_what_came_down(tmp_path: Path):
    centre = Up(tmp_path / "vn")
    province = Up(tmp_path / "hp", "--node", "hp", "--centre", f"nats-leaf://127.0.0.1:{centre.leaf_port}")
    province.env.update(THIDUA_NODE="hp", THIDUA_CENTRE_URL=f"nats-leaf://127.0.0.1:{centre.leaf_port}")

    # Each side learns the other's keys, as the two offices would exchange them.
    said = thidua(province, "nodes", "identity", "--out", str(tmp_path / "desk"))
    assert said.returncode == 0, said.stderr
    link_key = re.search(r"\bU[A-Z2-7]{55}\b", said.stdout)
    assert link_key, said.stdout
    accepted = thidua(centre, "nodes", "trust", "hp", "--link-key", link_key.group(0))
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert thidua(centre, "nodes", "identity", "--out", str(tmp_path / "desk")).returncode == 0
    trusted = thidua(province, "nodes", "trust", "vn", "--signing-key", str(centre.var / "keys" / "vn.ed25519.pub.pem"))
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr

    centre.start()
    province.start()
    try:
        assert "Dịch vụ scoring" in province.text() and "Dịch vụ registry" not in province.text()
        for code, name, kind, parent in (("VCA", "Liên minh Hợp tác xã Việt Nam", "national_alliance", None),
                                         ("LMHTX-31", "Liên minh HTX thành phố Hải Phòng", "provincial_alliance", "VCA")):
            unit = httpx.post(f"{centre.registry}/units", headers=centre.admin(), json={"code": code, "name": name, "kind": kind, "parent": parent})
            assert unit.status_code == 201, unit.text
        issued = httpx.post(f"{centre.registry}/tokens", headers=centre.admin(),
                            json={"holder_name": "Cán bộ thi đua Hải Phòng", "role": "provincial_officer", "scope_unit": "LMHTX-31"})
        assert issued.status_code == 201, issued.text
        # The token was issued at the centre; the province's scoring accepts it once it has come down.
        officer = {"Authorization": f"Bearer {issued.json()['token']}"}
        rounds = eventually_ok(lambda: httpx.get(f"{province.scoring}/rounds", headers=officer), timeout=60)
        assert rounds.status_code == 200, rounds.text

        # The centre vouches for hp's key with a signed event: services on both nodes keep it.
        registered = thidua(centre, "--token", centre.admin()["Authorization"].split()[1], "nodes", "register", "hp",
                            "--signing-key", str(province.var / "keys" / "hp.ed25519.pub.pem"), "--reason", "Nút Hải Phòng")
        assert registered.returncode == 0, registered.stdout + registered.stderr
        deadline = time.monotonic() + 60
        while not (list((centre.var / "keys").glob("hp.*.ed25519.pub.pem")) and list((province.var / "keys").glob("hp.*.ed25519.pub.pem"))):
            assert time.monotonic() < deadline, "hp's registered key did not reach both nodes"
            time.sleep(0.2)

        status = thidua(province, "status")
        assert "đang kết nối" in status.stdout and "thidua.events.vn.registry.>" in status.stdout, status.stdout
        verified = thidua(province, "events", "verify")
        assert verified.returncode == 0 and "vn.registry" in verified.stdout, verified.stdout + verified.stderr
    finally:
        assert province.stop() == 0
        assert centre.stop() == 0
