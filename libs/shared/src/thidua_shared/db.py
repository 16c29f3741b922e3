"""Async SQLAlchemy: SQLite by default, PostgreSQL by URL; Alembic migrations per service."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import ColumnElement, MetaData, Select, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL; None for another database or one in memory."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[1] if "///" in url else ""
    return Path(path) if path and path != ":memory:" else None


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        if (path := sqlite_file(url)) is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@dataclass
class Database:
    """A service's database. All writes of one process pass through `write_lock`:
    SQLite allows one writer, and the event chain needs one writer per service."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def from_url(cls, url: str) -> "Database":
        engine = create_engine(url)
        return cls(engine=engine, sessions=async_sessionmaker(engine, expire_on_commit=False))

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    async def dispose(self) -> None:
        await self.engine.dispose()


def dialect_insert(session: AsyncSession):  # type: ignore[no-untyped-def]
    """`insert` with ON CONFLICT support for the session's database (upserts of read replicas)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


# --- migrations ------------------------------------------------------------
def alembic_config(script_location: Path, url: str, extra: Sequence[Path] = (), platform: bool = True) -> Config:
    """The service's migrations (its `env.py` and `versions/`), the platform's branch (not for the portal,
    which has no outbox), and the branches of the shared pieces the service uses (`extra`, e.g. the registry
    replica)."""
    from thidua_shared.migrations import VERSIONS as PLATFORM_VERSIONS

    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_path_separator", "os")
    locations = [*([PLATFORM_VERSIONS] if platform else []), *extra, script_location / "versions"]
    config.set_main_option("version_locations", os.pathsep.join(str(location) for location in locations))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_to_head(script_location: Path, url: str, extra: Sequence[Path] = (), platform: bool = True) -> None:
    """Apply the platform's and the service's migrations (blocking; runs its own event loop)."""
    command.upgrade(alembic_config(script_location, url, extra, platform), "heads")


async def upgrade_to_head_async(script_location: Path, url: str, extra: Sequence[Path] = (), platform: bool = True) -> None:
    await asyncio.to_thread(upgrade_to_head, script_location, url, extra, platform)


def run_alembic_env(target_metadata: MetaData) -> None:
    """Body of every service's `migrations/env.py` (online, async engine)."""
    from alembic import context

    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set"

    def do_run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(run())


def where_given(query: Select, filters: Sequence[tuple[ColumnElement[Any], object]]) -> Select:
    """A list's optional filters: `column == value` for each whose value is given (None: no filter on it)."""
    for column, value in filters:
        if value is not None:
            query = query.where(column == value)
    return query
