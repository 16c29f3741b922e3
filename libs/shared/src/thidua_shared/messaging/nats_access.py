"""Who may do what on NATS: one identity per service and tool, with subject permissions.

Each identity authenticates with its own NKey (a seed file, readable by its owner only)
and may:
- a service: publish its own events (`thidua.events.<node>.<service>.>`) and the dead
  letters of its own consumers; create, read from and acknowledge exactly its own durable
  consumers, each pinned to the filter the topology declares (nats-py creates a named
  consumer on `$JS.API.CONSUMER.CREATE.<stream>.<name>.<filter>`, so the permission
  names the filter); read stream information; receive replies only on its own inbox
  prefix, so that nobody else's fetched messages reach it;
- the admin (the launcher, `thidua streams apply`): manage streams, nothing else;
- the tools (the CLI: verify, status, audit): read the streams, publish nothing;
- a province's leaf link (at the centre): the JetStream traffic of sourcing, and only for the
  province's own subjects going up and the centre's registry and campaigns chains coming down.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thidua_shared.events.envelope import SUBJECT_PREFIX
from thidua_shared.messaging.streams import DEADLETTER_PREFIX, DEADLETTER_STREAM, EVENTS_STREAM
from thidua_shared.settings import ServiceSettings, Settings
from thidua_shared.topology import ADMIN_IDENTITY, SERVICES_SENT_DOWN, TOOLS_IDENTITY, ServiceInfo


@dataclass(frozen=True)
class Permissions:
    publish: tuple[str, ...]
    subscribe: tuple[str, ...]

    def as_config(self) -> dict[str, Any]:
        return {"publish": {"allow": list(self.publish)}, "subscribe": {"allow": list(self.subscribe)}}


def inbox_prefix(identity: str) -> str:
    """Replies to an identity arrive under its own prefix, which only it may subscribe to."""
    return f"_INBOX_{identity}"


def service_permissions(node: str, service: ServiceInfo) -> Permissions:
    publish = [f"{SUBJECT_PREFIX}.{node}.{service.name}.>", f"$JS.API.STREAM.INFO.{EVENTS_STREAM}", f"$JS.API.STREAM.INFO.{DEADLETTER_STREAM}",
               # the last event of a chain it reads: how far a consumer has applied it (read-your-writes)
               f"$JS.API.STREAM.MSG.GET.{EVENTS_STREAM}"]
    for sub in service.all_subscriptions:
        publish += [
            f"$JS.API.CONSUMER.CREATE.{EVENTS_STREAM}.{sub.name}.{SUBJECT_PREFIX}.*.{sub.source}.>",
            f"$JS.API.CONSUMER.INFO.{EVENTS_STREAM}.{sub.name}",
            f"$JS.API.CONSUMER.MSG.NEXT.{EVENTS_STREAM}.{sub.name}",
            f"$JS.ACK.{EVENTS_STREAM}.{sub.name}.>",
            f"{DEADLETTER_PREFIX}.{node}.{sub.name}",
        ]
    return Permissions(tuple(publish), (f"{inbox_prefix(service.name)}.>",))


def admin_permissions() -> Permissions:
    return Permissions(("$JS.API.STREAM.>", "$JS.API.INFO"), (f"{inbox_prefix(ADMIN_IDENTITY)}.>",))


def tools_permissions() -> Permissions:
    """Read-only: ordered (ephemeral) consumers and direct reads of the streams, consumer and stream state."""
    publish = ["$JS.API.INFO", "$JS.FC.>"]
    for stream in (EVENTS_STREAM, DEADLETTER_STREAM):
        publish += [
            f"$JS.API.STREAM.INFO.{stream}",
            f"$JS.API.CONSUMER.CREATE.{stream}",  # ephemeral consumers only: no name, so never a service's durable one
            f"$JS.API.CONSUMER.INFO.{stream}.*",
            f"$JS.API.DIRECT.GET.{stream}",
            f"$JS.API.DIRECT.GET.{stream}.>",
            f"$JS.API.STREAM.MSG.GET.{stream}",
        ]
    return Permissions(tuple(publish), (f"{inbox_prefix(TOOLS_IDENTITY)}.>",))


# What sourcing between two domains sends besides API requests: deliveries, flow control, API replies.
_SOURCING_TRAFFIC = ("$JS.S.>", "$JS.FC.>", "$JSC.R.>")


def link_permissions(province: str, centre: str) -> Permissions:
    """A province's leaf link as the centre sees it: `publish` is what may flow up from the province,
    `subscribe` what may flow down to it. The centre may create a sourcing consumer on the province's
    stream for the province's subjects only; the province may source only what its replicas need.
    Plain subjects (`thidua.events.…`) never cross the link: events travel inside JetStream's sourcing,
    and every consumer verifies a sourced event's seal against the node key it trusts."""
    down = f"$JS.{centre}.API"
    up = f"$JS.{province}.API"
    publish = [
        *(f"{down}.CONSUMER.CREATE.{EVENTS_STREAM}.*.{SUBJECT_PREFIX}.{centre}.{service}.>" for service in SERVICES_SENT_DOWN),
        f"{down}.CONSUMER.DELETE.{EVENTS_STREAM}.*",
        *_SOURCING_TRAFFIC,
    ]
    subscribe = [
        f"{up}.CONSUMER.CREATE.{EVENTS_STREAM}.*.{SUBJECT_PREFIX}.{province}.>",
        f"{up}.CONSUMER.DELETE.{EVENTS_STREAM}.*",
        *_SOURCING_TRAFFIC,
    ]
    return Permissions(tuple(publish), tuple(subscribe))


@dataclass(frozen=True)
class NatsIdentity:
    """How one process connects: its name, its seed file (None: anonymous), its inbox prefix."""

    name: str
    seed_file: Path | None

    @property
    def inbox_prefix(self) -> str:
        return inbox_prefix(self.name)

    def connect_options(self) -> dict[str, Any]:
        """Options for `nats.connect`."""
        options: dict[str, Any] = {"inbox_prefix": self.inbox_prefix}
        if self.seed_file is not None:
            options["nkeys_seed"] = str(self.seed_file)
        return options


def seed_file(settings: Settings, identity: str) -> Path:
    return settings.credentials_dir / f"{identity}.nk"


def identity_for(settings: Settings, identity: str) -> NatsIdentity:
    """A service's or tool's identity: the seed named in its settings, else `<credentials>/<identity>.nk` if present."""
    configured = ServiceSettings.for_service(identity).nats_seed_file
    path = configured or seed_file(settings, identity)
    return NatsIdentity(identity, path if path.is_file() else None)
