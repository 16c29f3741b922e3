"""Verifying a node's log as a stream: every chain of every node, one event at a time.

Only each chain's last position is kept (its sequence and hash, and a few of its problems), so memory
does not grow with the log. Each event is checked from its stored bytes, never from a re-encoding:

- its body's SHA-256 is the hash in its seal, and its signature verifies under a key of its node
  that this machine trusts (the keys directory: set by hand for the centre, registered by the centre
  for the others; a key found beside the log is never used);
- its body is an event of the chain its subject names, and it follows the chain's previous event
  (sequence + 1, prev_hash = the previous event's hash); a chain starts at sequence 1.

A stored event that is damaged or altered breaks its chain at that event; one that is missing shows
as the gap before the next. Nothing of it raises: the report says what was found, where.

Signatures are checked by worker processes while the log is read, a few batches in flight at most,
so memory stays flat. By default the signature checked is the last event's of each run of a chain
read together (up to `TIP_EVERY` events): every event's hash is checked and each one links to the one
before, so that signature vouches for the content of the whole run, as the services' consumers trust
it (`verification.py`); a run is cut where a link breaks. `every_signature` checks each event's own
signature too (its seal as stored), about half the speed on this machine. Problems are listed in log order.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import multiprocessing
from collections import deque
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from thidua_shared.events.envelope import GENESIS_HASH, HASH_HEADER, SIGNATURE_HEADER, SUBJECT_PREFIX
from thidua_shared.keys import TrustedKeys
from thidua_shared.transparency.notes import raw_public_key

PROBLEMS_KEPT = 20  # per chain: the first ones are listed, the rest counted


@dataclass
class ChainReport:
    chain: str
    node: str
    count: int = 0
    problem_count: int = 0
    problems: list[str] = field(default_factory=list)
    missing_key: bool = False
    last_sequence: int = 0
    last_hash: str = GENESIS_HASH

    _found: list[tuple[int, int, str]] = field(default_factory=list)  # (position, check, text)

    def problem(self, text: str, position: int = 0, check: int = 0) -> None:
        """Note a problem at a stream position (`check`: which of the event's checks, in the order they
        are made); the first ones in log order are kept, the rest counted."""
        self.problem_count += 1
        self._found.append((position, check, text))
        if len(self._found) > 2 * PROBLEMS_KEPT:
            self._found = sorted(self._found)[:PROBLEMS_KEPT]
        self.problems = [text for _, _, text in sorted(self._found)[:PROBLEMS_KEPT]]


@dataclass(frozen=True)
class StoredEvent:
    """One message of the stream as stored: where it is, its subject, its bytes and its seal."""

    stream_sequence: int
    subject: str
    body: bytes
    headers: dict[str, str]
    # Not a message but a hole: the stream has nothing from `stream_sequence` to `missing_until`
    # (removed, or lost when the server found it damaged on disk), or could not deliver it.
    missing_until: int | None = None

    @classmethod
    def hole(cls, first: int, last: int) -> "StoredEvent":
        return cls(first, "", b"", {}, last)


# A signature to check: its chain, the raw keys it may be under, the hash signed, the signature, where it is.
SignatureCheck = tuple[str, tuple[bytes, ...], bytes, bytes, str, int]
BATCH = 256
IN_FLIGHT = 4
TIP_EVERY = 2000


class LogVerifier:
    def __init__(self, keys: TrustedKeys, workers: int = 2, every_signature: bool = False) -> None:
        self.keys = keys
        self.chains: dict[str, ChainReport] = {}
        self.unreadable: list[str] = []  # holes, and messages whose subject names no chain
        self.total = 0
        self._pool: Executor | None = None
        self._workers = workers
        self._raw_keys: dict[str, tuple[bytes, ...]] = {}
        self._batch: list[SignatureCheck] = []
        self._in_flight: deque[Future[list[tuple[str, str, int]]]] = deque()
        self.every_signature = every_signature
        self._tips: dict[str, tuple[str, str, str, int, str]] = {}  # chain -> the run's last event: digest, signature, where, position, run's first

    def add(self, stored: StoredEvent) -> None:
        self.total += 1
        if stored.missing_until is not None:
            first, last = stored.stream_sequence, stored.missing_until
            where = f"#{first}" if first == last else f"#{first}–#{last}"
            self.unreadable.append(f"{where}: not in the stream any more (removed, or lost when found damaged on disk)")
            return
        named = _chain_of(stored.subject)
        if named is None:
            self.unreadable.append(f"#{stored.stream_sequence}: subject {stored.subject[:120]!r} names no chain")
            return
        node, service = named
        report = self.chains.get(f"{node}.{service}")
        if report is None:
            report = self.chains[f"{node}.{service}"] = ChainReport(f"{node}.{service}", node)
        report.count += 1
        where = f"#{stored.stream_sequence}"
        digest = hashlib.sha256(stored.body).hexdigest()
        event = _parse(stored.body)
        if event is None:
            report.problem(f"{where}: the stored event is damaged (not an event)", stored.stream_sequence)
            return
        where = f"{where} {event.get('id', '?')} (sequence {event.get('sequence', '?')})"
        if (event.get("node"), event.get("service")) != (node, service) or stored.subject != f"{SUBJECT_PREFIX}.{node}.{event.get('type')}":
            report.problem(f"{where}: its subject does not name it", stored.stream_sequence, 1)
        position, problems_before = stored.stream_sequence, report.problem_count
        altered = stored.headers.get(HASH_HEADER) != digest
        if altered:
            report.problem(f"{where}: its content does not match its hash (altered)", position, 2)
        self._follow(report, event, digest, where, position)
        if report.problem_count > problems_before:
            self._close_run(report)  # what comes after a broken link is vouched for by its own run
        signature = stored.headers.get(SIGNATURE_HEADER, "")
        if altered:
            return
        if self.every_signature:
            self._check_signature(report, digest, signature, where, position)
            return
        first = self._tips[report.chain][4] if report.chain in self._tips else where
        self._tips[report.chain] = (digest, signature, where, position, first)
        if self.total % TIP_EVERY == 0:
            for chain in list(self._tips):
                self._close_run(self.chains[chain])

    def _close_run(self, report: ChainReport) -> None:
        """Check the signature of the last event of the chain's current run: it vouches for the run."""
        tip = self._tips.pop(report.chain, None)
        if tip is not None:
            digest, signature, where, position, first = tip
            vouched = where if first == where else f"{where}, vouching for the run from {first.split(' (')[0]}"
            self._check_signature(report, digest, signature, vouched, position)

    def _check_signature(self, report: ChainReport, digest: str, signature: str, where: str, position: int) -> None:
        keys = self._raw_keys.get(report.node)
        if keys is None:
            keys = self._raw_keys[report.node] = tuple(raw_public_key(k) for k in self.keys.keys_for(report.node))
        if not keys:
            report.missing_key = True  # said once for the chain, not for every event
            return
        try:
            raw = base64.b64decode(signature, validate=True)
        except binascii.Error:
            raw = b""
        self._batch.append((report.chain, keys, bytes.fromhex(digest), raw, where, position))
        if len(self._batch) >= BATCH:
            self._submit()

    def _submit(self) -> None:
        if self._batch:
            if self._pool is None:
                # spawned, not forked: the reading process runs an event loop (and maybe threads)
                self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=multiprocessing.get_context("spawn"))
            self._in_flight.append(self._pool.submit(_bad_signatures, self._batch))
            self._batch = []
        while len(self._in_flight) > IN_FLIGHT:
            self._collect(self._in_flight.popleft())

    def _collect(self, done: Future[list[tuple[str, str, int]]]) -> None:
        for chain, where, position in done.result():
            self.chains[chain].problem(f"{where}: its signature is not valid for this node's keys", position, 2)

    def finish(self) -> None:
        """Check the runs still open and wait for the signatures being checked (called by `reports`)."""
        for chain in list(self._tips):
            self._close_run(self.chains[chain])
        self._submit()
        while self._in_flight:
            self._collect(self._in_flight.popleft())
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    @staticmethod
    def _follow(report: ChainReport, event: dict, digest: str, where: str, position: int) -> None:  # type: ignore[type-arg]
        sequence, previous = event.get("sequence"), event.get("prev_hash")
        if not isinstance(sequence, int):
            report.problem(f"{where}: no sequence", position, 3)
            return
        expected = report.last_sequence + 1
        if sequence > expected:
            missing = f"event {expected}" if sequence - 1 == expected else f"events {expected}–{sequence - 1}"
            report.problem(f"{where}: {missing} of the chain missing before it (lost, removed or never received)", position, 3)
        elif sequence < expected:
            report.problem(f"{where}: sequence {sequence} again or out of order (expected {expected})", position, 3)
        elif previous != report.last_hash:
            report.problem(f"{where}: prev_hash does not match the previous event's hash", position, 3)
        report.last_sequence, report.last_hash = max(sequence, report.last_sequence), digest

    def reports(self) -> list[ChainReport]:
        self.finish()
        return [self.chains[name] for name in sorted(self.chains)]

    @property
    def intact(self) -> bool:
        self.finish()
        return not self.unreadable and all(r.problem_count == 0 for r in self.chains.values())


_KEYS: dict[bytes, Ed25519PublicKey] = {}


def _bad_signatures(batch: list[SignatureCheck]) -> list[tuple[str, str, int]]:
    """In the worker process: the (chain, where, position) of each signature no key of its node verifies."""
    def key(raw: bytes) -> Ed25519PublicKey:
        if raw not in _KEYS:
            _KEYS[raw] = Ed25519PublicKey.from_public_bytes(raw)
        return _KEYS[raw]
    return [(chain, where, position) for chain, keys, digest, signature, where, position in batch
            if not any(_verifies(key(k), signature, digest) for k in keys)]


def _verifies(key: Ed25519PublicKey, signature: bytes, digest: bytes) -> bool:
    try:
        key.verify(signature, digest)
    except (InvalidSignature, ValueError):
        return False
    return True


def _chain_of(subject: str) -> tuple[str, str] | None:
    parts = subject.split(".")
    if len(parts) < 5 or ".".join(parts[:2]) != SUBJECT_PREFIX:
        return None
    return parts[2], parts[3]


def _parse(body: bytes) -> dict | None:  # type: ignore[type-arg]
    try:
        event = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    return event if isinstance(event, dict) else None
