"""Units, clusters and people, and the rules that keep the registry consistent."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from thidua_shared.errors import Conflict, Forbidden, Invalid
from thidua_shared.events.registry import (
    ClusterKind,
    ClusterSnapshot,
    PersonSnapshot,
    UnitKind,
    UnitSnapshot,
    UnitStatus,
)
from thidua_shared import units
from thidua_shared.roles import Role
from thidua_shared.validation import FIRST_YEAR, LAST_YEAR
from thidua_shared.text import search_key  # noqa: F401  (re-exported for the registry)


CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def normalize_code(code: str) -> str:
    """Codes are compared case-insensitively: stored upper-case."""
    code = code.strip()
    if not CODE_PATTERN.match(code):
        raise Invalid("unit_code_invalid", code=code)
    return code.upper()


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Invalid("year_out_of_range", year=year)
    return year


@dataclass(frozen=True)
class Unit:
    id: str
    code: str
    name: str
    kind: UnitKind
    parent_id: str | None
    province_code: str | None
    status: UnitStatus = UnitStatus.ACTIVE
    successor_id: str | None = None
    status_date: date | None = None

    def snapshot(self) -> UnitSnapshot:
        return UnitSnapshot(
            id=self.id,
            code=self.code,
            name=self.name,
            kind=self.kind,
            parent_id=self.parent_id,
            province_code=self.province_code,
            status=self.status,
            successor_id=self.successor_id,
            status_date=self.status_date,
        )

    def ensure_active(self, successor_code: str | None = None) -> None:
        units.ensure_active(self.code, self.status, successor_code, self.status_date)


# Which fields of a unit each role may change. Province, parent and kind decide which campaigns
# a unit may join and who manages it: a unit's own reporter may not move it.
EDITABLE_FIELDS: dict[Role, frozenset[str]] = {
    Role.NATIONAL_ADMIN: frozenset({"name", "province_code", "parent"}),
    Role.PROVINCIAL_OFFICER: frozenset({"name", "province_code", "parent"}),
    Role.UNIT_REPORTER: frozenset({"name"}),
}


def check_may_edit(role: Role, fields: set[str]) -> None:
    refused = sorted(fields - EDITABLE_FIELDS.get(role, frozenset()))
    if refused:
        raise Forbidden("field_not_editable", role=role.value, fields=", ".join(refused))


def check_placement(kind: UnitKind, parent: Unit | None) -> None:
    """The national alliance is the root; every other unit hangs under an active parent."""
    if kind is UnitKind.NATIONAL_ALLIANCE:
        if parent is not None:
            raise Invalid("national_alliance_has_no_parent")
        return
    if parent is None:
        raise Invalid("parent_required", kind=kind.value)
    parent.ensure_active()


def check_no_cycle(unit: Unit, new_parent: Unit, new_parent_lineage: Sequence[str]) -> None:
    """`new_parent_lineage` is the new parent and its ancestors: the unit must not be among them."""
    if unit.id in new_parent_lineage:
        raise Invalid("hierarchy_cycle", parent=new_parent.code, code=unit.code)


def merge(unit: Unit, successor: Unit, successor_lineage: Sequence[str], effective: date) -> Unit:
    """Merge `unit` into `successor` (e.g. Yên Bái into Lào Cai on 1/7/2025); history stays with the code."""
    if unit.id == successor.id:
        raise Invalid("merge_into_self")
    unit.ensure_active()
    successor.ensure_active()
    if unit.id in successor_lineage:
        raise Invalid("merge_into_descendant", code=unit.code, successor=successor.code)
    return replace(unit, status=UnitStatus.MERGED, successor_id=successor.id, status_date=effective)


def dissolve(unit: Unit, active_children: int, effective: date) -> Unit:
    unit.ensure_active()
    if active_children:
        raise Conflict("unit_has_active_children", code=unit.code, count=active_children)
    return replace(unit, status=UnitStatus.DISSOLVED, status_date=effective)


@dataclass(frozen=True)
class Cluster:
    id: str
    code: str
    name: str
    kind: ClusterKind
    owner_unit_id: str

    def snapshot(self) -> ClusterSnapshot:
        return ClusterSnapshot(id=self.id, code=self.code, name=self.name, kind=self.kind, owner_unit_id=self.owner_unit_id)


@dataclass(frozen=True)
class MembershipChange:
    members: list[str]
    added: list[str]
    removed: list[str]


def change_membership(current: set[str], wanted: Sequence[Unit]) -> MembershipChange:
    """Replace a cluster's members for one year; every new member must be active and listed once."""
    seen: set[str] = set()
    for unit in wanted:
        if unit.id in seen:
            raise Invalid("duplicate_member", code=unit.code)
        seen.add(unit.id)
        if unit.id not in current and unit.status is not UnitStatus.ACTIVE:
            raise Invalid("member_not_active", code=unit.code)
    return MembershipChange(
        members=sorted(seen), added=sorted(seen - current), removed=sorted(current - seen)
    )


@dataclass(frozen=True)
class LeaderElection:
    cluster_id: str
    year: int
    leader_unit_id: str
    deputy_unit_id: str | None
    elected_on: date | None


def elect_leader(
    cluster: Cluster,
    year: int,
    members: set[str],
    leader: Unit,
    deputy: Unit | None,
    existing_leader_code: str | None,
    elected_on: date | None,
) -> LeaderElection:
    """One leader per cluster and year, chosen among that year's members (Cụm trưởng, Cụm phó)."""
    check_year(year)
    if existing_leader_code is not None:
        raise Conflict("leader_already_elected", cluster=cluster.code, year=year, leader=existing_leader_code)
    for unit in (leader, deputy):
        if unit is not None and unit.id not in members:
            raise Invalid("leader_not_member", code=unit.code, year=year)
    if deputy is not None and deputy.id == leader.id:
        raise Invalid("deputy_is_leader")
    return LeaderElection(cluster.id, year, leader.id, deputy.id if deputy else None, elected_on)


@dataclass(frozen=True)
class Person:
    id: str
    unit_id: str
    full_name: str
    position: str | None
    national_id_digest: str | None = field(default=None, repr=False)

    def snapshot(self) -> PersonSnapshot:
        return PersonSnapshot(id=self.id, unit_id=self.unit_id, full_name=self.full_name, position=self.position)


NATIONAL_ID_PATTERN = re.compile(r"^(\d{9}|\d{12})$")


def national_id_digest(number: str, secret: bytes) -> str:
    """A keyed digest of a CMND/CCCD number: duplicates can be found, the number cannot be read back."""
    digits = re.sub(r"[\s.-]", "", number)
    if not NATIONAL_ID_PATTERN.match(digits):
        raise Invalid("national_id_invalid")
    return hmac.new(secret, digits.encode(), hashlib.sha256).hexdigest()


def node_public_key(pem: str) -> Ed25519PublicKey:
    """A node's signing key as an officer pastes it (PEM); refused with a reason if it is not Ed25519."""
    try:
        key = serialization.load_pem_public_key(pem.strip().encode())
    except ValueError:
        raise Invalid("node_key_invalid") from None
    if not isinstance(key, Ed25519PublicKey):
        raise Invalid("node_key_invalid")
    return key
