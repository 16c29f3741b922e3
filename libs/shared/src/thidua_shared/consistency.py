"""Read your writes across services, and answers that never contradict what was done.

A write answers with its position in its service's chain (`Thidua-Position: vn.registry=123`).
A client that then calls another service sends the positions it holds (`Thidua-After:
vn.registry=123, vn.campaigns=45`); that service answers once it has applied everything of those
chains up to there (its consumers read whole chains in order), or after a bounded wait with 503
and `Retry-After`. A unit just created in the registry is then never "not found" in campaigns.

The same record of what a request wrote tells the HTTP layer when an answer would contradict
it: a refusal (4xx/5xx) after a commit is a bug (the permission was decided after the write);
it is logged and counted, and the test suite fails on any.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

POSITION_HEADER = "Thidua-Position"  # on a write's answer: where its events stand in the service's chain
AFTER_HEADER = "Thidua-After"  # on a request: serve it only once these positions are applied here

_POSITION = re.compile(r"^\s*([a-z0-9_-]{1,32}\.[a-z0-9_-]{1,40})\s*=\s*(\d{1,18})\s*$")
MAX_POSITIONS = 20


def parse_positions(header: str | None) -> dict[str, int]:
    """`vn.registry=123, vn.campaigns=45` → {"vn.registry": 123, ...}; anything malformed is ignored
    (a stale or garbled header must never stop a request: without it the request is served as before)."""
    found: dict[str, int] = {}
    for part in (header or "").split(",")[:MAX_POSITIONS]:
        match = _POSITION.match(part)
        if match:
            chain, sequence = match.group(1), int(match.group(2))
            found[chain] = max(sequence, found.get(chain, 0))
    return found


def format_positions(positions: Mapping[str, int]) -> str:
    return ", ".join(f"{chain}={sequence}" for chain, sequence in sorted(positions.items()))


def merge_positions(held: dict[str, int], header: str | None) -> None:
    """Keep the newest position per chain (a client's memory of what it wrote)."""
    for chain, sequence in parse_positions(header).items():
        held[chain] = max(sequence, held.get(chain, 0))


# --- what the request in hand wrote ------------------------------------------------------------
@dataclass
class Written:
    committed: bool = False  # a unit of work committed (with or without events)
    chain: str | None = None
    sequence: int = 0  # the last event's position in `chain`

    def note(self, chain: str, sequence: int | None) -> None:
        self.committed = True
        if sequence:
            self.chain, self.sequence = chain, max(sequence, self.sequence)


current_write: ContextVar[Written | None] = ContextVar("thidua_current_write", default=None)


def note_commit(chain: str, sequence: int | None) -> None:
    """Called by the unit of work after each commit: what the request in hand has written."""
    written = current_write.get()
    if written is not None:
        written.note(chain, sequence)


# Answers that contradicted a commit, in this process (the test suite asserts there are none).
contradictions: list[str] = []


# --- what this service has applied ------------------------------------------------------------
@dataclass
class AppliedPositions:
    """How far this service's consumers have applied each chain they read, and a way to wait for it.

    A consumer reads whole chains of one source service in order; when a batch is finished (applied,
    skipped as not its business, or dead-lettered) its chains' positions move on. A chain that no
    consumer reads, and the service's own chain, need no wait."""

    own_chain: str
    # Asks the stream how far a consumer has applied a chain, for what this process has not seen go by
    # (after a restart, a consumer with nothing left to read has applied the whole chain as stored).
    probe: Callable[[str, str], Awaitable[int | None]] | None = None
    sources: set[str] = field(default_factory=set)  # services whose chains the consumers read
    _positions: dict[str, dict[str, int]] = field(default_factory=dict)  # consumer → chain → sequence
    _consumers_of: dict[str, list[str]] = field(default_factory=dict)  # source service → consumers
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def register(self, consumer: str, source: str) -> None:
        self.sources.add(source)
        self._positions.setdefault(consumer, {})
        self._consumers_of.setdefault(source, []).append(consumer)

    def advance(self, consumer: str, finished: Mapping[str, int]) -> None:
        held = self._positions.setdefault(consumer, {})
        for chain, sequence in finished.items():
            if sequence > held.get(chain, 0):
                held[chain] = sequence
        self._changed.set()

    def _behind(self, wanted: Mapping[str, int]) -> list[tuple[str, str, int]]:
        """(consumer, chain, sequence) for each wanted position a consumer here has not yet applied."""
        behind = []
        for chain, sequence in wanted.items():
            service = chain.split(".", 1)[1]
            if chain == self.own_chain or service not in self.sources:
                continue
            behind += [(c, chain, sequence) for c in self._consumers_of[service] if self._positions[c].get(chain, 0) < sequence]
        return behind

    def missing(self, wanted: Mapping[str, int]) -> dict[str, int]:
        return {chain: sequence for _, chain, sequence in self._behind(wanted)}

    async def wait(self, wanted: Mapping[str, int], timeout: float) -> dict[str, int]:
        """Wait until every wanted position is applied, at most `timeout` seconds; return what is still missing.
        Woken by each batch a consumer finishes; the stream is asked (`probe`) when nothing moves for a while."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while behind := self._behind(wanted):
            remaining = deadline - loop.time()
            if remaining <= 0:
                return self.missing(wanted)
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.25))
            except TimeoutError:
                await self._probe(behind)
        return {}

    async def _probe(self, behind: list[tuple[str, str, int]]) -> None:
        if self.probe is None:
            return
        for consumer, chain, _ in behind:
            through = await self.probe(consumer, chain)
            if through:
                self.advance(consumer, {chain: through})


# --- for clients (the CLI, the tests, the portal) ----------------------------------------------
@dataclass
class HeldPositions:
    """A client's memory of what it wrote: each answer's `Thidua-Position` kept, every request sent
    with `Thidua-After`. Give one to every client of one person's session (httpx event hooks)."""

    held: dict[str, int] = field(default_factory=dict)

    def stamp(self, headers: Any) -> None:
        if self.held:
            headers[AFTER_HEADER] = format_positions(self.held)

    def keep(self, headers: Any) -> None:
        merge_positions(self.held, headers.get(POSITION_HEADER))

    def hooks(self) -> dict[str, list[Callable[[Any], None]]]:
        """httpx event hooks for a synchronous client."""
        return {"request": [lambda request: self.stamp(request.headers)], "response": [lambda response: self.keep(response.headers)]}

    def async_hooks(self) -> dict[str, list[Callable[[Any], Awaitable[None]]]]:
        """httpx event hooks for an asynchronous client."""
        async def before(request: Any) -> None:
            self.stamp(request.headers)

        async def after(response: Any) -> None:
            self.keep(response.headers)

        return {"request": [before], "response": [after]}
