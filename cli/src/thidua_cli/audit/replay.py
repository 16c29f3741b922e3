"""`thidua audit replay <service>`: the service's state rebuilt from this node's log alone, into a
fresh SQLite database, then compared with the live database table by table.

The log is read once, as `audit verify` reads it (batched direct gets, memory flat), by a process of
its own (`log_pipe`), batch by batch, one transaction a batch; each service
says how it is rebuilt (`replay_spec` beside its runtime). A difference means the live state holds
something the log does not say, or the other way round: either is named, row and column.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import pickle
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from thidua_cli.audit import log_pipe
from thidua_shared.db import Database, sqlite_file
from thidua_shared.keys import TrustedKeys
from thidua_shared.messaging.nats_access import identity_for
from thidua_shared.messaging.verification import EventVerifier
from thidua_shared.replay import Replayer, ReplaySpec, TableComparison, compare_databases
from thidua_shared.settings import ServiceSettings, Settings
from thidua_shared.topology import TOOLS_IDENTITY

class LogReader:
    """The log read by a process of its own (`log_pipe`) while this one replays, batch by batch."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> "LogReader":
        identity = identity_for(self._settings, TOOLS_IDENTITY)
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "thidua_cli.audit.log_pipe", log_pipe.arguments(self._settings.nats_servers, identity),
            stdout=asyncio.subprocess.PIPE, limit=2**20)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._process is not None
        if self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()  # stopped early (an error here): what it still reads is not wanted
        await self._process.wait()

    async def next_batch(self) -> list[log_pipe.Message] | None:
        """The next batch of the log, None at its end."""
        assert self._process is not None and self._process.stdout is not None
        try:
            size = log_pipe.HEADER.unpack(await self._process.stdout.readexactly(log_pipe.HEADER.size))[0]
            record = pickle.loads(await self._process.stdout.readexactly(size))  # noqa: S301 - our own child's output
        except asyncio.IncompleteReadError:
            raise RuntimeError("tiến trình đọc nhật ký đã dừng / the process reading the log stopped") from None
        if isinstance(record, str):
            raise RuntimeError(record)
        return record or None


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """A replay holds many young objects at once: the cyclic collector runs less often meanwhile
    (almost everything is freed by reference counting), as the services tune it."""
    before = gc.get_threshold()
    gc.set_threshold(50_000, 50, 50)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def replay_spec(service: str, settings: Settings) -> ReplaySpec:
    """The service's own description of how it is rebuilt (its `entrypoints.app.replay_spec`)."""
    return importlib.import_module(f"thidua_{service}.entrypoints.app").replay_spec(settings)  # type: ignore[no-any-return]


@dataclass
class ReplayOutcome:
    replayer: Replayer
    tables: list[TableComparison]
    holes: list[tuple[int, int]] = field(default_factory=list)  # stream sequences the log no longer has

    @property
    def identical(self) -> bool:
        r = self.replayer
        return not self.holes and not r.rejected and all(t.identical for t in self.tables)


async def rebuild(service: str, settings: Settings, into: Path, progress: Callable[[int], None] | None = None) -> tuple[Replayer, list[tuple[int, int]]]:
    """Read the node's log once and write `service`'s state from it into a fresh database at `into`."""
    spec = replay_spec(service, settings)
    db = Database.from_url(_sqlite_url(into))
    replayer = Replayer(spec, settings.node, db, EventVerifier(TrustedKeys(settings.trusted_keys_dir)))
    holes: list[tuple[int, int]] = []
    writing: asyncio.Task[None] | None = None
    try:
        async with LogReader(settings) as reader:
            with fewer_collections():
                await replayer.create_tables()
                while (batch := await reader.next_batch()) is not None:
                    holes.extend(m for m in batch if len(m) == 2)  # type: ignore[misc]
                    # Decoded and verified while SQLite writes the batch before (in its own thread).
                    prepared = replayer.prepare([m for m in batch if len(m) == 3])  # type: ignore[misc]
                    if writing is not None:
                        await writing
                    writing = asyncio.create_task(replayer.write(prepared))
                    if progress:
                        progress(replayer.read)
                if writing is not None:
                    await writing
                await replayer.finish()
    finally:
        if writing is not None and not writing.done():
            writing.cancel()
            with contextlib.suppress(BaseException):
                await writing
        await db.dispose()
    return replayer, holes


def _sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path.resolve()}"


def live_database_url(service: str, settings: Settings) -> str | None:
    """The service's database on this node; None if it runs here on SQLite and has no database yet (a
    provincial node runs scoring only): opening it would make an empty one."""
    url = ServiceSettings.for_service(service).resolved_database_url(service, settings)
    path = sqlite_file(url)
    return None if path is not None and not path.is_file() else url


async def replay(service: str, settings: Settings, live_url: str, into: Path,
                 progress: Callable[[int], None] | None = None) -> ReplayOutcome:
    """Rebuild `service` from the log into `into`, and compare it with its live database at `live_url`."""
    replayer, holes = await rebuild(service, settings, into, progress)
    spec = replayer.spec
    live = Database.from_url(live_url)
    rebuilt = Database.from_url(_sqlite_url(into))
    try:
        tables = await compare_databases(live.engine, rebuilt.engine, spec.metadata, spec.skipped, spec.comparable_rows)
    finally:
        await live.dispose()
        await rebuilt.dispose()
    return ReplayOutcome(replayer, tables, holes)
