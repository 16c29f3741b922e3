"""Wrong passwords back off and lock (issue 19, item 2): five free tries, then a doubling wait up to 15 minutes,
locked at the hundredth; a right password clears the count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from thidua_portal.domain.throttle import FREE_FAILURES, LOCK_AFTER, LONGEST_WAIT, Attempts, after_failure, after_success, may_try

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_five_failures_are_free_then_each_doubles_the_wait_up_to_fifteen_minutes() -> None:
    attempts = Attempts(0, None)
    for _ in range(FREE_FAILURES - 1):
        attempts = after_failure(attempts, NOW)
        assert may_try(attempts, NOW) == (True, timedelta(0))
    waits = []
    for _ in range(12):
        attempts = after_failure(attempts, NOW)
        allowed, left = may_try(attempts, NOW)
        assert not allowed and may_try(attempts, NOW + left)[0]  # heard again once the wait is over
        waits.append(left)
    assert waits[:4] == [timedelta(seconds=s) for s in (2, 4, 8, 16)] and waits[-1] == LONGEST_WAIT


def test_the_hundredth_failure_locks_until_unlocked_and_a_right_password_clears_the_count() -> None:
    attempts = Attempts(LOCK_AFTER - 1, NOW)
    locked = after_failure(attempts, NOW)
    assert may_try(locked, NOW + timedelta(days=30))[0] is False
    assert may_try(after_success(), NOW) == (True, timedelta(0))
