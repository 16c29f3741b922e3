"""search units and people by a trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from thidua_shared import search
from thidua_shared.text import search_key

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Units are found by code or name: one folded column holds both.
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("search_text", sa.String(length=400), nullable=False, server_default=""))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, code, name FROM units")).all()
    for row in rows:
        connection.execute(sa.text("UPDATE units SET search_text = :t WHERE id = :id"), {"t": search_key(f"{row.code} {row.name}"), "id": row.id})
    search.create_index(connection, "units", "id", "search_text")
    search.create_index(connection, "people", "id", "search_name")
    op.create_index("ix_people_search_name_id", "people", ["search_name", "id"])


def downgrade() -> None:
    op.drop_index("ix_people_search_name_id", table_name="people")
    connection = op.get_bind()
    search.drop_index(connection, "people", "search_name")
    search.drop_index(connection, "units", "search_text")
    with op.batch_alter_table("units") as batch:
        batch.drop_column("search_text")
