"""Rules about units that every service applies to its own view of them."""

from __future__ import annotations

from datetime import date

from thidua_shared.errors import Conflict
from thidua_shared.events.registry import UnitStatus
from thidua_shared.i18n import format_date


def ensure_active(code: str, status: UnitStatus, successor_code: str | None, status_date: date | None) -> None:
    """New work may only name an active unit; a merged one is refused with its successor named."""
    if status is UnitStatus.MERGED and successor_code:
        raise Conflict("unit_merged_into", code=code, successor=successor_code, date=format_date(status_date))
    if status is not UnitStatus.ACTIVE:
        raise Conflict("unit_not_active", code=code, status=status.value)
