"""Wiring: the registry's runtime and HTTP app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from thidua_shared.http import create_http_app
from thidua_shared.logging import get_logger
from thidua_shared.replay import ReplaySpec
from thidua_shared.runtime import ServiceRuntime
from thidua_shared.settings import BootstrapSettings, Settings

from thidua_registry.adapters.repository import RegistryRepository
from thidua_registry.adapters.tables import messaging
from thidua_registry.entrypoints.http import router
from thidua_registry.service_layer.services import ensure_bootstrap_token
from thidua_registry.service_layer.own_events import NOT_IN_LOG, WRITES_NO_TABLE, own_events

SERVICE = "registry"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
log = get_logger(__name__)


async def record_bootstrap_token(runtime: ServiceRuntime[RegistryRepository]) -> None:
    token_hash = BootstrapSettings().bootstrap_admin_token_hash
    if token_hash and await ensure_bootstrap_token(runtime.uow(), token_hash):
        log.info("registry.bootstrap_token_recorded")


def build_runtime(settings: Settings | None = None) -> ServiceRuntime[RegistryRepository]:
    return ServiceRuntime(
        name=SERVICE,
        tables=messaging,
        migrations_dir=MIGRATIONS,
        repository=RegistryRepository,
        settings=settings or Settings(),
        on_started=[record_bootstrap_token],
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    app = create_http_app(
        build_runtime(settings),
        title="Thi Đua – Sổ đăng ký (registry)",
        description="Đơn vị, cụm/khối thi đua, cá nhân và mã truy cập. / Units, clusters and blocks, people, access tokens.",
    )
    app.include_router(router)
    return app


def replay_spec(settings: Settings | None = None) -> ReplaySpec:
    """How `thidua audit replay registry` rebuilds this service from the log."""
    runtime = build_runtime(settings)
    return ReplaySpec(SERVICE, runtime.tables, runtime.all_consumers, own_events(), writes_no_table=WRITES_NO_TABLE, not_in_log=NOT_IN_LOG)
