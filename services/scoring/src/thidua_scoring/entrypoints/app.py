"""Wiring: the scoring service's runtime and HTTP app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from thidua_shared import registry_replica
from thidua_shared.http import create_http_app
from thidua_shared.replay import ReplaySpec
from thidua_shared.runtime import ServiceRuntime
from thidua_shared.settings import Settings

from thidua_scoring.adapters.repository import ScoringRepository
from thidua_scoring.adapters.tables import messaging
from thidua_scoring.entrypoints.events import consumers
from thidua_scoring.entrypoints.http import router
from thidua_scoring.service_layer.own_events import NOT_IN_LOG, own_events

SERVICE = "scoring"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def build_runtime(settings: Settings | None = None) -> ServiceRuntime[ScoringRepository]:
    settings = settings or Settings()
    return ServiceRuntime(
        name=SERVICE, tables=messaging, migrations_dir=MIGRATIONS, repository=ScoringRepository,
        settings=settings, consumers=consumers(settings), extra_migrations=[registry_replica.MIGRATIONS],
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    app = create_http_app(
        build_runtime(settings),
        title="Thi Đua – Chấm điểm (scoring)",
        description="Báo cáo kết quả, tự chấm, chấm chéo, giải trình, bảng điểm và xếp hạng. / "
                    "Results, self-scores, cross-scoring, explanations, score tables and rankings.",
    )
    app.include_router(router)
    return app


def replay_spec(settings: Settings | None = None) -> ReplaySpec:
    """How `thidua audit replay scoring` rebuilds this service from the log."""
    runtime = build_runtime(settings)
    return ReplaySpec(SERVICE, runtime.tables, runtime.all_consumers, own_events(runtime.settings.node, runtime.settings.centre_node), not_in_log=NOT_IN_LOG)
