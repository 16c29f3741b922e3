"""The register of documents a service has received (evidence, dossiers): which file, by its
SHA-256, under what name, from whom and when. The files themselves are in the file store
(thidua_shared.files); a request may cite only a document in this register."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.db import dialect_insert
from thidua_shared.events.envelope import utc_now
from thidua_shared.files import StoredFile
from thidua_shared.registry_replica.reader import chunks


def define_documents_table(metadata: MetaData, name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("sha256", String(64), primary_key=True),
        Column("name", String(255), nullable=False),
        Column("size", Integer, nullable=False),
        Column("media_type", String(100), nullable=False),
        Column("uploaded_by", String(255), nullable=False),
        Column("uploaded_at", DateTime(timezone=True), nullable=False),
    )


async def register(session: AsyncSession, table: Table, stored: StoredFile, uploaded_by: str) -> None:
    """Remember a document; the same content sent twice stays one entry."""
    statement = dialect_insert(session)(table).values(
        sha256=stored.sha256, name=stored.name, size=stored.size, media_type=stored.media_type, uploaded_by=uploaded_by, uploaded_at=utc_now())
    await session.execute(statement.on_conflict_do_nothing(index_elements=[table.c.sha256]))


async def registered(session: AsyncSession, table: Table, hashes: Sequence[str]) -> dict[str, StoredFile]:
    found = {}
    for chunk in chunks(hashes):
        for r in await session.execute(select(table).where(table.c.sha256.in_(chunk))):
            found[r.sha256] = StoredFile(r.name, r.sha256, r.size, r.media_type)
    return found
