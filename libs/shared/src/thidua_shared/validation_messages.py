"""Pydantic's validation errors as a person reads them (issue 18, item 1): the field by its Vietnamese label,
the problem in words, the expected format ("ngày theo dạng dd/mm/yyyy") and, when a value is not one of a
set, the values allowed; both languages, from the message catalog. Pydantic's own English never shows.

Used by every service's 422 answer and by the imports' per-row errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

from thidua_shared.i18n import LANGUAGES, Language, field_name, messages, translate

WHERE = {"body", "query", "path", "header", "form"}  # where FastAPI says the value came from: not a field
QUOTED = re.compile(r"'([^']*)'")
YEARS = {"first", "last"}  # context values that are years


def field_label(loc: Sequence[str | int], language: Language) -> str:
    """("body", "targets", 0, "target") → "Các chỉ tiêu › mục thứ 1 › Mức chỉ tiêu"."""
    parts = []
    for part in loc:
        if isinstance(part, int):
            parts.append(translate("invalid_item", language, index=part + 1))
        elif part not in WHERE:
            parts.append(field_name(str(part), language))
    return " › ".join(parts) or translate("field_body", language)


def problem(kind: str, context: dict[str, Any] | None, language: Language) -> str:
    code = f"invalid_{kind}"
    if code not in messages(language):
        code = "invalid_value"
    return translate(code, language, **{name: _shown(name, value, language) for name, value in (context or {}).items()})


def _shown(name: str, value: Any, language: Language) -> str:
    if name in ("expected", "expected_tags"):  # pydantic's "'a', 'b' or 'c'": the values, listed as they are typed
        return ", ".join(QUOTED.findall(str(value))) or str(value)
    if name in YEARS:
        return str(value)  # 2026, never 2.026
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return format_decimal(value, locale=language)  # 10.000 in Vietnamese, 10,000 in English
    return str(value)


def explain(errors: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each error with its field and message in both languages (`loc` and `type` kept for programs)."""
    explained = []
    for error in errors:
        loc = list(error.get("loc", ()))
        item: dict[str, Any] = {"loc": loc, "type": error["type"]}
        for language in LANGUAGES:
            item[f"field_{language}"] = field_label(loc, language)
            item[f"message_{language}"] = translate("invalid_field", language, field=item[f"field_{language}"],
                                                    problem=problem(error["type"], error.get("ctx"), language))
        explained.append(item)
    return explained
