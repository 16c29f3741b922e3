"""The AsyncAPI document of the whole event catalog, made by FastStream.

Every event in the catalog is a channel `thidua.events.{node}.<service>.<event>`
published by its service, with the envelope and its typed payload as the message
schema; every subscription of the topology is a channel its consumer receives.
The document is built on a broker that never connects: consumption runs on
nats-py's pull loop (see consumer.py), and FastStream describes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from faststream.nats import JStream, NatsBroker, PullSub
from faststream.specification import AsyncAPI

from thidua_shared.events.all import load_all
from thidua_shared.events.catalog import CATALOG, typed_envelope
from thidua_shared.messaging.streams import EVENTS_STREAM
from thidua_shared.topology import SERVICES, ServiceInfo

TITLE = "Thi Đua – danh mục sự kiện / event catalog"
DESCRIPTION = (
    "Mọi sự kiện được ký số, nối chuỗi băm theo (nút, dịch vụ), lưu vĩnh viễn trong luồng EVENTS. "
    "/ Every event is signed, hash-chained per (node, service), and kept for good in the EVENTS stream. "
    "The body is the RFC 8785 canonical JSON of the envelope; headers Thidua-Hash (SHA-256 of the body) "
    "and Thidua-Signature (Ed25519 over the hash by the node's key) carry the seal."
)


def _subject(node: str, event_type: str) -> str:
    service, event = event_type.split(".", 1)
    return f"thidua.events.{node}.{service}.{event}"


def _latest_version(event_type: str) -> int:
    return max(version for t, version in CATALOG if t == event_type)


def _receiver(model: type) -> Any:
    """A handler FastStream can read the message schema from; it is never called."""

    async def receive(event: Any) -> None:  # pragma: no cover - documentation only
        raise RuntimeError("documentation only")

    receive.__annotations__ = {"event": model, "return": None}
    return receive


def build_broker(url: str = "nats://thidua-nats:4222", services: Iterable[ServiceInfo] | None = None) -> NatsBroker:
    load_all()
    services = list(services if services is not None else SERVICES.values())
    broker = NatsBroker(url, description="NATS JetStream, luồng EVENTS / the EVENTS stream")
    stream = JStream(EVENTS_STREAM, declare=False)
    for event_type, version in sorted(CATALOG):
        owner = event_type.split(".", 1)[0]
        model = typed_envelope(event_type, version)
        broker.publisher(
            _subject("{node}", event_type), stream=stream, schema=model, title=f"{event_type} v{version}",
            description=f"Phát bởi / published by: {owner}. {(CATALOG[(event_type, version)].__doc__ or '').strip()}",
        )
    for service in services:
        for sub in service.all_subscriptions:
            for event_type in sub.event_types:
                model = typed_envelope(event_type, _latest_version(event_type))
                broker.subscriber(
                    _subject("*", event_type), stream=stream, durable=sub.name, pull_sub=PullSub(batch_size=512),
                    title=f"{sub.name} ← {event_type}",
                    description=f"Nhận bởi / consumed by: {service.name} (consumer {sub.name}).",
                )(_receiver(model))
    return broker


@cache
def asyncapi_document(version: str = "0.1.0") -> dict[str, Any]:
    """The whole catalog: every subject and payload schema, who publishes it, who consumes it."""
    spec = AsyncAPI(build_broker(), title=TITLE, version=version, description=DESCRIPTION, schema_version="3.0.0")
    return json.loads(spec.to_specification().to_json())  # type: ignore[no-any-return]
