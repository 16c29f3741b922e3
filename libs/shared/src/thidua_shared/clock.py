"""Dates as the federation counts them: deadlines fall on Vietnamese calendar days."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def today_in_vietnam() -> date:
    return datetime.now(VIETNAM).date()
