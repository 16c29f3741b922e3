"""The catalog: every event payload is a pydantic model registered here by type and version."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from thidua_shared.events.envelope import Actor, Envelope

CATALOG: dict[tuple[str, int], type["EventPayload"]] = {}


class EventPayload(BaseModel):
    """Base of all payloads. Payloads carry full snapshots, so that read replicas
    elsewhere can be built from events alone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    event_version: ClassVar[int]
    aggregate_kind: ClassVar[str]


def event_payload(event_type: str, aggregate_kind: str, version: int = 1):
    """Class decorator: register a payload model under `event_type` and `version`."""

    def register(cls: type[EventPayload]) -> type[EventPayload]:
        key = (event_type, version)
        if key in CATALOG and CATALOG[key] is not cls:
            raise ValueError(f"event {event_type} v{version} is registered twice")
        cls.event_type, cls.event_version, cls.aggregate_kind = event_type, version, aggregate_kind
        CATALOG[key] = cls
        return cls

    return register


class UnknownEventType(LookupError):
    pass


def parse_payload(event_type: str, version: int, payload: dict[str, Any]) -> EventPayload:
    try:
        model = CATALOG[(event_type, version)]
    except KeyError:
        raise UnknownEventType(f"{event_type} v{version} is not in the catalog") from None
    return model.model_validate(payload)


P = TypeVar("P", bound=EventPayload)

# A canonical body ends with its type and version (the last keys in sorted order).
_TAIL = re.compile(rb'"type":"([a-z][a-z0-9_.]{0,119})","version":([0-9]{1,4})\}\Z')


_TYPED: dict[tuple[str, int], type[Envelope]] = {}


def typed_envelope(event_type: str, version: int) -> type[Envelope] | None:
    """The envelope model whose payload is the catalog's model for (type, version), or None if unknown."""
    key = (event_type, version)
    if key not in _TYPED:
        payload_model = CATALOG.get(key)
        if payload_model is None:
            return None
        _TYPED[key] = create_model(
            f"{payload_model.__name__}Event",
            __base__=Envelope,
            type=(Literal[event_type], ...),  # type: ignore[valid-type]
            version=(Literal[version], ...),  # type: ignore[valid-type]
            payload=(payload_model, ...),
        )
    return _TYPED[key]


def decode_event(body: bytes, headers: Mapping[str, str] | None) -> Envelope:
    """Parse a received body in one pass, payload typed, when its type is in the catalog.

    The type and version are read from the tail of the canonical body; a body they do not
    describe (or an unknown type) is parsed as a plain envelope, whose payload the consumer
    then checks against the catalog. The payload of an envelope parsed this way is a model:
    never recompute a hash from it (the verifier hashes the body as received)."""
    match = _TAIL.search(body, max(0, len(body) - 160))
    model = typed_envelope(match.group(1).decode(), int(match.group(2))) if match else None
    if model is not None:
        try:
            return model.model_validate_json(body).with_seal(headers)
        except ValidationError:
            pass  # parsed again below, so that a malformed envelope is told apart from a wrong payload
    return Envelope.from_message(body, headers)


@dataclass(frozen=True)
class Event(Generic[P]):
    """An event as a handler sees it: the envelope (who, when, which chain) and its typed payload."""

    envelope: Envelope
    payload: P

    @classmethod
    def of(cls, envelope: Envelope) -> "Event[Any]":
        payload = envelope.payload
        if not isinstance(payload, EventPayload):  # typed already when decoded by `decode_event`
            payload = parse_payload(envelope.type, envelope.version, payload)
        return cls(envelope, payload)  # type: ignore[arg-type]

    @property
    def id(self) -> UUID:
        return self.envelope.id

    @property
    def type(self) -> str:
        return self.envelope.type

    @property
    def aggregate_id(self) -> str:
        return self.envelope.aggregate.id

    @property
    def actor(self) -> Actor:
        return self.envelope.actor

    @property
    def occurred_at(self) -> datetime:
        return self.envelope.occurred_at

    @property
    def correlation_id(self) -> UUID:
        return self.envelope.correlation_id

    @property
    def chain(self) -> str:
        return self.envelope.chain

    @property
    def sequence(self) -> int:
        return self.envelope.sequence


def json_schemas() -> dict[str, Any]:
    """JSON Schema of every event in the catalog: the envelope with its typed payload."""
    schemas: dict[str, Any] = {}
    for event_type, version in sorted(CATALOG):
        model = typed_envelope(event_type, version)
        assert model is not None
        schemas[f"{event_type}.v{version}"] = model.model_json_schema()
    return schemas
