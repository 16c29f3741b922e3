"""User-facing text: Vietnamese first, English available, from one message catalog.

Every message a person can meet (the services' errors, the CLI's lines) has a code, and its text in
each language sits in the gettext catalogs under `locale/<language>/LC_MESSAGES/thidua.po`: translators
work on the .po files with the usual tools, the code names only the code (`Invalid("unit_not_found",
ref=...)`, `translate("ballot_opened", "en", id=...)`). `tests/unit/test_message_catalog.py` extracts
the codes from the sources with Babel and fails on a code missing from either language, or on a
message whose languages disagree on its placeholders.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal

from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.numbers import format_percent as babel_percent

from thidua_shared.clock import VIETNAM

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "thidua"


def catalog_path(language: Language) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def messages(language: Language) -> dict[str, str]:
    """The catalog of one language, code → text (read once per process; Babel parses the .po file)."""
    with catalog_path(language).open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


def field_name(name: str, language: Language = "vi") -> str:
    """A field or column as a person reads it ("Tên đơn vị" for `name`): its `field_<name>` label, or the name itself
    where the catalog has none (a field the caller made up)."""
    return messages("en" if language == "en" else "vi").get(f"field_{name}", name)


def event_name(event_type: str, language: Language = "vi") -> str:
    """An event's type as a person reads it ("Phát động phong trào" for `campaigns.campaign_launched`): its
    `event_<service>_<name>` label; every type in the catalog has one (a test holds it)."""
    return messages("en" if language == "en" else "vi").get(f"event_{event_type.replace('.', '_')}", event_type)


def role_name(role: str, language: Language = "vi") -> str:
    """A token's role as a person reads it ("Cán bộ Liên minh HTX tỉnh" for `provincial_officer`)."""
    return messages("en" if language == "en" else "vi").get(f"role_{role}", role)


@dataclass(frozen=True)
class Label:
    """A message parameter shown as its own catalog text in each language (a state, a step), never as its code:
    `Conflict("nomination_wrong_state", state=Label("nomination_state_decided"))`."""

    code: str

    def __str__(self) -> str:
        return translate(self.code, "vi")


def translate(message_code: str, language: Language = "vi", /, **params: object) -> str:
    template = messages("en" if language == "en" else "vi").get(message_code, message_code)
    shown = {name: translate(value.code, language) if isinstance(value, Label) else value for name, value in params.items()}
    try:
        return template.format(**shown)
    except (KeyError, IndexError):
        return template


def language_from_header(accept_language: str | None) -> Language:
    """`Accept-Language: en...` picks English; anything else is Vietnamese."""
    if accept_language and accept_language.strip().lower().startswith("en"):
        return "en"
    return "vi"


def long_date(value: date, place: str | None = None) -> str:
    """A date as official letters write it: "Hà Nội, ngày 07 tháng 12 năm 2017"."""
    written = f"ngày {value.day:02d} tháng {value.month:02d} năm {value.year}"
    return f"{place}, {written}" if place else written


def format_number(value: float | int | Decimal, language: Language = "vi", decimals: int | None = None) -> str:
    """A number as its reader writes it (Babel's locale data): 4.162 and 100,00 in Vietnamese, 4,162 and 100.00 in
    English; `decimals` fixes the places shown, else they are as many as the value has."""
    if decimals is None and isinstance(value, Decimal) and value.is_finite():
        decimals = max(0, -int(value.as_tuple().exponent))  # 100.00 points stay 100,00
    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=language)


def format_percent(share: float | Decimal, language: Language = "vi", decimals: int = 0) -> str:
    """A share (0.8) as a percentage: 80% (81,2% with one decimal in Vietnamese)."""
    return babel_percent(share, format="#,##0" + ("." + "0" * decimals if decimals else "") + "%", locale=language)


def format_date(value: date | datetime | None, language: Language = "vi") -> str:
    """Dates as a person reads them: 13/10/2013 in Vietnamese, 2013-10-13 in English."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y") if language == "vi" else value.strftime("%Y-%m-%d")


def format_moment(value: datetime, language: Language = "vi") -> str:
    """A moment in Vietnam's time zone as a person reads it: "14:05 20/12/2017" (English: "14:05 2017-12-20")."""
    local = value.astimezone(VIETNAM)
    return f"{local:%H:%M} {format_date(local, language)}"
