"""What callers ask the registry to do. Units, clusters and people are named by code (or id)."""

from __future__ import annotations


from typing import Annotated

from pydantic import Field

from thidua_shared.events.registry import ClusterKind, UnitKind
from thidua_shared.roles import Role
from thidua_shared.validation import Command, Day

Ref = Annotated[str, Field(min_length=1, max_length=64)]  # a unit, cluster or person by code or id


class RegisterUnit(Command):
    code: str = Field(min_length=1, max_length=64, examples=["HTX-31-QUANGPHUC"])
    name: str = Field(min_length=1, max_length=255, examples=["HTX Sản xuất kinh doanh dịch vụ nông nghiệp Quang Phục"])
    kind: UnitKind
    parent: Ref | None = Field(None, description="Mã hoặc id đơn vị cấp trên / parent code or id")
    province_code: str | None = Field(None, max_length=16, examples=["31"])


class UpdateUnit(Command):
    name: str | None = Field(None, min_length=1, max_length=255)
    parent: Ref | None = Field(None, description="Chuyển sang đơn vị cấp trên khác / move under another parent")
    province_code: str | None = Field(None, max_length=16)


class MergeUnit(Command):
    successor: Ref = Field(description="Mã hoặc id đơn vị kế thừa / successor code or id")
    effective_date: Day
    reason: str | None = Field(None, max_length=1000)


class DissolveUnit(Command):
    effective_date: Day
    reason: str | None = Field(None, max_length=1000)


class FormCluster(Command):
    code: str = Field(min_length=1, max_length=64, examples=["CUM-TP-TRUC-THUOC-TW"])
    name: str = Field(min_length=1, max_length=255)
    kind: ClusterKind = ClusterKind.CLUSTER
    owner: Ref = Field(description="Đơn vị tổ chức cụm/khối (LMHTX Việt Nam hoặc LMHTX tỉnh) / owning unit")


class SetMembers(Command):
    units: list[Ref] = Field(max_length=5000, description="Mã hoặc id các đơn vị thành viên năm đó / member units of that year")


class ElectLeader(Command):
    leader: Ref
    deputy: Ref | None = None
    elected_on: Day | None = None


class RegisterPerson(Command):
    unit: Ref
    full_name: str = Field(min_length=1, max_length=255)
    position: str | None = Field(None, max_length=255)
    national_id: str | None = Field(None, max_length=20, description="Số CMND/CCCD: chỉ lưu dạng băm có khóa / stored only as a keyed digest")


class UpdatePerson(Command):
    unit: Ref | None = None
    full_name: str | None = Field(None, min_length=1, max_length=255)
    position: str | None = Field(None, max_length=255)
    national_id: str | None = Field(None, max_length=20)


class IssueToken(Command):
    holder_name: str = Field(min_length=1, max_length=255)
    role: Role
    scope_unit: Ref | None = Field(None, description="Phạm vi: một đơn vị và cây con của nó / scope unit")
    person: Ref | None = Field(None, description="Id người giữ mã / holder's person id")


class RegisterNodeKey(Command):
    """The centre vouches for a node's signing key: a province's, or a node's new key after a rotation."""

    public_key_pem: str = Field(min_length=1, max_length=2000, description="Khóa công khai Ed25519 (PEM) / Ed25519 public key, PEM")
    link_key: str | None = Field(None, pattern=r"^U[A-Z2-7]{55}$", description="Khóa NKey của liên kết / the node's leaf link NKey")
    reason: str = Field(min_length=1, max_length=500, description="Lý do (đăng ký, thay khóa) / why: registration, rotation")
