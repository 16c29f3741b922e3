"""The centre's transparency log: every event of every node, in the order the centre's log holds them,
appended to an RFC 6962 Merkle tree, with checkpoints signed by the centre's key.

The tree is an index of the log, rebuilt from it at will: a leaf is an event's stored bytes, its
index the event's place in the centre's `EVENTS` stream (holes skipped). It lives in one SQLite file
(`Settings.ledger_path`, the standard library's driver: a local, single-writer index, not a service's
database) holding, for every complete subtree, its hash (so a proof for a tree of millions of leaves
reads O(log n) rows), each leaf's event id, type and aggregate (to find "the award" or "the ranking"),
and every checkpoint signed, with the cosignatures witnesses sent back.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from thidua_cli.audit.stream import iter_stored
from thidua_shared.keys import ensure_node_key
from thidua_shared.messaging.nats_access import NatsIdentity, identity_for
from thidua_shared.settings import Settings
from thidua_shared.topology import TOOLS_IDENTITY
from thidua_shared.i18n import translate
from thidua_shared.transparency import merkle
from thidua_shared.transparency.notes import ED25519, Checkpoint, Note, NoteError, Verifier, cosign, parse_note, sign, verified_by

ORIGIN = "thidua.vn/log"  # the log's name in its checkpoints, and its key's name

SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leaves (idx INTEGER PRIMARY KEY, stream_seq INTEGER NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL,
                                   aggregate_kind TEXT NOT NULL, aggregate_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS leaves_event ON leaves (event_id);
CREATE INDEX IF NOT EXISTS leaves_aggregate ON leaves (aggregate_kind, aggregate_id, type);
CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL, signed_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


@dataclass(frozen=True)
class Leaf:
    stream_seq: int
    body: bytes
    event_id: str
    type: str
    aggregate_kind: str
    aggregate_id: str

    @classmethod
    def of(cls, stream_seq: int, body: bytes) -> "Leaf | None":
        """A leaf for a stored event; None for bytes that are not one (the verifier reports those)."""
        try:
            event = json.loads(body)
            aggregate = event["aggregate"]
            return cls(stream_seq, body, str(event["id"]), str(event["type"]), str(aggregate["kind"]), str(aggregate["id"]))
        except (ValueError, KeyError, TypeError):
            return None


class TreeStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)
        self._edge = self._read_edge()

    def close(self) -> None:
        self.db.close()

    # --- the tree -------------------------------------------------------------------------------------
    @property
    def size(self) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM leaves").fetchone()[0])  # the key's end: no scan

    @property
    def stream_position(self) -> int:
        """The last stream sequence read into the tree."""
        row = self.db.execute("SELECT value FROM state WHERE key = 'stream_seq'").fetchone()
        return int(row[0]) if row else 0

    def append(self, leaves: Iterable[Leaf], stream_position: int) -> int:
        """Append leaves (in log order) in one transaction, with the stream position read up to."""
        size = self.size
        nodes, rows = [], []
        for leaf in leaves:
            closed = merkle.closed_by(size, merkle.leaf_hash(leaf.body), self._edge.__getitem__)
            nodes += closed
            self._edge.update((level, node) for level, _, node in closed)
            rows.append((size, leaf.stream_seq, leaf.event_id, leaf.type, leaf.aggregate_kind, leaf.aggregate_id))
            size += 1
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT INTO nodes VALUES (?, ?, ?)", nodes)
            self.db.executemany("INSERT INTO leaves VALUES (?, ?, ?, ?, ?, ?)", rows)
            self.db.execute("INSERT INTO state VALUES ('stream_seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                            (stream_position,))
        return size

    def _read_edge(self) -> dict[int, bytes]:
        """Per level, the hash of its last complete subtree: the left siblings the next leaves need."""
        rows = self.db.execute("SELECT level, hash FROM nodes n WHERE idx = (SELECT MAX(idx) FROM nodes m WHERE m.level = n.level)")
        return {int(level): bytes(h) for level, h in rows}

    def subtree(self, start: int, end: int) -> bytes:
        return merkle.subtree_hash(start, end, self._node)

    def _node(self, level: int, index: int) -> bytes:
        row = self.db.execute("SELECT hash FROM nodes WHERE level = ? AND idx = ?", (level, index)).fetchone()
        if row is None:
            raise LookupError(f"the tree has no leaves {index << level}–{((index + 1) << level) - 1}")
        return bytes(row[0])

    def root(self, size: int) -> bytes:
        return merkle.root_hash(size, self.subtree)

    # --- finding leaves -------------------------------------------------------------------------------
    def leaf_of_event(self, event_id: str) -> tuple[int, int] | None:
        """(leaf index, stream sequence) of an event."""
        row = self.db.execute("SELECT idx, stream_seq FROM leaves WHERE event_id = ?", (event_id,)).fetchone()
        return (int(row[0]), int(row[1])) if row else None

    def last_leaf_about(self, aggregate_id: str, types: tuple[str, ...]) -> tuple[int, int] | None:
        """(leaf index, stream sequence) of the last event of these types about an aggregate."""
        marks = ", ".join("?" for _ in types)
        row = self.db.execute(f"SELECT idx, stream_seq FROM leaves WHERE aggregate_id = ? AND type IN ({marks}) ORDER BY idx DESC LIMIT 1",
                              (aggregate_id, *types)).fetchone()
        return (int(row[0]), int(row[1])) if row else None

    def leaves_about(self, aggregate_kind: str, aggregate_id: str, limit: int = 10_000) -> list[int]:
        """The stream sequences of the events about one aggregate, in log order."""
        rows = self.db.execute("SELECT stream_seq FROM leaves WHERE aggregate_kind = ? AND aggregate_id = ? ORDER BY idx LIMIT ?",
                               (aggregate_kind, aggregate_id, limit))
        return [int(row[0]) for row in rows]

    # --- checkpoints ----------------------------------------------------------------------------------
    def sign_checkpoint(self, key: Ed25519PrivateKey, origin: str = ORIGIN) -> Note:
        """A checkpoint of the tree as it is, signed (the last one again if the tree has not grown)."""
        size = self.size
        latest = self.latest_checkpoint()
        if latest is not None and Checkpoint.parse(latest.text).size == size:
            return latest
        text = Checkpoint(origin, size, self.root(size)).text()
        note = Note(text, [sign(text, origin, key)])
        self.db.execute("INSERT INTO checkpoints VALUES (?, ?, ?)", (size, str(note), time.time()))
        return note

    def latest_checkpoint(self) -> Note | None:
        row = self.db.execute("SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1").fetchone()
        return parse_note(row[0]) if row else None

    def checkpoint(self, size: int) -> Note | None:
        row = self.db.execute("SELECT note FROM checkpoints WHERE size = ?", (size,)).fetchone()
        return parse_note(row[0]) if row else None

    def add_cosignature(self, cosigned: Note, log: Verifier) -> Note:
        """Keep a witness's cosignature beside the checkpoint it signed (the log's own signature checked)."""
        size = Checkpoint.parse(cosigned.text).size
        ours = self.checkpoint(size)
        if ours is None or ours.text != cosigned.text:
            raise LookupError(f"no checkpoint of size {size} with that root was signed here")
        merged = ours
        for signature in cosigned.signatures:
            if (signature.name, signature.id) != (log.name, log.id):
                merged = merged.with_signature(signature)
        self.db.execute("UPDATE checkpoints SET note = ? WHERE size = ?", (str(merged), size))
        return merged


def log_verifier(key: Ed25519PrivateKey, origin: str = ORIGIN) -> Verifier:
    return Verifier(origin, ED25519, key.public_key())


async def update(store: TreeStore, url: str | list[str], identity: NatsIdentity | None, batch: int = 5000) -> int:
    """Append what the centre's log holds beyond the tree; return the tree's size."""
    leaves: list[Leaf] = []
    position = store.stream_position
    async for stored in iter_stored(url, identity, after=position):
        position = stored.missing_until or stored.stream_sequence
        leaf = Leaf.of(stored.stream_sequence, stored.body) if stored.missing_until is None else None
        if leaf is not None:
            leaves.append(leaf)
        if len(leaves) >= batch:
            store.append(leaves, position)
            leaves = []
    return store.append(leaves, position)


def refresh(store: TreeStore, settings: Settings) -> Note:
    """Bring the tree up to the node's log and sign a checkpoint of it (the same one if nothing was added),
    also written to `checkpoint` beside the tree, where witnesses fetch the latest. Run by `up` at the
    centre on its interval and by `audit log`, `prove` and `history` on demand."""
    asyncio.run(update(store, settings.nats_servers, identity_for(settings, TOOLS_IDENTITY)))
    note = store.sign_checkpoint(ensure_node_key(settings.keys_dir, settings.node))
    (settings.ledger_path.parent / "checkpoint").write_text(str(note), encoding="utf-8")
    return note


# --- consistency proofs as files, and witnesses ----------------------------------------------------------
CONSISTENCY_HEADER = "thidua.vn/consistency-proof@v1"


def consistency_text(old_size: int, new_size: int, proof: list[bytes]) -> str:
    """A consistency proof as a witness receives it: sizes, then one base64 hash a line (RFC 6962 order)."""
    return "\n".join([CONSISTENCY_HEADER, f"old {old_size}", f"new {new_size}", *(base64.b64encode(h).decode() for h in proof)]) + "\n"


def read_consistency(text: str) -> tuple[int, int, list[bytes]]:
    lines = text.strip("\n").split("\n")
    if len(lines) < 3 or lines[0] != CONSISTENCY_HEADER or not lines[1].startswith("old ") or not lines[2].startswith("new "):
        raise NoteError("consistency proof: expected its header, `old <size>` and `new <size>`")
    try:
        hashes = [base64.b64decode(line, validate=True) for line in lines[3:]]
        sizes = int(lines[1][4:]), int(lines[2][4:])
    except ValueError as exc:
        raise NoteError("consistency proof: bad size or hash") from exc
    if any(len(h) != 32 for h in hashes) or len(hashes) > 128:
        raise NoteError("consistency proof: bad hashes")
    return sizes[0], sizes[1], hashes


def witness_name(node: str) -> str:
    return f"thidua.vn/witness/{node}"


class WitnessRefused(NoteError):
    """Why a witness will not cosign, as a message code of the catalog (said in both languages by the CLI)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(translate(code, "en", **params))
        self.code, self.params = code, params


class Witness:
    """A node (or anyone with a key) that cosigns the centre's checkpoints: only a checkpoint the log
    signed and that is consistent with the last one this witness cosigned. What it cosigned last is
    kept in its state directory; a log that rewrote history can never get a cosignature again."""

    def __init__(self, state_dir: Path, node: str, key: Ed25519PrivateKey) -> None:
        self.state_dir, self.name, self.key = state_dir, witness_name(node), key

    def _state(self, origin: str) -> Path:
        return self.state_dir / (origin.replace("/", "_") + ".checkpoint")

    def last_cosigned(self, origin: str) -> Checkpoint | None:
        path = self._state(origin)
        return Checkpoint.parse(parse_note(path.read_text(encoding="utf-8")).text) if path.exists() else None

    def cosign(self, note: Note, log: Verifier, proof: tuple[int, int, list[bytes]] | None) -> Note:
        if log not in verified_by(note, [log]):
            raise WitnessRefused("witness_not_signed_by_log")
        new = Checkpoint.parse(note.text)
        if new.origin != log.name:
            raise WitnessRefused("witness_other_log", origin=new.origin, log=log.name)
        old = self.last_cosigned(new.origin)
        if old is not None and (old.size, old.root) != (new.size, new.root):
            if new.size < old.size:
                raise WitnessRefused("witness_older", size=old.size)
            if proof is None or proof[:2] != (old.size, new.size):
                raise WitnessRefused("witness_needs_proof", old=old.size, new=new.size)
            if not merkle.verify_consistency(old.size, new.size, old.root, new.root, proof[2]):
                raise WitnessRefused("witness_rewritten", size=old.size)
        cosigned = note.with_signature(cosign(note.text, self.name, self.key, int(time.time())))
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._state(new.origin).write_text(str(cosigned), encoding="utf-8")
        return cosigned
