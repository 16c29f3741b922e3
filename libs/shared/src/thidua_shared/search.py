"""Substring search that stays fast at national scale, with or without diacritics.

Text is folded to lower-case ASCII (`search_key`: 'Hải Phòng', 'hai phong' and 'HAI PHONG'
all become 'hai phong') into a column that an index of trigrams covers: an FTS5 table with
the trigram tokenizer on SQLite, a GIN `gin_trgm_ops` index on PostgreSQL. Both answer
`LIKE '%...%'` from the index for three characters or more.

On SQLite the FTS table stores each row's key (`ref`) beside its text, and triggers keep it
in step with the table; its rowid follows the table's rowid, which SQLite keeps unless the
file is VACUUMed (Thi Đua never does; after a manual VACUUM, `rebuild_sqlite_index`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ColumnElement, Table, and_, literal_column, select, text
from sqlalchemy.engine import Connection

from thidua_shared.text import search_key


def like_pattern(query: str) -> str:
    """'%<folded query>%' with LIKE's own characters escaped (ESCAPE '\\')."""
    folded = search_key(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{folded}%"


def search_table(table: Table) -> str:
    return f"{table.name}_search"


def matches(table: Table, key: Column[Any], column: Column[Any], query: str, dialect: str) -> ColumnElement[bool]:
    """A condition on `table`: its `column` contains the folded `query` (index-backed on both databases)."""
    exact = column.like(like_pattern(query), escape="\\")
    if dialect != "sqlite":
        return exact
    # FTS5 uses its index only for a LIKE without ESCAPE: there '%' and '_' typed by the user act as
    # wildcards, which finds a few candidates too many; the exact test on the table drops them.
    candidates = select(literal_column("ref")).select_from(text(search_table(table))).where(
        literal_column("search_text").like(f"%{search_key(query)}%")
    )
    return and_(key.in_(candidates), exact)


# --- migrations ------------------------------------------------------------------
def create_index(connection: Connection, table: str, key: str, column: str) -> None:
    """Create the trigram index over `table.column` (rows identified by `key`) and fill it."""
    if connection.dialect.name == "sqlite":
        fts = f"{table}_search"
        connection.execute(text(f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, ref UNINDEXED, tokenize='trigram')"))
        connection.execute(text(
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, search_text, ref) VALUES (new.rowid, new.{column}, new.{key}); END"
        ))
        connection.execute(text(
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN DELETE FROM {fts} WHERE rowid = old.rowid; END"
        ))
        connection.execute(text(
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {column} ON {table} BEGIN "
            f"UPDATE {fts} SET search_text = new.{column} WHERE rowid = old.rowid; END"
        ))
        rebuild_sqlite_index(connection, table, key, column)
    else:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        connection.execute(text(f"CREATE INDEX ix_{table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops)"))


def rebuild_sqlite_index(connection: Connection, table: str, key: str, column: str) -> None:
    fts = f"{table}_search"
    connection.execute(text(f"DELETE FROM {fts}"))
    connection.execute(text(f"INSERT INTO {fts}(rowid, search_text, ref) SELECT rowid, {column}, {key} FROM {table}"))


def drop_index(connection: Connection, table: str, column: str) -> None:
    if connection.dialect.name == "sqlite":
        fts = f"{table}_search"
        for suffix in ("ai", "ad", "au"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS {fts}_{suffix}"))
        connection.execute(text(f"DROP TABLE IF EXISTS {fts}"))
    else:
        connection.execute(text(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm"))
