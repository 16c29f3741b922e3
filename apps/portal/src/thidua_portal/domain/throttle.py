"""How often a wrong password may be tried (NIST SP 800-63B §3.2.2: at most 100 consecutive failures on one
account, and slowing guessers down): the first five failures cost nothing, each one after doubles the wait
before the next try (2 s, 4 s, … up to 15 minutes), and the hundredth locks the account until an officer or
the person, by a reset link, unlocks it. A right password clears the count. Pure: the clock is given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

FREE_FAILURES = 5
LONGEST_WAIT = timedelta(minutes=15)
LOCK_AFTER = 100


@dataclass(frozen=True)
class Attempts:
    failures: int  # consecutive wrong passwords since the last right one
    last_failure_at: datetime | None


def wait_before_next(attempts: Attempts) -> timedelta:
    """How long after the last failure the next try is heard (zero: at once)."""
    if attempts.failures < FREE_FAILURES:
        return timedelta(0)
    return min(LONGEST_WAIT, timedelta(seconds=2 ** (attempts.failures - FREE_FAILURES + 1)))


def locked(attempts: Attempts) -> bool:
    return attempts.failures >= LOCK_AFTER


def may_try(attempts: Attempts, now: datetime) -> tuple[bool, timedelta]:
    """Whether a try is heard now, and if not, how long is left to wait (a locked account: never, until unlocked)."""
    if locked(attempts):
        return False, LONGEST_WAIT
    if attempts.last_failure_at is None:
        return True, timedelta(0)
    left = attempts.last_failure_at + wait_before_next(attempts) - now
    return left <= timedelta(0), max(left, timedelta(0))


def after_failure(attempts: Attempts, now: datetime) -> Attempts:
    return Attempts(attempts.failures + 1, now)


def after_success() -> Attempts:
    return Attempts(0, None)
