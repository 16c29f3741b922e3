"""Which of two events about the same thing is newer: the chain sequence within a chain, the time across chains."""

from datetime import UTC, datetime, timedelta

from thidua_shared.messaging.replica import Position

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_within_one_chain_the_sequence_decides_even_against_the_clock():
    later_clock_older_event = Position("vn.registry", 5, T0 + timedelta(hours=1))
    assert Position("vn.registry", 6, T0).is_after(later_clock_older_event)
    assert not later_clock_older_event.is_after(Position("vn.registry", 6, T0))
    assert not Position("vn.registry", 6, T0).is_after(Position("vn.registry", 6, T0))  # equal: not newer


def test_across_chains_the_time_decides_then_the_chain_name():
    centre, province = Position("vn.scoring", 900, T0), Position("15.scoring", 3, T0 + timedelta(seconds=1))
    assert province.is_after(centre) and not centre.is_after(province)
    assert Position("b", 1, T0).is_after(Position("a", 99, T0))
