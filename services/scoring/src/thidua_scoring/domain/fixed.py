"""Exact arithmetic for scores: integers of a declared scale, rounded once, half away from zero.

Points travel as decimals with at most four places and quantities with at most six (the
campaign's bounds); here they become integers of 1/10,000 point and 1/1,000,000 unit, every
rule is a ratio of integers, and each result is rounded once to the policy's decimals. No
float ever enters, so a result never depends on the order of additions, and a table can be
recomputed to the same bytes anywhere.
"""

from __future__ import annotations

from decimal import Decimal

POINT_PLACES = 4  # inputs: Points have at most 4 decimal places
QUANTITY_PLACES = 6  # inputs: Quantities have at most 6


def to_int(value: Decimal, places: int) -> int:
    """`value` × 10^places, which must be whole (the input types guarantee it)."""
    scaled = value.scaleb(places)
    whole = int(scaled)
    if scaled != whole:
        raise ValueError(f"{value} has more than {places} decimal places")
    return whole


def points_int(value: Decimal) -> int:
    return to_int(value, POINT_PLACES)


def quantity_int(value: Decimal) -> int:
    return to_int(value, QUANTITY_PLACES)


def round_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to a whole number, half away from zero."""
    if numerator >= 0 and denominator > 0:  # the common case, in one step
        return (2 * numerator + denominator) // (2 * denominator)
    if denominator == 0:
        raise ZeroDivisionError("round_div by zero")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def to_decimal(value: int, places: int) -> Decimal:
    """An integer of 10^-places back to a Decimal with exactly `places` places (for output)."""
    return Decimal(value).scaleb(-places)


def plain(value: int, places: int) -> Decimal:
    """An integer of 10^-places as people write it: no trailing zeros, never an exponent (30, 27.5, 0.25)."""
    number = to_decimal(value, places)
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


def shown(points: int, places: int = 2) -> Decimal:
    """Points × 10^4 with `places` decimals, as score sheets show them (rounded once, half away from zero)."""
    return to_decimal(rescale(points, POINT_PLACES, places), places)


def rescale(value: int, from_places: int, to_places: int) -> int:
    """An integer of 10^-from_places as one of 10^-to_places, rounded once."""
    if to_places >= from_places:
        return value * 10 ** (to_places - from_places)
    return round_div(value, 10 ** (from_places - to_places))
