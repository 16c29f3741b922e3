"""Wiring: the awards service's runtime and HTTP app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from thidua_shared import registry_replica
from thidua_shared.http import create_http_app
from thidua_shared.replay import ReplaySpec
from thidua_shared.runtime import ServiceRuntime
from thidua_shared.settings import Settings

from thidua_awards.adapters.repository import AwardsRepository
from thidua_awards.adapters.tables import messaging
from thidua_awards.entrypoints.events import CONSUMERS
from thidua_awards.entrypoints.http import router
from thidua_awards.service_layer.own_events import COMPARABLE_ROWS, NOT_IN_LOG, own_events

SERVICE = "awards"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def build_runtime(settings: Settings | None = None) -> ServiceRuntime[AwardsRepository]:
    return ServiceRuntime(
        name=SERVICE, tables=messaging, migrations_dir=MIGRATIONS, repository=AwardsRepository,
        settings=settings or Settings(), consumers=CONSUMERS, extra_migrations=[registry_replica.MIGRATIONS],
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    app = create_http_app(
        build_runtime(settings),
        title="Thi Đua – Khen thưởng (awards)",
        description="Bộ quy tắc, hồ sơ đề nghị, bỏ phiếu kín, công khai, quyết định, giấy chứng nhận, lịch sử, báo cáo. / "
                    "Rule sets, nominations, secret ballots, public posting, decisions, certificates, history, reports.",
    )
    app.include_router(router)
    return app


def replay_spec(settings: Settings | None = None) -> ReplaySpec:
    """How `thidua audit replay awards` rebuilds this service from the log."""
    runtime = build_runtime(settings)
    return ReplaySpec(SERVICE, runtime.tables, runtime.all_consumers, own_events(), not_in_log=NOT_IN_LOG, comparable_rows=COMPARABLE_ROWS)
