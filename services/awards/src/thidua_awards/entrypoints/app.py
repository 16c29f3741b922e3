"""Wiring: the awards service's runtime and HTTP app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from thidua_shared import registry_replica
from thidua_shared.http import create_http_app
from thidua_shared.runtime import ServiceRuntime
from thidua_shared.settings import Settings

from thidua_awards.adapters.repository import AwardsRepository
from thidua_awards.adapters.tables import messaging
from thidua_awards.entrypoints.events import CONSUMERS
from thidua_awards.entrypoints.http import router

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
