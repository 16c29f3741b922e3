"""The registry's own events written back into its tables, as its use cases wrote them (`audit replay`).

Each event carries the unit, cluster or person as it was after the change, so a row is the last
snapshot; memberships are the members added and removed. What no event holds is named in `NOT_IN_LOG`.
"""

from __future__ import annotations

from typing import Any

from thidua_shared.events import registry as ev
from thidua_shared.events.catalog import Event
from thidua_shared.messaging.consumer import ConsumerSpec
from thidua_shared.replay import stamped, stamped_runs

from thidua_registry.adapters.repository import RegistryRepository
from thidua_registry.domain.model import Cluster, LeaderElection, Person, Unit


def _unit(snapshot: ev.UnitSnapshot) -> Unit:
    return Unit(**snapshot.model_dump())


def _person(snapshot: ev.PersonSnapshot) -> Person:
    return Person(**snapshot.model_dump())  # the national ID's digest is in no event


async def _units_registered(session: Any, events: list[Event[Any]]) -> None:
    await RegistryRepository(session).add_units([_unit(e.payload.unit) for e in events])


async def _units_changed(session: Any, events: list[Event[Any]]) -> None:
    await RegistryRepository(session).save_units([(_unit(e.payload.unit), e.occurred_at) for e in events])


async def _cluster_formed(session: Any, event: Event[ev.ClusterFormed]) -> None:
    await RegistryRepository(session).add_cluster(Cluster(**event.payload.cluster.model_dump()))


async def _members_changed(session: Any, event: Event[ev.ClusterMembershipChanged]) -> None:
    p = event.payload
    await RegistryRepository(session).set_members(p.cluster_id, p.year, p.added, p.removed)


async def _leader_elected(session: Any, event: Event[ev.ClusterLeaderElected]) -> None:
    p = event.payload
    await RegistryRepository(session).add_leader(LeaderElection(p.cluster_id, p.year, p.leader_unit_id, p.deputy_unit_id, p.elected_on))


async def _people_registered(session: Any, events: list[Event[Any]]) -> None:
    await RegistryRepository(session).add_people([_person(e.payload.person) for e in events])


async def _people_updated(session: Any, events: list[Event[Any]]) -> None:
    await RegistryRepository(session).save_people([(_person(e.payload.person), e.occurred_at) for e in events], keep_national_id=True)


async def _token_issued(session: Any, event: Event[ev.AccessTokenIssued]) -> None:
    p = event.payload
    await RegistryRepository(session).add_token(p.token_id, p.token_hash, p.holder_name, p.person_id, p.role.value, p.scope_unit_id)


async def _token_revoked(session: Any, event: Event[ev.AccessTokenRevoked]) -> None:
    await RegistryRepository(session).revoke_token(event.payload.token_id)


def own_events() -> ConsumerSpec:
    handlers = {
        "registry.cluster_formed": _cluster_formed, "registry.cluster_membership_changed": _members_changed,
        "registry.cluster_leader_elected": _leader_elected,
        "registry.access_token_issued": _token_issued, "registry.access_token_revoked": _token_revoked,
    }
    # A national import is runs of thousands: those are written a run at a time, each row with its event's time.
    runs = {"registry.unit_registered": stamped_runs(_units_registered), "registry.person_registered": stamped_runs(_people_registered),
            "registry.unit_updated": _units_changed, "registry.unit_merged": _units_changed, "registry.unit_dissolved": _units_changed,
            "registry.person_updated": _people_updated}
    return ConsumerSpec(name="registry-own-events", source="registry", handlers={t: stamped(h) for t, h in handlers.items()},
                        batch_handlers=runs)


WRITES_NO_TABLE = {
    "registry.node_key_registered": "khóa của nút được ghi vào thư mục khóa tin cậy / a node's key is kept in the trusted keys folder",
}
NOT_IN_LOG = {
    "people.national_id_digest": "số định danh không bao giờ có trong sự kiện (chỉ giữ bản băm có khóa) / "
                                 "a national ID is never in an event (only its keyed digest is kept)",
}
