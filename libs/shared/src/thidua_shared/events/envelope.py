"""The one envelope every event travels in.

Integrity: `hash` is SHA-256 over the canonical JSON (RFC 8785) of the envelope
without `hash` and `signature`; `prev_hash` is the hash of the previous event of
the same (node, service) chain, `sequence` its position, and `signature` an
Ed25519 signature of the hash by the node's key. An auditor who replays a chain
can so prove that nothing was altered, dropped or reordered.

On the wire the message body is exactly those canonical bytes, and the seal
travels beside them in the headers `Thidua-Hash` and `Thidua-Signature`: a
receiver checks the hash with one SHA-256 of the body it received, never by
re-encoding what it parsed (which would cost more than all the rest).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import rfc8785
import uuid6
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, field_validator

from thidua_shared.roles import Role

GENESIS_HASH = "0" * 64
# Node and service names are NATS subject tokens (and file names of keys): nothing else passes.
NODE_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,31}$"
SERVICE_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
SUBJECT_PREFIX = "thidua.events"
HASH_HEADER = "Thidua-Hash"
SIGNATURE_HEADER = "Thidua-Signature"


def new_event_id() -> UUID:
    """UUIDv7: time-ordered, so ids sort roughly by creation."""
    return uuid6.uuid7()


# The moment of the change being written: one unit of work stamps its rows and its events with the
# same time, so that the log says exactly when each row changed (and a replay writes the same times).
_moment: ContextVar[datetime | None] = ContextVar("thidua_moment", default=None)


def utc_now() -> datetime:
    """Now, or the moment of the change being written when there is one (`at_moment`)."""
    return _moment.get() or datetime.now(UTC)


@contextmanager
def at_moment(moment: datetime | None = None) -> Iterator[datetime]:
    """Within the block, `utc_now()` is `moment` (by default: now, fixed once)."""
    fixed = moment or datetime.now(UTC)
    token = _moment.set(fixed)
    try:
        yield fixed
    finally:
        _moment.reset(token)


def canonical_json(data: Any) -> bytes:
    """RFC 8785 canonical JSON: the same object always gives the same bytes."""
    return rfc8785.dumps(data)


class Actor(BaseModel):
    """Who caused the event: taken from the bearer token, never from the request body."""

    model_config = ConfigDict(frozen=True)

    id: str
    role: Role
    name: str
    unit_id: str | None = None


SYSTEM_ACTOR = Actor(id="system", role=Role.SYSTEM, name="Hệ thống Thi Đua")


class AggregateRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str
    id: str


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: UUID
    type: str = Field(description="`<service>.<event>`, e.g. `registry.unit_registered`")
    version: int = Field(ge=1)
    occurred_at: datetime
    node: str = Field(pattern=NODE_PATTERN)
    service: str = Field(pattern=SERVICE_PATTERN)
    sequence: int = Field(ge=1, description="Position in the (node, service) chain, from 1")
    actor: Actor
    correlation_id: UUID
    causation_id: UUID | None = None
    aggregate: AggregateRef
    payload: dict[str, Any]
    prev_hash: str
    hash: str = ""
    signature: str = ""

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("occurred_at must carry a time zone")
        return value.astimezone(UTC)

    @property
    def event_name(self) -> str:
        return self.type.split(".", 1)[1]

    @property
    def subject(self) -> str:
        return subject_for(self.node, self.type)

    @property
    def chain(self) -> str:
        """The (node, service) chain this event belongs to, as `<node>.<service>`."""
        return f"{self.node}.{self.service}"

    # --- integrity -------------------------------------------------------
    def content_bytes(self) -> bytes:
        return canonical_json(self.model_dump(mode="json", exclude={"hash", "signature"}))

    def compute_hash(self) -> str:
        return hashlib.sha256(self.content_bytes()).hexdigest()

    def sealed(self, key: Ed25519PrivateKey) -> "Envelope":
        """Return a copy with `hash` and `signature` filled in."""
        return self.sealed_with_body(key)[0]

    def sealed_with_body(self, key: Ed25519PrivateKey) -> tuple["Envelope", bytes]:
        """The sealed copy and its body (the canonical content bytes), encoded once."""
        body = self.content_bytes()
        digest = hashlib.sha256(body).hexdigest()
        signature = base64.b64encode(key.sign(bytes.fromhex(digest))).decode()
        return self.model_copy(update={"hash": digest, "signature": signature}), body

    def hash_is_valid(self) -> bool:
        return self.hash == self.compute_hash()

    def signature_is_valid(self, public_key: Ed25519PublicKey) -> bool:
        return self.signature_matches(self.hash, public_key)

    def signature_matches(self, digest: str, public_key: Ed25519PublicKey) -> bool:
        """The signature is valid for `digest` (a hash the caller computed itself) under `public_key`."""
        try:
            public_key.verify(base64.b64decode(self.signature), bytes.fromhex(digest))
        except (InvalidSignature, ValueError):
            return False
        return True

    # --- wire format -----------------------------------------------------
    def to_message(self) -> tuple[bytes, dict[str, str]]:
        """(body, headers): the canonical content bytes, and the seal beside them."""
        return self.content_bytes(), self.seal_headers()

    def seal_headers(self) -> dict[str, str]:
        return {"Nats-Msg-Id": str(self.id), HASH_HEADER: self.hash, SIGNATURE_HEADER: self.signature}

    @classmethod
    def from_message(cls, body: bytes, headers: Mapping[str, str] | None) -> "Envelope":
        """Parse a received event; its seal comes from the headers. Checking it is the verifier's job."""
        return cls.model_validate_json(body).with_seal(headers)

    def with_seal(self, headers: Mapping[str, str] | None) -> "Envelope":
        """Set the seal that arrived beside the body. The envelope was just parsed and nobody else
        holds it, so it is set in place: a validated copy cost more than the rest of decoding."""
        headers = headers or {}
        object.__setattr__(self, "hash", headers.get(HASH_HEADER, ""))
        object.__setattr__(self, "signature", headers.get(SIGNATURE_HEADER, ""))
        return self


def subject_for(node: str, event_type: str) -> str:
    service, name = event_type.split(".", 1)
    return f"{SUBJECT_PREFIX}.{node}.{service}.{name}"


def verify_chain(envelopes: list[Envelope], public_key: Ed25519PublicKey | list[Ed25519PublicKey] | None = None) -> list[str]:
    """Check one (node, service) chain in stream order; return the problems found (empty: intact).
    With several keys (a node's keys before and after a rotation) any of them may have signed."""
    keys = public_key if isinstance(public_key, list) else [public_key] if public_key is not None else []
    problems: list[str] = []
    previous_hash, expected_sequence = GENESIS_HASH, None
    for env in envelopes:
        if expected_sequence is None:
            expected_sequence = env.sequence
            previous_hash = env.prev_hash if env.sequence > 1 else GENESIS_HASH
        if env.sequence != expected_sequence:
            problems.append(f"{env.id}: sequence {env.sequence}, expected {expected_sequence}")
        if env.prev_hash != previous_hash:
            problems.append(f"{env.id}: prev_hash does not match the previous event")
        if not env.hash_is_valid():
            problems.append(f"{env.id}: hash does not match its content")
        if keys and not any(env.signature_is_valid(key) for key in keys):
            problems.append(f"{env.id}: signature is not valid for this node's key")
        previous_hash, expected_sequence = env.hash, env.sequence + 1
    return problems
