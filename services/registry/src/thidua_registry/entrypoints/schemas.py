"""What the HTTP API returns."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from thidua_shared.events.registry import ClusterKind, UnitKind, UnitStatus
from thidua_shared.roles import Role
from thidua_shared.units import UnitRef


class UnitOut(BaseModel):
    id: str
    code: str
    name: str
    kind: UnitKind
    province_code: str | None
    status: UnitStatus
    status_date: date | None
    parent: UnitRef | None
    successor: UnitRef | None = None
    current: UnitRef | None = None  # for a merged unit: the active unit its history now follows


class UnitPage(BaseModel):
    items: list[UnitOut]
    next_cursor: str | None = None  # pass as `cursor` for the next page; absent on the last page
    total: int | None = None  # only with `with_total=true`


class ClusterOut(BaseModel):
    id: str
    code: str
    name: str
    kind: ClusterKind
    owner: UnitRef


class MembersOut(BaseModel):
    cluster: ClusterOut
    year: int
    members: list[UnitRef]
    leader: UnitRef | None = None
    deputy: UnitRef | None = None


class MembershipChangeOut(BaseModel):
    year: int
    members: list[str]
    added: list[str]
    removed: list[str]


class LeaderTerm(BaseModel):
    year: int
    leader: UnitRef
    deputy: UnitRef | None
    elected_on: date | None


class PersonOut(BaseModel):
    id: str
    full_name: str
    position: str | None
    unit: UnitRef
    has_national_id: bool


class NodeKeyRegistered(BaseModel):
    node: str
    fingerprint: str
    note: str = (
        "Mọi nút sẽ tin sự kiện ký bằng khóa này; khóa cũ vẫn được tin cho sự kiện đã ký trước đó."
        " / Every node will trust events signed with this key; earlier keys still verify what they signed."
    )


class TokenOut(BaseModel):
    """A token as its list shows it: who holds it, as what, over which unit; never the token or its hash."""

    id: str
    holder_name: str
    role: Role
    scope: str | None  # the scope unit's code; none: the whole federation
    person_id: str | None
    issued_at: datetime
    revoked_at: datetime | None


class TokenIssued(BaseModel):
    id: str
    token: str
    role: Role
    scope_unit_id: str | None
    note: str = "Mã chỉ hiển thị một lần; hãy lưu lại. / Shown once only; keep it safe."


class ImportResult(BaseModel):
    dry_run: bool
    created: int
    units: list[UnitRef]


class WhoAmI(BaseModel):
    holder_name: str
    role: Role
    scope_unit_id: str | None
    token_id: str
    is_admin: bool
