"""Working days in Vietnam: no weekends, no public holidays (Tết, Hùng Kings, 30/4, 1/5, 2/9 ...),
from the `holidays` package, so that a posting window of "10 working days" is the law's."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=[year])


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def holiday_name(day: date) -> str | None:
    return _holidays(day.year).get(day)


def last_working_day(start: date, count: int) -> date:
    """The `count`-th working day counting from `start` (itself included if it is one)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    day, seen = start, 0
    while True:
        if is_working_day(day):
            seen += 1
            if seen == count:
                return day
        day += timedelta(days=1)


def skipped_days(start: date, end: date) -> list[tuple[date, str]]:
    """The days between `start` and `end` that were not counted, and why (for the posting notice)."""
    days, day = [], start
    while day <= end:
        if not is_working_day(day):
            days.append((day, holiday_name(day) or ("Thứ Bảy" if day.weekday() == 5 else "Chủ nhật")))
        day += timedelta(days=1)
    return days
