"""Read replicas that never go back in time.

A replica copies snapshots of another service's aggregates from its events. Redelivery
after a crash is normal and arrives late, so an event is applied only if it is newer
than what the replica already holds for the same thing (a unit, a cluster's members of
one year, a token). `replica_versions` keeps, per thing, the position of the event
applied last: the chain sequence when both events come from the same (node, service)
chain, else the time they occurred. Older or equal events are recorded in the inbox
like any other and skipped; within one batch only the newest event per thing is applied.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.db import dialect_insert
from thidua_shared.events.catalog import Event
from thidua_shared.logging import get_logger

log = get_logger(__name__)

ProjectionApply = Callable[[AsyncSession, list[Event[Any]]], Awaitable[None]]


@dataclass(frozen=True)
class Position:
    chain: str
    sequence: int
    occurred_at: datetime

    @classmethod
    def of(cls, event: Event[Any]) -> "Position":
        return cls(event.chain, event.sequence, event.occurred_at)

    def is_after(self, other: "Position") -> bool:
        if self.chain == other.chain:
            return self.sequence > other.sequence
        return (self.occurred_at, self.chain) > (other.occurred_at, other.chain)


@dataclass(frozen=True)
class Projection:
    """How a replica applies one kind of snapshot event.

    `kind` names what is copied, `key` picks the thing an event is about, and `apply`
    receives only events newer than what the replica holds, at most one per key."""

    kind: str
    key: Callable[[Event[Any]], str]
    apply: ProjectionApply


async def apply_newer(session: AsyncSession, versions: Table, projection: Projection, run: Sequence[Event[Any]]) -> int:
    """Apply the events of `run` that are newer than the replica; return how many were skipped as older."""
    keys = {projection.key(event) for event in run}
    current = await _stored_positions(session, versions, projection.kind, keys)
    newest: dict[str, Event[Any]] = {}
    for event in run:
        key, position = projection.key(event), Position.of(event)
        if key not in current or position.is_after(current[key]):
            current[key], newest[key] = position, event
    fresh = [event for event in run if newest.get(projection.key(event)) is event]
    skipped = len(run) - len(fresh)
    if skipped:
        log.info("replica.skipped_older", kind=projection.kind, skipped=skipped)
    if fresh:
        await _store_positions(session, versions, projection, fresh)
        await projection.apply(session, fresh)
    return skipped


async def _stored_positions(session: AsyncSession, versions: Table, kind: str, keys: set[str]) -> dict[str, Position]:
    found: dict[str, Position] = {}
    key_list = sorted(keys)
    for start in range(0, len(key_list), 500):  # stay well under SQLite's limit on bound parameters
        chunk = key_list[start : start + 500]
        rows = await session.execute(
            select(versions.c.key, versions.c.chain, versions.c.sequence, versions.c.occurred_at).where(
                versions.c.kind == kind, versions.c.key.in_(chunk)
            )
        )
        for row in rows:
            found[row.key] = Position(row.chain, row.sequence, _aware(row.occurred_at))
    return found


async def _store_positions(session: AsyncSession, versions: Table, projection: Projection, fresh: list[Event[Any]]) -> None:
    insert = dialect_insert(session)(versions)
    statement = insert.on_conflict_do_update(
        index_elements=[versions.c.kind, versions.c.key],
        set_={"chain": insert.excluded.chain, "sequence": insert.excluded.sequence, "occurred_at": insert.excluded.occurred_at},
    )
    rows = [
        {"kind": projection.kind, "key": projection.key(e), "chain": e.chain, "sequence": e.sequence, "occurred_at": e.occurred_at}
        for e in fresh
    ]
    await session.execute(statement, rows)


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time we store is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
