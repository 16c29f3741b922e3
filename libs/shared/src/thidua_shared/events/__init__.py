"""The event envelope, its canonical encoding, hash chain and signatures, and the catalog."""

from thidua_shared.events.catalog import CATALOG, Event, EventPayload, event_payload, parse_payload
from thidua_shared.events.envelope import (
    GENESIS_HASH,
    Actor,
    AggregateRef,
    Envelope,
    canonical_json,
    new_event_id,
    subject_for,
)

__all__ = [
    "CATALOG",
    "GENESIS_HASH",
    "Actor",
    "AggregateRef",
    "Envelope",
    "Event",
    "EventPayload",
    "canonical_json",
    "event_payload",
    "new_event_id",
    "parse_payload",
    "subject_for",
]
