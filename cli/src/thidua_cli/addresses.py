"""Where this node's parts are found: which services it runs, their URLs, the operator's token file. Kept apart
from the launcher so that a command that only calls a service starts without loading what starts them."""

from __future__ import annotations

import importlib.util

from thidua_shared.settings import ServiceSettings, Settings
from thidua_shared.topology import PROVINCIAL_SERVICES, SERVICES

ADMIN_TOKEN_FILE = "admin.token"


def installed_services(settings: Settings | None = None) -> list[str]:
    """The services this node runs: all installed ones at the centre, scoring alone on a province."""
    wanted = PROVINCIAL_SERVICES if settings is not None and settings.is_province else tuple(SERVICES)
    return [name for name in wanted if importlib.util.find_spec(f"thidua_{name}") is not None]


def service_url(settings: Settings, service: str) -> str:
    return f"http://{settings.host}:{ServiceSettings.for_service(service).resolved_port(service)}"
