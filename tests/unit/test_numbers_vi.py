"""Numbers as Vietnamese readers write them (issue 18, item 2), with Babel's vi locale: decimal comma, dot
thousands; a value keeps the places it has (100,00 points), a rate is rounded as asked (4.162 events a second)."""

from __future__ import annotations

from decimal import Decimal

from thidua_shared.i18n import format_number, format_percent


def test_numbers_and_shares_read_as_in_vietnamese_and_in_english():
    assert format_number(Decimal("100.00")) == "100,00" and format_number(Decimal("100.00"), "en") == "100.00"
    assert format_number(4162.4, decimals=0) == "4.162" and format_number(4162.4, "en", 0) == "4,162"
    assert format_number(Decimal("35000")) == "35.000" and format_number(Decimal("-1234.5")) == "-1.234,5"
    assert format_percent(Decimal("0.8")) == "80%" and format_percent(Decimal("0.8123"), decimals=1) == "81,2%"
    assert format_percent(Decimal("0.8123"), "en", 1) == "81.2%"
