"""docker-compose.yml describes the same services that `thidua up` runs as processes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from thidua_cli.addresses import installed_services

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_service_of_the_launcher_runs_in_compose_with_its_own_database():
    services = compose()["services"]
    for name in installed_services():
        assert name in services, f"{name} is missing from docker-compose.yml"
        assert services[name]["command"] == ["python", "-m", f"thidua_{name}"]
        assert f"/thidua_{name}" in services[name]["environment"][f"THIDUA_{name.upper()}_DATABASE_URL"]
        assert services[name]["depends_on"]["streams"]["condition"] == "service_completed_successfully"
        # Each service connects to NATS with its own NKey, mounted read-only.
        seed = services[name]["environment"][f"THIDUA_{name.upper()}_NATS_SEED_FILE"]
        assert any(volume.endswith(f":{seed}:ro") and f"credentials/{name}.nk" in volume for volume in services[name]["volumes"])


def test_streams_are_declared_once_by_a_job_on_a_three_node_cluster():
    services = compose()["services"]
    assert services["streams"]["command"] == ["thidua", "streams", "apply"]
    assert {"nats-1", "nats-2", "nats-3"} <= set(services)
    assert "thidua_registry" in (ROOT / "deploy" / "postgres-init.sql").read_text()
    assert 'include "credentials/accounts.conf"' in (ROOT / "deploy" / "nats.conf").read_text()


def test_compose_file_is_valid_for_docker_compose():
    tool = shutil.which("docker-compose")
    if tool is None:
        pytest.skip("docker-compose is not installed here: the structure was checked above, not the schema")
    result = subprocess.run([tool, "config", "-q"], cwd=ROOT, env={"THIDUA_POSTGRES_PASSWORD": "x", "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_compose_shows_a_provincial_node_beside_the_centre():
    """A leaf nats-server in the province's own domain, its own database, scoring on it; the centre's
    servers accept leaf links in the domain `vn`."""
    services = compose()["services"]
    assert {"nats-hp", "postgres-hp", "streams-hp", "scoring-hp"} <= set(services)
    province = services["scoring-hp"]["environment"]
    assert province["THIDUA_NODE"] == "hp" and province["THIDUA_CENTRE_URL"].startswith("nats-leaf://")
    assert "@postgres-hp:" in province["THIDUA_SCORING_DATABASE_URL"]
    conf = (ROOT / "deploy" / "nats-province.conf").read_text()
    assert "domain: hp" in conf and 'include "credentials/leafnodes.conf"' in conf
    centre = (ROOT / "deploy" / "nats.conf").read_text()
    assert "domain: vn" in centre and "leafnodes" in centre


@pytest.mark.parametrize(("conf", "env"), [
    ("nats.conf", {"THIDUA_NODE": "vn"}),
    ("nats-province.conf", {"THIDUA_NODE": "hp", "THIDUA_CENTRE_URL": "nats-leaf://nats-1:7422"}),
])
def test_the_production_server_configurations_are_valid_for_the_pinned_nats_server(tmp_path: Path, conf: str, env: dict):
    """`thidua nats credentials` writes what deploy/*.conf include; the lock file's nats-server accepts the result."""
    import os
    import sys
    import sysconfig

    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "nats.conf").write_text((ROOT / "deploy" / conf).read_text())
    written = subprocess.run([sys.executable, "-m", "thidua_cli", "nats", "credentials", "--out", str(folder / "credentials")],
                             env={**os.environ, **env, "THIDUA_VAR_DIR": str(tmp_path / "var")}, capture_output=True, text=True)
    assert written.returncode == 0, written.stderr
    server = Path(sysconfig.get_path("scripts")) / "nats-server"
    checked = subprocess.run([str(server), "-t", "-c", str(folder / "nats.conf")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
