"""The catalog: every event payload is a pydantic model registered here by type and version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, create_model

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


@dataclass(frozen=True)
class Event(Generic[P]):
    """An event as a handler sees it: the envelope (who, when, which chain) and its typed payload."""

    envelope: Envelope
    payload: P

    @classmethod
    def of(cls, envelope: Envelope) -> "Event[Any]":
        return cls(envelope, parse_payload(envelope.type, envelope.version, envelope.payload))  # type: ignore[arg-type]

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
    for (event_type, version), payload_model in sorted(CATALOG.items()):
        model = create_model(
            f"{payload_model.__name__}Event",
            __base__=Envelope,
            type=(Literal[event_type], ...),  # type: ignore[valid-type]
            version=(Literal[version], ...),  # type: ignore[valid-type]
            payload=(payload_model, ...),
        )
        schemas[f"{event_type}.v{version}"] = model.model_json_schema()
    return schemas


def load_all() -> None:
    """Import every payload module so that the catalog is complete."""
    from thidua_shared.events import campaigns, registry  # noqa: F401
