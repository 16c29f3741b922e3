"""docker-compose.yml describes the same services that `thidua up` runs as processes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from thidua_cli.launcher import installed_services

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
