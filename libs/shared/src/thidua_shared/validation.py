"""What every request body must be before a use case sees it: bounded, clean, normalised.

`Command` is the base of every service's request models. Before field validation it
walks the whole body (nested objects and lists included): every string is normalised
to Unicode NFC and refused if it carries a control character; strings, lists and
numbers are bounded by the types below. A request that breaks any of this gets a 422
with the field named, never a 500 and never a half-applied change.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from thidua_shared.errors import Invalid
from thidua_shared.clock import VIETNAM
from thidua_shared.i18n import format_date
from thidua_shared.text import CONTROL

MAX_TEXT = 20_000  # the longest free text a request may carry (a pledge's full wording)
FIRST_YEAR, LAST_YEAR = 1946, 2100

# Points of a criterion (max, min, per occurrence): a 100-point scale is common; 10,000 is generous.
Points = Annotated[Decimal, Field(ge=-10_000, le=10_000, max_digits=12, decimal_places=4, allow_inf_nan=False)]
# A measured value or a target (revenue in VND, a count, a percentage): finite and bounded.
Quantity = Annotated[Decimal, Field(ge=-10**15, le=10**15, max_digits=24, decimal_places=6, allow_inf_nan=False)]
Scale = Annotated[Decimal, Field(gt=0, le=1_000, max_digits=8, decimal_places=2, allow_inf_nan=False)]
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]


def _within_years(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise PydanticCustomError("date_out_of_range", "a date must fall within {first}–{last}", {"first": FIRST_YEAR, "last": LAST_YEAR})
    return value


VIETNAMESE_DAY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?\s*$")


def _as_written(value: Any) -> Any:
    """dd/mm/yyyy (and dd/mm/yyyy hh:mm), as Vietnamese readers write a date, beside ISO 8601."""
    found = VIETNAMESE_DAY.match(value) if isinstance(value, str) else None
    if not found:
        return value
    day, month, year, hour, minute = found.groups()
    if hour is None:
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return f"{year}-{int(month):02d}-{int(day):02d}T{int(hour):02d}:{minute}:00"


def _in_vietnam(value: datetime) -> datetime:
    """A moment typed without a time zone is Vietnam's time (a ballot closing at 17:00 closes at 17:00 in Hà Nội)."""
    return value.replace(tzinfo=VIETNAM) if value.tzinfo is None else value


# A date or moment a person types (a decision signed, a discipline's start, a ballot's close): dd/mm/yyyy or ISO,
# within the years the federation's records span, so that 0001-01-01 or 9999-12-31 never reach a rule.
Day = Annotated[date, BeforeValidator(_as_written), AfterValidator(_within_years)]
Moment = Annotated[datetime, BeforeValidator(_as_written), AfterValidator(_in_vietnam), AfterValidator(_within_years)]


def check_period(start: date, end: date | None) -> None:
    """A period ends on or after it starts."""
    if end is not None and end < start:
        raise Invalid("period_reversed", start=format_date(start), end=format_date(end))


def clean_input(value: Any, path: str = "") -> Any:
    """NFC-normalise every string in a parsed JSON body; refuse control characters (tab and newline excepted)."""
    if isinstance(value, str):
        if CONTROL.search(value):
            raise PydanticCustomError("control_character", "contains a control character")
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {clean_input(k, path): clean_input(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_input(item, f"{path}[{i}]") for i, item in enumerate(value)]
    return value


class Command(BaseModel):
    """Base of every request body: unknown fields refused, strings stripped, cleaned and bounded."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, str_max_length=MAX_TEXT)

    @model_validator(mode="before")
    @classmethod
    def _clean_strings(cls, data: Any) -> Any:
        return clean_input(data)
