"""Wiring: the campaigns service's runtime and HTTP app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from thidua_shared import registry_replica
from thidua_shared.http import create_http_app
from thidua_shared.replay import ReplaySpec
from thidua_shared.runtime import ServiceRuntime
from thidua_shared.settings import Settings

from thidua_campaigns.adapters.repository import CampaignRepository
from thidua_campaigns.adapters.tables import messaging
from thidua_campaigns.entrypoints.events import CONSUMERS
from thidua_campaigns.entrypoints.http import router
from thidua_campaigns.service_layer.own_events import own_events

SERVICE = "campaigns"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def build_runtime(settings: Settings | None = None) -> ServiceRuntime[CampaignRepository]:
    return ServiceRuntime(
        name=SERVICE, tables=messaging, migrations_dir=MIGRATIONS, repository=CampaignRepository,
        settings=settings or Settings(), consumers=CONSUMERS, extra_migrations=[registry_replica.MIGRATIONS],
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    app = create_http_app(
        build_runtime(settings),
        title="Thi Đua – Phong trào thi đua (campaigns)",
        description="Phát động, chỉ tiêu, đăng ký thi đua, giao ước. / Campaigns, indicators, registration, pledges.",
    )
    app.include_router(router)
    return app


def replay_spec(settings: Settings | None = None) -> ReplaySpec:
    """How `thidua audit replay campaigns` rebuilds this service from the log."""
    runtime = build_runtime(settings)
    return ReplaySpec(SERVICE, runtime.tables, runtime.all_consumers, own_events())
