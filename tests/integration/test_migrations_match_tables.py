"""Every service's migrations build exactly the tables its code declares, on SQLite and PostgreSQL:
a column added to `tables.py` without a migration (or the reverse) fails here, not in production."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from thidua_shared.db import create_engine, upgrade_to_head_async
from thidua_shared.settings import Settings
from thidua_shared.topology import SERVICES


def declared_only(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Compare what the code declares. The search index is the migrations' own (thidua_shared.search):
    FTS5 tables on SQLite, trigram indexes on PostgreSQL; SQLAlchemy has no model for either."""
    search_index = type_ == "table" or (type_ == "index" and name.endswith("_trgm"))
    return not (search_index and reflected and compare_to is None)


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_the_migrations_build_the_declared_tables(service: str, database_url: str, tmp_path) -> None:
    app = importlib.import_module(f"thidua_{service}.entrypoints.app")
    runtime = app.build_runtime(Settings(var_dir=tmp_path / "var"))
    await upgrade_to_head_async(runtime.migrations_dir, database_url, runtime.extra_migrations)
    metadata = runtime.tables.outbox.metadata  # the service's whole metadata: its tables and the platform's
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"include_object": declared_only}), metadata)
            )
    finally:
        await engine.dispose()
    assert differences == [], differences
