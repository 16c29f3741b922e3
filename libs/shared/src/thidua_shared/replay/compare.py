"""Two databases of one service compared table by table, row by row, naming every difference.

Both sides are read in primary-key order, a page at a time, and merged like two sorted lists: memory
stays flat however many rows there are. PostgreSQL orders text by the byte order SQLite uses
(`COLLATE "C"`), so the two can be compared with each other. Values are compared as plain data:
times in UTC, JSON by its canonical form, numbers by value.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import MetaData, String, Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

PAGE = 1000
SHOWN = 20  # differences named per table; the count covers all of them


@dataclass
class TableComparison:
    table: str
    live_rows: int = 0
    rebuilt_rows: int = 0
    differences: list[str] = field(default_factory=list)  # the first SHOWN, named
    difference_count: int = 0
    skipped_columns: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return self.difference_count == 0

    def note(self, text: str) -> None:
        self.difference_count += 1
        if len(self.differences) < SHOWN:
            self.differences.append(text)


def plain(value: Any) -> Any:
    """A value as data both databases agree on."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite keeps UTC times without a zone
        return moment.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | float) and not isinstance(value, bool):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


async def _rows(engine: AsyncEngine, table: Table, columns: list[str], where: Any) -> AsyncIterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    key = list(table.primary_key.columns)
    postgres = engine.dialect.name == "postgresql"
    order = [c.collate("C") if postgres and isinstance(c.type, String) else c for c in key]
    query = select(*(table.c[name] for name in columns)).order_by(*order)
    if where is not None:
        query = query.where(where)
    async with engine.connect() as connection:
        result = await connection.stream(query.execution_options(yield_per=PAGE))
        async for row in result:
            values = {name: plain(value) for name, value in zip(columns, row, strict=True)}
            yield tuple(values[c.name] for c in key), values


def _sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    # Text compares by UTF-8 bytes, as COLLATE "C" and SQLite order it.
    return tuple(k.encode() if isinstance(k, str) else k for k in key)


async def _next(rows: AsyncIterator[tuple[tuple[Any, ...], dict[str, Any]]]) -> tuple[tuple[Any, ...], dict[str, Any]] | None:
    return await anext(rows, None)


def _named(table: str, key: tuple[Any, ...]) -> str:
    return f"{table}[{', '.join(str(k) for k in key)}]"


async def compare_table(live: AsyncEngine, rebuilt: AsyncEngine, table: Table, skipped: set[str], where: Any) -> TableComparison:
    result = TableComparison(table.name, skipped_columns=sorted(skipped))
    columns = [c.name for c in table.columns if c.name not in skipped]
    left, right = _rows(live, table, columns, where), _rows(rebuilt, table, columns, where)
    a, b = await _next(left), await _next(right)
    while a is not None or b is not None:
        if b is None or (a is not None and _sort_key(a[0]) < _sort_key(b[0])):
            result.live_rows += 1
            result.note(f"{_named(table.name, a[0])}: chỉ có ở CSDL đang chạy / only in the live database")  # type: ignore[index]
            a = await _next(left)
        elif a is None or _sort_key(b[0]) < _sort_key(a[0]):
            result.rebuilt_rows += 1
            result.note(f"{_named(table.name, b[0])}: chỉ có trong bản dựng lại từ nhật ký / only in the state rebuilt from the log")
            b = await _next(right)
        else:
            result.live_rows += 1
            result.rebuilt_rows += 1
            for name in columns:
                if a[1][name] != b[1][name]:
                    result.note(f"{_named(table.name, a[0])}.{name}: {_short(a[1][name])} ≠ {_short(b[1][name])} (đang chạy / live ≠ nhật ký / log)")
            a, b = await _next(left), await _next(right)
    return result


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else f"{text[:117]}…"


async def compare_databases(live: AsyncEngine, rebuilt: AsyncEngine, metadata: MetaData, skipped: dict[str, str],
                            comparable_rows: dict[str, Callable[[MetaData], Any]] | None = None) -> list[TableComparison]:
    """Every table of `metadata` but those named in `skipped` ("table"); columns named "table.column" left out."""
    rows = comparable_rows or {}
    results = []
    for table in metadata.sorted_tables:
        if table.name in skipped and table.name not in rows:
            continue
        columns = {name.split(".", 1)[1] for name in skipped if name.startswith(f"{table.name}.")}
        where = rows[table.name](metadata) if table.name in rows else None
        results.append(await compare_table(live, rebuilt, table, columns, where))
    return results
