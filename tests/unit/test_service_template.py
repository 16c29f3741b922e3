"""docs/adding-a-service.md lists the files a service needs: every service has them, and nothing else is needed."""

from __future__ import annotations

import re
from pathlib import Path

from thidua_shared.topology import SERVICES

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "adding-a-service.md"


def listed(block: int) -> list[str]:
    """The paths of the guide's `block`-th ```text block (0: every service, 1: consumers)."""
    blocks = re.findall(r"```text\n(.*?)```", GUIDE.read_text(), flags=re.S)
    return [line.split()[0] for line in blocks[block].splitlines() if line.strip()]


def present(service: str, pattern: str) -> bool:
    path = pattern.replace("<name>", service)
    if "0001_" in path:
        return any((ROOT / path).parent.glob("0001_*.py"))
    return (ROOT / path).is_file()


def test_every_service_has_the_files_the_guide_lists():
    for service in SERVICES:
        missing = [p for p in listed(0) if not present(service, p)]
        assert missing == [], f"{service} lacks {missing}"


def test_a_service_that_consumes_events_has_the_consumer_files_too():
    for service, info in SERVICES.items():
        consumes = bool(info.subscriptions)
        has = [present(service, p) for p in listed(1)]
        assert all(has) if consumes else not any(has), service


def test_no_sql_outside_the_adapters():
    for service in SERVICES:
        package = ROOT / "services" / service / "src" / f"thidua_{service}"
        for layer in ("domain", "service_layer", "entrypoints"):
            for source in (package / layer).rglob("*.py"):
                text = source.read_text()
                assert "sqlalchemy" not in text and "session." not in text, source
