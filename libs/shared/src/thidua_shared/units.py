"""Rules about units that every service applies to its own view of them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from thidua_shared.errors import Conflict
from thidua_shared.events.registry import UnitStatus
from thidua_shared.i18n import format_date


def ensure_active(code: str, status: UnitStatus, successor_code: str | None, status_date: date | None) -> None:
    """New work may only name an active unit; a merged one is refused with its successor named."""
    if status is UnitStatus.MERGED and successor_code:
        raise Conflict("unit_merged_into", code=code, successor=successor_code, date=format_date(status_date))
    if status is not UnitStatus.ACTIVE:
        raise Conflict("unit_not_active", code=code, status=status.value)


class UnitRef(BaseModel):
    """A unit as other records name it (a parent, a successor, an issuer, a member): id, code, name."""

    model_config = ConfigDict(frozen=True)

    id: str
    code: str
    name: str

    @classmethod
    def of(cls, triple: tuple[str, str, str] | None) -> "UnitRef | None":
        return cls(id=triple[0], code=triple[1], name=triple[2]) if triple else None
