"""Helpers shared by the tests: a tiny service schema, event factories, polling."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import random
import socket
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Column, Integer, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.db import Database, dialect_insert, new_metadata
from thidua_shared.events.catalog import Event
from thidua_shared.events.envelope import GENESIS_HASH, Actor, AggregateRef, Envelope, new_event_id, utc_now
from thidua_shared.keys import public_key_path
from thidua_shared.events.registry import UnitKind, UnitRegistered, UnitSnapshot, UnitStatus
from thidua_shared.messaging.tables import MessagingTables
from thidua_shared.messaging.unit_of_work import EventSource, UnitOfWork
from thidua_shared.roles import Role

metadata = new_metadata()
tables = MessagingTables.define(metadata)
# The "state" a test handler changes: one counter per unit.
tallies = Table("tallies", metadata, Column("unit_id", String(64), primary_key=True), Column("count", Integer, nullable=False))

ADMIN = Actor(id="admin", role=Role.NATIONAL_ADMIN, name="Quản trị")
KEY = Ed25519PrivateKey.generate()
SOURCE = EventSource(node="vn", service="registry", key=KEY)


def trust_key(keys_dir: Path, node: str = "vn", key: Ed25519PrivateKey = KEY) -> Path:
    """Write `key`'s public half where a TrustedKeys directory looks for `node`'s key."""
    keys_dir.mkdir(parents=True, exist_ok=True)
    public_key_path(keys_dir, node).write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return keys_dir


def no_repository(session: AsyncSession) -> None:
    """Tests of the plumbing write their tables themselves (uow.session), with no repository."""


async def create_database(url: str) -> Database:
    db = Database.from_url(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return db


def unit_registered(code: str) -> UnitRegistered:
    return UnitRegistered(
        unit=UnitSnapshot(
            id=code, code=code, name=f"HTX {code}", kind=UnitKind.COOPERATIVE, parent_id="VCA",
            province_code="01", status=UnitStatus.ACTIVE,
        )
    )


async def commit_events(db: Database, codes: list[str], source: EventSource = SOURCE) -> None:
    """One unit of work per code, each recording one event."""
    for code in codes:
        async with UnitOfWork(db, tables, source, no_repository) as uow:
            uow.record(unit_registered(code), aggregate_id=code, actor=ADMIN)
            await uow.commit()


async def count_up(session: AsyncSession, event: Event) -> None:
    """A handler with a visible effect: tallies[unit] += 1 (so a second effect would show)."""
    unit_id = event.aggregate_id
    updated = await session.execute(update(tallies).where(tallies.c.unit_id == unit_id).values(count=tallies.c.count + 1))
    if updated.rowcount == 0:
        await session.execute(tallies.insert().values(unit_id=unit_id, count=1))


async def count_up_batch(session: AsyncSession, events: list[Event]) -> None:
    """The same effect for a run of events, in one upsert statement."""
    insert = dialect_insert(session)(tallies)
    statement = insert.on_conflict_do_update(index_elements=[tallies.c.unit_id], set_={"count": tallies.c.count + 1})
    await session.execute(statement, [{"unit_id": e.aggregate_id, "count": 1} for e in events])


async def tally_counts(db: Database) -> dict[str, int]:
    async with db.sessions() as session:
        return {row.unit_id: row.count for row in (await session.execute(select(tallies))).all()}


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 20.0, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}")




def wait_for(check, timeout: float = 60.0, message: str = "condition"):  # type: ignore[no-untyped-def]
    """`eventually` for synchronous checks (processes, files): the check's first true result, or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {message}")


def free_run(count: int) -> int:
    """The first of `count` consecutive free ports (the cluster's servers take base, base+1, ...), from a
    random place in the range: tests run in parallel workers must not both pick the first free run."""
    for base in range(21000 + random.randrange(0, 30000, 97), 60000, 97):
        try:
            for port in range(base, base + count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no run of free ports")


def sealed_event(key: Ed25519PrivateKey, node: str, event_type: str, sequence: int, prev_hash: str = GENESIS_HASH,
                 payload: dict | None = None, aggregate_kind: str = "test") -> Envelope:
    """One event of the chain `<node>.<service of event_type>`, sealed with `key` as its node would seal it."""
    return Envelope(
        id=new_event_id(), type=event_type, version=1, occurred_at=utc_now(), node=node, service=event_type.split(".")[0],
        sequence=sequence, actor=ADMIN, correlation_id=new_event_id(), aggregate=AggregateRef(kind=aggregate_kind, id=str(sequence)),
        payload=payload if payload is not None else {}, prev_hash=prev_hash,
    ).sealed(key)


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def said(self) -> str:
        """stdout with its whitespace folded: the console wraps long lines at the width it finds (80 in CI)."""
        return " ".join(self.stdout.split())

    @property
    def complained(self) -> str:
        return " ".join(self.stderr.split())


async def run_cli(args: list[str], env: dict[str, str]) -> CliResult:
    """The `thidua` command in this process (no interpreter start, no imports again: a second or two saved
    a call), on a thread with its own event loop, with `env` as its environment."""
    from typer.testing import CliRunner

    from thidua_cli.main import app

    def invoke() -> CliResult:
        result = CliRunner().invoke(app, args, env=env, catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)
    return await asyncio.to_thread(invoke)
