"""Events of the registry service: units, clusters and blocks, people, access tokens.

Each payload carries a full snapshot of the aggregate after the change, so a
read replica in another service is the last snapshot it received.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from thidua_shared.events.catalog import EventPayload, event_payload
from thidua_shared.roles import Role


class UnitKind(StrEnum):
    NATIONAL_ALLIANCE = "national_alliance"  # Liên minh HTX Việt Nam
    PROVINCIAL_ALLIANCE = "provincial_alliance"  # Liên minh HTX tỉnh/thành phố
    COOPERATIVE = "cooperative"  # HTX
    COOPERATIVE_UNION = "cooperative_union"  # Liên hiệp HTX
    COOPERATIVE_GROUP = "cooperative_group"  # Tổ hợp tác
    CREDIT_FUND = "credit_fund"  # Quỹ tín dụng nhân dân
    DEPARTMENT = "department"  # Ban
    PUBLIC_SERVICE_UNIT = "public_service_unit"  # đơn vị sự nghiệp
    MEMBER_ENTERPRISE = "member_enterprise"  # doanh nghiệp thành viên


class UnitStatus(StrEnum):
    ACTIVE = "active"
    DISSOLVED = "dissolved"
    MERGED = "merged"


class ClusterKind(StrEnum):
    CLUSTER = "cluster"  # Cụm thi đua: grouped by region
    BLOCK = "block"  # Khối thi đua: grouped by sector


class UnitSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    code: str
    name: str
    kind: UnitKind
    parent_id: str | None
    province_code: str | None
    status: UnitStatus
    successor_id: str | None = None
    status_date: date | None = None


class ClusterSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    code: str
    name: str
    kind: ClusterKind
    owner_unit_id: str


class PersonSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    unit_id: str
    full_name: str
    position: str | None
    # The national ID number is never in an event: the registry keeps only a keyed digest.


@event_payload("registry.unit_registered", aggregate_kind="unit")
class UnitRegistered(EventPayload):
    unit: UnitSnapshot


@event_payload("registry.unit_updated", aggregate_kind="unit")
class UnitUpdated(EventPayload):
    unit: UnitSnapshot
    changed: list[str]


@event_payload("registry.unit_merged", aggregate_kind="unit")
class UnitMerged(EventPayload):
    unit: UnitSnapshot
    successor_id: str
    successor_code: str
    effective_date: date
    reason: str | None = None
    # The active children that moved to the successor with the merger: running work follows them.
    moved_children: list[str] = []


@event_payload("registry.unit_dissolved", aggregate_kind="unit")
class UnitDissolved(EventPayload):
    unit: UnitSnapshot
    effective_date: date
    reason: str | None = None


@event_payload("registry.cluster_formed", aggregate_kind="cluster")
class ClusterFormed(EventPayload):
    cluster: ClusterSnapshot


@event_payload("registry.cluster_membership_changed", aggregate_kind="cluster")
class ClusterMembershipChanged(EventPayload):
    cluster_id: str
    year: int
    members: list[str]
    added: list[str]
    removed: list[str]


@event_payload("registry.cluster_leader_elected", aggregate_kind="cluster")
class ClusterLeaderElected(EventPayload):
    cluster_id: str
    year: int
    leader_unit_id: str
    deputy_unit_id: str | None = None
    elected_on: date | None = None


@event_payload("registry.person_registered", aggregate_kind="person")
class PersonRegistered(EventPayload):
    person: PersonSnapshot


@event_payload("registry.person_updated", aggregate_kind="person")
class PersonUpdated(EventPayload):
    person: PersonSnapshot
    changed: list[str]


@event_payload("registry.access_token_issued", aggregate_kind="access_token")
class AccessTokenIssued(EventPayload):
    """Other services replicate tokens from this event: it carries the SHA-256 of
    the token, never the token itself."""

    token_id: str
    token_hash: str
    holder_name: str
    person_id: str | None
    role: Role
    scope_unit_id: str | None


@event_payload("registry.access_token_revoked", aggregate_kind="access_token")
class AccessTokenRevoked(EventPayload):
    token_id: str
    token_hash: str


@event_payload("registry.node_key_registered", aggregate_kind="node")
class NodeKeyRegistered(EventPayload):
    """The centre vouches for a node's signing key (a province's, or its own new one after a
    rotation). Every service keeps the keys it learns this way beside the ones configured by hand;
    only the centre's registry chain is believed, and earlier keys stay: events signed before a
    rotation still verify."""

    node: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    public_key: str = Field(pattern=r"^[A-Za-z0-9+/]{43}=$", description="Ed25519 public key, 32 bytes in base64")
    link_key: str | None = Field(None, pattern=r"^U[A-Z2-7]{55}$", description="the node's leaf link NKey, if any")
    reason: str = Field(max_length=500)
